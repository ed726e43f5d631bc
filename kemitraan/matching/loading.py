"""Records from the database, in a few set-based queries (no query per IKM or need)."""

from collections import defaultdict

from django.db.models import Count

from ikm.models import IKM, Certificate, ProcessCapability, Province

from ..models import Demand, MatchSuggestion, MouParticipant
from .records import Certificate as CertificateRecord
from .records import IkmRecord, NeedRecord

# MoU an IKM has taken part in that count as its partnership record.
MOU_RECORD_STATUSES = ("signed", "active", "expired")


def _as_float(value):
    return None if value is None else float(value)


def process_names() -> dict[str, str]:
    """Slug -> "Indonesian name English name": process names join the supplier's text."""
    return {
        slug: f"{name} {name_en}"
        for slug, name, name_en in ProcessCapability.objects.values_list("slug", "name", "name_en")
    }


def island_groups() -> dict[str, str]:
    return dict(Province.objects.values_list("code", "island_group"))


def ikm_records(queryset=None) -> list[IkmRecord]:
    """Every IKM of ``queryset`` (default: all) as a record, ordered by id. Ineligible IKM
    are included: the filters, not the loader, keep them out (the "why not?" look-up)."""
    queryset = IKM.objects.all() if queryset is None else queryset
    rows = list(
        queryset.order_by("pk").values_list(
            "pk",
            "name",
            "products",
            "materials",
            "monthly_capacity",
            "capacity_unit",
            "regency_id",
            "province_id",
            "latitude",
            "longitude",
            "is_active",
            "verification_status",
            "tkdn",
        )
    )
    # One query per related table, filtered by a subquery (no list of ids to send).
    subset = queryset.values("pk")
    processes, kbli, certificates = defaultdict(set), defaultdict(set), defaultdict(list)
    for ikm_id, slug in IKM.processes.through.objects.filter(ikm_id__in=subset).values_list(
        "ikm_id", "processcapability__slug"
    ):
        processes[ikm_id].add(slug)
    for ikm_id, code in IKM.kbli.through.objects.filter(ikm_id__in=subset).values_list(
        "ikm_id", "kbli_id"
    ):
        kbli[ikm_id].add(code)
    for ikm_id, code, start, end in Certificate.objects.filter(ikm_id__in=subset).values_list(
        "ikm_id", "certification_type__code", "valid_from", "valid_until"
    ):
        certificates[ikm_id].append(CertificateRecord(code, start, end))
    mous = dict(
        MouParticipant.objects.filter(ikm_id__in=subset, mou__status__in=MOU_RECORD_STATUSES)
        .values("ikm_id")
        .annotate(n=Count("mou_id", distinct=True))
        .values_list("ikm_id", "n")
    )
    names = process_names()
    islands = island_groups()
    records = []
    for (
        pk,
        name,
        products,
        materials,
        capacity,
        unit,
        regency,
        province,
        lat,
        lon,
        active,
        status,
        tkdn,
    ) in rows:
        slugs = frozenset(processes[pk])
        text = " ".join([products, materials, *(names.get(slug, slug) for slug in sorted(slugs))])
        records.append(
            IkmRecord(
                id=pk,
                name=name,
                text=text,
                processes=slugs,
                kbli=frozenset(kbli[pk]),
                certificates=tuple(certificates[pk]),
                monthly_capacity=_as_float(capacity),
                capacity_unit=unit,
                regency=regency,
                province=province,
                island_group=islands.get(province, ""),
                latitude=_as_float(lat),
                longitude=_as_float(lon),
                is_active=active,
                status=status,
                tkdn=_as_float(tkdn),
                mou_count=mous.get(pk, 0),
            )
        )
    return records


def open_demands():
    return Demand.objects.filter(status=Demand.Status.OPEN)


def need_records(queryset) -> list[NeedRecord]:
    """The needs of ``queryset`` as records, ordered by id, with their dismissed IKM."""
    rows = list(
        queryset.order_by("pk").values_list(
            "pk",
            "title",
            "description",
            "quantity_per_month",
            "unit",
            "regency_id",
            "regency__province_id",
            "province_id",
            "latitude",
            "longitude",
            "min_tkdn",
            "verified_only",
        )
    )
    subset = queryset.values("pk")
    codes = {name: defaultdict(set) for name in ("kbli", "processes", "required", "preferred")}
    excluded = defaultdict(set)
    for demand_id, code in Demand.kbli.through.objects.filter(demand_id__in=subset).values_list(
        "demand_id", "kbli_id"
    ):
        codes["kbli"][demand_id].add(code)
    for demand_id, slug in Demand.processes.through.objects.filter(
        demand_id__in=subset
    ).values_list("demand_id", "processcapability__slug"):
        codes["processes"][demand_id].add(slug)
    for name, through in (
        ("required", Demand.required_certifications.through),
        ("preferred", Demand.preferred_certifications.through),
    ):
        for demand_id, code in through.objects.filter(demand_id__in=subset).values_list(
            "demand_id", "certificationtype__code"
        ):
            codes[name][demand_id].add(code)
    for demand_id, ikm_id in MatchSuggestion.objects.filter(
        demand_id__in=subset, status=MatchSuggestion.Status.DISMISSED
    ).values_list("demand_id", "ikm_id"):
        excluded[demand_id].add(ikm_id)
    islands = island_groups()
    records = []
    for (
        pk,
        title,
        description,
        quantity,
        unit,
        regency,
        regency_province,
        province,
        lat,
        lon,
        min_tkdn,
        verified_only,
    ) in rows:
        province = regency_province or province or ""
        records.append(
            NeedRecord(
                id=pk,
                text=f"{title}\n{description}",
                processes=frozenset(codes["processes"][pk]),
                kbli=frozenset(codes["kbli"][pk]),
                required_certifications=frozenset(codes["required"][pk]),
                preferred_certifications=frozenset(codes["preferred"][pk]),
                quantity_per_month=_as_float(quantity),
                unit=unit,
                regency=regency or "",
                province=province,
                island_group=islands.get(province, ""),
                latitude=_as_float(lat),
                longitude=_as_float(lon),
                min_tkdn=_as_float(min_tkdn),
                verified_only=verified_only,
                excluded=frozenset(excluded[pk]),
            )
        )
    return records
