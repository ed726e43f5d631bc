"""The directory's drill-down filters (the dashboard's links to "the IKM behind a figure"):
registered status group, KBLI division, Link & Match event and registration period; each
narrows the user's scope, a bad value says so and lists nothing, and the count is the
dashboard's."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ikm import search
from ikm.directory import canonical_query
from ikm.kbli_divisions import division_choices, division_label, divisions_in_use
from ikm.models import IKM, Regency
from kemitraan.models import EventParticipant
from tests.factories import IkmFactory, LinkMatchEventFactory

pytestmark = pytest.mark.django_db

URL = reverse("ikm:directory")
ROW = re.compile(r'<a href="/ikm/(\d+)/">')


@pytest.fixture(autouse=True)
def _fresh_search_caches():
    search.clear_caches()


def registered_on(ikm: IKM, day: datetime.date) -> IKM:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    IKM.objects.filter(pk=ikm.pk).update(created_at=moment)
    return ikm


@pytest.fixture
def event(db):
    return LinkMatchEventFactory(name="Pameran Komponen Otomotif Uji")


@pytest.fixture
def catalogue(event):
    """Registered and unregistered IKM in two provinces and two KBLI divisions."""
    tegal = Regency.objects.get(code="33.76")
    ikms = {
        # Registered (verified), division 29, Jawa Barat, registered in 2025, at the event.
        "cars": IkmFactory(name="CV Otomotif Bekasi", kbli=["29300"]),
        # Registered (submitted), division 22, Jawa Tengah, 2024, only asked to join.
        "plastic": IkmFactory(
            name="CV Plastik Tegal",
            kbli=["22192"],
            regency=tegal,
            verification_status=IKM.Status.SUBMITTED,
        ),
        # Not registered: a draft and an inactive IKM, division 29, 2025, at the event.
        "draft": IkmFactory(
            name="CV Draf Otomotif", kbli=["29100"], verification_status=IKM.Status.DRAFT
        ),
        "inactive": IkmFactory(name="CV Tutup Otomotif", kbli=["29300"], is_active=False),
    }
    for key in ("cars", "draft", "inactive"):
        registered_on(ikms[key], datetime.date(2025, 3, 10))
    registered_on(ikms["plastic"], datetime.date(2024, 6, 1))
    for key in ("cars", "draft", "inactive"):
        EventParticipant.objects.create(
            event=event, ikm=ikms[key], status=EventParticipant.Status.APPROVED
        )
    EventParticipant.objects.create(event=event, ikm=ikms["plastic"])  # requested only
    return ikms


def get(client, user, language="en", **params):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client.get(URL, params)


def listed(response, catalogue) -> set[str]:
    assert response.status_code == 200
    pks = {int(pk) for pk in ROW.findall(response.content.decode())}
    return {key for key, ikm in catalogue.items() if ikm.pk in pks}


# --- KBLI divisions ------------------------------------------------------------------------


def test_division_labels():
    assert division_label("29") == "29 — Industri Kendaraan Bermotor, Trailer dan Semi Trailer"
    assert division_label("10") == "10 — Industri Makanan"
    assert division_label("46") == "Golongan pokok 46"


def test_the_divisions_in_use_are_those_the_ikm_hold(catalogue):
    assert divisions_in_use() == ["22", "29"]
    assert division_choices() == [("22", division_label("22")), ("29", division_label("29"))]


# --- Each filter -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"cars", "plastic", "draft", "inactive"}),
        ({"status_group": "registered"}, {"cars", "plastic"}),
        ({"sector": "29"}, {"cars", "draft", "inactive"}),
        ({"sector": "22"}, {"plastic"}),
        ({"event": "EVENT"}, {"cars", "draft", "inactive"}),  # approved participants only
        ({"date_from": "2025-01-01"}, {"cars", "draft", "inactive"}),
        ({"date_to": "2024-12-31"}, {"plastic"}),
        ({"date_from": "2024-06-01", "date_to": "2024-06-01"}, {"plastic"}),
        ({"date_from": "2025-03-11"}, set()),
        ({"status_group": "registered", "sector": "29", "event": "EVENT"}, {"cars"}),
        ({"status_group": "registered", "province": "33", "date_to": "2024-12-31"}, {"plastic"}),
    ],
)
def test_each_filter(client, kemenperin_user, catalogue, event, params, expected):
    params = {name: str(event.pk) if value == "EVENT" else value for name, value in params.items()}
    assert listed(get(client, kemenperin_user, **params), catalogue) == expected


def test_a_buyer_still_sees_only_registered_ikm(client, pengadaan_user, catalogue, event):
    """The filters narrow the buyer's scope (submitted and verified, active): the draft and
    the inactive IKM of the division and the event stay out."""
    assert listed(get(client, pengadaan_user, sector="29"), catalogue) == {"cars"}
    assert listed(get(client, pengadaan_user, event=event.pk), catalogue) == {"cars"}
    assert listed(get(client, pengadaan_user, date_from="2025-01-01"), catalogue) == {"cars"}


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"province": "zz"}, "province", "Select a valid choice"),
        ({"sector": "99"}, "sector", "Select a valid choice"),
        ({"sector": "2"}, "sector", "Select a valid choice"),
        ({"event": "abc"}, "event", "Select a valid choice"),
        ({"event": "999999"}, "event", "Select a valid choice"),
        ({"status_group": "all"}, "status_group", "Select a valid choice"),
        ({"date_from": "2025-13-45"}, "date_from", "Enter a valid date"),
        ({"date_to": "kemarin"}, "date_to", "Enter a valid date"),
    ],
)
def test_a_bad_value_lists_nothing_and_says_so(
    client, kemenperin_user, catalogue, params, field, message
):
    response = get(client, kemenperin_user, **params)
    assert listed(response, catalogue) == set()
    html = response.content.decode()
    assert "Some filters are not valid" in html
    assert message in html
    assert response.context["filter"].errors.keys() == {field}


def test_the_form_shows_the_new_filters_with_their_choices(client, kemenperin_user, catalogue):
    html = get(client, kemenperin_user, sector="29").content.decode()
    for name in ("status_group", "sector", "event", "date_from", "date_to"):
        assert f'name="{name}"' in html, name
    assert '<option value="29" selected>29 — Industri Kendaraan Bermotor' in html
    assert 'type="date"' in html


def test_the_shareable_url_keeps_the_new_filters():
    query = canonical_query(
        {"sector": "29", "event": "4", "status_group": "registered", "date_from": "2025-01-01"}
    )
    assert query == "status_group=registered&sector=29&event=4&date_from=2025-01-01"


# --- The dashboard's figures -------------------------------------------------------------------


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"province": "32"},
        {"sector": "29"},
        {"event": True},
        {"date_from": datetime.date(2025, 1, 1)},
        {"date_to": datetime.date(2024, 12, 31), "province": "33", "sector": "22"},
    ],
)
def test_the_count_is_the_dashboards(client, kemenperin_user, catalogue, event, filters):
    """The program's "IKM registered" with the same filters, in the list's result count."""
    from dasbor.figures import Filters, Scope

    if filters.get("event"):
        filters = {**filters, "event": event.pk}
    scope = Scope(filters=Filters(**filters))
    expected = scope.ikm().filter(scope._period_q("created_at", is_datetime=True)).count()
    params = {"status_group": "registered"} | {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in filters.items()
    }
    response = get(client, kemenperin_user, **params)
    assert response.context["result_count"] == expected
    assert len(listed(response, catalogue)) == expected


# --- Queries and the API ------------------------------------------------------------------------


def test_the_queries_do_not_grow_with_rows(client, kemenperin_user, event):
    def make(count):
        for _ in range(count):
            ikm = IkmFactory(kbli=["29300"])
            EventParticipant.objects.create(
                event=event, ikm=ikm, status=EventParticipant.Status.APPROVED
            )

    params = {
        "status_group": "registered",
        "sector": "29",
        "event": event.pk,
        "date_from": "2020-01-01",
    }
    make(2)
    get(client, kemenperin_user, **params)
    with CaptureQueriesContext(connection) as few:
        get(client, kemenperin_user, **params)
    make(10)
    with CaptureQueriesContext(connection) as many:
        response = get(client, kemenperin_user, **params)
    assert response.context["result_count"] == 12
    assert len(many) == len(few)


def test_the_api_has_the_same_filters(client, kemenperin_user, pengadaan_user, catalogue, event):
    client.force_login(kemenperin_user)
    api = "/api/v1/ikm/"

    def names(**params):
        response = client.get(api, params)
        assert response.status_code == 200, response.content
        return {row["name"] for row in response.json()["results"]}

    assert names(status_group="registered", sector="29") == {"CV Otomotif Bekasi"}
    assert names(event=event.pk) == {"CV Otomotif Bekasi", "CV Draf Otomotif", "CV Tutup Otomotif"}
    assert names(date_to="2024-12-31") == {"CV Plastik Tegal"}
    assert client.get(api, {"sector": "99"}).status_code == 400
    assert client.get(api, {"date_from": "nope"}).status_code == 400
    client.force_login(pengadaan_user)
    assert names(sector="29") == {"CV Otomotif Bekasi"}
