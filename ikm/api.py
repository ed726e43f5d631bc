"""API of the registry: reference data (read-only for every signed-in role) and the IKM
themselves (``/api/v1/ikm/``: every role reads the IKM it may see; Kemenperin creates and
edits them)."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import DjangoModelPermissions, IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings

from . import parsing
from .contacts import contacts_for
from .filters import IkmFilterSet
from .forms import REGENCY_NOT_IN_PROVINCE
from .models import IKM, Certificate, CertificationType, Kbli, ProcessCapability, Province, Regency
from .services import ikm_register, ikm_update
from .size_class import SizeClass

NIB_ALREADY_REGISTERED = _("This NIB is already registered: IKM %(id)s (%(name)s).")


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name", "island_group"]


class RegencySerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province_id", read_only=True)

    class Meta:
        model = Regency
        fields = ["code", "name", "province"]


class KbliSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kbli
        fields = ["code", "title", "title_en"]


class ProcessCapabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessCapability
        fields = ["slug", "name", "name_en"]


class CertificationTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CertificationType
        fields = ["code", "name"]


class ProvinceViewSet(viewsets.ReadOnlyModelViewSet):
    """The 38 provinces (Kemendagri codes)."""

    queryset = Province.objects.all()
    serializer_class = ProvinceSerializer
    lookup_field = "code"
    pagination_class = None


class RegencyFilter(filters.FilterSet):
    province = filters.CharFilter(field_name="province_id", help_text="Province code, e.g. 32.")

    class Meta:
        model = Regency
        fields = ["province"]


class RegencyViewSet(viewsets.ReadOnlyModelViewSet):
    """Regencies and cities; filter with ``?province=32``."""

    queryset = Regency.objects.all()
    serializer_class = RegencySerializer
    filterset_class = RegencyFilter
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{2}\.[0-9]{2}"
    pagination_class = None


class KbliViewSet(viewsets.ReadOnlyModelViewSet):
    """Active KBLI 2020 codes."""

    queryset = Kbli.objects.filter(is_active=True)
    serializer_class = KbliSerializer
    lookup_field = "code"
    pagination_class = None


class ProcessCapabilityViewSet(viewsets.ReadOnlyModelViewSet):
    """Process capabilities (stable slugs)."""

    queryset = ProcessCapability.objects.filter(is_active=True)
    serializer_class = ProcessCapabilitySerializer
    lookup_field = "slug"
    pagination_class = None


class CertificationTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """Certification types (ISO9001, IATF16949, TKDN, ...)."""

    queryset = CertificationType.objects.filter(is_active=True)
    serializer_class = CertificationTypeSerializer
    lookup_field = "code"
    pagination_class = None


# --- IKM ----------------------------------------------------------------------------


class IkmContactSerializer(serializers.Serializer):
    """The contact person: personal data (UU PDP)."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, help_text=_("08... or +62...")
    )
    email = serializers.EmailField(required=False, allow_blank=True)

    def validate_phone(self, value):
        return _parsed(parsing.parse_phone, value)


def _parsed(parser, value):
    try:
        return parser(value)
    except parsing.ParseError as exc:
        raise serializers.ValidationError(exc.message) from exc


def api_validation_error(exc: DjangoValidationError) -> serializers.ValidationError:
    """A model's ValidationError (full_clean) as DRF's, "__all__" as "non_field_errors"."""
    detail = as_serializer_error(exc)
    if NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return serializers.ValidationError(detail)


class IkmSerializer(serializers.ModelSerializer):
    """An IKM. ``contact`` appears only in a single IKM's answer, and only to users who may
    see it (each such answer is recorded as a contact reveal); lists never carry it."""

    nib = serializers.CharField(max_length=30, help_text=_("13 digits, from OSS."))
    npwp = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text=_("15 or 16 digits, with or without punctuation; stored as 16 digits."),
    )
    province = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Province.objects.all(),
        required=False,
        help_text=_("Province code, e.g. 32. Taken from the regency when omitted."),
    )
    regency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Regency.objects.all(),
        help_text=_("Regency or city code, e.g. 32.16."),
    )
    kbli = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Kbli.objects.filter(is_active=True), required=False
    )
    processes = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=ProcessCapability.objects.filter(is_active=True),
        required=False,
    )
    certifications = serializers.SerializerMethodField(
        help_text=_("Codes of the certifications valid today.")
    )
    size_class = serializers.ChoiceField(choices=SizeClass.choices, read_only=True)
    contact = IkmContactSerializer(required=False)

    class Meta:
        model = IKM
        fields = [
            "id",
            "nib",
            "name",
            "legal_form",
            "npwp",
            "province",
            "regency",
            "kbli",
            "processes",
            "certifications",
            "products",
            "materials",
            "monthly_capacity",
            "capacity_unit",
            "workforce",
            "investment_value",
            "annual_revenue",
            "tkdn",
            "size_class",
            "verification_status",
            "is_active",
            "contact",
        ]
        # Verification and deactivation are workflow steps with their own rules (a reason,
        # who and when): they happen on the IKM page, not by writing these fields.
        read_only_fields = ["verification_status", "is_active"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_certifications(self, ikm) -> list[str]:
        certificates = getattr(ikm, "valid_certificates", None)
        if certificates is None:
            certificates = ikm.certificates.valid_on().select_related("certification_type")
        return sorted({c.certification_type.code for c in certificates})

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data.pop("contact", None)  # added by the view where the user may see it
        return data

    def validate_nib(self, value):
        nib = _parsed(parsing.parse_nib, value)
        others = IKM.objects.filter(nib=nib)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        existing = others.first()
        if existing is not None:
            raise serializers.ValidationError(
                NIB_ALREADY_REGISTERED % {"id": existing.pk, "name": existing.name},
                code="nib_taken",
            )
        return nib

    def validate_npwp(self, value):
        return _parsed(parsing.parse_npwp, value)

    def validate(self, attrs):
        regency = attrs.get("regency", getattr(self.instance, "regency", None))
        if "province" not in attrs and "regency" in attrs:
            attrs["province"] = regency.province
        province = attrs.get("province", getattr(self.instance, "province", None))
        if regency is not None and province is not None and regency.province_id != province.pk:
            raise serializers.ValidationError({"regency": REGENCY_NOT_IN_PROVINCE})
        return attrs

    def _apply(self, ikm: IKM, validated_data: dict) -> tuple:
        kbli = validated_data.pop("kbli", None)
        processes = validated_data.pop("processes", None)
        contact = validated_data.pop("contact", None)
        for field, value in validated_data.items():
            setattr(ikm, field, value)
        if contact is not None:
            for key in ("name", "phone", "email"):
                if key in contact:
                    setattr(ikm, f"contact_{key}", contact[key])
        return kbli, processes

    def create(self, validated_data):
        ikm = IKM()
        kbli, processes = self._apply(ikm, validated_data)
        try:
            return ikm_register(
                ikm=ikm,
                kbli=kbli or (),
                processes=processes or (),
                actor=self.context["request"].user,
                submit=True,
            )
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc

    def update(self, instance, validated_data):
        kbli, processes = self._apply(instance, validated_data)
        try:
            return ikm_update(
                ikm=instance, kbli=kbli, processes=processes, actor=self.context["request"].user
            )
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc


class IkmPermission(DjangoModelPermissions):
    """Reading needs ``ikm.view_ikm`` (every role); creating ``ikm.add_ikm`` and editing
    ``ikm.change_ikm`` (Kemenperin)."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        # No DELETE: 405 for everyone (deactivate an IKM instead).
    }


class IkmPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class IkmViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """IKM in the user's scope (``visible_to``: others are 404), with the directory's
    filters. ``?search=`` orders by relevance, otherwise by name. New IKM are created
    submitted for verification. No deletion: deactivate an IKM on its page instead."""

    serializer_class = IkmSerializer
    filterset_class = IkmFilterSet
    permission_classes = [IsAuthenticated, IkmPermission]
    pagination_class = IkmPagination

    def get_queryset(self):
        return (
            IKM.objects.visible_to(self.request.user)
            .select_related("province", "regency")
            .prefetch_related(
                "kbli",
                "processes",
                Prefetch(
                    "certificates",
                    queryset=Certificate.objects.valid_on()
                    .select_related("certification_type")
                    .order_by(),
                    to_attr="valid_certificates",
                ),
            )
            .order_by("name", "pk")
        )

    def retrieve(self, request, *args, **kwargs):
        ikm = self.get_object()
        data = self.get_serializer(ikm).data
        contact = contacts_for(request.user, ikm, request=request, context="api")
        if contact is not None:
            data["contact"] = contact
        return Response(data)
