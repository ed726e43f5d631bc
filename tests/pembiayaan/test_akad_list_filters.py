"""The akad list's drill-down filters (the dashboard's links to "the akad behind a figure"):
stage, the borrower's province and KBLI division, the MoU's event and the period, whose date
follows the stage. Each narrows the user's scope, a bad value says so and lists nothing, the
queries do not grow with the rows, and the counts are the dashboard's."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ikm.models import Regency
from pembiayaan.models import AkadKredit, Disbursement

from ..factories import (
    AkadKreditFactory,
    IkmFactory,
    LinkMatchEventFactory,
    MouFactory,
    MouParticipantFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
URL = reverse("pembiayaan:akad-list")


def get(client, user, **params):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def listed(response, portfolio: dict) -> set[str]:
    pks = [akad.pk for akad in response.context["object_list"]]
    assert len(pks) == len(set(pks)), "an akad is listed twice"
    return {key for key, akad in portfolio.items() if akad.pk in pks}


@pytest.fixture
def event(db):
    return LinkMatchEventFactory(name="Temu Bisnis Pembiayaan Uji")


@pytest.fixture
def portfolio(lender, other_lender, borrower, buyer_org, event):
    """``borrower``: Jawa Barat, division 29; ``plastik``: Jawa Tengah, division 22.

    own lender: pipeline (applied 2025-02-01, MoU at the event), signed (applied 2024-12-01,
    signed 2025-03-01), disbursed (applied 2024-01-10, signed 2024-02-01, tranches
    2024-03-01 and 2025-04-01, MoU at the event), rejected (applied 2025-01-15);
    the other lender: signed 2025-03-01, MoU at the event."""
    plastik = IkmFactory(
        name="CV Plastik Jateng", kbli=["22192"], regency=Regency.objects.get(code="33.76")
    )
    at_event = MouFactory(buyer=buyer_org.buyer_profile, event=event)
    plain = MouFactory(buyer=buyer_org.buyer_profile)
    for mou in (at_event, plain):
        MouParticipantFactory(mou=mou, ikm=borrower)
        MouParticipantFactory(mou=mou, ikm=plastik)

    def akad(number, **fields):
        return AkadKreditFactory(application_number=f"APP/{number}", **fields)

    portfolio = {
        "pipeline": akad(
            "PIPE", lender=lender, borrower=borrower, mou=at_event, applied_on=D(2025, 2, 1)
        ),
        "signed": akad(
            "SIGNED",
            lender=lender,
            borrower=plastik,
            mou=plain,
            status="signed",
            applied_on=D(2024, 12, 1),
            signed_on=D(2025, 3, 1),
            akad_number="AK/SIGNED",
        ),
        "disbursed": akad(
            "DISB",
            lender=lender,
            borrower=borrower,
            mou=at_event,
            status="disbursed",
            applied_on=D(2024, 1, 10),
            signed_on=D(2024, 2, 1),
            akad_number="AK/DISB",
        ),
        "rejected": akad(
            "REJ", lender=lender, borrower=plastik, status="rejected", applied_on=D(2025, 1, 15)
        ),
        "other": akad(
            "OTHER",
            lender=other_lender,
            borrower=borrower,
            mou=at_event,
            status="signed",
            applied_on=D(2025, 1, 1),
            signed_on=D(2025, 3, 1),
            akad_number="AK/OTHER",
        ),
    }
    for day in (D(2024, 3, 1), D(2025, 4, 1)):
        Disbursement.objects.create(
            akad=portfolio["disbursed"], disbursed_on=day, amount=100_000_000
        )
    return portfolio


EVERY = {"pipeline", "signed", "disbursed", "rejected", "other"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, EVERY),
        ({"stage": "pipeline"}, {"pipeline"}),
        ({"stage": "signed"}, {"signed", "disbursed", "other"}),
        ({"stage": "disbursed"}, {"disbursed"}),
        ({"province": "33"}, {"signed", "rejected"}),
        ({"province": "32"}, {"pipeline", "disbursed", "other"}),
        ({"sector": "22"}, {"signed", "rejected"}),
        ({"sector": "29"}, {"pipeline", "disbursed", "other"}),
        ({"event": "@event"}, {"pipeline", "disbursed", "other"}),
        ({"lender": "@other_lender"}, {"other"}),
        ({"scheme": "kmk", "stage": "pipeline"}, {"pipeline"}),
        # No stage, or pipeline: the application date.
        ({"date_from": "2025-01-01"}, {"pipeline", "rejected", "other"}),
        ({"date_to": "2024-12-31"}, {"signed", "disbursed"}),
        ({"stage": "pipeline", "date_from": "2025-01-01"}, {"pipeline"}),
        # Signed: the signing date (the signed akad was applied for in 2024).
        ({"stage": "signed", "date_from": "2025-01-01"}, {"signed", "other"}),
        ({"stage": "signed", "date_to": "2024-12-31"}, {"disbursed"}),
        # Disbursed: a tranche paid out in the period (the dashboard's "disbursed").
        ({"stage": "disbursed", "date_from": "2025-01-01"}, {"disbursed"}),
        ({"stage": "disbursed", "date_to": "2024-12-31"}, {"disbursed"}),
        ({"stage": "disbursed", "date_from": "2025-05-01"}, set()),
        ({"stage": "signed", "province": "32", "event": "@event"}, {"disbursed", "other"}),
    ],
)
def test_each_filter(client, kemenperin_user, portfolio, event, other_lender, params, expected):
    ids = {"event": event.pk, "other_lender": other_lender.pk}
    params = {k: str(ids[v[1:]]) if v.startswith("@") else v for k, v in params.items()}
    assert listed(get(client, kemenperin_user, **params), portfolio) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"stage": "signed"}, {"signed", "disbursed"}),
        ({"event": "@event"}, {"pipeline", "disbursed"}),
        ({"province": "32"}, {"pipeline", "disbursed"}),
        ({"stage": "signed", "date_from": "2025-01-01"}, {"signed"}),
        # The lender filter is not theirs: ignored, the scope stays their lender's.
        ({"lender": "@other_lender", "stage": "signed"}, {"signed", "disbursed"}),
    ],
)
def test_a_lender_officer_filters_only_their_lenders_akad(
    client, officer, portfolio, event, other_lender, params, expected
):
    ids = {"event": event.pk, "other_lender": other_lender.pk}
    params = {k: str(ids[v[1:]]) if v.startswith("@") else v for k, v in params.items()}
    assert listed(get(client, officer, **params), portfolio) == expected


def test_the_filter_bar(client, kemenperin_user, officer, portfolio, event):
    html = get(client, kemenperin_user, stage="signed", sector="29").content.decode()
    for name in ("q", "status", "stage", "scheme", "lender", "province", "sector", "event"):
        assert f'name="{name}"' in html, name
    assert 'name="date_from"' in html and 'type="date"' in html
    assert '<option value="signed" selected>Signed (signed, disbursed' in html
    assert '<option value="29" selected>29 — Industri Kendaraan Bermotor' in html
    assert f'<option value="{event.pk}">Temu Bisnis Pembiayaan Uji</option>' in html
    assert 'placeholder="Akad or application number, borrower name or NIB."' in html
    assert 'name="lender"' not in get(client, officer).content.decode()


def test_the_totals_follow_the_stage(client, kemenperin_user, portfolio):
    totals = get(client, kemenperin_user, stage="disbursed").context["totals"]
    assert totals["signed_count"] == 1 and totals["pipeline_count"] == 0
    assert totals["disbursed_amount"] == 200_000_000


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"stage": "zz"}, "stage", "Select a valid choice"),
        ({"province": "zz"}, "province", "Select a valid choice"),
        ({"sector": "99"}, "sector", "Select a valid choice"),
        ({"event": "abc"}, "event", "Select a valid choice"),
        ({"event": "999999"}, "event", "Select a valid choice"),
        ({"lender": "999999"}, "lender", "Select a valid choice"),
        ({"scheme": "tidak-ada"}, "scheme", "Select a valid choice"),
        ({"date_from": "2025-02-30"}, "date_from", "Enter a valid date"),
        ({"date_to": "x", "stage": "signed"}, "date_to", "Enter a valid date"),
    ],
)
def test_a_bad_value_lists_nothing_and_says_so(
    client, kemenperin_user, portfolio, params, field, message
):
    response = get(client, kemenperin_user, **params)
    assert listed(response, portfolio) == set()
    assert response.context["totals"]["signed_count"] == 0
    html = response.content.decode()
    assert "Some filters are not valid" in html and message in html
    assert response.context["filter"].errors.keys() == {field}


def test_the_pages_keep_the_query(client, kemenperin_user, lender):
    for _ in range(26):
        AkadKreditFactory(lender=lender)
    html = get(client, kemenperin_user, stage="pipeline").content.decode()
    assert "?stage=pipeline&amp;page=2" in html


def test_the_queries_do_not_grow_with_rows(client, kemenperin_user, lender, event, buyer_org):
    mou = MouFactory(buyer=buyer_org.buyer_profile, event=event)

    def make(count):
        for _ in range(count):
            ikm = IkmFactory()
            MouParticipantFactory(mou=mou, ikm=ikm)
            AkadKreditFactory(lender=lender, borrower=ikm, mou=mou, applied_on=D(2025, 1, 2))

    params = {
        "stage": "pipeline",
        "province": "32",
        "sector": "29",
        "event": event.pk,
        "date_from": "2025-01-01",
    }
    make(2)
    get(client, kemenperin_user, **params)
    with CaptureQueriesContext(connection) as few:
        get(client, kemenperin_user, **params)
    make(10)
    with CaptureQueriesContext(connection) as many:
        response = get(client, kemenperin_user, **params)
    assert len(response.context["object_list"]) == 12
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"province": "32"},
        {"event": True},
        {"date_from": D(2025, 1, 1)},
        {"date_to": D(2024, 12, 31)},
        {"province": "33", "date_from": D(2025, 1, 1)},
        {"sector": "29", "date_from": D(2024, 1, 1)},
    ],
)
def test_the_counts_are_the_dashboards(
    client, kemenperin_user, officer, lender_org, portfolio, event, filters
):
    """Akad in process, signed and disbursed, program-wide and for the lender."""
    from dasbor.figures import Filters, Scope

    if filters.get("event"):
        filters = {**filters, "event": event.pk}
    params = {k: v.isoformat() if isinstance(v, D) else v for k, v in filters.items()}
    for user, scope in (
        (kemenperin_user, Scope(filters=Filters(**filters))),
        (officer, Scope.for_organisation(lender_org, Filters(**filters))),
    ):
        akad = scope.akad()
        expected = {
            "pipeline": akad.filter(status__in=AkadKredit.PIPELINE_STATUSES)
            .filter(scope._period_q("applied_on"))
            .count(),
            "signed": akad.filter(status__in=AkadKredit.SIGNED_STATUSES)
            .filter(scope._period_q("signed_on"))
            .count(),
            "disbursed": scope.disbursements().values("akad_id").distinct().count(),
        }
        for stage, count in expected.items():
            response = get(client, user, stage=stage, **params)
            assert response.context["paginator"].count == count, (user, stage)
