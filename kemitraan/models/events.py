"""Link & Match events: the event, its participants (buyers and IKM), its sessions of
business-matching slots and the meetings booked in them."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.history import AuditedHistoricalModel
from accounts.models import Organisation


class LinkMatchEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Events are public to every signed-in role."""
        if not user.is_authenticated:
            return self.none()
        return self


class LinkMatchEvent(models.Model):
    """A Link & Match exhibition or business-matching event."""

    class Kind(models.TextChoices):
        EXHIBITION = "exhibition", _("Exhibition")
        BUSINESS_MATCHING = "business_matching", _("Business matching")

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    organiser = models.ForeignKey(
        Organisation,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="organised_events",
    )
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = LinkMatchEventQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("Link & Match event")
        verbose_name_plural = _("Link & Match events")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="event_end_not_before_start",
                violation_error_message=_("An event cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.name


SESSION_DATE_OUTSIDE_EVENT = _("The session's date must fall within the event's dates.")
MEETING_SESSION_OTHER_EVENT = _("The session belongs to another event.")
MEETING_TABLE_OUT_OF_RANGE = _("This session has no table with that number.")
MEETING_NOT_A_SLOT = _("A meeting starts at the start of one of the session's slots.")


def _event_scope_roles(user):
    """Roles that see an event's programme (participants, sessions): all but lenders."""
    from accounts.roles import Role

    return user.is_authenticated and (
        user.sees_everything or (user.role == Role.PENGADAAN and bool(user.organisation_id))
    )


class EventParticipantQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Kemenperin and KADIN see every registration; a procurement officer sees the
        approved participants and every registration of their own organisation; a lender
        officer none (they read events only)."""
        if not _event_scope_roles(user):
            return self.none()
        if user.sees_everything:
            return self
        return self.filter(
            Q(status=EventParticipant.Status.APPROVED)
            | Q(buyer__organisation_id=user.organisation_id)
        )

    def approved(self):
        return self.filter(status=EventParticipant.Status.APPROVED)


class EventParticipant(models.Model):
    """A buyer or an IKM taking part in a Link & Match event (exactly one of the two).

    A buyer's officer registers their own organisation; Kemenperin registers IKM and
    buyers and approves or rejects every registration (a rejection needs a reason).
    Only approved participants can have meetings.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    event = models.ForeignKey(
        LinkMatchEvent,
        verbose_name=_("Link & Match event"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    buyer = models.ForeignKey(
        "kemitraan.BuyerProfile",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_participations",
    )
    ikm = models.ForeignKey(
        "ikm.IKM",
        verbose_name=_("IKM"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="event_participations",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    reason = models.TextField(_("reason for rejection"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = EventParticipantQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("event participant")
        verbose_name_plural = _("event participants")
        ordering = ["event", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(buyer__isnull=False, ikm__isnull=True)
                | Q(buyer__isnull=True, ikm__isnull=False),
                name="event_participant_buyer_xor_ikm",
                violation_error_message=_("A participant is either a buyer or an IKM."),
            ),
            models.UniqueConstraint(
                fields=["event", "buyer"],
                condition=Q(buyer__isnull=False),
                name="event_participant_buyer_once",
                violation_error_message=_("This buyer is already registered for the event."),
            ),
            models.UniqueConstraint(
                fields=["event", "ikm"],
                condition=Q(ikm__isnull=False),
                name="event_participant_ikm_once",
                violation_error_message=_("This IKM is already registered for the event."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "approved", "rejected"]),
                name="event_participant_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reason=""),
                name="event_participant_rejection_has_reason",
                violation_error_message=_("A rejection needs a reason."),
            ),
        ]

    def __str__(self):
        return f"{self.event}: {self.party}"

    @property
    def party(self):
        return self.buyer if self.buyer_id else self.ikm

    @property
    def is_buyer(self) -> bool:
        return self.buyer_id is not None


class EventSessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The sessions of an event: every role but lenders (they read events only)."""
        if not _event_scope_roles(user):
            return self.none()
        return self


class EventSession(models.Model):
    """A block of business-matching meetings on one day of an event: from ``start_time``
    to ``end_time`` in slots of ``slot_minutes``, at ``tables`` tables in parallel."""

    event = models.ForeignKey(
        LinkMatchEvent,
        verbose_name=_("Link & Match event"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    slot_minutes = models.PositiveSmallIntegerField(
        _("minutes per meeting"),
        default=30,
        validators=[MinValueValidator(10), MaxValueValidator(120)],
    )
    tables = models.PositiveSmallIntegerField(
        _("tables"), default=10, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EventSessionQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("event session")
        verbose_name_plural = _("event sessions")
        ordering = ["event", "date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="event_session_end_after_start",
                violation_error_message=_("A session must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=10, slot_minutes__lte=120),
                name="event_session_slot_10_120",
                violation_error_message=_("A meeting lasts between 10 and 120 minutes."),
            ),
            models.CheckConstraint(
                condition=Q(tables__gte=1, tables__lte=200),
                name="event_session_tables_1_200",
                violation_error_message=_("A session has between 1 and 200 tables."),
            ),
        ]

    def __str__(self):
        return f"{self.event}: {self.date:%Y-%m-%d} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def clean(self):
        super().clean()
        event = self.event if self.event_id else None
        if event and self.date and not (event.start_date <= self.date <= event.end_date):
            raise ValidationError({"date": SESSION_DATE_OUTSIDE_EVENT})

    def slot_starts(self) -> list[datetime.datetime]:
        """The aware start times of the session's slots, in the platform's time zone."""
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.date, self.start_time, tzinfo=zone)
        end = datetime.datetime.combine(self.date, self.end_time, tzinfo=zone)
        step = datetime.timedelta(minutes=self.slot_minutes)
        slots = []
        while start + step <= end:
            slots.append(start)
            start += step
        return slots


# A meeting holds its slot while it is requested or confirmed; a cancelled one frees it.
ACTIVE_MEETING = Q(status__in=["requested", "confirmed"])


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Kemenperin and KADIN see every meeting; a procurement officer their own
        organisation's; a lender officer none."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        from accounts.roles import Role

        if user.role == Role.PENGADAAN and user.organisation_id:
            return self.filter(buyer__organisation_id=user.organisation_id)
        return self.none()

    def active(self):
        return self.filter(ACTIVE_MEETING)


class Meeting(models.Model):
    """A business-matching meeting between a buyer and an IKM at one table in one slot of
    an event session, with what came of it.

    No buyer, IKM or table is booked twice in one slot: partial unique constraints over
    the requested and confirmed meetings (a cancelled meeting frees its slot).
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    class Outcome(models.TextChoices):
        NONE = "none", _("Not recorded")
        NO_INTEREST = "no_interest", _("No interest")
        FOLLOW_UP = "follow_up", _("Follow-up agreed")
        MOU_PLANNED = "mou_planned", _("MoU planned")

    event = models.ForeignKey(
        LinkMatchEvent,
        verbose_name=_("Link & Match event"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    session = models.ForeignKey(
        EventSession,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    starts_at = models.DateTimeField(_("starts at"))
    table = models.PositiveSmallIntegerField(_("table"), validators=[MinValueValidator(1)])
    buyer = models.ForeignKey(
        "kemitraan.BuyerProfile",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    ikm = models.ForeignKey(
        "ikm.IKM", verbose_name=_("IKM"), on_delete=models.PROTECT, related_name="meetings"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.NONE
    )
    outcome_notes = models.TextField(_("outcome notes"), blank=True)
    suggestion = models.ForeignKey(
        "kemitraan.MatchSuggestion",
        verbose_name=_("match suggestion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
        help_text=_("The suggestion the meeting came from, if any."),
    )

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["event", "starts_at", "table"]
        permissions = [("record_outcome_meeting", _("Can record the outcome of a meeting"))]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "starts_at", "table"],
                condition=ACTIVE_MEETING,
                name="meeting_table_once_per_slot",
                violation_error_message=_("This table is already booked in this slot."),
            ),
            models.UniqueConstraint(
                fields=["event", "starts_at", "ikm"],
                condition=ACTIVE_MEETING,
                name="meeting_ikm_once_per_slot",
                violation_error_message=_("This IKM already has a meeting in this slot."),
            ),
            models.UniqueConstraint(
                fields=["event", "starts_at", "buyer"],
                condition=ACTIVE_MEETING,
                name="meeting_buyer_once_per_slot",
                violation_error_message=_("This buyer already has a meeting in this slot."),
            ),
            models.CheckConstraint(
                condition=Q(table__gte=1, table__lte=200),
                name="meeting_table_1_200",
                violation_error_message=_("Tables are numbered from 1 to 200."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "confirmed", "cancelled"]),
                name="meeting_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["none", "no_interest", "follow_up", "mou_planned"]),
                name="meeting_outcome_valid",
                violation_error_message=_("Unknown outcome."),
            ),
        ]

    def __str__(self):
        return f"{self.buyer} x {self.ikm} ({self.starts_at:%Y-%m-%d %H:%M}, {self.table})"

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.session.slot_minutes)

    def clean(self):
        super().clean()
        session = self.session if self.session_id else None
        if session is None:
            return
        errors = {}
        if self.event_id and session.event_id != self.event_id:
            errors["session"] = [MEETING_SESSION_OTHER_EVENT]
        if self.table and self.table > session.tables:
            errors["table"] = [MEETING_TABLE_OUT_OF_RANGE]
        if self.starts_at and self.starts_at not in session.slot_starts():
            errors["starts_at"] = [MEETING_NOT_A_SLOT]
        if errors:
            raise ValidationError(errors)
