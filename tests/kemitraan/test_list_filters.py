"""The filter bars of the need and MoU lists (the dashboard's links to "the records behind a
figure"): each filter keeps the records that match and drops the others, narrows the user's
scope, a bad value says so and lists nothing, the pages keep the query, the queries do not
grow with the rows, and the counts are the dashboard's."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ikm.models import Province, Regency
from kemitraan.models import Demand, MoU

from ..factories import (
    DemandFactory,
    IkmFactory,
    LinkMatchEventFactory,
    MouFactory,
    MouParticipantFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
DEMANDS = reverse("kemitraan:demand-list")
MOUS = reverse("kemitraan:mou-list")


def get(client, user, url, **params):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def listed(response, records: dict) -> set[str]:
    pks = [obj.pk for obj in response.context["object_list"]]
    assert len(pks) == len(set(pks)), "a record is listed twice"
    return {key for key, record in records.items() if record.pk in pks}


def as_params(params: dict, **ids) -> dict:
    """``"@name"`` values are the pk of ``ids[name]``."""
    return {
        name: str(ids[value[1:]].pk) if isinstance(value, str) and value.startswith("@") else value
        for name, value in params.items()
    }


# --- Needs ------------------------------------------------------------------------------------


def posted_on(demand: Demand, day: datetime.date) -> Demand:
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    Demand.objects.filter(pk=demand.pk).update(created_at=moment)
    return demand


@pytest.fixture
def demands(buyer_org, other_buyer_org):
    own, other = buyer_org.buyer_profile, other_buyer_org.buyer_profile
    jabar, jateng = Province.objects.get(code="32"), Province.objects.get(code="33")
    return {
        "open_jabar": posted_on(
            DemandFactory(buyer=own, title="Bracket Jawa Barat", province=jabar), D(2025, 2, 1)
        ),
        "closed_jateng": posted_on(
            DemandFactory(buyer=own, title="Poros Jawa Tengah", province=jateng, status="closed"),
            D(2024, 5, 1),
        ),
        "other_open": posted_on(
            DemandFactory(buyer=other, title="Velg pembeli lain", province=jabar), D(2025, 2, 1)
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"open_jabar", "closed_jateng", "other_open"}),
        ({"status": "open"}, {"open_jabar", "other_open"}),
        ({"status": "fulfilled"}, set()),
        ({"province": "33"}, {"closed_jateng"}),
        ({"province": "32", "status": "open"}, {"open_jabar", "other_open"}),
        ({"buyer": "@other"}, {"other_open"}),
        ({"date_from": "2025-01-01"}, {"open_jabar", "other_open"}),
        ({"date_to": "2024-12-31"}, {"closed_jateng"}),
        ({"date_from": "2024-05-01", "date_to": "2024-05-01"}, {"closed_jateng"}),
    ],
)
def test_each_need_filter(client, kemenperin_user, demands, other_buyer_org, params, expected):
    params = as_params(params, other=other_buyer_org.buyer_profile)
    assert listed(get(client, kemenperin_user, DEMANDS, **params), demands) == expected


def test_a_buyer_filters_only_their_own_needs(
    client, pengadaan_user, demands, other_buyer_org, buyer_org
):
    response = get(client, pengadaan_user, DEMANDS, province="32")
    assert listed(response, demands) == {"open_jabar"}
    assert 'name="buyer"' not in response.content.decode()  # for Kemenperin and KADIN
    # Another buyer's needs cannot be asked for through the query string.
    response = get(client, pengadaan_user, DEMANDS, buyer=other_buyer_org.buyer_profile.pk)
    assert listed(response, demands) == {"open_jabar", "closed_jateng"}


def test_the_need_filter_bar(client, kadin_user, demands, other_buyer_org):
    html = get(client, kadin_user, DEMANDS, status="open").content.decode()
    assert 'id="list-filters"' in html
    for name in ("status", "province", "buyer", "date_from", "date_to"):
        assert f'name="{name}"' in html, name
    assert '<option value="open" selected>' in html
    assert "PT Pembeli Lain" in html  # the buyers, by name
    assert (
        "No procurement needs match these filters."
        in get(client, kadin_user, DEMANDS, status="fulfilled").content.decode()
    )


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"status": "zz"}, "status", "Select a valid choice"),
        ({"province": "zz"}, "province", "Select a valid choice"),
        ({"buyer": "999999"}, "buyer", "Select a valid choice"),
        ({"buyer": "abc"}, "buyer", "Select a valid choice"),
        ({"date_from": "2025-02-30"}, "date_from", "Enter a valid date"),
        ({"date_to": "besok"}, "date_to", "Enter a valid date"),
    ],
)
def test_a_bad_need_filter_lists_nothing_and_says_so(
    client, kemenperin_user, demands, params, field, message
):
    response = get(client, kemenperin_user, DEMANDS, **params)
    assert listed(response, demands) == set()
    html = response.content.decode()
    assert "Some filters are not valid" in html and message in html
    assert response.context["filter"].errors.keys() == {field}


def test_the_need_pages_keep_the_query(client, kemenperin_user, buyer_org):
    DemandFactory.create_batch(26, buyer=buyer_org.buyer_profile)
    html = get(client, kemenperin_user, DEMANDS, status="open").content.decode()
    assert "?status=open&amp;page=2" in html
    page = get(client, kemenperin_user, DEMANDS, status="open", page="2")
    assert len(page.context["object_list"]) == 1
    assert "?status=open&amp;page=1" in page.content.decode()


def test_the_need_list_queries_do_not_grow_with_rows(client, kemenperin_user, buyer_org):
    jabar = Province.objects.get(code="32")

    def make(count):
        for _ in range(count):
            DemandFactory(buyer=buyer_org.buyer_profile, province=jabar)

    params = {"status": "open", "province": "32", "buyer": buyer_org.buyer_profile.pk}
    make(2)
    get(client, kemenperin_user, DEMANDS, **params)
    with CaptureQueriesContext(connection) as few:
        get(client, kemenperin_user, DEMANDS, **params)
    make(10)
    with CaptureQueriesContext(connection) as many:
        response = get(client, kemenperin_user, DEMANDS, **params)
    assert len(response.context["object_list"]) == 12
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "filters",
    [{}, {"province": "32"}, {"date_from": D(2025, 1, 1)}, {"date_to": D(2024, 12, 31)}],
)
def test_the_need_count_is_the_dashboards(
    client, kemenperin_user, pengadaan_user, buyer_org, demands, filters
):
    from dasbor.figures import Filters, Scope

    params = {k: v.isoformat() if isinstance(v, D) else v for k, v in filters.items()}
    for user, scope in (
        (kemenperin_user, Scope(filters=Filters(**filters))),
        (pengadaan_user, Scope.for_organisation(buyer_org, Filters(**filters))),
    ):
        response = get(client, user, DEMANDS, **params)
        assert response.context["paginator"].count == scope.demands().count()


# --- MoUs -------------------------------------------------------------------------------------


@pytest.fixture
def event(db):
    return LinkMatchEventFactory(name="Business Matching Otomotif Uji")


@pytest.fixture
def ikms(db):
    """A, C, E in Jawa Barat; B, D in Jawa Tengah. A and D: division 29; B, C, E: 22."""
    tegal = Regency.objects.get(code="33.76")
    return {
        "A": IkmFactory(name="CV A Otomotif Jabar", kbli=["29300"]),
        "B": IkmFactory(name="CV B Plastik Jateng", kbli=["22192"], regency=tegal),
        "C": IkmFactory(name="CV C Plastik Jabar", kbli=["22192"]),
        "D": IkmFactory(name="CV D Otomotif Jateng", kbli=["29100"], regency=tegal),
        "E": IkmFactory(name="CV E Plastik Jabar", kbli=["22192"]),
    }


@pytest.fixture
def mous(buyer_org, other_buyer_org, event, ikms):
    own, other = buyer_org.buyer_profile, other_buyer_org.buyer_profile

    def mou(number, participants, **fields):
        record = MouFactory(number=number, **fields)
        for key in participants:
            MouParticipantFactory(mou=record, ikm=ikms[key])
        return record

    return {
        "active_event": mou(
            "001/AKTIF", "A", buyer=own, status="active", signing_date=D(2025, 3, 1), event=event
        ),
        # Jawa Barat (C, E) and division 29 (D), but no participant is both.
        "expired_mixed": mou(
            "002/KEDALUWARSA", "CED", buyer=own, status="expired", signing_date=D(2023, 5, 1)
        ),
        "draft": mou("003/DRAF", "B", buyer=own, status="draft", signing_date=None),
        "other_signed": mou(
            "004/LAIN", "A", buyer=other, status="signed", signing_date=D(2025, 3, 1), event=event
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"active_event", "expired_mixed", "draft", "other_signed"}),
        ({"state": "in_force"}, {"active_event", "other_signed"}),
        ({"state": "signed"}, {"active_event", "expired_mixed", "other_signed"}),
        ({"status": "draft"}, {"draft"}),
        ({"status": "expired"}, {"expired_mixed"}),
        ({"buyer": "@other"}, {"other_signed"}),
        ({"event": "@event"}, {"active_event", "other_signed"}),
        ({"province": "33"}, {"expired_mixed", "draft"}),
        ({"province": "32"}, {"active_event", "expired_mixed", "other_signed"}),  # once each
        ({"sector": "29"}, {"active_event", "expired_mixed", "other_signed"}),
        ({"sector": "22"}, {"expired_mixed", "draft"}),
        ({"province": "32", "sector": "29"}, {"active_event", "other_signed"}),
        ({"province": "33", "sector": "22"}, {"draft"}),
        ({"date_from": "2025-01-01"}, {"active_event", "other_signed"}),
        ({"date_to": "2024-12-31"}, {"expired_mixed"}),
        (
            {"state": "signed", "date_from": "2023-05-01", "date_to": "2023-05-31"},
            {"expired_mixed"},
        ),
    ],
)
def test_each_mou_filter(client, kemenperin_user, mous, event, other_buyer_org, params, expected):
    params = as_params(params, other=other_buyer_org.buyer_profile, event=event)
    assert listed(get(client, kemenperin_user, MOUS, **params), mous) == expected


def test_a_buyer_filters_only_their_own_mous(client, pengadaan_user, mous, event, other_buyer_org):
    assert listed(get(client, pengadaan_user, MOUS, event=event.pk), mous) == {"active_event"}
    assert listed(get(client, pengadaan_user, MOUS, state="in_force"), mous) == {"active_event"}
    response = get(client, pengadaan_user, MOUS, buyer=other_buyer_org.buyer_profile.pk)
    assert 'name="buyer"' not in response.content.decode()
    assert listed(response, mous) == {"active_event", "expired_mixed", "draft"}


def test_a_lender_filters_only_the_mous_behind_their_akad(client, pembiayaan_user, mous):
    from ..factories import AkadKreditFactory, LenderProfileFactory

    lender = LenderProfileFactory(organisation=pembiayaan_user.organisation)
    mou = mous["expired_mixed"]
    for participant in mou.participants.all():  # the MoU reached through several akad
        AkadKreditFactory(lender=lender, borrower=participant.ikm, mou=mou)
    assert listed(get(client, pembiayaan_user, MOUS, province="32"), mous) == {"expired_mixed"}
    assert listed(get(client, pembiayaan_user, MOUS, state="in_force"), mous) == set()


def test_the_mou_filter_bar(client, kemenperin_user, mous, event):
    html = get(client, kemenperin_user, MOUS, sector="29").content.decode()
    for name in ("state", "status", "buyer", "event", "province", "sector", "date_from"):
        assert f'name="{name}"' in html, name
    assert '<option value="29" selected>29 — Industri Kendaraan Bermotor' in html
    assert f'<option value="{event.pk}">Business Matching Otomotif Uji</option>' in html
    assert (
        "No MoUs match these filters."
        in get(client, kemenperin_user, MOUS, status="terminated").content.decode()
    )


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"state": "zz"}, "state", "Select a valid choice"),
        ({"status": "zz"}, "status", "Select a valid choice"),
        ({"event": "abc"}, "event", "Select a valid choice"),
        ({"event": "999999"}, "event", "Select a valid choice"),
        ({"province": "zz"}, "province", "Select a valid choice"),
        ({"sector": "99"}, "sector", "Select a valid choice"),
        ({"buyer": "999999"}, "buyer", "Select a valid choice"),
        ({"date_from": "31-31-2025"}, "date_from", "Enter a valid date"),
    ],
)
def test_a_bad_mou_filter_lists_nothing_and_says_so(
    client, kemenperin_user, mous, params, field, message
):
    response = get(client, kemenperin_user, MOUS, **params)
    assert listed(response, mous) == set()
    html = response.content.decode()
    assert "Some filters are not valid" in html and message in html
    assert response.context["filter"].errors.keys() == {field}


def test_the_mou_pages_keep_the_query(client, kemenperin_user, buyer_org):
    for _ in range(26):
        MouFactory(buyer=buyer_org.buyer_profile, status="active")
    html = get(client, kemenperin_user, MOUS, state="in_force").content.decode()
    assert "?state=in_force&amp;page=2" in html
    page = get(client, kemenperin_user, MOUS, state="in_force", page="2")
    assert len(page.context["object_list"]) == 1


def test_the_mou_list_queries_do_not_grow_with_rows(client, kemenperin_user, buyer_org, event):
    def make(count):
        for _ in range(count):
            mou = MouFactory(buyer=buyer_org.buyer_profile, event=event)
            MouParticipantFactory(mou=mou)
            MouParticipantFactory(mou=mou)

    params = {"state": "in_force", "province": "32", "sector": "29", "event": event.pk}
    make(2)
    get(client, kemenperin_user, MOUS, **params)
    with CaptureQueriesContext(connection) as few:
        get(client, kemenperin_user, MOUS, **params)
    make(10)
    with CaptureQueriesContext(connection) as many:
        response = get(client, kemenperin_user, MOUS, **params)
    assert len(response.context["object_list"]) == 12
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"province": "32"},
        {"event": True},
        {"date_from": D(2025, 1, 1)},
        {"sector": "29"},
        {"province": "32", "sector": "29"},
    ],
)
def test_the_mou_counts_are_the_dashboards(
    client, kemenperin_user, pengadaan_user, buyer_org, mous, event, filters
):
    """ "MoU signed" and "MoU in force", program-wide and for the buyer."""
    from django.db.models import Q

    from dasbor.figures import Filters, Scope

    if filters.get("event"):
        filters = {**filters, "event": event.pk}
    params = {k: v.isoformat() if isinstance(v, D) else v for k, v in filters.items()}
    signed = Q(signing_date__isnull=False) & ~Q(status=MoU.Status.DRAFT)
    for user, scope in (
        (kemenperin_user, Scope(filters=Filters(**filters))),
        (pengadaan_user, Scope.for_organisation(buyer_org, Filters(**filters))),
    ):
        figures = scope.mous()
        response = get(client, user, MOUS, state="signed", **params)
        assert response.context["paginator"].count == figures.filter(signed).count()
        response = get(client, user, MOUS, state="in_force", **params)
        assert (
            response.context["paginator"].count
            == figures.filter(status__in=MoU.IN_FORCE_STATUSES).count()
        )
