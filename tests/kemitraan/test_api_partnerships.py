"""The partnership API's additions: each MoU's realisation (per participant and in total) equal
to the ledger's, null for a role that may not view purchase orders, and a list whose query
count does not grow with its MoUs; an event's detail with its approved participants, its
sessions and the meetings scoped per role like the meetings page."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from kemitraan import event_services
from kemitraan import realisation as r
from kemitraan.models import EventSession, Meeting

from ..factories import (
    IkmFactory,
    LinkMatchEventFactory,
    MouFactory,
    MouParticipantFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
M = 1_000_000
ZONE = datetime.timezone(datetime.timedelta(hours=7))  # Asia/Jakarta


def number(value):
    """A JSON number as the ledger's Decimal (None stays None)."""
    return None if value is None else Decimal(str(value))


def as_api(summary) -> dict:
    return {
        "ordered": summary.ordered,
        "delivered": summary.delivered,
        "paid": summary.paid,
        "overdue": summary.overdue,
        "realisation_percent": summary.ordered_percent,
        "paid_percent": summary.paid_percent,
        "overdue_purchase_orders": summary.overdue_count,
        "average_days_to_pay": summary.avg_days_to_pay,
    }


def from_api(data) -> dict:
    return {
        **data,
        "realisation_percent": number(data["realisation_percent"]),
        "paid_percent": number(data["paid_percent"]),
        "average_days_to_pay": number(data["average_days_to_pay"]),
    }


def record(participant, actor, po_number, value, terms, deliveries=(), payments=()):
    po = r.purchase_order_record(
        participant=participant,
        number=po_number,
        order_date=D(2024, 1, 2),
        value=value,
        payment_terms_days=terms,
        actor=actor,
    )
    for date, amount in deliveries:
        r.delivery_record(purchase_order=po, date=date, value=amount, actor=actor)
    for date, amount in payments:
        r.payment_record(purchase_order=po, date=date, value=amount, actor=actor)
    return po


@pytest.fixture
def mou(buyer_org, kemenperin_user):
    """An active MoU: participant A (Rp20 juta) with a PO of 10 juta delivered in two parts
    and partly paid, and one of 5 juta delivered and unpaid; participant B (10 juta) with
    nothing ordered yet."""
    mou = MouFactory(buyer=buyer_org.buyer_profile, status="active")
    a = MouParticipantFactory(mou=mou, committed_market_access=20 * M, ikm__name="CV A")
    MouParticipantFactory(mou=mou, committed_market_access=10 * M, ikm__name="CV B")
    record(
        a,
        kemenperin_user,
        "PO/1",
        10 * M,
        30,
        deliveries=[(D(2024, 1, 10), 4 * M), (D(2024, 1, 20), 6 * M)],
        payments=[(D(2024, 2, 1), 3 * M), (D(2024, 2, 20), 3 * M)],
    )
    record(a, kemenperin_user, "PO/2", 5 * M, 0, deliveries=[(D(2024, 1, 15), 5 * M)])
    return mou


def test_realisation_equals_the_ledger(client, kadin_user, mou):
    client.force_login(kadin_user)
    body = client.get(f"/api/v1/mous/{mou.pk}/").json()
    ledger = r.mou_ledger(mou)
    by_ikm = {p["ikm"]: p for p in body["participants"]}
    for row in ledger["rows"]:
        api = by_ikm[row["participant"].ikm_id]["realisation"]
        assert from_api(api) == as_api(row["summary"])
    assert from_api(body["realisation"]) == as_api(ledger["total"])

    # And by hand: FIFO completes the first delivery (4 juta, 10 Jan) with the payment of
    # 20 Feb, 41 days; nothing else is fully paid. All is due: overdue 10-6 + 5 = 9 juta.
    a = by_ikm[mou.participants.get(committed_market_access=20 * M).ikm_id]["realisation"]
    assert a == {
        "ordered": 15 * M,
        "delivered": 15 * M,
        "paid": 6 * M,
        "overdue": 9 * M,
        "realisation_percent": 75.0,
        "paid_percent": 30.0,
        "overdue_purchase_orders": 2,
        "average_days_to_pay": 41.0,
    }
    b = by_ikm[mou.participants.get(committed_market_access=10 * M).ikm_id]["realisation"]
    assert (b["ordered"], b["realisation_percent"], b["average_days_to_pay"]) == (0, 0.0, None)
    total = body["realisation"]
    assert (total["ordered"], total["paid"], total["overdue"]) == (15 * M, 6 * M, 9 * M)
    assert (total["realisation_percent"], total["paid_percent"]) == (50.0, 20.0)
    assert total["overdue_purchase_orders"] == 2 and total["average_days_to_pay"] == 41.0

    # The list carries the same figures.
    row = client.get("/api/v1/mous/").json()["results"][0]
    assert row["realisation"] == total


def test_the_buyers_officer_sees_the_realisation_too(client, pengadaan_user, mou):
    client.force_login(pengadaan_user)
    body = client.get(f"/api/v1/mous/{mou.pk}/").json()
    assert body["realisation"]["ordered"] == 15 * M


def test_realisation_is_null_without_view_purchaseorder(client, kadin_user, mou):
    perm = Permission.objects.get(
        content_type__app_label="kemitraan", codename="view_purchaseorder"
    )
    Group.objects.get(name=Role.KADIN.value).permissions.remove(perm)
    client.force_login(kadin_user)
    for body in (
        client.get(f"/api/v1/mous/{mou.pk}/").json(),
        client.get("/api/v1/mous/").json()["results"][0],
    ):
        assert body["market_access"] == 30 * M  # the MoU itself is still there
        assert body["realisation"] is None
        assert [p["realisation"] for p in body["participants"]] == [None, None]


def add_mous(buyer, actor, count, start):
    for i in range(start, start + count):
        mou = MouFactory(buyer=buyer, status="active")
        for j in range(2):
            participant = MouParticipantFactory(mou=mou, committed_market_access=10 * M)
            for k in range(2):
                record(
                    participant,
                    actor,
                    f"PO/{i}/{j}/{k}",
                    M,
                    30,
                    deliveries=[(D(2024, 1, 10), M)],
                    payments=[(D(2024, 1, 20), M // 2)],
                )


def test_the_list_query_count_does_not_grow_with_mous(client, kemenperin_user, buyer_org):
    buyer = buyer_org.buyer_profile
    add_mous(buyer, kemenperin_user, 2, 0)
    client.force_login(kemenperin_user)
    with CaptureQueriesContext(connection) as two:
        response = client.get("/api/v1/mous/")
    assert len(response.json()["results"]) == 2
    add_mous(buyer, kemenperin_user, 8, 2)
    with CaptureQueriesContext(connection) as ten:
        response = client.get("/api/v1/mous/")
    results = response.json()["results"]
    assert len(results) == 10
    assert all(row["realisation"]["ordered"] == 4 * M for row in results)
    assert all(p["realisation"]["paid"] == M for row in results for p in row["participants"])
    assert len(ten) == len(two), [q["sql"] for q in ten.captured_queries]


def test_the_detail_query_count_is_bounded(
    client, kemenperin_user, buyer_org, django_assert_max_num_queries
):
    add_mous(buyer_org.buyer_profile, kemenperin_user, 1, 0)
    client.force_login(kemenperin_user)
    pk = buyer_org.buyer_profile.mous.get().pk
    # Session, user, groups, 2 x permissions, MoU, participants, supports, then the ledger:
    # POs, deliveries, payments; and the request's savepoint and its release.
    with django_assert_max_num_queries(13):
        assert client.get(f"/api/v1/mous/{pk}/").status_code == 200


# --- Events -------------------------------------------------------------------------------


@pytest.fixture
def other_officer(other_buyer_org):
    return UserFactory(role=Role.PENGADAAN, organisation=other_buyer_org)


@pytest.fixture
def event(kemenperin_user, buyer_org, other_buyer_org):
    """A business-matching event: two approved buyers and two approved IKM, a third buyer
    still waiting for approval, one session and a meeting of each approved buyer."""
    day = timezone.localdate() + datetime.timedelta(days=2)
    event = LinkMatchEventFactory(kind="business_matching", start_date=day, end_date=day)
    session = EventSession.objects.create(
        event=event,
        date=day,
        start_time=datetime.time(9, 0),
        end_time=datetime.time(11, 0),
        slot_minutes=30,
        tables=4,
    )
    buyer, other = buyer_org.buyer_profile, other_buyer_org.buyer_profile
    ikm, ikm2 = IkmFactory(name="CV Satu"), IkmFactory(name="CV Dua")
    for party in ({"buyer": buyer}, {"buyer": other}, {"ikm": ikm}, {"ikm": ikm2}):
        event_services.participant_register(event=event, actor=kemenperin_user, **party)
    waiting_org = OrganisationFactory(kind="tier2", name="PT Menunggu")
    waiting_officer = UserFactory(role=Role.PENGADAAN, organisation=waiting_org)
    event_services.participant_register(
        event=event, actor=waiting_officer, buyer=waiting_org.buyer_profile
    )
    starts = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=ZONE)
    event.own_meeting = Meeting.objects.create(
        event=event, session=session, buyer=buyer, ikm=ikm, starts_at=starts, table=1
    )
    event.other_meeting = Meeting.objects.create(
        event=event,
        session=session,
        buyer=other,
        ikm=ikm2,
        starts_at=starts,
        table=2,
        status="confirmed",
        outcome="follow_up",
    )
    event.parties = {("buyer", buyer.pk), ("buyer", other.pk), ("ikm", ikm.pk), ("ikm", ikm2.pk)}
    return event


def detail(client, user, event):
    client.force_login(user)
    response = client.get(f"/api/v1/events/{event.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_event_detail_has_approved_participants_and_sessions(client, kadin_user, event):
    body = detail(client, kadin_user, event)
    assert {(p["kind"], p["id"]) for p in body["participants"]} == event.parties
    names = {p["name"] for p in body["participants"]}
    assert {"CV Satu", "PT Uji Motor Indonesia"} <= names and "PT Menunggu" not in names
    assert body["sessions"] == [
        {
            "id": event.sessions.get().pk,
            "date": event.start_date.isoformat(),
            "start": "09:00:00",
            "end": "11:00:00",
            "slot_minutes": 30,
            "tables": 4,
        }
    ]
    meeting = next(m for m in body["meetings"] if m["id"] == event.other_meeting.pk)
    assert meeting["table"] == 2 and meeting["buyer"]["name"] == "PT Pembeli Lain"
    assert meeting["ikm"] == {"id": event.other_meeting.ikm_id, "name": "CV Dua"}
    assert (meeting["status"], meeting["outcome"]) == ("confirmed", "follow_up")
    assert datetime.datetime.fromisoformat(meeting["starts_at"]) == event.other_meeting.starts_at
    # The list stays lean.
    client.force_login(kadin_user)
    row = client.get("/api/v1/events/").json()["results"][0]
    assert "meetings" not in row and "participants" not in row


def test_event_meetings_are_scoped_per_role(
    client, users_by_role, other_officer, event, kemenperin_user
):
    both = {event.own_meeting.pk, event.other_meeting.pk}
    expected = {
        Role.KEMENPERIN: both,
        Role.KADIN: both,
        Role.PENGADAAN: {event.own_meeting.pk},  # their organisation's only
        "other buyer": {event.other_meeting.pk},
        Role.PEMBIAYAAN: set(),  # lenders read the event only
    }
    users = {**users_by_role, "other buyer": other_officer}
    for who, wanted in expected.items():
        body = detail(client, users[who], event)
        assert {m["id"] for m in body["meetings"]} == wanted, who
    lender = detail(client, users_by_role[Role.PEMBIAYAAN], event)
    assert lender["participants"] == [] and lender["sessions"] == []
    # An officer sees the approved participants (not their own pending registration).
    officer = detail(client, users_by_role[Role.PENGADAAN], event)
    assert {(p["kind"], p["id"]) for p in officer["participants"]} == event.parties


def test_event_detail_query_count_does_not_grow_with_meetings(client, kemenperin_user, event):
    client.force_login(kemenperin_user)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/api/v1/events/{event.pk}/")
    session = event.sessions.get()
    for i in range(4):
        buyer = OrganisationFactory(kind="tier2").buyer_profile
        event_services.participant_register(event=event, actor=kemenperin_user, buyer=buyer)
        Meeting.objects.create(
            event=event,
            session=session,
            buyer=buyer,
            ikm=IkmFactory(),
            starts_at=datetime.datetime.combine(event.start_date, datetime.time(9, 30), ZONE),
            table=i + 1,
        )
    with CaptureQueriesContext(connection) as many:
        body = client.get(f"/api/v1/events/{event.pk}/").json()
    assert len(body["meetings"]) == 6
    assert len(many) == len(few)
