"""Why a supplier is suggested, or why not: reasons stored as codes, read as sentences.

A suggestion stores its reasons as ``[code, params]`` pairs (language-neutral); they are
rendered in the reader's language when shown. The "why not this supplier?" look-up
(:func:`explain_pair`) scores any visible IKM against a need with the reference
implementation, reporting the filter that kept it out or how its score is made.
"""

import time
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import scoring as s
from .reference import PairResult

COMPONENT_LABELS = {
    "process": _("Process fit"),
    "text": _("Text similarity"),
    "kbli": _("KBLI fit"),
    "capacity": _("Capacity"),
    "location": _("Location"),
    "certification": _("Preferred certifications"),
    "quality": _("Quality signals"),
}

FILTER_MESSAGES = {
    "inactive": _("The IKM is inactive."),
    "status": _("The IKM is not submitted or verified (status: %(status)s)."),
    "dismissed": _("Your organisation dismissed this IKM for this need."),
    "certificate": _("It lacks a required certificate valid today: %(missing)s."),
    "verified_only": _("The need asks for verified suppliers only; this IKM is not verified."),
    "tkdn": _("Its TKDN (%(tkdn)s) is below the required minimum of %(min_tkdn)s%%."),
}


def reasons_for(result: PairResult) -> list[list]:
    """The reasons of a scored pair as ``[code, params]``, the strongest component first."""
    d = result.details
    out: list[tuple[float, list]] = []
    points = result.breakdown

    def add(component, reason, **params):
        out.append((points.get(component, 0.0), [reason, params]))

    if result.failed_filter:
        out.append((1e9, ["filtered", {"filter": result.failed_filter, **d.get("filter", {})}]))
    if "process" in points:
        matched, missing = d["process"]["matched"], d["process"]["missing"]
        if matched:
            add("process", "process", matched=matched, total=len(matched) + len(missing))
        else:
            add("process", "process_none", missing=missing)
    if "text" in points and d["text"].get("terms"):
        add("text", "text", terms=d["text"]["terms"])
    if "kbli" in points:
        pair = d["kbli"]
        if pair:
            fit = s.kbli_fit(pair["need"], pair["ikm"])
            level = {1.0: "kbli_exact", s.KBLI_GROUP: "kbli_group"}.get(fit, "kbli_division")
            add("kbli", level, code=pair["ikm"])
        else:
            add("kbli", "kbli_none")
    if "capacity" in points:
        cap = d["capacity"]
        if not cap.get("known"):
            add("capacity", "capacity_unknown")
        elif cap["ratio"] >= 1:
            add("capacity", "capacity_full")
        else:
            add("capacity", "capacity_partial", percent=round(cap["ratio"] * 100))
    if "location" in points:
        where = d["location"].get("where", "")
        km = d["location"].get("km")
        if km is not None:
            add("location", "location_km", km=round(km))
        elif where:
            add("location", f"location_{where}")
    if "certification" in points:
        held = d["certification"]["held"]
        add("certification", "certification" if held else "certification_none", held=held)
    quality = d.get("quality", {})
    if quality.get("verified"):
        add("quality", "verified")
    if quality.get("tkdn") is not None:
        add("quality", "tkdn", tkdn=quality["tkdn"])
    if quality.get("mou_count"):
        add("quality", "mou", count=quality["mou_count"])
    out.sort(key=lambda pair: -pair[0])
    return [reason for _, reason in out]


_process_names: dict[str, tuple[float, dict[str, str]]] = {}
PROCESS_NAMES_SECONDS = 300


def _process_name(slug: str) -> str:
    from ikm.models import ProcessCapability

    language = (get_language() or "id")[:2]
    cached = _process_names.get(language)
    if cached is None or cached[0] < time.monotonic():
        field_name = "name_en" if language == "en" else "name"
        names = dict(ProcessCapability.objects.values_list("slug", field_name))
        cached = (time.monotonic() + PROCESS_NAMES_SECONDS, names)
        _process_names[language] = cached
    return cached[1].get(slug, slug)


def _percent(value) -> str:
    return number_format(value, decimal_pos=0 if float(value).is_integer() else 1) + "%"


def render_reason(code: str, params: dict) -> str:
    """One stored reason as a sentence in the active language."""
    p = params
    if code == "filtered":
        return str(filter_message(p.get("filter", ""), p))
    if code == "process":
        names = ", ".join(_process_name(slug) for slug in p["matched"])
        return gettext("Has the process %(names)s (%(count)d of %(total)d requested).") % {
            "names": names,
            "count": len(p["matched"]),
            "total": p["total"],
        }
    if code == "process_none":
        names = ", ".join(_process_name(slug) for slug in p["missing"])
        return gettext("Has none of the processes requested (%(names)s).") % {"names": names}
    if code == "text":
        return gettext("Its products and materials match the need: %(terms)s.") % {
            "terms": ", ".join(p["terms"])
        }
    if code == "kbli_exact":
        return gettext("Same KBLI code (%(code)s).") % p
    if code == "kbli_group":
        return gettext("KBLI in the same group (%(code)s).") % p
    if code == "kbli_division":
        return gettext("KBLI in the same division (%(code)s).") % p
    if code == "kbli_none":
        return gettext("No KBLI code in common.")
    if code == "capacity_full":
        return gettext("Monthly capacity covers the whole quantity.")
    if code == "capacity_partial":
        return gettext("Monthly capacity covers %(percent)s of the quantity.") % {
            "percent": _percent(p["percent"])
        }
    if code == "capacity_unknown":
        return gettext("Monthly capacity not recorded in the need's unit.")
    if code == "location_km":
        return gettext("About %(km)s km from the delivery point.") % {
            "km": number_format(p["km"], force_grouping=True)
        }
    location = {
        "location_regency": _("In the preferred regency/city."),
        "location_province": _("In the preferred province."),
        "location_island": _("On the same island group as the preferred region."),
        "location_elsewhere": _("Outside the preferred region."),
        "location_unknown": _("Location unknown (no coordinates)."),
        "verified": _("Verified by Kemenperin."),
    }
    if code in location:
        return str(location[code])
    if code == "certification":
        return gettext("Holds the preferred certification %(codes)s.") % {
            "codes": ", ".join(p["held"])
        }
    if code == "certification_none":
        return gettext("Holds none of the preferred certifications.")
    if code == "tkdn":
        return gettext("TKDN %(tkdn)s.") % {"tkdn": _percent(p["tkdn"])}
    if code == "mou":
        return ngettext("Partner in %(count)d MoU.", "Partner in %(count)d MoUs.", p["count"]) % {
            "count": p["count"]
        }
    return code


def render_reasons(reasons: list) -> list[str]:
    """Stored ``[code, params]`` pairs as sentences in the active language."""
    return [render_reason(code, params or {}) for code, params in reasons or []]


def filter_message(code: str, details: dict) -> str:
    message = FILTER_MESSAGES.get(code)
    if message is None:
        return ""
    params = {
        "status": details.get("status", ""),
        "missing": ", ".join(details.get("missing", [])),
        "tkdn": _percent(details["tkdn"]) if details.get("tkdn") is not None else "—",
        "min_tkdn": number_format(details.get("min_tkdn") or 0, decimal_pos=0),
    }
    return str(message) % params


@dataclass
class ComponentRow:
    name: str
    label: str
    value: float | None  # 0-1, None when it does not apply to the need
    points: float
    max_points: float


@dataclass
class Explanation:
    failed_filter: str | None
    filter_message: str
    score: float | None
    rank: int | None
    cutoff: float | None
    components: list[ComponentRow] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    suggestion: object = None


def explain_pair(demand, ikm) -> Explanation:
    """Why ``ikm`` is (or is not) among ``demand``'s suggestions, from fresh data."""
    from ikm.models import IKM

    from ..models import Demand
    from .loading import ikm_records, need_records
    from .reference import score_pair
    from .run import SUGGESTIONS_PER_NEED, current_matcher

    matcher = current_matcher()
    need = need_records(Demand.objects.filter(pk=demand.pk))[0]
    record = ikm_records(IKM.objects.filter(pk=ikm.pk))[0]
    result = score_pair(
        need, record, matcher.index, matcher.weights, matcher.today, explain_filtered=True
    )
    weights = matcher.weights.as_dict()
    applies = [c for c in s.COMPONENTS if result.components.get(c) is not None]
    total = sum(weights[c] for c in applies) or 1.0
    rows = [
        ComponentRow(
            name=c,
            label=str(COMPONENT_LABELS[c]),
            value=result.components.get(c),
            points=result.breakdown.get(c, 0.0),
            max_points=100.0 * weights[c] / total if c in applies else 0.0,
        )
        for c in s.COMPONENTS
    ]
    rank = None
    if result.passed:
        scores = matcher.scores(need)
        rank = int((scores > result.score + 1e-9).sum()) + 1
    kept = demand.suggestions.exclude(status="dismissed").order_by("rank")
    twentieth = kept[SUGGESTIONS_PER_NEED - 1 : SUGGESTIONS_PER_NEED].first()
    return Explanation(
        failed_filter=result.failed_filter,
        filter_message=filter_message(result.failed_filter or "", result.details["filter"]),
        score=result.score,
        rank=rank,
        cutoff=float(twentieth.score) if twentieth else None,
        components=rows,
        reasons=render_reasons(reasons_for(PairResult(None, **_no_filter(result)))),
        suggestion=demand.suggestions.filter(ikm=ikm).first(),
    )


def _no_filter(result: PairResult) -> dict:
    return {
        "components": result.components,
        "score": result.score,
        "breakdown": result.breakdown,
        "details": result.details,
    }
