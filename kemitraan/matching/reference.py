"""The reference implementation: one need and one supplier at a time, in plain Python.

Obviously correct rather than fast: it reads like :mod:`.scoring`'s table. The engine
(:mod:`.engine`) must agree with it to 1e-6 on every pair; the reasons shown to buyers and
the "why not this supplier?" look-up come from here.
"""

import datetime
import math
from dataclasses import dataclass, field

from . import scoring as s
from .records import IkmRecord, NeedRecord
from .text import TextIndex


@dataclass
class PairResult:
    """A need-supplier pair: the filter that kept it out, or its components and score."""

    failed_filter: str | None = None
    components: dict[str, float | None] = field(default_factory=dict)
    score: float = 0.0
    breakdown: dict[str, float] = field(default_factory=dict)
    details: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.failed_filter is None


def check_filters(need: NeedRecord, ikm: IkmRecord, today: datetime.date) -> tuple[str, dict]:
    """The first hard filter the supplier fails for the need ("" if none), with details."""
    if not ikm.is_active:
        return "inactive", {}
    if ikm.status not in s.ELIGIBLE_STATUSES:
        return "status", {"status": ikm.status}
    if ikm.id in need.excluded:
        return "dismissed", {}
    missing = need.required_certifications - ikm.valid_certificates(today)
    if missing:
        return "certificate", {"missing": sorted(missing)}
    if need.verified_only and ikm.status != "verified":
        return "verified_only", {}
    if need.min_tkdn is not None and (ikm.tkdn is None or ikm.tkdn < need.min_tkdn):
        return "tkdn", {"tkdn": ikm.tkdn, "min_tkdn": need.min_tkdn}
    return "", {}


def process_component(need, ikm):
    if not need.processes:
        return None, {}
    matched = need.processes & ikm.processes
    return len(matched) / len(need.processes), {
        "matched": sorted(matched),
        "missing": sorted(need.processes - ikm.processes),
    }


def text_component(need_weights: dict, ikm_weights: dict, known=None):
    """Cosine over the terms both texts share (and, with ``known``, that the suppliers'
    vocabulary holds: a term no supplier of the snapshot uses matches nothing yet)."""
    if not need_weights:
        return None, {}
    shared = {
        term: need_weights[term] * ikm_weights[term]
        for term in need_weights
        if term in ikm_weights and (known is None or term in known)
    }
    cosine = 0.0
    for term in sorted(shared):  # a fixed order: the same sum every time
        cosine += shared[term]
    top = sorted(shared, key=lambda term: (-shared[term], term))[:4]
    return min(1.0, cosine / s.TEXT_FULL_AT), {"cosine": cosine, "terms": top}


def text_component_for(need, ikm, index: TextIndex):
    return text_component(
        index.weights_of(need.text), index.weights_of(ikm.text), known=index.columns
    )


def kbli_component(need, ikm):
    if not need.kbli:
        return None, {}
    best, pair = 0.0, None
    for code in sorted(need.kbli):
        for other in sorted(ikm.kbli):
            fit = s.kbli_fit(code, other)
            if fit > best:
                best, pair = fit, (code, other)
    return best, ({"need": pair[0], "ikm": pair[1]} if pair else {})


def capacity_component(need, ikm):
    if need.quantity_per_month is None:
        return None, {}
    need_dim, need_factor = s.unit_of(need.unit)
    ikm_dim, ikm_factor = s.unit_of(ikm.capacity_unit)
    if ikm.monthly_capacity is None or need_dim != ikm_dim:
        return s.UNKNOWN_CAPACITY, {"known": False}
    ratio = (ikm.monthly_capacity * ikm_factor) / (need.quantity_per_month * need_factor)
    return min(1.0, math.sqrt(ratio)), {"known": True, "ratio": ratio}


def location_component(need, ikm):
    tier, where = None, ""
    if need.regency:
        if ikm.regency == need.regency:
            tier, where = s.LOCATION_REGENCY, "regency"
        elif ikm.province == need.province:
            tier, where = s.LOCATION_PROVINCE, "province"
        elif need.island_group and ikm.island_group == need.island_group:
            tier, where = s.LOCATION_ISLAND, "island"
        else:
            tier, where = s.LOCATION_ELSEWHERE, "elsewhere"
    elif need.province:
        if ikm.province == need.province:
            tier, where = s.LOCATION_REGENCY, "province"
        elif need.island_group and ikm.island_group == need.island_group:
            tier, where = s.LOCATION_PROVINCE_ONLY_ISLAND, "island"
        else:
            tier, where = s.LOCATION_ELSEWHERE, "elsewhere"
    need_point = need.latitude is not None and need.longitude is not None
    if not need_point:
        return tier, ({"where": where} if tier is not None else {})
    if ikm.latitude is None or ikm.longitude is None:
        if tier is None:
            return s.LOCATION_UNKNOWN, {"where": "unknown"}
        return tier, {"where": where}
    km = s.haversine_km(need.latitude, need.longitude, ikm.latitude, ikm.longitude)
    near = math.exp(-km / s.DISTANCE_SCALE_KM)
    value = near if tier is None else max(tier, near)
    return value, {"where": where or "distance", "km": km}


def certification_component(need, ikm, today):
    if not need.preferred_certifications:
        return None, {}
    held = need.preferred_certifications & ikm.valid_certificates(today)
    return len(held) / len(need.preferred_certifications), {"held": sorted(held)}


def quality_component(ikm):
    verified = 1.0 if ikm.status == "verified" else 0.0
    tkdn = (ikm.tkdn or 0.0) / 100.0
    mou = min(ikm.mou_count / s.MOU_FULL_AT, 1.0)
    value = s.QUALITY_VERIFIED * verified + s.QUALITY_TKDN * tkdn + s.QUALITY_MOU * mou
    return value, {"verified": bool(verified), "tkdn": ikm.tkdn, "mou_count": ikm.mou_count}


def combine(components: dict[str, float | None], weights: s.Weights) -> tuple[float, dict]:
    """The score (0-100) and the points per component, over the components that apply."""
    w = weights.as_dict()
    total = sum(w[name] for name in s.COMPONENTS if components.get(name) is not None)
    if total <= 0:
        return 0.0, {}
    breakdown = {
        name: 100.0 * w[name] * components[name] / total
        for name in s.COMPONENTS
        if components.get(name) is not None
    }
    score = 0.0
    for name in s.COMPONENTS:
        if name in breakdown:
            score += breakdown[name]
    return score, breakdown


def score_pair(
    need: NeedRecord,
    ikm: IkmRecord,
    index: TextIndex,
    weights: s.Weights,
    today: datetime.date,
    *,
    explain_filtered: bool = False,
) -> PairResult:
    """Score one pair. A supplier that fails a filter gets no score, unless
    ``explain_filtered`` asks for its components anyway (the "why not?" look-up)."""
    failed, filter_details = check_filters(need, ikm, today)
    result = PairResult(failed_filter=failed or None, details={"filter": filter_details})
    if failed and not explain_filtered:
        return result
    parts = {
        "process": process_component(need, ikm),
        "text": text_component_for(need, ikm, index),
        "kbli": kbli_component(need, ikm),
        "capacity": capacity_component(need, ikm),
        "location": location_component(need, ikm),
        "certification": certification_component(need, ikm, today),
        "quality": quality_component(ikm),
    }
    result.components = {name: value for name, (value, _) in parts.items()}
    result.details.update({name: detail for name, (_, detail) in parts.items()})
    result.score, result.breakdown = combine(result.components, weights)
    return result


def rank(
    need: NeedRecord,
    ikms: list[IkmRecord],
    index: TextIndex,
    weights: s.Weights,
    today: datetime.date,
    limit: int,
) -> list[tuple[int, float]]:
    """The top ``limit`` suppliers for a need as (IKM id, score): score down, then id up."""
    scored = []
    for ikm in ikms:
        result = score_pair(need, ikm, index, weights, today)
        if result.passed:
            scored.append((ikm.id, result.score))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:limit]
