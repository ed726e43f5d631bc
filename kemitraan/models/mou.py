"""MoUs (Nota Kesepahaman) and their IKM participants."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Sum
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.history import AuditedHistoricalModel
from accounts.models import RecordedModel
from ikm.models import IKM

from .buyers import BuyerProfile, MatchSuggestion
from .events import LinkMatchEvent, Meeting


class MouQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Kemenperin and KADIN read all MoUs; a procurement officer their organisation's;
        a lender officer the MoUs behind their lender's akad."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        from accounts.roles import Role

        if user.role == Role.PENGADAAN and user.organisation_id:
            return self.filter(buyer__organisation_id=user.organisation_id)
        if user.role == Role.PEMBIAYAAN and user.organisation_id:
            # Reverse relation declared by pembiayaan.AkadKredit.mou (related_name
            # "akad"): kemitraan does not import pembiayaan.
            return self.filter(akad__lender__organisation_id=user.organisation_id).distinct()
        return self.none()

    def with_market_access(self):
        """Annotate ``market_access_total``: the participants' commitments (Rp/year)."""
        return self.annotate(market_access_total=Sum("participants__committed_market_access"))


def mou_upload_to(instance, filename):
    import uuid

    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"mou/{uuid.uuid4().hex}.{extension}"


class MoU(RecordedModel):
    """A Nota Kesepahaman between a buyer-side party and IKM, committing market access.

    Its market access is the sum of its participants' commitments: derived, never typed.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    # In force: signed and not yet expired or terminated.
    IN_FORCE_STATUSES = (Status.SIGNED, Status.ACTIVE)

    class Pattern(models.TextChoices):
        """Partnership patterns of PP 7/2021 art. 106."""

        INTI_PLASMA = "inti_plasma", _("Nucleus-plasma (inti-plasma)")
        SUBKONTRAK = "subkontrak", _("Subcontracting")
        WARALABA = "waralaba", _("Franchise")
        PERDAGANGAN_UMUM = "perdagangan_umum", _("General trade")
        DISTRIBUSI_KEAGENAN = "distribusi_keagenan", _("Distribution and agency")
        RANTAI_PASOK = "rantai_pasok", _("Supply chain")
        BAGI_HASIL = "bagi_hasil", _("Profit sharing")
        KERJA_SAMA_OPERASIONAL = "kerja_sama_operasional", _("Joint operation")
        USAHA_PATUNGAN = "usaha_patungan", _("Joint venture")
        PENYUMBERLUARAN = "penyumberluaran", _("Outsourcing")

    number = models.CharField(_("MoU number"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=300)
    buyer = models.ForeignKey(
        BuyerProfile,
        verbose_name=_("buyer-side party"),
        on_delete=models.PROTECT,
        related_name="mous",
    )
    event = models.ForeignKey(
        LinkMatchEvent,
        verbose_name=_("Link & Match event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mous",
    )
    purpose = models.TextField(_("purpose and scope"), blank=True)
    signing_date = models.DateField(_("signing date"), null=True, blank=True)
    signing_place = models.CharField(_("signing place"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    partnership_pattern = models.CharField(
        _("partnership pattern"), max_length=30, choices=Pattern.choices
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default="draft")
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    termination_reason = models.TextField(_("termination reason"), blank=True)
    document = models.FileField(
        _("scanned document"), upload_to=mou_upload_to, blank=True, max_length=200
    )

    objects = MouQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("MoU")
        verbose_name_plural = _("MoUs")
        ordering = ["-valid_from", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")),
                name="mou_end_after_start",
                violation_error_message=_("An MoU must end after it starts."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "signed", "active", "expired", "terminated"]),
                name="mou_status_valid",
                violation_error_message=_("Unknown status."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signing_date__isnull=False),
                name="mou_signed_has_date",
                violation_error_message=_("A signed MoU needs its signing date."),
            ),
            models.CheckConstraint(
                condition=~Q(status="terminated") | ~Q(termination_reason=""),
                name="mou_termination_has_reason",
                violation_error_message=_("A termination needs a reason."),
            ),
        ]

    def __str__(self):
        return f"{self.number} — {self.title}"

    @property
    def market_access(self) -> int:
        """Committed market access per year (Rp): the sum of the participants."""
        if hasattr(self, "market_access_total"):
            return self.market_access_total or 0
        total = self.participants.aggregate(total=Sum("committed_market_access"))["total"]
        return total or 0


class MouParticipantQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(mou__in=MoU.objects.visible_to(user))


class MouParticipant(models.Model):
    """An IKM in an MoU, with the market access committed to it."""

    mou = models.ForeignKey(
        MoU, verbose_name=_("MoU"), on_delete=models.CASCADE, related_name="participants"
    )
    ikm = models.ForeignKey(
        IKM, verbose_name=_("IKM"), on_delete=models.PROTECT, related_name="mou_participations"
    )
    committed_market_access = models.BigIntegerField(
        _("committed market access (Rp/year)"), validators=[MinValueValidator(1)]
    )
    committed_parts = models.TextField(_("committed parts"), blank=True)
    # The chain suggestion → meeting → MoU, when the partnership came from one.
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("Link & Match meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mou_participations",
    )
    suggestion = models.ForeignKey(
        MatchSuggestion,
        verbose_name=_("match suggestion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mou_participations",
    )

    objects = MouParticipantQuerySet.as_manager()
    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("MoU participant")
        verbose_name_plural = _("MoU participants")
        ordering = ["mou", "ikm__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["mou", "ikm"],
                name="mou_participant_once",
                violation_error_message=_("This IKM already takes part in this MoU."),
            ),
            models.CheckConstraint(
                condition=Q(committed_market_access__gt=0),
                name="mou_participant_amount_positive",
                violation_error_message=_("Committed market access must be greater than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.mou.number}: {self.ikm}"


class MouSupport(models.Model):
    """A support commitment of an MoU along one pillar of the closed loop."""

    class Pillar(models.TextChoices):
        MARKET_CERTAINTY = "market_certainty", _("Market certainty")
        TECHNOLOGY_TRANSFER = "technology_transfer", _("Technology transfer")
        QUALITY = "quality", _("Quality")
        MANAGEMENT_SYSTEM = "management_system", _("Management system")
        HUMAN_RESOURCES = "human_resources", _("Human resources")
        FINANCING = "financing", _("Financing")

    mou = models.ForeignKey(
        MoU, verbose_name=_("MoU"), on_delete=models.CASCADE, related_name="supports"
    )
    pillar = models.CharField(_("pillar"), max_length=30, choices=Pillar.choices)
    notes = models.TextField(_("what is committed"), blank=True)

    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("MoU support commitment")
        verbose_name_plural = _("MoU support commitments")
        ordering = ["mou", "pillar"]
        constraints = [
            models.UniqueConstraint(
                fields=["mou", "pillar"],
                name="mou_support_once_per_pillar",
                violation_error_message=_("This pillar is already in the MoU."),
            ),
            models.CheckConstraint(
                condition=Q(
                    pillar__in=[
                        "market_certainty",
                        "technology_transfer",
                        "quality",
                        "management_system",
                        "human_resources",
                        "financing",
                    ]
                ),
                name="mou_support_pillar_valid",
                violation_error_message=_("Unknown pillar."),
            ),
        ]

    def __str__(self):
        return f"{self.mou.number}: {self.get_pillar_display()}"


class MouWitness(models.Model):
    """A witness who signed the MoU (personal data: shown on the MoU page only)."""

    mou = models.ForeignKey(
        MoU, verbose_name=_("MoU"), on_delete=models.CASCADE, related_name="witnesses"
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)

    history = HistoricalRecords(bases=[AuditedHistoricalModel])

    class Meta:
        verbose_name = _("MoU witness")
        verbose_name_plural = _("MoU witnesses")
        ordering = ["mou", "pk"]

    def __str__(self):
        return self.name
