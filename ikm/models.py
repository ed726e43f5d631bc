"""Suppliers (IKM), their capabilities and certificates, and the reference data they use."""

import datetime
import uuid as uuid_module

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Left
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.history import AuditedHistoricalModel
from accounts.models import RecordedModel

from .size_class import SizeClass, UmkmClass, size_class, size_class_expression, umkm_class

nib_validator = RegexValidator(r"^[0-9]{13}$", _("NIB must be exactly 13 digits."))
npwp_validator = RegexValidator(r"^[0-9]{16}$", _("NPWP must be stored as 16 digits."))
percent_validators = [MinValueValidator(0), MaxValueValidator(100)]

_REGION_ACRONYMS = {"DKI"}
_REGION_LOWER = {"DAN"}


def region_title(name: str) -> str:
    """Kemendagri names are upper case: "DKI JAKARTA" -> "DKI Jakarta",
    "KABUPATEN PANGKAJENE DAN KEPULAUAN" -> "Kabupaten Pangkajene dan Kepulauan",
    "KABUPATEN TOLI-TOLI" -> "Kabupaten Toli-Toli"."""
    words = []
    for word in name.split():
        if word in _REGION_ACRONYMS:
            words.append(word)
        elif word in _REGION_LOWER and words:
            words.append(word.lower())
        else:
            words.append("-".join(part.capitalize() for part in word.split("-")))
    return " ".join(words)


class Province(models.Model):
    """A province (Kemendagri code, 2 digits). 38 since 2022; source: idn-area-data (ODbL)."""

    class IslandGroup(models.TextChoices):
        SUMATERA = "sumatera", _("Sumatra")
        JAWA = "jawa", _("Java")
        BALI_NUSA_TENGGARA = "bali_nusa_tenggara", _("Bali and Nusa Tenggara")
        KALIMANTAN = "kalimantan", _("Kalimantan")
        SULAWESI = "sulawesi", _("Sulawesi")
        MALUKU = "maluku", _("Maluku")
        PAPUA = "papua", _("Papua")

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    island_group = models.CharField(_("island group"), max_length=20, choices=IslandGroup.choices)

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}$"),
                name="province_code_two_digits",
                violation_error_message=_("A province code is two digits."),
            ),
        ]

    def __str__(self):
        return region_title(self.name)


class Regency(models.Model):
    """A regency (kabupaten) or city (kota), code ``PP.RR``: kabupaten 01-69, kota 71-99."""

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="regencies"
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("regency/city")
        verbose_name_plural = _("regencies/cities")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{2}\.[0-9]{2}$"),
                name="regency_code_format",
                violation_error_message=_("A regency code looks like 32.16."),
            ),
            models.CheckConstraint(
                condition=Q(code__startswith=Concat(F("province_id"), Value("."))),
                name="regency_code_in_province",
                violation_error_message=_("A regency code starts with its province code."),
            ),
        ]

    def __str__(self):
        return region_title(self.name)

    @property
    def is_city(self) -> bool:
        return int(self.code[-2:]) >= 71


class Kbli(models.Model):
    """A KBLI 2020 business classification code (5 digits). Editable reference data."""

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    title = models.CharField(_("title (Indonesian)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("KBLI code")
        verbose_name_plural = _("KBLI codes")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{5}$"),
                name="kbli_code_five_digits",
                violation_error_message=_("A KBLI code is five digits."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        return self.title_en if get_language() == "en" and self.title_en else self.title

    @property
    def group(self) -> str:
        """The 3-digit KBLI group."""
        return self.code[:3]

    @property
    def division(self) -> str:
        """The 2-digit KBLI division."""
        return self.code[:2]


class ProcessCapability(models.Model):
    """A manufacturing process an IKM can perform. Matching rests on these, not on KBLI alone."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name (Indonesian)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("process capability")
        verbose_name_plural = _("process capabilities")
        ordering = ["name"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.name_en if get_language() == "en" else self.name


class CertificationType(models.Model):
    """A kind of certificate buyers ask for (ISO 9001, IATF 16949, TKDN, ...)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("certification type")
        verbose_name_plural = _("certification types")
        ordering = ["code"]

    def __str__(self):
        return self.name


class IkmQuerySet(models.QuerySet):
    def visible_to(self, user):
        """IKM a user may see. Staff of Kemenperin and KADIN see every record; buyers
        and lenders see active IKM that have been submitted or verified."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        if user.role is None:
            return self.none()
        return self.filter(
            is_active=True,
            verification_status__in=IKM.REGISTERED_STATUSES,
        )

    def with_size_class(self):
        return self.annotate(size_class_code=size_class_expression())


class IKM(RecordedModel):
    """An industri kecil dan menengah: a small or medium manufacturer in the registry."""

    class LegalForm(models.TextChoices):
        PT = "pt", _("Limited company (PT)")
        CV = "cv", _("Limited partnership (CV)")
        FIRMA = "firma", _("Firm (Fa)")
        UD = "ud", _("Sole trader (UD)")
        KOPERASI = "koperasi", _("Cooperative")
        PERORANGAN = "perorangan", _("Individual business")
        LAINNYA = "lainnya", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    # "Registered" (with is_active): what buyers and lenders see and the dashboard counts.
    REGISTERED_STATUSES = (Status.SUBMITTED, Status.VERIFIED)

    # Identity
    name = models.CharField(_("business name"), max_length=200)
    legal_form = models.CharField(
        _("legal form"), max_length=20, choices=LegalForm.choices, default=LegalForm.PERORANGAN
    )
    nib = models.CharField(
        _("NIB"),
        max_length=13,
        unique=True,
        validators=[nib_validator],
        help_text=_("Nomor Induk Berusaha from OSS: 13 digits."),
    )
    npwp = models.CharField(
        _("NPWP"),
        max_length=16,
        blank=True,
        validators=[npwp_validator],
        help_text=_("Tax number, stored as 16 digits."),
    )
    year_founded = models.PositiveSmallIntegerField(_("year founded"), null=True, blank=True)
    # Location
    address = models.TextField(_("address"), blank=True)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="ikm"
    )
    regency = models.ForeignKey(
        Regency, verbose_name=_("regency/city"), on_delete=models.PROTECT, related_name="ikm"
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Scale (inputs of the derived size class)
    workforce = models.PositiveIntegerField(_("workforce"), help_text=_("Number of workers."))
    investment_value = models.BigIntegerField(
        _("investment value (Rp)"),
        validators=[MinValueValidator(0)],
        help_text=_("Excluding land and buildings."),
    )
    annual_revenue = models.BigIntegerField(
        _("annual revenue (Rp)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    tkdn = models.DecimalField(
        _("TKDN (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=percent_validators,
        help_text=_("Local content; the certified value lives in the TKDN certificate."),
    )
    # Capability
    products = models.TextField(_("products"), blank=True)
    materials = models.TextField(_("materials"), blank=True)
    monthly_capacity = models.PositiveIntegerField(_("monthly capacity"), null=True, blank=True)
    capacity_unit = models.CharField(_("capacity unit"), max_length=30, blank=True)
    kbli = models.ManyToManyField(
        Kbli, verbose_name=_("KBLI codes"), blank=True, related_name="ikm"
    )
    processes = models.ManyToManyField(
        ProcessCapability, verbose_name=_("processes"), blank=True, related_name="ikm"
    )
    # Verification
    verification_status = models.CharField(
        _("verification status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified or rejected at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified or rejected by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    deactivation_reason = models.TextField(_("reason for deactivation"), blank=True)
    # Contact (personal data: shown only to roles that need it, never in URLs or logs)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # Bookkeeping
    # Full-text search over name, products and materials; maintained by the database on
    # PostgreSQL (see the search migration), unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = IkmQuerySet.as_manager()
    history = HistoricalRecords(
        bases=[AuditedHistoricalModel],
        m2m_fields=[kbli, processes],
        excluded_fields=["search_vector", "updated_at"],
    )

    class Meta:
        verbose_name = _("IKM")
        verbose_name_plural = _("IKM")
        ordering = ["name"]
        permissions = [("verify_ikm", _("Can verify or reject IKM"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(nib__regex=r"^[0-9]{13}$"),
                name="ikm_nib_13_digits",
                violation_error_message=_("NIB must be exactly 13 digits."),
            ),
            models.CheckConstraint(
                condition=Q(npwp="") | Q(npwp__regex=r"^[0-9]{16}$"),
                name="ikm_npwp_16_digits",
                violation_error_message=_("NPWP must be stored as 16 digits."),
            ),
            models.CheckConstraint(
                # Regency codes begin with their province code ("32.16" lies in "32").
                condition=Exact(Left("regency", 2), F("province")),
                name="ikm_regency_in_province",
                violation_error_message=_("The regency/city must lie in the chosen province."),
            ),
            models.CheckConstraint(
                condition=Q(investment_value__gte=0),
                name="ikm_investment_not_negative",
                violation_error_message=_("Investment value cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(annual_revenue__isnull=True) | Q(annual_revenue__gte=0),
                name="ikm_revenue_not_negative",
                violation_error_message=_("Annual revenue cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(tkdn__isnull=True) | Q(tkdn__gte=0, tkdn__lte=100),
                name="ikm_tkdn_0_100",
                violation_error_message=_("TKDN must be between 0 and 100%%."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="ikm_latitude_range",
                violation_error_message=_("Latitude must be between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="ikm_longitude_range",
                violation_error_message=_("Longitude must be between -180 and 180."),
            ),
            models.CheckConstraint(
                condition=~Q(verification_status="rejected") | ~Q(rejection_reason=""),
                name="ikm_rejection_has_reason",
                violation_error_message=_("A rejection needs a reason."),
            ),
            models.CheckConstraint(
                condition=Q(verification_status__in=["draft", "submitted", "verified", "rejected"]),
                name="ikm_status_valid",
                violation_error_message=_("Unknown verification status."),
            ),
        ]
        indexes = [
            models.Index(fields=["verification_status", "is_active"], name="ikm_status_active_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def size_class(self) -> SizeClass:
        return size_class(self.workforce, self.investment_value)

    @property
    def umkm_class(self) -> UmkmClass:
        return umkm_class(self.investment_value, self.annual_revenue)


class CertificateQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date | None = None):
        """Certificates in force on ``day`` (today by default). A certificate without
        dates counts as held until dates are recorded (DOMAIN.md conventions)."""
        day = day or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )

    def visible_to(self, user):
        return self.filter(ikm__in=IKM.objects.visible_to(user))


def certificate_upload_to(instance, filename):
    # Never the original file name in the path: it may carry personal data.
    import uuid

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"certificates/{uuid.uuid4().hex}.{extension}"


class Certificate(models.Model):
    """A certificate an IKM holds: ISO, SNI, TKDN... TKDN records also carry their values."""

    ikm = models.ForeignKey(
        IKM, verbose_name=_("IKM"), on_delete=models.CASCADE, related_name="certificates"
    )
    certification_type = models.ForeignKey(
        CertificationType,
        verbose_name=_("certification type"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    number = models.CharField(_("certificate number"), max_length=100, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    product = models.CharField(_("product (TKDN)"), max_length=200, blank=True)
    tkdn_value = models.DecimalField(
        _("TKDN value (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=percent_validators,
    )
    bmp_value = models.DecimalField(
        _("BMP value (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(15)],
    )
    document = models.FileField(
        _("document"), upload_to=certificate_upload_to, blank=True, max_length=200
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CertificateQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["certification_type__code", "-valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=F("valid_from")),
                name="certificate_dates_in_order",
                violation_error_message=_("A certificate cannot expire before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(tkdn_value__isnull=True) | Q(tkdn_value__gte=0, tkdn_value__lte=100),
                name="certificate_tkdn_0_100",
                violation_error_message=_("TKDN must be between 0 and 100%%."),
            ),
            models.CheckConstraint(
                condition=Q(bmp_value__isnull=True) | Q(bmp_value__gte=0, bmp_value__lte=15),
                name="certificate_bmp_0_15",
                violation_error_message=_("BMP must be between 0 and 15%%."),
            ),
        ]

    def __str__(self):
        return f"{self.certification_type.code} {self.number}".strip()

    def is_valid_on(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or self.valid_until >= day
        )

    @property
    def dates_recorded(self) -> bool:
        return self.valid_until is not None


class ContactRevealQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The reveal log is an audit record: Kemenperin and KADIN read it."""
        if user.is_authenticated and user.sees_everything:
            return self
        return self.none()


class ContactReveal(models.Model):
    """An audit record: a user was shown an IKM's personal contact data (UU PDP)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    ikm = models.ForeignKey(
        IKM, verbose_name=_("IKM"), on_delete=models.CASCADE, related_name="contact_reveals"
    )
    created_at = models.DateTimeField(_("revealed at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    context = models.CharField(_("where"), max_length=100, blank=True)

    objects = ContactRevealQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact reveal")
        verbose_name_plural = _("contact reveals")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["ikm", "-created_at"], name="contact_reveal_ikm_idx")]

    def __str__(self):
        return f"{self.user} → {self.ikm} ({self.created_at:%Y-%m-%d %H:%M})"


def import_upload_to(instance, filename):
    import uuid

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"imports/{uuid.uuid4().hex}.{extension}"


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An import is seen by the staff member who ran it, and by all Kemenperin staff."""
        if not user.is_authenticated:
            return self.none()
        from accounts.roles import Role

        if user.is_superuser or user.role == Role.KEMENPERIN:
            return self
        return self.filter(created_by=user)


class ImportJob(models.Model):
    """A bulk import of IKM from a spreadsheet: its preview, progress and result."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PREVIEWING = "previewing", _("Checking the file")
        PREVIEW_READY = "preview_ready", _("Preview ready")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    RUNNING_STATUSES = ("queued", "previewing", "importing")

    id = models.UUIDField(primary_key=True, default=uuid_module.uuid4, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file = models.FileField(_("file"), upload_to=import_upload_to, max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file checksum"), max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    rows = models.JSONField(
        _("row results"),
        default=list,
        blank=True,
        help_text=_("Per row: number, action (create, update, unchanged, invalid), errors."),
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("IKM import")
        verbose_name_plural = _("IKM imports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["file_sha256"],
                condition=Q(status__in=["queued", "previewing", "importing"]),
                name="import_one_running_per_file",
                violation_error_message=_("This file is already being processed."),
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING_STATUSES

    @property
    def progress_percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
