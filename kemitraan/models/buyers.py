"""Buyers, their procurement needs, match suggestions and the matching weights."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.history import AuditedHistoricalModel
from accounts.models import Organisation, RecordedModel
from ikm.models import IKM, CertificationType, Kbli, ProcessCapability, Province, Regency


class BuyerProfileQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Buyers are public to every signed-in role."""
        if not user.is_authenticated:
            return self.none()
        return self


class BuyerProfile(models.Model):
    """The buyer-side details of an organisation of a buyer kind (APM, Tier, yayasan...)."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="buyer_profile",
        limit_choices_to={"kind__in": sorted(Organisation.BUYER_KINDS)},
    )
    group_name = models.CharField(_("business group"), max_length=200, blank=True)
    brands = models.CharField(_("brands"), max_length=300, blank=True)
    nib = models.CharField(_("NIB"), max_length=13, blank=True)
    address = models.TextField(_("address"), blank=True)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, null=True, blank=True
    )
    regency = models.ForeignKey(
        Regency, verbose_name=_("regency/city"), on_delete=models.PROTECT, null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)

    objects = BuyerProfileQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("buyer")
        verbose_name_plural = _("buyers")
        ordering = ["organisation__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nib="") | Q(nib__regex=r"^[0-9]{13}$"),
                name="buyer_nib_13_digits",
                violation_error_message=_("NIB must be exactly 13 digits."),
            ),
        ]

    def __str__(self):
        return self.organisation.name

    @property
    def kind(self):
        return self.organisation.kind


class DemandQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Kemenperin and KADIN see all needs; a procurement officer their organisation's."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        from accounts.roles import Role

        if user.role == Role.PENGADAAN and user.organisation_id:
            return self.filter(buyer__organisation_id=user.organisation_id)
        return self.none()


class Demand(RecordedModel):
    """A procurement need (kebutuhan pengadaan) posted by a buyer."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        FULFILLED = "fulfilled", _("Fulfilled")

    buyer = models.ForeignKey(
        BuyerProfile, verbose_name=_("buyer"), on_delete=models.PROTECT, related_name="demands"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, help_text=_("Part, material, specification.")
    )
    kbli = models.ManyToManyField(Kbli, verbose_name=_("KBLI codes"), blank=True, related_name="+")
    processes = models.ManyToManyField(
        ProcessCapability, verbose_name=_("required processes"), blank=True, related_name="+"
    )
    required_certifications = models.ManyToManyField(
        CertificationType,
        verbose_name=_("required certifications"),
        blank=True,
        related_name="+",
        help_text=_("A supplier without a valid one is never suggested."),
    )
    preferred_certifications = models.ManyToManyField(
        CertificationType, verbose_name=_("preferred certifications"), blank=True, related_name="+"
    )
    quantity_per_month = models.PositiveIntegerField(_("quantity per month"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    annual_value = models.BigIntegerField(_("estimated annual value (Rp)"), null=True, blank=True)
    province = models.ForeignKey(
        Province,
        verbose_name=_("preferred province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    regency = models.ForeignKey(
        Regency,
        verbose_name=_("preferred regency/city"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    min_tkdn = models.DecimalField(
        _("minimum TKDN (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    latitude = models.DecimalField(
        _("delivery point latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text=_("Optional: where the parts are delivered, to rank nearby suppliers."),
    )
    longitude = models.DecimalField(
        _("delivery point longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    verified_only = models.BooleanField(_("verified suppliers only"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="open")
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    matched_at = models.DateTimeField(_("suggestions computed at"), null=True, blank=True)
    match_floor = models.DecimalField(
        _("score of the 20th suggestion"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Empty while fewer than 20 suppliers qualify. Kept by the matching job."),
    )

    objects = DemandQuerySet.as_manager()
    history = HistoricalRecords(
        bases=[AuditedHistoricalModel],
        m2m_fields=[kbli, processes, required_certifications, preferred_certifications],
        excluded_fields=["matched_at", "match_floor"],
    )

    class Meta:
        verbose_name = _("procurement need")
        verbose_name_plural = _("procurement needs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(annual_value__isnull=True) | Q(annual_value__gt=0),
                name="demand_annual_value_positive",
                violation_error_message=_("The annual value must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(quantity_per_month__isnull=True) | Q(quantity_per_month__gt=0),
                name="demand_quantity_positive",
                violation_error_message=_("The quantity must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(min_tkdn__isnull=True) | Q(min_tkdn__gte=0, min_tkdn__lte=100),
                name="demand_min_tkdn_0_100",
                violation_error_message=_("TKDN must be between 0 and 100%%."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "closed", "fulfilled"]),
                name="demand_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="demand_coordinates_both_or_neither",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("kemitraan:demand-detail", args=[self.pk])


class MatchSuggestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(demand__in=Demand.objects.visible_to(user))


class MatchSuggestion(models.Model):
    """A supplier suggested for a need by the matching engine, with its explanation,
    and what the buyer did with it.

    Derived data: a recompute replaces the rows still ``suggested`` and rescores the rest.
    The buyer's action (status, reason, who and when) is kept on the row and survives every
    recompute; a dismissed IKM is never suggested again for that need. No per-row history:
    recomputes rewrite thousands of rows a night, and the action fields are the audit.
    """

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested")
        SHORTLISTED = "shortlisted", _("Shortlisted")
        DISMISSED = "dismissed", _("Dismissed")
        CONTACTED = "contacted", _("Contacted")

    demand = models.ForeignKey(
        Demand,
        verbose_name=_("procurement need"),
        on_delete=models.CASCADE,
        related_name="suggestions",
    )
    ikm = models.ForeignKey(
        IKM, verbose_name=_("IKM"), on_delete=models.CASCADE, related_name="suggestions"
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=3)
    breakdown = models.JSONField(
        _("score breakdown"), default=dict, blank=True, help_text=_("Points per component.")
    )
    reasons = models.JSONField(
        _("reasons"),
        default=list,
        blank=True,
        help_text=_("Reason codes with their values; rendered in the reader's language."),
    )
    eligible = models.BooleanField(
        _("passes the filters"),
        default=True,
        help_text=_("False when a kept (shortlisted or contacted) IKM no longer passes."),
    )
    engine_version = models.CharField(_("engine version"), max_length=30)
    weights = models.JSONField(_("weights"), default=dict, blank=True)
    digest = models.CharField(
        _("inputs digest"),
        max_length=32,
        blank=True,
        help_text=_("Fingerprint of what produced the row: a recompute skips unchanged rows."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUGGESTED
    )
    dismissed_reason = models.TextField(_("reason for dismissal"), blank=True)
    actioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actioned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actioned_at = models.DateTimeField(_("actioned at"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    objects = MatchSuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("match suggestion")
        verbose_name_plural = _("match suggestions")
        ordering = ["demand", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "ikm"],
                name="suggestion_one_per_ikm_per_demand",
                violation_error_message=_("This IKM is already suggested for this need."),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100),
                name="suggestion_score_0_100",
                violation_error_message=_("A score lies between 0 and 100."),
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1),
                name="suggestion_rank_positive",
                violation_error_message=_("Ranks start at 1."),
            ),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismissed_reason=""),
                name="suggestion_dismissal_has_reason",
                violation_error_message=_("A dismissal needs a reason."),
            ),
        ]

    def __str__(self):
        return f"{self.demand} → {self.ikm} (#{self.rank})"

    @property
    def is_actioned(self) -> bool:
        return self.status != self.Status.SUGGESTED


class MatchingWeights(models.Model):
    """The weights of the matching score's components, editable by an administrator.

    One row (pk 1). Without it the engine uses ``settings.MATCHING_WEIGHTS``. Every
    suggestion records the weights and engine version that produced it.
    """

    COMPONENTS = ("process", "text", "kbli", "capacity", "location", "certification", "quality")

    process = models.DecimalField(_("process fit"), max_digits=5, decimal_places=2)
    text = models.DecimalField(_("text similarity"), max_digits=5, decimal_places=2)
    kbli = models.DecimalField(_("KBLI fit"), max_digits=5, decimal_places=2)
    capacity = models.DecimalField(_("capacity"), max_digits=5, decimal_places=2)
    location = models.DecimalField(_("location"), max_digits=5, decimal_places=2)
    certification = models.DecimalField(
        _("preferred certifications"), max_digits=5, decimal_places=2
    )
    quality = models.DecimalField(_("quality signals"), max_digits=5, decimal_places=2)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("matching weights")
        verbose_name_plural = _("matching weights")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    process__gte=0,
                    text__gte=0,
                    kbli__gte=0,
                    capacity__gte=0,
                    location__gte=0,
                    certification__gte=0,
                    quality__gte=0,
                ),
                name="matching_weights_not_negative",
                violation_error_message=_("Weights cannot be negative."),
            ),
        ]

    def __str__(self):
        return str(_("Matching weights"))

    def clean(self):
        from django.core.exceptions import ValidationError

        total = sum(getattr(self, name) or 0 for name in self.COMPONENTS)
        if total <= 0:
            raise ValidationError(_("At least one weight must be greater than zero."))
