"""Organisations and users. A user belongs to at most one organisation."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .history import AuditedHistoricalModel
from .roles import Role


class Organisation(models.Model):
    """A party in the program: the ministry, the chamber, a buyer or a lender.

    Buyer details live in ``kemitraan.BuyerProfile`` and lender details in
    ``pembiayaan.LenderProfile``, one-to-one with this record.
    """

    class Kind(models.TextChoices):
        KEMENPERIN = "kemenperin", _("Ministry of Industry (Kemenperin)")
        KADIN = "kadin", _("Chamber of Commerce (KADIN)")
        APM = "apm", _("Brand-holder agent (APM)")
        TIER1 = "tier1", _("Tier-1 supplier")
        TIER2 = "tier2", _("Tier-2 supplier")
        INDUSTRI_BESAR = "industri_besar", _("Large industry")
        YAYASAN = "yayasan", _("Foundation")
        BUMN = "bumn", _("State-owned enterprise (BUMN)")
        BANK = "bank", _("Bank")
        MULTIFINANCE = "multifinance", _("Multifinance company")
        MODAL_VENTURA = "modal_ventura", _("Venture capital company")
        BPR = "bpr", _("Rural bank (BPR)")
        FINTECH = "fintech", _("Fintech lender")

    BUYER_KINDS = frozenset({"apm", "tier1", "tier2", "industri_besar", "yayasan", "bumn"})
    LENDER_KINDS = frozenset({"bank", "multifinance", "modal_ventura", "bpr", "fintech"})

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Created by seed_demo; not real data.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "kemenperin",
                        "kadin",
                        "apm",
                        "tier1",
                        "tier2",
                        "industri_besar",
                        "yayasan",
                        "bumn",
                        "bank",
                        "multifinance",
                        "modal_ventura",
                        "bpr",
                        "fintech",
                    ]
                ),
                name="organisation_kind_valid",
                violation_error_message=_("Unknown organisation kind."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_buyer(self) -> bool:
        return self.kind in self.BUYER_KINDS

    @property
    def is_lender(self) -> bool:
        return self.kind in self.LENDER_KINDS


class User(AbstractUser):
    """A person who signs in. Their role is the Group they belong to."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    @cached_property
    def role(self) -> Role | None:
        """The user's role, from their Group; None for a user without one."""
        names = {g.name for g in self.groups.all()}
        for role in Role:
            if role.value in names:
                return role
        return None

    def has_role(self, *roles: Role) -> bool:
        return self.is_authenticated and self.role in roles

    @property
    def sees_everything(self) -> bool:
        """Kemenperin staff, KADIN admins and superusers read every organisation's records."""
        return self.is_superuser or self.role in (Role.KEMENPERIN, Role.KADIN)


class RecordedModel(models.Model):
    """Bookkeeping shared by the domain records people create: who created it and when,
    when it last changed, and whether it is demo data. The full audit trail is the
    model's simple-history table."""

    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A user sees only their own notifications (staff and superusers included)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)


class Notification(models.Model):
    """A message to one user: shown in their inbox and, if they have an address, e-mailed.

    Created by :func:`accounts.notifications.notify`; the e-mail goes out in
    :func:`accounts.tasks.notification_send_task`. ``email_to`` is personal data: it is
    never logged and never put in a URL.
    """

    class Kind(models.TextChoices):
        MEETING_REQUESTED = "meeting_requested", _("Meeting requested")
        MEETING_CONFIRMED = "meeting_confirmed", _("Meeting confirmed")
        MEETING_MOVED = "meeting_moved", _("Meeting moved")
        MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")
        MEETING_REMINDER = "meeting_reminder", _("Meeting reminder")
        MOU_EXPIRING = "mou_expiring", _("MoU nearing expiry")
        OTHER = "other", _("Other")

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(
        _("link"), max_length=500, blank=True, help_text=_("A link within the site.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    email_to = models.EmailField(_("e-mailed to"), blank=True)
    error = models.TextField(_("last error"), blank=True)
    dedupe_key = models.CharField(
        _("de-duplication key"),
        max_length=200,
        blank=True,
        help_text=_("The same key is never sent twice to the same user."),
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_user_dedupe_key_unique",
                violation_error_message=_("This user already had this notification."),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "meeting_requested",
                        "meeting_confirmed",
                        "meeting_moved",
                        "meeting_cancelled",
                        "meeting_reminder",
                        "mou_expiring",
                        "other",
                    ]
                ),
                name="notification_kind_valid",
                violation_error_message=_("Unknown notification kind."),
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_user_recent")]

    def __str__(self):
        return self.subject
