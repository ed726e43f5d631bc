"""Serializers of the partnerships API: procurement needs and their suggestions."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ikm.api import api_validation_error
from ikm.forms import REGENCY_NOT_IN_PROVINCE
from ikm.models import IKM, CertificationType, Kbli, ProcessCapability, Province, Regency

from .models import BuyerProfile, Demand, MatchSuggestion
from .services import demand_create, demand_update

# Same text as the model's constraint, so it shares its translation.
COORDINATES_BOTH_OR_NEITHER = _("Give both latitude and longitude, or neither.")
INVALID_CODE = _("Give the code as text.")


def _code_field(queryset, slug_field: str, unknown, **kwargs):
    """A SlugRelatedField whose errors are our own (translatable) messages."""
    return serializers.SlugRelatedField(
        slug_field=slug_field,
        queryset=queryset,
        error_messages={"does_not_exist": unknown, "invalid": INVALID_CODE},
        **kwargs,
    )


class BuyerSummarySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = BuyerProfile
        fields = ["id", "name"]


M2M_FIELDS = ("kbli", "processes", "required_certifications", "preferred_certifications")


class DemandSerializer(serializers.ModelSerializer):
    """A procurement need. The buyer is set by the server: the officer's organisation."""

    buyer = BuyerSummarySerializer(read_only=True)
    kbli = _code_field(
        Kbli.objects.filter(is_active=True),
        "code",
        _("Unknown KBLI code: {value}."),
        many=True,
        required=False,
        help_text=_("KBLI 2020 codes, e.g. 29300."),
    )
    processes = _code_field(
        ProcessCapability.objects.filter(is_active=True),
        "slug",
        _("Unknown process: {value}."),
        many=True,
        required=False,
        help_text=_("Process slugs, e.g. stamping."),
    )
    required_certifications = _code_field(
        CertificationType.objects.filter(is_active=True),
        "code",
        _("Unknown certification type: {value}."),
        many=True,
        required=False,
        help_text=_(
            "Certification codes, e.g. ISO9001. Suppliers without one are never suggested."
        ),
    )
    preferred_certifications = _code_field(
        CertificationType.objects.filter(is_active=True),
        "code",
        _("Unknown certification type: {value}."),
        many=True,
        required=False,
        help_text=_("Certification codes that raise a supplier's score."),
    )
    province = _code_field(
        Province.objects.all(),
        "code",
        _("Unknown province code: {value}."),
        required=False,
        allow_null=True,
        help_text=_("Preferred province code, e.g. 32. Taken from the regency when omitted."),
    )
    regency = _code_field(
        Regency.objects.all(),
        "code",
        _("Unknown regency/city code: {value}."),
        required=False,
        allow_null=True,
        help_text=_("Preferred regency or city code, e.g. 32.16."),
    )

    class Meta:
        model = Demand
        fields = [
            "id",
            "buyer",
            "title",
            "description",
            "kbli",
            "processes",
            "required_certifications",
            "preferred_certifications",
            "quantity_per_month",
            "unit",
            "annual_value",
            "province",
            "regency",
            "latitude",
            "longitude",
            "min_tkdn",
            "verified_only",
            "status",
            "valid_until",
            "created_at",
            "updated_at",
            "matched_at",
        ]
        read_only_fields = ["created_at", "updated_at", "matched_at"]
        # The model's constraints (checked by full_clean) as field errors, before saving.
        extra_kwargs = {
            "quantity_per_month": {"min_value": 1},
            "annual_value": {"min_value": 1},
        }

    def validate(self, attrs):
        instance = self.instance
        regency = attrs.get("regency", getattr(instance, "regency", None))
        province = attrs.get("province", getattr(instance, "province", None))
        if regency is not None:
            if province is None or ("regency" in attrs and "province" not in attrs):
                # A regency alone brings its province along.
                attrs["province"] = regency.province
            elif regency.province_id != province.pk:
                raise serializers.ValidationError({"regency": REGENCY_NOT_IN_PROVINCE})

        latitude = attrs.get("latitude", getattr(instance, "latitude", None))
        longitude = attrs.get("longitude", getattr(instance, "longitude", None))
        if (latitude is None) != (longitude is None):
            missing = "longitude" if longitude is None else "latitude"
            raise serializers.ValidationError({missing: COORDINATES_BOTH_OR_NEITHER})
        return attrs

    @staticmethod
    def _split(validated_data: dict) -> dict:
        return {name: validated_data.pop(name, None) for name in M2M_FIELDS}

    def create(self, validated_data):
        codes = self._split(validated_data)
        demand = Demand(**validated_data)
        try:
            return demand_create(
                demand=demand,
                actor=self.context["request"].user,
                **{name: values or () for name, values in codes.items()},
            )
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc

    def update(self, instance, validated_data):
        codes = self._split(validated_data)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        try:
            return demand_update(demand=instance, actor=self.context["request"].user, **codes)
        except DjangoValidationError as exc:
            raise api_validation_error(exc) from exc


class SuggestedIkmSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province_id", read_only=True)
    regency = serializers.CharField(source="regency_id", read_only=True)

    class Meta:
        model = IKM
        fields = ["id", "nib", "name", "province", "regency"]
        read_only_fields = fields


class MatchSuggestionSerializer(serializers.ModelSerializer):
    """A supplier suggested for a need, with its score's breakdown and the reasons."""

    score = serializers.FloatField(read_only=True, help_text=_("0 to 100."))
    ikm = SuggestedIkmSerializer(read_only=True)
    breakdown = serializers.DictField(
        child=serializers.FloatField(), read_only=True, help_text=_("Points per component.")
    )
    reasons = serializers.SerializerMethodField(
        help_text=_("Why this supplier was suggested, in the request's language.")
    )

    class Meta:
        model = MatchSuggestion
        fields = [
            "rank",
            "score",
            "ikm",
            "breakdown",
            "reasons",
            "status",
            "dismissed_reason",
            "eligible",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_reasons(self, suggestion) -> list[str]:
        from kemitraan.matching.explain import render_reasons

        return [str(reason) for reason in render_reasons(suggestion.reasons)]
