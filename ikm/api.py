"""API of the registry's reference data (read-only for every signed-in role)."""

from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from .models import CertificationType, Kbli, ProcessCapability, Province, Regency


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
