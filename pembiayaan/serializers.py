"""Serializers of the financing API: lenders and their akad kredit (credit applications and
agreements) with their collateral and disbursements.

Every write goes through :mod:`pembiayaan.services`; a refusal there becomes a 400 with the
service's messages keyed by field (the API's names: ``mou_id``, ``purchase_order_ids``).

Related records are looked up in the caller's scope: an IKM, an MoU or a purchase order the
caller may not see is answered exactly like one that does not exist. For an application,
the caller may also name the MoUs the borrower takes part in and the borrower's purchase
orders (a lender sees an MoU only once one of its akad rests on it).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api import WholeItemSerializer
from accounts.models import Organisation
from ikm.api import api_validation_error
from ikm.models import IKM
from kemitraan.models import MoU, MouParticipant, PurchaseOrder

from . import selectors, services
from .models import AkadKredit, Collateral, CreditScheme, Disbursement, LenderProfile

# Same text as the MoU API's, so it shares its translation.
UNKNOWN_IKM = _("Unknown IKM: {value}.")
UNKNOWN_SCHEME = _("Unknown credit scheme: {value}.")
# DRF fills {pk_value} in for an id that does not exist; validate() for one out of scope.
UNKNOWN_MOU = _("Unknown MoU: {pk_value}.")
UNKNOWN_PURCHASE_ORDER = _("Unknown purchase order: {pk_value}.")
INVALID_CODE = _("Give the code as text.")

# The services key their messages by the model's field names; the API writes these two
# under other names (they are read as objects).
SERVICE_TO_API_FIELDS = {"mou": "mou_id", "purchase_orders": "purchase_order_ids"}


def service_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A service's refusal as DRF's ValidationError, keyed by the API's field names."""
    error = api_validation_error(exc)
    if isinstance(error.detail, dict):
        error.detail = {SERVICE_TO_API_FIELDS.get(k, k): v for k, v in error.detail.items()}
    return error


# --- Lenders --------------------------------------------------------------------------------


class AkadTotalsSerializer(serializers.Serializer):
    """A lender's akad in the caller's scope: signed ones (whatever came after: disbursed,
    repaying, paid off) and those still in the pipeline (pipeline, approved)."""

    signed_count = serializers.IntegerField(read_only=True)
    signed_plafon = serializers.IntegerField(read_only=True, help_text=_("Σ plafon (Rp)."))
    pipeline_count = serializers.IntegerField(read_only=True)
    pipeline_plafon = serializers.IntegerField(read_only=True, help_text=_("Σ plafon (Rp)."))


TOTALS_KEY = "akad_totals"  # in the serializer's context: {lender pk: totals}
NO_AKAD = {"signed_count": 0, "signed_plafon": 0, "pipeline_count": 0, "pipeline_plafon": 0}


def lenders_in_akad_scope(user, lenders):
    """The lenders whose akad ``user`` may see (the rule of ``AkadKredit.objects.visible_to``,
    per lender): every lender for Kemenperin and KADIN, their own for a lender officer, none
    for a user who may not view akad."""
    from accounts.roles import Role

    if not user.is_authenticated or not user.has_perm("pembiayaan.view_akadkredit"):
        return []
    if user.sees_everything:
        return list(lenders)
    if user.role == Role.PEMBIAYAAN and user.organisation_id:
        return [lender for lender in lenders if lender.organisation_id == user.organisation_id]
    return []


def _count(condition):
    return Count("pk", filter=condition)


def _plafon(condition):
    return Coalesce(Sum("plafon", filter=condition), Value(0))


class LenderListSerializer(serializers.ListSerializer):
    """Computes the totals of the whole page at once before its lenders are rendered."""

    def to_representation(self, data):
        lenders = list(data.all() if hasattr(data, "all") else data)
        self.child.load_totals(lenders)
        return super().to_representation(lenders)


class LenderSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organisation.name", read_only=True)
    kind = serializers.ChoiceField(
        source="organisation.kind",
        # A lender's organisation is always of a lender kind (LenderProfile's limit).
        choices=[c for c in Organisation.Kind.choices if c[0] in Organisation.LENDER_KINDS],
        read_only=True,
    )
    akad_totals = serializers.SerializerMethodField(
        help_text=_(
            "Over the akad the user may see; null for a lender whose akad the user may not see."
        )
    )

    class Meta:
        model = LenderProfile
        list_serializer_class = LenderListSerializer
        fields = ["id", "name", "short_name", "kind", "ojk_license", "akad_totals"]
        read_only_fields = fields

    def load_totals(self, lenders) -> None:
        """Put the totals of ``lenders`` in the user's akad scope into the context (one
        query for all of them); lenders outside it get ``null``."""
        request = self.context.get("request")
        totals = self.context.setdefault(TOTALS_KEY, {})
        if request is None:
            return
        in_scope = lenders_in_akad_scope(request.user, lenders)
        missing = [lender.pk for lender in in_scope if lender.pk not in totals]
        if not missing:
            return
        signed = Q(status__in=AkadKredit.SIGNED_STATUSES)
        pipeline = Q(status__in=AkadKredit.PIPELINE_STATUSES)
        rows = (
            AkadKredit.objects.visible_to(request.user)
            .filter(lender_id__in=missing)
            .values("lender_id")
            .annotate(
                signed_count=_count(signed),
                signed_plafon=_plafon(signed),
                pipeline_count=_count(pipeline),
                pipeline_plafon=_plafon(pipeline),
            )
            .order_by()
        )
        found = {row.pop("lender_id"): row for row in rows}
        for pk in missing:
            totals[pk] = found.get(pk, NO_AKAD)

    def to_representation(self, instance):
        self.load_totals([instance])
        return super().to_representation(instance)

    @extend_schema_field(AkadTotalsSerializer(allow_null=True))
    def get_akad_totals(self, lender):
        totals = self.context.get(TOTALS_KEY, {}).get(lender.pk)
        return AkadTotalsSerializer(totals).data if totals is not None else None


# --- Akad kredit ----------------------------------------------------------------------------


class LenderSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = LenderProfile
        fields = ["id", "name", "short_name"]
        read_only_fields = fields


class MouSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = MoU
        fields = ["id", "number"]
        read_only_fields = fields


class PurchaseOrderSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = PurchaseOrder
        fields = ["id", "number"]
        read_only_fields = fields


class CollateralSerializer(WholeItemSerializer, serializers.ModelSerializer):
    class Meta:
        model = Collateral
        fields = ["kind", "description", "value", "binding"]
        extra_kwargs = {"value": {"min_value": 1}}


class DisbursementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Disbursement
        fields = ["id", "disbursed_on", "amount", "note", "created_at"]
        read_only_fields = fields


class BorrowerField(serializers.SlugRelatedField):
    """The borrower by NIB, among the IKM the caller may see (and the akad's own borrower)."""

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return IKM.objects.none()
        queryset = IKM.objects.visible_to(request.user)
        instance = getattr(self.parent, "instance", None)
        if isinstance(instance, AkadKredit):
            queryset = queryset | IKM.objects.filter(pk=instance.borrower_id)
        return queryset

    def to_internal_value(self, data):
        return super().to_internal_value(data.strip() if isinstance(data, str) else data)


class AkadSerializer(serializers.ModelSerializer):
    """A credit application or akad kredit. The lender is the caller's own (set by the
    server); the status and its dates change only through the actions."""

    lender = LenderSummarySerializer(read_only=True)
    borrower = BorrowerField(
        slug_field="nib",
        queryset=IKM.objects.all(),
        error_messages={"does_not_exist": UNKNOWN_IKM, "invalid": INVALID_CODE},
        help_text=_("The borrowing IKM's NIB (13 digits)."),
    )
    borrower_id = serializers.IntegerField(read_only=True)
    borrower_name = serializers.CharField(source="borrower.name", read_only=True)
    scheme = serializers.SlugRelatedField(
        slug_field="code",
        queryset=CreditScheme.objects.all(),
        error_messages={"does_not_exist": UNKNOWN_SCHEME, "invalid": INVALID_CODE},
        help_text=_("The credit scheme's code, e.g. kur-mikro."),
    )
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    mou = MouSummarySerializer(read_only=True, allow_null=True)
    mou_id = serializers.PrimaryKeyRelatedField(
        source="mou",
        queryset=MoU.objects.all(),
        required=False,
        allow_null=True,
        write_only=True,
        error_messages={"does_not_exist": UNKNOWN_MOU},
        help_text=_("The MoU (offtake) the credit rests on: one the borrower takes part in."),
    )
    purchase_orders = PurchaseOrderSummarySerializer(many=True, read_only=True)
    purchase_order_ids = serializers.PrimaryKeyRelatedField(
        source="purchase_orders",
        queryset=PurchaseOrder.objects.all(),
        many=True,
        required=False,
        write_only=True,
        error_messages={"does_not_exist": UNKNOWN_PURCHASE_ORDER},
        help_text=_("The borrower's purchase orders the credit rests on (replaces the list)."),
    )
    collaterals = CollateralSerializer(
        many=True, required=False, help_text=_("Replaces the list when given.")
    )
    disbursements = DisbursementSerializer(many=True, read_only=True)
    disbursed_total = serializers.SerializerMethodField(help_text=_("Σ tranches (Rp)."))
    remaining_to_disburse = serializers.SerializerMethodField(
        help_text=_("Plafon minus disbursed (Rp); 0 once the akad is closed.")
    )
    coverage = serializers.SerializerMethodField(
        help_text=_(
            "The borrower's committed market access per year in the MoU ÷ plafon, to 2 "
            "places; null without an MoU."
        )
    )
    status_changed_by = serializers.IntegerField(
        source="status_changed_by_id",
        read_only=True,
        allow_null=True,
        help_text=_("The user's id (no personal data)."),
    )

    class Meta:
        model = AkadKredit
        fields = [
            "id",
            "lender",
            "borrower",
            "borrower_id",
            "borrower_name",
            "scheme",
            "scheme_name",
            "mou",
            "mou_id",
            "purchase_orders",
            "purchase_order_ids",
            "application_number",
            "akad_number",
            "plafon",
            "tenor_months",
            "interest_rate",
            "rate_type",
            "rate_basis",
            "provision_fee",
            "admin_fee",
            "grace_period_months",
            "guarantor",
            "guarantee_coverage",
            "purpose",
            "collaterals",
            "status",
            "status_changed_at",
            "status_changed_by",
            "status_reason",
            "applied_on",
            "approved_on",
            "signed_on",
            "closed_on",
            "collectibility",
            "collectibility_as_of",
            "disbursements",
            "disbursed_total",
            "remaining_to_disburse",
            "coverage",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "akad_number",
            "status",
            "status_changed_at",
            "status_reason",
            "approved_on",
            "signed_on",
            "closed_on",
            "collectibility",
            "collectibility_as_of",
            "created_at",
            "updated_at",
        ]
        # The akad number's uniqueness is the service's rule (at signing), with its message.
        validators = []

    # --- Read ---

    def _disbursed(self, akad) -> int:
        total = getattr(akad, "disbursed_total", None)
        return total if total is not None else services.disbursed_total(akad)

    def get_disbursed_total(self, akad) -> int:
        return self._disbursed(akad)

    def get_remaining_to_disburse(self, akad) -> int:
        if akad.is_closed:
            return 0
        return max(akad.plafon - self._disbursed(akad), 0)

    @extend_schema_field(
        serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    )
    def get_coverage(self, akad) -> str | None:
        if not akad.mou_id or not akad.plafon:
            return None
        if hasattr(akad, "committed_market_access"):
            committed = akad.committed_market_access
        else:
            committed = (
                MouParticipant.objects.filter(mou_id=akad.mou_id, ikm_id=akad.borrower_id)
                .values_list("committed_market_access", flat=True)
                .first()
            )
        ratio = selectors.coverage_ratio(committed, akad.plafon)
        return None if ratio is None else f"{ratio:f}"

    # --- Write ---

    @property
    def _user(self):
        return self.context["request"].user

    def validate(self, attrs):
        """The MoU and the purchase orders: in the caller's scope, or the borrower's own
        (an MoU they take part in, their POs), or already on the akad. Anything else is
        answered as if it did not exist."""
        instance = self.instance
        borrower = attrs.get("borrower", getattr(instance, "borrower", None))
        mou = attrs.get("mou")
        if mou is not None and not (instance is not None and instance.mou_id == mou.pk):
            allowed = MoU.objects.visible_to(self._user).filter(pk=mou.pk).exists() or (
                borrower is not None
                and MouParticipant.objects.filter(mou=mou, ikm=borrower).exists()
            )
            if not allowed:
                raise serializers.ValidationError(
                    {"mou_id": [str(UNKNOWN_MOU).format(pk_value=mou.pk)]}
                )
        pos = attrs.get("purchase_orders")
        if pos:
            pks = [po.pk for po in pos]
            allowed = set(
                PurchaseOrder.objects.visible_to(self._user)
                .filter(pk__in=pks)
                .values_list("pk", flat=True)
            )
            if borrower is not None:
                allowed |= set(
                    PurchaseOrder.objects.filter(pk__in=pks, participant__ikm=borrower).values_list(
                        "pk", flat=True
                    )
                )
            if instance is not None:
                allowed |= set(instance.purchase_orders.values_list("pk", flat=True))
            unknown = [pk for pk in pks if pk not in allowed]
            if unknown:
                raise serializers.ValidationError(
                    {
                        "purchase_order_ids": [
                            str(UNKNOWN_PURCHASE_ORDER).format(pk_value=pk) for pk in unknown
                        ]
                    }
                )
        return attrs

    def create(self, validated_data):
        collaterals = validated_data.pop("collaterals", [])
        purchase_orders = validated_data.pop("purchase_orders", [])
        try:
            return services.akad_apply(
                akad=AkadKredit(**validated_data),
                collaterals=collaterals,
                purchase_orders=purchase_orders,
                actor=self._user,
            )
        except DjangoValidationError as exc:
            raise service_error(exc) from exc

    def update(self, instance, validated_data):
        collaterals = validated_data.pop("collaterals", None)
        purchase_orders = validated_data.pop("purchase_orders", None)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        try:
            return services.akad_update(
                akad=instance,
                collaterals=collaterals,
                purchase_orders=purchase_orders,
                actor=self._user,
            )
        except DjangoValidationError as exc:
            raise service_error(exc) from exc


# --- The actions' payloads --------------------------------------------------------------------
# Optional and blank-able where the service has a rule and a message of its own.


class AkadApproveSerializer(serializers.Serializer):
    approved_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("Not in the future; today when omitted.")
    )


class AkadSignSerializer(serializers.Serializer):
    akad_number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=_("Unique per lender (case and surrounding spaces ignored)."),
    )
    signed_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("Not in the future, not before approval.")
    )


class AkadDisburseSerializer(serializers.Serializer):
    amount = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("Whole rupiah; all tranches together never exceed the plafon."),
    )
    disbursed_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("Not in the future, not before signing.")
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)


class AkadCollectibilitySerializer(serializers.Serializer):
    collectibility = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("OJK grade, 1 (current) to 5 (loss).")
    )
    as_of = serializers.DateField(
        required=False, allow_null=True, help_text=_("Today when omitted.")
    )


class AkadPayOffSerializer(serializers.Serializer):
    paid_off_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("Not before the last disbursement; today when omitted."),
    )


class AkadReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text=_("Kept with the record.")
    )
