"""Link & Match events: participants, sessions and meetings. The database refuses double
bookings by itself; the services refuse them with a message, also under concurrency;
notifications and reminders; the schedule export; the access matrix of every page."""

import datetime
import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Notification
from accounts.roles import Role
from kemitraan import event_services as services
from kemitraan.models import EventParticipant, EventSession, Meeting

from ..factories import (
    BuyerProfileFactory,
    DemandFactory,
    IkmFactory,
    LinkMatchEventFactory,
    MatchSuggestionFactory,
    OrganisationFactory,
    UserFactory,
)

ZONE = datetime.timezone(datetime.timedelta(hours=7))  # Asia/Jakarta


def day_after_tomorrow():
    return timezone.localdate() + datetime.timedelta(days=2)


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZONE)


@pytest.fixture
def staff(kemenperin_user):
    return kemenperin_user


@pytest.fixture
def event(db):
    day = day_after_tomorrow()
    return LinkMatchEventFactory(
        kind="business_matching", start_date=day, end_date=day + datetime.timedelta(days=1)
    )


@pytest.fixture
def session(event):
    return EventSession.objects.create(
        event=event,
        date=event.start_date,
        start_time=datetime.time(9, 0),
        end_time=datetime.time(10, 0),
        slot_minutes=30,
        tables=2,
    )


@pytest.fixture
def buyer(buyer_org):
    return BuyerProfileFactory(organisation=buyer_org)


@pytest.fixture
def other_buyer(other_buyer_org):
    return BuyerProfileFactory(organisation=other_buyer_org)


@pytest.fixture
def ikm(db):
    return IkmFactory()


@pytest.fixture
def ikm2(db):
    return IkmFactory()


def approve_all(event, staff, *parties):
    from kemitraan.models import BuyerProfile

    for party in parties:
        key = "buyer" if isinstance(party, BuyerProfile) else "ikm"
        services.participant_register(event=event, actor=staff, **{key: party})


@pytest.fixture
def approved(event, session, staff, buyer, other_buyer, ikm, ikm2):
    approve_all(event, staff, buyer, other_buyer, ikm, ikm2)


def book(event, session, buyer, ikm, starts_at, table, status="requested"):
    return Meeting.objects.create(
        event=event,
        session=session,
        buyer=buyer,
        ikm=ikm,
        starts_at=starts_at,
        table=table,
        status=status,
    )


# --- Constraints in the database ------------------------------------------------------


@pytest.mark.parametrize("clash", ["table", "ikm", "buyer"])
def test_the_database_refuses_a_double_booking(
    event, session, buyer, other_buyer, ikm, ikm2, clash
):
    slot = at(event.start_date, 9)
    book(event, session, buyer, ikm, slot, 1)
    second = {
        "table": (other_buyer, ikm2, 1),
        "ikm": (other_buyer, ikm, 2),
        "buyer": (buyer, ikm2, 2),
    }[clash]
    with (
        pytest.raises(IntegrityError, match=f"meeting_{clash}_once_per_slot"),
        transaction.atomic(),
    ):
        book(event, session, *second[:2], slot, second[2])


def test_a_cancelled_meeting_does_not_hold_its_slot(event, session, buyer, ikm):
    slot = at(event.start_date, 9)
    book(event, session, buyer, ikm, slot, 1, status="cancelled")
    book(event, session, buyer, ikm, slot, 1)
    assert Meeting.objects.filter(starts_at=slot).count() == 2


def test_participant_is_a_buyer_or_an_ikm_and_registers_once(event, buyer, ikm):
    with pytest.raises(IntegrityError, match="buyer_xor_ikm"), transaction.atomic():
        EventParticipant.objects.create(event=event, buyer=buyer, ikm=ikm)
    with pytest.raises(IntegrityError, match="buyer_xor_ikm"), transaction.atomic():
        EventParticipant.objects.create(event=event)
    EventParticipant.objects.create(event=event, ikm=ikm)
    with pytest.raises(IntegrityError, match="ikm_once"), transaction.atomic():
        EventParticipant.objects.create(event=event, ikm=ikm)


def test_session_rules(event):
    for values, field in [
        ({"end_time": datetime.time(8, 0)}, "__all__"),
        ({"slot_minutes": 5}, "slot_minutes"),
        ({"slot_minutes": 121}, "slot_minutes"),
        ({"tables": 0}, "tables"),
        ({"tables": 201}, "tables"),
        ({"date": event.end_date + datetime.timedelta(days=1)}, "date"),
    ]:
        data = {
            "event": event,
            "date": event.start_date,
            "start_time": datetime.time(9, 0),
            "end_time": datetime.time(12, 0),
            "slot_minutes": 30,
            "tables": 10,
            **values,
        }
        with pytest.raises(ValidationError) as info:
            EventSession(**data).full_clean()
        assert field in info.value.message_dict, values
    with pytest.raises(IntegrityError, match="end_after_start"), transaction.atomic():
        EventSession.objects.create(
            event=event,
            date=event.start_date,
            start_time=datetime.time(9, 0),
            end_time=datetime.time(9, 0),
        )


def test_session_slots(session):
    assert session.slot_starts() == [at(session.date, 9), at(session.date, 9, 30)]


# --- Registration and approval ------------------------------------------------------------


def test_an_officer_registers_their_organisation_and_staff_decide(
    event, staff, pengadaan_user, buyer, other_buyer, ikm
):
    mine = services.participant_register(event=event, buyer=buyer, actor=pengadaan_user)
    assert mine.status == "requested"
    with pytest.raises(ValidationError):
        services.participant_register(event=event, buyer=other_buyer, actor=pengadaan_user)
    with pytest.raises(ValidationError):
        services.participant_register(event=event, ikm=ikm, actor=pengadaan_user)
    with pytest.raises(ValidationError) as info:
        services.participant_register(event=event, buyer=buyer, actor=staff)
    assert services.ALREADY_REGISTERED in info.value.messages
    with pytest.raises(ValidationError):
        services.participant_approve(participant=mine, actor=pengadaan_user)
    with pytest.raises(ValidationError):
        services.participant_reject(participant=mine, reason="", actor=staff)
    rejected = services.participant_reject(participant=mine, reason="Kuota penuh", actor=staff)
    assert (rejected.status, rejected.decided_by) == ("rejected", staff)
    approved = services.participant_approve(participant=mine, actor=staff)
    assert (approved.status, approved.reason) == ("approved", "")
    by_staff = services.participant_register(event=event, ikm=ikm, actor=staff)
    assert by_staff.status == "approved"


def test_only_approved_participants_meet(event, session, staff, pengadaan_user, buyer, ikm):
    services.participant_register(event=event, buyer=buyer, actor=pengadaan_user)
    with pytest.raises(ValidationError) as info:
        services.meeting_request(event=event, buyer=buyer, ikm=ikm, actor=pengadaan_user)
    assert set(info.value.message_dict) == {"buyer", "ikm"}


# --- Requests, moves, cancellations, outcomes -----------------------------------------


def test_a_request_takes_the_first_free_slot_and_table(
    approved, event, session, staff, pengadaan_user, buyer, other_buyer, ikm, ikm2
):
    first = services.meeting_request(event=event, buyer=buyer, ikm=ikm, actor=pengadaan_user)
    assert (first.starts_at, first.table, first.status) == (at(event.start_date, 9), 1, "requested")
    # the IKM is busy at 9:00, so the same IKM with the other buyer goes to 9:30
    second = services.meeting_request(event=event, buyer=other_buyer, ikm=ikm, actor=staff)
    assert (second.starts_at, second.table) == (at(event.start_date, 9, 30), 1)
    third = services.meeting_request(event=event, buyer=other_buyer, ikm=ikm2, actor=staff)
    assert (third.starts_at, third.table) == (at(event.start_date, 9), 2)
    with pytest.raises(ValidationError) as info:
        services.meeting_request(event=event, buyer=buyer, ikm=ikm, actor=pengadaan_user)
    assert services.NO_FREE_SLOT in info.value.messages


@pytest.mark.parametrize(
    ("clash", "message"),
    [("table", services.TABLE_TAKEN), ("ikm", services.IKM_BUSY), ("buyer", services.BUYER_BUSY)],
)
def test_the_service_refuses_a_double_booking_with_a_message(
    approved, event, session, staff, buyer, other_buyer, ikm, ikm2, clash, message
):
    slot = at(event.start_date, 9)
    services.meeting_request(
        event=event, buyer=buyer, ikm=ikm, starts_at=slot, table=1, actor=staff
    )
    args = {
        "table": {"buyer": other_buyer, "ikm": ikm2, "table": 1},
        "ikm": {"buyer": other_buyer, "ikm": ikm, "table": 2},
        "buyer": {"buyer": buyer, "ikm": ikm2, "table": 2},
    }[clash]
    with pytest.raises(ValidationError) as info:
        services.meeting_request(event=event, starts_at=slot, actor=staff, **args)
    assert message in info.value.messages
    assert Meeting.objects.count() == 1


def test_a_request_refuses_bad_slots_and_tables(approved, event, session, staff, buyer, ikm):
    for starts_at, table in [(at(event.start_date, 9, 10), 1), (at(event.start_date, 9), 3)]:
        with pytest.raises(ValidationError):
            services.meeting_request(
                event=event, buyer=buyer, ikm=ikm, starts_at=starts_at, table=table, actor=staff
            )
    assert not Meeting.objects.exists()


def test_an_officer_requests_for_their_own_organisation_only(
    approved, event, session, pengadaan_user, other_buyer, ikm
):
    with pytest.raises(ValidationError):
        services.meeting_request(event=event, buyer=other_buyer, ikm=ikm, actor=pengadaan_user)


def test_a_suggestion_must_match_the_pair(approved, event, session, staff, buyer, ikm, ikm2):
    suggestion = MatchSuggestionFactory(demand=DemandFactory(buyer=buyer), ikm=ikm)
    with pytest.raises(ValidationError):
        services.meeting_request(
            event=event, buyer=buyer, ikm=ikm2, suggestion=suggestion, actor=staff
        )
    meeting = services.meeting_request(
        event=event, buyer=buyer, ikm=ikm, suggestion=suggestion, actor=staff
    )
    assert meeting.suggestion == suggestion


def test_move_and_cancel_free_the_slot(
    approved, event, session, staff, buyer, other_buyer, ikm, ikm2
):
    nine, half_past = at(event.start_date, 9), at(event.start_date, 9, 30)
    meeting = services.meeting_request(
        event=event, buyer=buyer, ikm=ikm, starts_at=nine, table=1, actor=staff
    )
    services.meeting_move(meeting=meeting, starts_at=half_past, table=2, actor=staff)
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.table) == (half_past, 2)
    # 9:00 table 1 is free again
    taker = services.meeting_request(
        event=event, buyer=other_buyer, ikm=ikm, starts_at=nine, table=1, actor=staff
    )
    # moving into a taken table is refused
    with pytest.raises(ValidationError):
        services.meeting_move(meeting=meeting, starts_at=nine, table=1, actor=staff)
    services.meeting_cancel(meeting=taker, actor=staff)
    services.meeting_move(meeting=meeting, starts_at=nine, table=1, actor=staff)
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=taker, actor=staff)
    with pytest.raises(ValidationError):
        services.meeting_move(meeting=taker, starts_at=half_past, table=1, actor=staff)


def test_confirm_and_outcome(approved, event, session, staff, pengadaan_user, buyer, ikm):
    meeting = services.meeting_request(event=event, buyer=buyer, ikm=ikm, actor=pengadaan_user)
    with pytest.raises(ValidationError):
        services.meeting_record_outcome(meeting=meeting, outcome="follow_up", actor=staff)
    with pytest.raises(ValidationError):
        services.meeting_confirm(meeting=meeting, actor=pengadaan_user)
    meeting = services.meeting_confirm(meeting=meeting, actor=staff)
    assert (meeting.status, meeting.confirmed_by) == ("confirmed", staff)
    with pytest.raises(ValidationError):
        services.meeting_confirm(meeting=meeting, actor=staff)
    meeting = services.meeting_record_outcome(
        meeting=meeting, outcome="mou_planned", notes=" MoU bulan depan ", actor=pengadaan_user
    )
    assert (meeting.outcome, meeting.outcome_notes) == ("mou_planned", "MoU bulan depan")
    with pytest.raises(ValidationError):
        services.meeting_record_outcome(meeting=meeting, outcome="bogus", actor=staff)


def test_rejecting_a_participant_cancels_their_meetings(
    approved, event, session, staff, buyer, ikm
):
    meeting = services.meeting_request(event=event, buyer=buyer, ikm=ikm, actor=staff)
    participant = EventParticipant.objects.get(event=event, ikm=ikm)
    services.participant_reject(participant=participant, reason="Tidak hadir", actor=staff)
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"


def test_session_change_cannot_strand_meetings(approved, event, session, staff, buyer, ikm):
    services.meeting_request(
        event=event, buyer=buyer, ikm=ikm, starts_at=at(event.start_date, 9, 30), table=2,
        actor=staff,
    )  # fmt: skip
    session.tables = 1
    with pytest.raises(ValidationError):
        services.session_save(session=session, actor=staff)
    session.tables, session.slot_minutes = 2, 60
    with pytest.raises(ValidationError):
        services.session_save(session=session, actor=staff)


# --- Notifications and reminders ------------------------------------------------------------


def test_officers_and_staff_are_notified(
    approved, event, session, staff, pengadaan_user, buyer, ikm, other_buyer_org
):
    colleague = UserFactory(role=Role.PENGADAAN, organisation=buyer.organisation)
    outsider = UserFactory(role=Role.PENGADAAN, organisation=other_buyer_org)
    meeting = services.meeting_request(event=event, buyer=buyer, ikm=ikm, actor=pengadaan_user)
    services.meeting_confirm(meeting=meeting, actor=staff)
    services.meeting_move(
        meeting=meeting, starts_at=at(event.start_date, 9, 30), table=1, actor=staff
    )
    services.meeting_cancel(meeting=meeting, actor=staff)
    for user in (pengadaan_user, colleague, staff):
        kinds = list(Notification.objects.filter(user=user).values_list("kind", flat=True))
        assert sorted(kinds) == sorted(
            ["meeting_requested", "meeting_confirmed", "meeting_moved", "meeting_cancelled"]
        ), user
    assert not Notification.objects.filter(user=outsider).exists()


def test_reminders_for_tomorrow_are_sent_once(approved, staff, pengadaan_user, buyer, ikm, event):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    early = LinkMatchEventFactory(start_date=tomorrow, end_date=tomorrow)
    early_session = EventSession.objects.create(
        event=early, date=tomorrow, start_time=datetime.time(9), end_time=datetime.time(10)
    )
    approve_all(early, staff, buyer, ikm)
    meeting = services.meeting_request(event=early, buyer=buyer, ikm=ikm, actor=staff)
    services.meeting_confirm(meeting=meeting, actor=staff)
    # a confirmed meeting the day after is not reminded yet
    later = services.meeting_request(event=event, buyer=buyer, ikm=ikm, actor=staff)
    services.meeting_confirm(meeting=later, actor=staff)
    assert early_session.pk

    from kemitraan.tasks import meeting_reminder_task

    assert meeting_reminder_task() == 1
    meeting_reminder_task()
    reminders = Notification.objects.filter(kind="meeting_reminder")
    assert reminders.filter(user=pengadaan_user).count() == 1
    assert reminders.filter(user=staff).count() == 1
    assert reminders.get(user=pengadaan_user).dedupe_key.startswith(
        f"meeting-reminder:{meeting.pk}:"
    )


# --- Concurrency -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_requests_for_one_slot_book_it_once():
    staff = UserFactory(role=Role.KEMENPERIN, organisation=OrganisationFactory(kind="kemenperin"))
    day = day_after_tomorrow()
    event = LinkMatchEventFactory(start_date=day, end_date=day)
    EventSession.objects.create(
        event=event, date=day, start_time=datetime.time(9), end_time=datetime.time(9, 30),
        slot_minutes=30, tables=1,
    )  # fmt: skip
    buyers = [
        BuyerProfileFactory(organisation=OrganisationFactory(kind="tier1", name=f"PT Paralel {n}"))
        for n in range(4)
    ]
    ikms = [IkmFactory() for _ in range(4)]
    approve_all(event, staff, *buyers, *ikms)

    barrier = threading.Barrier(4)
    won, refused, errors = [], [], []

    def request(n):
        try:
            barrier.wait(timeout=10)
            meeting = services.meeting_request(
                event=event, buyer=buyers[n], ikm=ikms[n], starts_at=at(day, 9), table=1,
                actor=staff,
            )  # fmt: skip
            won.append(meeting.pk)
        except ValidationError as error:
            refused.append(error)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(won) == 1
    assert len(refused) == 3
    assert Meeting.objects.active().filter(event=event).count() == 1


# --- Pages: access matrix ----------------------------------------------------------------

K, P, A, F, OTHER, ANON = "kemenperin", "pengadaan", "kadin", "pembiayaan", "other", "anon"
WHO = (K, P, A, F, OTHER, ANON)


def answers(**codes) -> dict:
    """Status per role; unnamed roles get 403, the anonymous visitor a redirect."""
    result = dict.fromkeys(WHO, 403)
    result.update(codes)
    result[ANON] = 302
    return result


ALL_READ = answers(kemenperin=200, pengadaan=200, kadin=200, pembiayaan=200, other=200)
MEETINGS_READ = answers(kemenperin=200, pengadaan=200, kadin=200, other=200)
OWN_MEETING_READ = answers(kemenperin=200, pengadaan=200, kadin=200, other=404)
STAFF_ONLY = answers(kemenperin=200)
STAFF_REDIRECT = answers(kemenperin=302)
REGISTER = answers(kemenperin=422, pengadaan=302, other=302)  # staff: nothing chosen
REQUEST = answers(kemenperin=200, pengadaan=200, other=200)
OUTCOME = answers(kemenperin=200, pengadaan=200, other=404)

MATRIX = [
    ("get", "/kemitraan/acara/", None, ALL_READ),
    ("get", "/kemitraan/acara/baru/", None, STAFF_ONLY),
    ("get", "/kemitraan/acara/{event}/", None, ALL_READ),
    ("get", "/kemitraan/acara/{event}/ubah/", None, STAFF_ONLY),
    ("post", "/kemitraan/acara/{event}/daftar/", {}, REGISTER),
    ("post", "/kemitraan/acara/peserta/{participant}/setujui/", {}, STAFF_REDIRECT),
    ("post", "/kemitraan/acara/peserta/{participant}/tolak/", {"reason": "x"}, STAFF_REDIRECT),
    ("get", "/kemitraan/acara/{event}/sesi/baru/", None, STAFF_ONLY),
    ("get", "/kemitraan/acara/sesi/{session}/ubah/", None, STAFF_ONLY),
    ("get", "/kemitraan/acara/{event}/pertemuan/", None, MEETINGS_READ),
    ("get", "/kemitraan/acara/{event}/pertemuan/baru/", None, REQUEST),
    ("post", "/kemitraan/pertemuan/{meeting}/konfirmasi/", {}, STAFF_REDIRECT),
    ("get", "/kemitraan/pertemuan/{meeting}/pindah/", None, STAFF_ONLY),
    ("post", "/kemitraan/pertemuan/{meeting}/batalkan/", {}, STAFF_REDIRECT),
    ("get", "/kemitraan/pertemuan/{meeting}/hasil/", None, OUTCOME),
    ("get", "/kemitraan/acara/{event}/jadwal/", None, MEETINGS_READ),
    ("get", "/kemitraan/acara/{event}/jadwal.xlsx", None, MEETINGS_READ),
    # Choosing the event for a meeting with an IKM (buyer officers only; the flows:
    # tests/kemitraan/test_meeting_from_suggestion.py)
    ("get", "/kemitraan/pertemuan/ajukan/?ikm={ikm}", None, answers(pengadaan=200, other=200)),
]  # fmt: skip

# The URL names the matrix covers (tests/kemitraan/test_demand_views.py checks them all).
COVERED = {
    "event-list", "event-create", "event-detail", "event-update", "event-register",
    "participant-approve", "participant-reject", "session-create", "session-update",
    "event-meetings", "meeting-request", "meeting-confirm", "meeting-move", "meeting-cancel",
    "meeting-outcome", "event-schedule", "event-schedule-xlsx",
    "meeting-request-for",  # tests/kemitraan/test_meeting_from_suggestion.py
}  # fmt: skip


@pytest.fixture
def who(users_by_role, other_buyer_org):
    return {
        K: users_by_role[Role.KEMENPERIN],
        P: users_by_role[Role.PENGADAAN],
        A: users_by_role[Role.KADIN],
        F: users_by_role[Role.PEMBIAYAAN],
        OTHER: UserFactory(role=Role.PENGADAAN, organisation=other_buyer_org),
        ANON: None,
    }


@pytest.fixture
def booked(approved, event, session, staff, buyer, ikm):
    meeting = services.meeting_request(event=event, buyer=buyer, ikm=ikm, actor=staff)
    return services.meeting_confirm(meeting=meeting, actor=staff)


@pytest.mark.parametrize("role", WHO)
@pytest.mark.parametrize(
    ("method", "url", "data", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, _d, _e in MATRIX]
)
def test_access(client, who, event, session, booked, ikm2, role, method, url, data, expected):
    participant = EventParticipant.objects.get(event=event, ikm=ikm2)
    if who[role] is not None:
        client.force_login(who[role])
    path = url.format(
        event=event.pk,
        session=session.pk,
        meeting=booked.pk,
        participant=participant.pk,
        ikm=ikm2.pk,
    )
    response = getattr(client, method)(path, data or {})
    assert response.status_code == expected[role], (role, method, path)
    if role == ANON:
        assert "/masuk/" in response["Location"]


def test_the_matrix_covers_every_event_url():
    from django.urls import get_resolver

    names = {
        n for n in get_resolver().namespace_dict["kemitraan"][1].reverse_dict if isinstance(n, str)
    }
    ours = {n for n in names if n.startswith(("event-", "session-", "meeting-"))}
    ours |= {"participant-approve", "participant-reject"} & names
    assert ours == COVERED


# --- Pages: flows --------------------------------------------------------------------------


def test_officer_registers_requests_and_sees_only_their_meetings(
    client, approved, event, session, staff, pengadaan_user, buyer, other_buyer, ikm, ikm2
):
    theirs = services.meeting_request(event=event, buyer=other_buyer, ikm=ikm2, actor=staff)
    client.force_login(pengadaan_user)
    page = client.get(f"/kemitraan/acara/{event.pk}/")
    assert f"/kemitraan/acara/{event.pk}/pertemuan/baru/?ikm={ikm.pk}" in page.text
    response = client.post(f"/kemitraan/acara/{event.pk}/pertemuan/baru/", {"ikm": ikm.pk})
    assert response.status_code == 302
    mine = Meeting.objects.get(buyer=buyer)
    listing = client.get(f"/kemitraan/acara/{event.pk}/pertemuan/").text
    assert str(ikm) in listing and str(ikm2) not in listing
    assert client.get(f"/kemitraan/pertemuan/{theirs.pk}/hasil/").status_code == 404
    assert mine.requested_by == pengadaan_user


def test_a_double_booking_in_the_form_shows_the_message(
    client, approved, event, session, staff, buyer, other_buyer, ikm, ikm2
):
    slot = at(event.start_date, 9)
    services.meeting_request(
        event=event, buyer=buyer, ikm=ikm, starts_at=slot, table=1, actor=staff
    )
    client.force_login(staff)
    response = client.post(
        f"/kemitraan/acara/{event.pk}/pertemuan/baru/",
        {"buyer": other_buyer.pk, "ikm": ikm.pk, "starts_at": slot.isoformat(), "table": "2"},
    )
    assert response.status_code == 422
    assert Meeting.objects.count() == 1


def test_staff_move_cancel_and_outcome_pages(client, booked, event, staff, pengadaan_user):
    client.force_login(staff)
    target = at(event.start_date, 9, 30)
    response = client.post(
        f"/kemitraan/pertemuan/{booked.pk}/pindah/",
        {"starts_at": target.isoformat(), "table": "2"},
    )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert (booked.starts_at, booked.table) == (target, 2)
    client.force_login(pengadaan_user)
    response = client.post(
        f"/kemitraan/pertemuan/{booked.pk}/hasil/",
        {"outcome": "follow_up", "outcome_notes": "Kirim sampel"},
    )
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.outcome == "follow_up"
    client.force_login(staff)
    client.post(f"/kemitraan/pertemuan/{booked.pk}/batalkan/")
    booked.refresh_from_db()
    assert booked.status == "cancelled"


def test_staff_create_an_event_and_a_session(client, staff, event):
    client.force_login(staff)
    response = client.post(
        f"/kemitraan/acara/{event.pk}/sesi/baru/",
        {"date": event.start_date.isoformat(), "start_time": "13:00", "end_time": "15:00",
         "slot_minutes": "20", "tables": "30"},
    )  # fmt: skip
    assert response.status_code == 302
    assert event.sessions.get().tables == 30
    outside = client.post(
        f"/kemitraan/acara/{event.pk}/sesi/baru/",
        {"date": "2020-01-01", "start_time": "13:00", "end_time": "15:00",
         "slot_minutes": "20", "tables": "30"},
    )  # fmt: skip
    assert outside.status_code == 422


def test_schedules_print_and_export(client, booked, event, staff, buyer, ikm):
    from openpyxl import load_workbook

    client.force_login(staff)
    for by in ("participant", "table"):
        page = client.get(f"/kemitraan/acara/{event.pk}/jadwal/?by={by}")
        assert page.status_code == 200 and "@media print" in page.text and ikm.name in page.text
    response = client.get(f"/kemitraan/acara/{event.pk}/jadwal.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    date, start, end, table, buyer_name, ikm_name, nib, _status, _outcome = rows[1]
    assert (start, end, table, buyer_name, ikm_name, nib) == (
        "09:00", "09:30", 1, str(buyer), ikm.name, ikm.nib,
    )  # fmt: skip
    assert date.date() == event.start_date
