"""Lenders, credit schemes and akad kredit (credit agreements) secured by MoUs."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.history import AuditedHistoricalModel
from accounts.models import Organisation, RecordedModel
from ikm.models import IKM
from kemitraan.models import MoU, PurchaseOrder


class LenderProfileQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Lenders are public to every signed-in role; their akad are not."""
        if not user.is_authenticated:
            return self.none()
        return self


class LenderProfile(models.Model):
    """The lender-side details of an organisation of a lender kind."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="lender_profile",
        limit_choices_to={"kind__in": sorted(Organisation.LENDER_KINDS)},
    )
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    ojk_license = models.CharField(_("OJK licence number"), max_length=100, blank=True)
    address = models.TextField(_("address"), blank=True)

    objects = LenderProfileQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("lender")
        verbose_name_plural = _("lenders")
        ordering = ["organisation__name"]

    def __str__(self):
        return self.short_name or self.organisation.name

    @property
    def kind(self):
        return self.organisation.kind


class CreditScheme(models.Model):
    """A credit product: KUR tiers with their limits and rates, KMK, KI, leasing, venture.

    Editable reference data: KUR limits and rates change by regulation (Permenko 1/2023).
    """

    class Kind(models.TextChoices):
        KUR = "kur", _("People's business credit (KUR)")
        WORKING_CAPITAL = "kmk", _("Working-capital credit (KMK)")
        INVESTMENT = "ki", _("Investment credit (KI)")
        LEASING = "leasing", _("Leasing")
        VENTURE = "venture", _("Venture financing")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    min_plafon = models.BigIntegerField(
        _("minimum plafon (Rp)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    max_plafon = models.BigIntegerField(
        _("maximum plafon (Rp)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    max_rate = models.DecimalField(
        _("maximum rate, first access (% p.a.)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    repeat_access_rates = models.JSONField(
        _("maximum rates on later accesses (% p.a.)"),
        default=list,
        blank=True,
        help_text=_("For KUR: the 2nd, 3rd and 4th-or-later access, e.g. [7, 8, 9]."),
    )
    collateral_free_up_to = models.BigIntegerField(
        _("no extra collateral up to (Rp)"), null=True, blank=True
    )
    regulation = models.CharField(_("regulation"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("credit scheme")
        verbose_name_plural = _("credit schemes")
        ordering = ["kind", "min_plafon", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_plafon__isnull=True)
                | Q(max_plafon__isnull=True)
                | Q(max_plafon__gte=F("min_plafon")),
                name="scheme_plafon_range_in_order",
                violation_error_message=_("The maximum plafon cannot be below the minimum."),
            ),
            models.CheckConstraint(
                condition=Q(max_rate__isnull=True) | Q(max_rate__gte=0, max_rate__lte=100),
                name="scheme_rate_0_100",
                violation_error_message=_("A rate lies between 0 and 100%%."),
            ),
        ]

    def __str__(self):
        return self.name


class AkadKreditQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Kemenperin and KADIN read all akad; a lender officer only their lender's."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        from accounts.roles import Role

        if user.role == Role.PEMBIAYAAN and user.organisation_id:
            return self.filter(lender__organisation_id=user.organisation_id)
        return self.none()

    def signed(self):
        """Akad that have been signed, whatever happened after (disbursed, repaying, paid off)."""
        return self.filter(status__in=AkadKredit.SIGNED_STATUSES)

    def in_pipeline(self):
        """Applications not yet signed nor refused: pipeline and approved."""
        return self.filter(status__in=AkadKredit.PIPELINE_STATUSES)

    def live(self):
        """Applications and akad that still run: neither refused, cancelled nor paid off."""
        return self.filter(status__in=AkadKredit.LIVE_STATUSES)

    def with_disbursed(self):
        """Annotate ``disbursed_total``: the sum of the akad's tranches (0 when none)."""
        return self.annotate(
            disbursed_total=Coalesce(Sum("disbursements__amount"), Value(0)),
        )


class AkadKredit(RecordedModel):
    """A credit application that becomes an akad kredit (credit agreement) once signed."""

    class Status(models.TextChoices):
        PIPELINE = "pipeline", _("Awaiting decision")
        APPROVED = "approved", _("Approved")
        SIGNED = "signed", _("Signed")
        DISBURSED = "disbursed", _("Disbursed")
        REPAYING = "repaying", _("Repaying")
        PAID_OFF = "paid_off", _("Paid off")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class RateType(models.TextChoices):
        EFFECTIVE = "effective", _("Effective")
        FLAT = "flat", _("Flat")

    class RateBasis(models.TextChoices):
        FIXED = "fixed", _("Fixed")
        FLOATING = "floating", _("Floating")

    class Guarantor(models.TextChoices):
        NONE = "", _("None")
        JAMKRINDO = "jamkrindo", _("Jamkrindo")
        ASKRINDO = "askrindo", _("Askrindo")
        OTHER = "other", _("Other guarantor")

    class Collectibility(models.IntegerChoices):
        """OJK's loan quality grades (kolektibilitas)."""

        CURRENT = 1, _("1 - Current (lancar)")
        SPECIAL_MENTION = 2, _("2 - Special mention (dalam perhatian khusus)")
        SUBSTANDARD = 3, _("3 - Substandard (kurang lancar)")
        DOUBTFUL = 4, _("4 - Doubtful (diragukan)")
        LOSS = 5, _("5 - Loss (macet)")

    PIPELINE_STATUSES = ("pipeline", "approved")
    SIGNED_STATUSES = ("signed", "disbursed", "repaying", "paid_off")
    CLOSED_STATUSES = ("paid_off", "rejected", "cancelled")
    LIVE_STATUSES = ("pipeline", "approved", "signed", "disbursed", "repaying")
    # Statuses in which the terms (plafon, rate, tenor, ...) may still be edited.
    EDITABLE_STATUSES = PIPELINE_STATUSES
    # Statuses in which a tranche may be disbursed.
    DISBURSABLE_STATUSES = ("signed", "disbursed", "repaying")

    lender = models.ForeignKey(
        LenderProfile, verbose_name=_("lender"), on_delete=models.PROTECT, related_name="akad"
    )
    borrower = models.ForeignKey(
        IKM, verbose_name=_("borrower (IKM)"), on_delete=models.PROTECT, related_name="akad"
    )
    scheme = models.ForeignKey(
        CreditScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="akad"
    )
    mou = models.ForeignKey(
        MoU,
        verbose_name=_("MoU (offtake)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="akad",
    )
    application_number = models.CharField(_("application number"), max_length=100, blank=True)
    akad_number = models.CharField(
        _("akad number"), max_length=100, blank=True, help_text=_("Unique per lender.")
    )
    plafon = models.BigIntegerField(_("plafon (Rp)"), validators=[MinValueValidator(1)])
    tenor_months = models.PositiveSmallIntegerField(
        _("tenor (months)"), validators=[MinValueValidator(1), MaxValueValidator(360)]
    )
    interest_rate = models.DecimalField(
        _("interest rate (% p.a.)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    rate_type = models.CharField(
        _("rate type"), max_length=20, choices=RateType.choices, default=RateType.EFFECTIVE
    )
    rate_basis = models.CharField(
        _("rate basis"), max_length=20, choices=RateBasis.choices, default=RateBasis.FIXED
    )
    provision_fee = models.BigIntegerField(
        _("provision fee (Rp)"), default=0, validators=[MinValueValidator(0)]
    )
    admin_fee = models.BigIntegerField(
        _("administration fee (Rp)"), default=0, validators=[MinValueValidator(0)]
    )
    grace_period_months = models.PositiveSmallIntegerField(
        _("grace period (months)"),
        default=0,
        help_text=_("Months at the start of the tenor without principal repayment."),
    )
    guarantor = models.CharField(
        _("credit guarantee"), max_length=20, choices=Guarantor.choices, blank=True
    )
    guarantee_coverage = models.DecimalField(
        _("guarantee coverage (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    purpose = models.TextField(_("purpose"), blank=True)
    purchase_orders = models.ManyToManyField(
        PurchaseOrder,
        verbose_name=_("purchase orders"),
        blank=True,
        related_name="akad",
        help_text=_("The borrower's purchase orders the credit rests on."),
    )
    collectibility = models.PositiveSmallIntegerField(
        _("collectibility"), choices=Collectibility.choices, null=True, blank=True
    )
    collectibility_as_of = models.DateField(_("collectibility as of"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("status changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PIPELINE
    )
    applied_on = models.DateField(_("applied on"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    closed_on = models.DateField(_("rejected, cancelled or paid off on"), null=True, blank=True)
    status_reason = models.TextField(_("reason (rejection or cancellation)"), blank=True)

    objects = AkadKreditQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("akad kredit")
        verbose_name_plural = _("akad kredit")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(plafon__gt=0),
                name="akad_plafon_positive",
                violation_error_message=_("The plafon must be greater than zero."),
            ),
            models.CheckConstraint(
                condition=Q(tenor_months__gte=1, tenor_months__lte=360),
                name="akad_tenor_1_360",
                violation_error_message=_("The tenor lies between 1 and 360 months."),
            ),
            models.CheckConstraint(
                condition=Q(interest_rate__gte=0, interest_rate__lte=100),
                name="akad_rate_0_100",
                violation_error_message=_("The rate lies between 0 and 100%% a year."),
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "pipeline",
                        "approved",
                        "signed",
                        "disbursed",
                        "repaying",
                        "paid_off",
                        "rejected",
                        "cancelled",
                    ]
                ),
                name="akad_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["signed", "disbursed", "repaying", "paid_off"])
                | (Q(signed_on__isnull=False) & ~Q(akad_number="")),
                name="akad_signed_has_number_and_date",
                violation_error_message=_("A signed akad needs its number and signing date."),
            ),
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True) | Q(signed_on__gte=F("applied_on")),
                name="akad_signed_after_applied",
                violation_error_message=_("An akad cannot be signed before it was applied for."),
            ),
            models.UniqueConstraint(
                fields=["lender", "akad_number"],
                condition=~Q(akad_number=""),
                name="akad_number_unique_per_lender",
                violation_error_message=_("This lender already has an akad with this number."),
            ),
            models.CheckConstraint(
                condition=Q(provision_fee__gte=0, admin_fee__gte=0),
                name="akad_fees_not_negative",
                violation_error_message=_("Fees cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(grace_period_months=0) | Q(grace_period_months__lt=F("tenor_months")),
                name="akad_grace_within_tenor",
                violation_error_message=_("The grace period must be shorter than the tenor."),
            ),
            models.CheckConstraint(
                condition=Q(collectibility__isnull=True)
                | Q(collectibility__gte=1, collectibility__lte=5),
                name="akad_collectibility_1_5",
                violation_error_message=_("Collectibility is a grade from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(guarantee_coverage__isnull=True)
                | Q(guarantee_coverage__gte=0, guarantee_coverage__lte=100),
                name="akad_guarantee_coverage_0_100",
                violation_error_message=_("Guarantee coverage lies between 0 and 100%%."),
            ),
        ]

    def __str__(self):
        return self.akad_number or self.application_number or f"#{self.pk}"

    @property
    def is_signed(self) -> bool:
        return self.status in self.SIGNED_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES


class Collateral(models.Model):
    """An asset pledged for an akad, with its value and how it is legally bound."""

    class Kind(models.TextChoices):
        LAND_BUILDING = "land_building", _("Land and buildings")
        VEHICLE = "vehicle", _("Vehicle")
        MACHINERY = "machinery", _("Machinery and equipment")
        INVENTORY = "inventory", _("Inventory")
        RECEIVABLES = "receivables", _("Receivables")
        DEPOSIT = "deposit", _("Deposit or savings")
        OTHER = "other", _("Other")

    class Binding(models.TextChoices):
        FIDUSIA = "fidusia", _("Fiduciary transfer (fidusia)")
        HAK_TANGGUNGAN = "hak_tanggungan", _("Mortgage (hak tanggungan)")
        GADAI = "gadai", _("Pledge (gadai)")
        CESSIE = "cessie", _("Assignment of receivables (cessie)")
        NOT_BOUND = "not_bound", _("Not yet bound")

    akad = models.ForeignKey(
        AkadKredit, verbose_name=_("akad"), on_delete=models.CASCADE, related_name="collaterals"
    )
    kind = models.CharField(_("collateral type"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=255, blank=True)
    value = models.BigIntegerField(_("value (Rp)"), validators=[MinValueValidator(1)])
    binding = models.CharField(
        _("binding"), max_length=20, choices=Binding.choices, default=Binding.NOT_BOUND
    )
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("collateral")
        verbose_name_plural = _("collateral")
        ordering = ["akad", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gt=0),
                name="collateral_value_positive",
                violation_error_message=_("The collateral's value must be greater than zero."),
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class DisbursementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(akad__in=AkadKredit.objects.visible_to(user))


class Disbursement(RecordedModel):
    """A tranche of an akad's plafon paid out to the borrower."""

    akad = models.ForeignKey(
        AkadKredit,
        verbose_name=_("akad"),
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    disbursed_on = models.DateField(_("disbursed on"))
    amount = models.BigIntegerField(_("amount (Rp)"), validators=[MinValueValidator(1)])
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = DisbursementQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["akad", "disbursed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="disbursement_amount_positive",
                violation_error_message=_("A disbursement must be greater than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.akad} {self.disbursed_on}"
