"""Writes with rules for Link & Match events: registering participants and deciding on
them, the sessions of business-matching slots, and the meetings booked in those slots.

In the style of :mod:`kemitraan.services`: keyword-only arguments, ``actor=`` is the
history user, atomic, ``full_clean()`` before saving, refusals raise ``ValidationError``
with a message constant of this module (nothing is written then).

Who may do what (the views check the model permissions first; these are the rules on top):

* a procurement officer registers their own organisation's buyer profile, requests
  meetings for it and records their outcome; Kemenperin does all of that for anyone,
  registers IKM, approves or rejects registrations (a rejection needs a reason), defines
  sessions, and confirms, moves and cancels meetings;
* only approved participants meet; a meeting takes a slot that has not started yet;
* no buyer, IKM or table is booked twice in one slot. Requests and moves lock the event's
  sessions (``SELECT … FOR UPDATE``) so concurrent requests are taken one at a time; the
  database's partial unique constraints are the last guard, and their ``IntegrityError``
  becomes a ``ValidationError`` with a clear message.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

from .models import EventParticipant, EventSession, Meeting

logger = logging.getLogger(__name__)

NOT_STAFF = _("Only Kemenperin staff can do this.")
BUYER_MISMATCH = _("An officer acts for their own organisation only.")
OFFICER_REGISTERS_OWN_BUYER = _("An officer registers their own organisation only, not IKM.")
PARTICIPANT_NEEDS_ONE = _("Register either a buyer or an IKM.")
ALREADY_REGISTERED = _("This participant is already registered for the event.")
REJECTION_NEEDS_REASON = _("Write why the registration is rejected.")
NOT_APPROVED_BUYER = _("The buyer is not an approved participant of this event.")
NOT_APPROVED_IKM = _("The IKM is not an approved participant of this event.")
NO_SESSIONS = _("The event has no sessions yet.")
NOT_A_SLOT = _("No session of this event has a slot starting at this time.")
SLOT_STARTED = _("This slot has already started: choose a later one.")
NO_FREE_SLOT = _("No free slot is left in which the buyer, the IKM and a table are all free.")
TABLE_TAKEN = _("This table is already booked in this slot.")
BUYER_BUSY = _("The buyer already has a meeting in this slot.")
IKM_BUSY = _("The IKM already has a meeting in this slot.")
DOUBLE_BOOKING = _("This slot was just taken by another booking. Please choose another slot.")
TABLE_OUT_OF_RANGE = _("This session has no table with that number.")
SUGGESTION_MISMATCH = _("The match suggestion is for another buyer or IKM.")
CANNOT_CONFIRM = _("Only a requested meeting can be confirmed.")
CANNOT_MOVE = _("A cancelled meeting cannot be moved.")
CANNOT_CANCEL = _("This meeting is already cancelled.")
OUTCOME_NEEDS_CONFIRMED = _("An outcome is recorded for a confirmed meeting only.")
SESSION_HAS_MEETINGS = _(
    "Booked meetings would fall outside the session: move or cancel them first."
)

_CONSTRAINT_MESSAGES = {
    "meeting_table_once_per_slot": TABLE_TAKEN,
    "meeting_buyer_once_per_slot": BUYER_BUSY,
    "meeting_ikm_once_per_slot": IKM_BUSY,
}


# --- Helpers ---------------------------------------------------------------------------


def is_staff(user) -> bool:
    """Kemenperin staff (or a superuser) manage events."""
    return bool(user and (user.is_superuser or user.role == Role.KEMENPERIN))


def _require_staff(actor) -> None:
    if not is_staff(actor):
        raise ValidationError(NOT_STAFF)


def _check_buyer(buyer, actor) -> None:
    if is_staff(actor):
        return
    if not actor.organisation_id or buyer.organisation_id != actor.organisation_id:
        raise ValidationError({"buyer": BUYER_MISMATCH})


def _save(obj, *, actor, reason: str):
    obj._history_user = actor
    obj._change_reason = reason
    obj.full_clean()
    obj.save()
    return obj


def _recipients(buyer):
    """The buyer's procurement officers and Kemenperin staff (active users)."""
    from accounts.models import User

    officers = User.objects.filter(
        is_active=True, organisation_id=buyer.organisation_id, groups__name=Role.PENGADAAN.value
    )
    staff = User.objects.filter(is_active=True, groups__name=Role.KEMENPERIN.value)
    return list((officers | staff).distinct())


def _notify_meeting(meeting: Meeting, kind: str, subject, *, dedupe_key: str = "") -> None:
    from accounts.notifications import notify

    when = timezone.localtime(meeting.starts_at)
    body = _("%(buyer)s meets %(ikm)s on %(date)s at %(time)s, table %(table)s (%(event)s).") % {
        "buyer": meeting.buyer,
        "ikm": meeting.ikm,
        "date": when.strftime("%d-%m-%Y"),
        "time": when.strftime("%H:%M"),
        "table": meeting.table,
        "event": meeting.event,
    }
    notify(
        users=_recipients(meeting.buyer),
        kind=kind,
        subject=str(subject),
        body=str(body),
        url=reverse("kemitraan:event-meetings", args=[meeting.event_id]),
        dedupe_key=dedupe_key,
    )


def _approved(event, *, buyer=None, ikm=None) -> bool:
    rows = EventParticipant.objects.filter(event=event, status=EventParticipant.Status.APPROVED)
    return rows.filter(buyer=buyer).exists() if buyer is not None else rows.filter(ikm=ikm).exists()


def _lock_sessions(event) -> list[EventSession]:
    """Lock every session of the event, in a fixed order (no deadlock between requests)."""
    return list(EventSession.objects.select_for_update().filter(event=event).order_by("pk"))


def _session_of(sessions: list[EventSession], starts_at) -> EventSession:
    for session in sessions:
        if starts_at in session.slot_starts():
            return session
    raise ValidationError({"starts_at": NOT_A_SLOT})


def _busy(event, starts_at, *, exclude_pk=None):
    rows = Meeting.objects.active().filter(event=event, starts_at=starts_at)
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    return rows.values_list("table", "buyer_id", "ikm_id")


def _free_table(session, starts_at, *, buyer, ikm, table=None, exclude_pk=None):
    """The table to use in the slot, or a ValidationError saying what is taken."""
    busy = list(_busy(session.event_id, starts_at, exclude_pk=exclude_pk))
    if any(b == buyer.pk for _t, b, _i in busy):
        raise ValidationError({"starts_at": BUYER_BUSY})
    if any(i == ikm.pk for _t, _b, i in busy):
        raise ValidationError({"starts_at": IKM_BUSY})
    taken = {t for t, _b, _i in busy}
    if table is not None:
        if not 1 <= table <= session.tables:
            raise ValidationError({"table": TABLE_OUT_OF_RANGE})
        if table in taken:
            raise ValidationError({"table": TABLE_TAKEN})
        return table
    for number in range(1, session.tables + 1):
        if number not in taken:
            return number
    raise ValidationError({"table": TABLE_TAKEN})


def _save_meeting(meeting: Meeting, *, actor, reason: str) -> Meeting:
    """Save under a savepoint: a double booking the checks missed (it cannot happen while
    the sessions are locked, but the database is the last word) becomes a clear message."""
    meeting._history_user = actor
    meeting._change_reason = reason
    meeting.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as exc:
        text = str(exc)
        for name, message in _CONSTRAINT_MESSAGES.items():
            if name in text:
                raise ValidationError(message) from exc
        raise ValidationError(DOUBLE_BOOKING) from exc
    return meeting


def _check_not_started(starts_at) -> None:
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": SLOT_STARTED})


# --- Participants ------------------------------------------------------------------------


@transaction.atomic
def participant_register(*, event, actor, buyer=None, ikm=None) -> EventParticipant:
    """Register a buyer or an IKM for an event. A procurement officer registers their own
    organisation (it waits for Kemenperin's approval); a registration by Kemenperin is
    approved at once."""
    if (buyer is None) == (ikm is None):
        raise ValidationError(PARTICIPANT_NEEDS_ONE)
    staff = is_staff(actor)
    if not staff:
        if ikm is not None:
            raise ValidationError({"ikm": OFFICER_REGISTERS_OWN_BUYER})
        _check_buyer(buyer, actor)
    existing = EventParticipant.objects.filter(event=event)
    if existing.filter(**({"buyer": buyer} if buyer is not None else {"ikm": ikm})).exists():
        raise ValidationError(ALREADY_REGISTERED)
    participant = EventParticipant(event=event, buyer=buyer, ikm=ikm, requested_by=actor)
    if staff:
        participant.status = EventParticipant.Status.APPROVED
        participant.decided_by = actor
        participant.decided_at = timezone.now()
    try:
        with transaction.atomic():
            return _save(participant, actor=actor, reason="registered")
    except IntegrityError as exc:  # registered at the same moment by someone else
        raise ValidationError(ALREADY_REGISTERED) from exc


@transaction.atomic
def participant_approve(*, participant: EventParticipant, actor) -> EventParticipant:
    """Kemenperin approves a registration (also one rejected earlier)."""
    _require_staff(actor)
    participant = EventParticipant.objects.select_for_update().get(pk=participant.pk)
    participant.status = EventParticipant.Status.APPROVED
    participant.reason = ""
    participant.decided_by = actor
    participant.decided_at = timezone.now()
    return _save(participant, actor=actor, reason="approved")


@transaction.atomic
def participant_reject(*, participant: EventParticipant, reason: str, actor) -> EventParticipant:
    """Kemenperin rejects a registration, saying why. Its meetings still booked are
    cancelled."""
    _require_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REJECTION_NEEDS_REASON})
    participant = EventParticipant.objects.select_for_update().get(pk=participant.pk)
    participant.status = EventParticipant.Status.REJECTED
    participant.reason = reason
    participant.decided_by = actor
    participant.decided_at = timezone.now()
    _save(participant, actor=actor, reason="rejected")
    party = {"buyer_id": participant.buyer_id} if participant.buyer_id else {}
    party = party or {"ikm_id": participant.ikm_id}
    for meeting in Meeting.objects.active().filter(event_id=participant.event_id, **party):
        meeting_cancel(meeting=meeting, actor=actor)
    return participant


# --- Sessions ----------------------------------------------------------------------------


@transaction.atomic
def session_save(*, session: EventSession, actor) -> EventSession:
    """Define or change a session. Its date lies within the event's dates; a change may
    not leave a booked meeting outside its slots or tables."""
    _require_staff(actor)
    if session.pk:
        EventSession.objects.select_for_update().filter(pk=session.pk).first()
        session.full_clean()
        slots = set(session.slot_starts())
        for meeting in Meeting.objects.active().filter(session=session):
            if meeting.starts_at not in slots or meeting.table > session.tables:
                raise ValidationError(SESSION_HAS_MEETINGS)
    return _save(session, actor=actor, reason="saved")


# --- Meetings ----------------------------------------------------------------------------


@transaction.atomic
def meeting_request(
    *, event, buyer, ikm, actor, starts_at=None, table=None, suggestion=None
) -> Meeting:
    """Request a meeting between an approved buyer and an approved IKM of the event.

    Without ``starts_at`` the first slot (not yet started) in which the buyer, the IKM and
    a table are free is taken; without ``table`` the lowest free table of the slot.
    """
    _check_buyer(buyer, actor)
    errors = {}
    if not _approved(event, buyer=buyer):
        errors["buyer"] = [NOT_APPROVED_BUYER]
    if not _approved(event, ikm=ikm):
        errors["ikm"] = [NOT_APPROVED_IKM]
    if suggestion is not None and (
        suggestion.ikm_id != ikm.pk or suggestion.demand.buyer_id != buyer.pk
    ):
        errors["suggestion"] = [SUGGESTION_MISMATCH]
    if errors:
        raise ValidationError(errors)

    sessions = _lock_sessions(event)
    if not sessions:
        raise ValidationError(NO_SESSIONS)
    if starts_at is not None:
        session = _session_of(sessions, starts_at)
        _check_not_started(starts_at)
        table = _free_table(session, starts_at, buyer=buyer, ikm=ikm, table=table)
    else:
        session = table_found = None
        now = timezone.now()
        for candidate in sorted(sessions, key=lambda s: (s.date, s.start_time)):
            for slot in candidate.slot_starts():
                if slot <= now:
                    continue
                try:
                    table_found = _free_table(candidate, slot, buyer=buyer, ikm=ikm, table=table)
                except ValidationError:
                    continue
                session, starts_at = candidate, slot
                break
            if session is not None:
                break
        if session is None:
            raise ValidationError(NO_FREE_SLOT)
        table = table_found

    meeting = Meeting(
        event=event,
        session=session,
        starts_at=starts_at,
        table=table,
        buyer=buyer,
        ikm=ikm,
        suggestion=suggestion,
        requested_by=actor,
    )
    _save_meeting(meeting, actor=actor, reason="requested")
    _notify_meeting(meeting, "meeting_requested", _("Link & Match meeting requested"))
    return meeting


def _locked_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("session").get(pk=meeting.pk)


@transaction.atomic
def meeting_confirm(*, meeting: Meeting, actor) -> Meeting:
    """Kemenperin confirms a requested meeting."""
    _require_staff(actor)
    meeting = _locked_meeting(meeting)
    if meeting.status != Meeting.Status.REQUESTED:
        raise ValidationError(CANNOT_CONFIRM)
    meeting.status = Meeting.Status.CONFIRMED
    meeting.confirmed_by = actor
    meeting.confirmed_at = timezone.now()
    _save_meeting(meeting, actor=actor, reason="confirmed")
    _notify_meeting(meeting, "meeting_confirmed", _("Link & Match meeting confirmed"))
    return meeting


@transaction.atomic
def meeting_move(*, meeting: Meeting, starts_at, table, actor) -> Meeting:
    """Kemenperin moves a meeting to another slot and/or table (it keeps its status)."""
    _require_staff(actor)
    sessions = _lock_sessions(meeting.event_id)
    meeting = _locked_meeting(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(CANNOT_MOVE)
    session = _session_of(sessions, starts_at)
    _check_not_started(starts_at)
    table = _free_table(
        session, starts_at, buyer=meeting.buyer, ikm=meeting.ikm, table=table, exclude_pk=meeting.pk
    )
    meeting.session, meeting.starts_at, meeting.table = session, starts_at, table
    _save_meeting(meeting, actor=actor, reason="moved")
    _notify_meeting(meeting, "meeting_moved", _("Link & Match meeting moved"))
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor) -> Meeting:
    """Kemenperin cancels a meeting: its slot and table are free again."""
    _require_staff(actor)
    meeting = _locked_meeting(meeting)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(CANNOT_CANCEL)
    meeting.status = Meeting.Status.CANCELLED
    _save_meeting(meeting, actor=actor, reason="cancelled")
    _notify_meeting(meeting, "meeting_cancelled", _("Link & Match meeting cancelled"))
    return meeting


@transaction.atomic
def meeting_record_outcome(*, meeting: Meeting, outcome: str, notes: str = "", actor) -> Meeting:
    """Record what came of a confirmed meeting: Kemenperin, or the buyer's officer."""
    _check_buyer(meeting.buyer, actor)
    meeting = _locked_meeting(meeting)
    if meeting.status != Meeting.Status.CONFIRMED:
        raise ValidationError(OUTCOME_NEEDS_CONFIRMED)
    meeting.outcome = outcome
    meeting.outcome_notes = (notes or "").strip()
    _save_meeting(meeting, actor=actor, reason="outcome recorded")
    return meeting


def meeting_send_reminders(*, today: datetime.date | None = None) -> int:
    """Remind the buyers' officers and Kemenperin of tomorrow's confirmed meetings.

    Idempotent: one reminder per meeting and day (``dedupe_key``), however often it runs.
    Returns the number of meetings reminded about.
    """
    today = today or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(tomorrow, datetime.time.min, tzinfo=zone)
    meetings = (
        Meeting.objects.filter(
            status=Meeting.Status.CONFIRMED,
            starts_at__gte=start,
            starts_at__lt=start + datetime.timedelta(days=1),
        )
        .select_related("event", "buyer__organisation", "ikm", "session")
        .order_by("starts_at", "table")
    )
    count = 0
    for meeting in meetings:
        _notify_meeting(
            meeting,
            "meeting_reminder",
            _("Reminder: Link & Match meeting tomorrow"),
            dedupe_key=f"meeting-reminder:{meeting.pk}:{tomorrow.isoformat()}",
        )
        count += 1
    return count
