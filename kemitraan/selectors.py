"""Reads shaped for the buyer screens: a need's suggestions as the page shows them, the
needs an IKM is suggested for.

Reasons are stored as ``[code, params]`` pairs and turned into sentences in the reader's
language by :func:`kemitraan.matching.explain.render_reasons` when the page is rendered.
"""

from decimal import Decimal

from django.db.models import Count, Q
from django.utils.text import capfirst

from .matching.explain import COMPONENT_LABELS, render_reasons
from .matching.scoring import COMPONENTS
from .models import Demand, MatchSuggestion

KEPT = (MatchSuggestion.Status.SHORTLISTED, MatchSuggestion.Status.CONTACTED)


def component_labels() -> dict[str, str]:
    """Component name -> label in the active language."""
    return {name: capfirst(label) for name, label in COMPONENT_LABELS.items()}


def reason_sentences(reasons: list) -> list[str]:
    """Stored ``[code, params]`` pairs -> sentences in the active language."""
    return [str(sentence) for sentence in render_reasons(reasons or [])]


def breakdown_rows(breakdown: dict, labels: dict[str, str]) -> list[dict]:
    """The points per component, in the engine's order, then anything else it stored."""
    names = [n for n in COMPONENTS if n in breakdown] + [
        n for n in breakdown if n not in COMPONENTS
    ]
    rows = []
    for name in names:
        points = breakdown[name]
        rows.append(
            {
                "name": name,
                "label": labels.get(name, name),
                "points": None if points is None else float(points),
            }
        )
    return rows


def score_percent(score) -> int:
    """A 0-100 integer for the width of a score bar (never localised: it goes into CSS)."""
    if score is None:
        return 0
    return max(0, min(100, round(Decimal(score))))


def demand_queryset(user):
    """The needs ``user`` may see, with what their page shows joined or prefetched."""
    return (
        Demand.objects.visible_to(user)
        .select_related("buyer__organisation", "province", "regency", "created_by")
        .prefetch_related(
            "kbli", "processes", "required_certifications", "preferred_certifications"
        )
    )


def decorate(suggestion: MatchSuggestion, labels: dict[str, str] | None = None):
    """Attach what the suggestion row shows: sentences, breakdown rows, bar width."""
    labels = labels if labels is not None else component_labels()
    suggestion.reason_sentences = reason_sentences(suggestion.reasons)
    suggestion.breakdown_rows = breakdown_rows(suggestion.breakdown or {}, labels)
    suggestion.score_percent = score_percent(suggestion.score)
    return suggestion


def suggestion_queryset():
    return MatchSuggestion.objects.select_related(
        "ikm__regency", "ikm__province", "actioned_by", "demand"
    )


def demand_suggestions(demand: Demand) -> dict:
    """A need's suggestions by rank, split into the live list and the dismissed ones."""
    labels = component_labels()
    suggestions = [
        decorate(s, labels)
        for s in suggestion_queryset().filter(demand=demand).order_by("rank", "pk")
    ]
    active = [s for s in suggestions if s.status != MatchSuggestion.Status.DISMISSED]
    dismissed = [s for s in suggestions if s.status == MatchSuggestion.Status.DISMISSED]
    return {
        "suggestions": active,
        "dismissed": dismissed,
        "kept_count": sum(1 for s in active if s.status in KEPT),
        "engine_version": suggestions[0].engine_version if suggestions else "",
        "pending": suggestions_pending(demand),
    }


def suggestions_pending(demand: Demand) -> bool:
    """True while the need's suggestions are being computed: never yet, or not since its
    last change (every save through the services enqueues a rematch, which sets
    ``matched_at`` without touching ``updated_at``)."""
    if demand.matched_at is None:
        return True
    return demand.updated_at is not None and demand.matched_at < demand.updated_at


def demands_with_counts(queryset):
    """Annotate ``suggestion_count`` (not dismissed) and ``kept_count`` (shortlisted or
    contacted)."""
    return queryset.annotate(
        suggestion_count=Count(
            "suggestions", filter=~Q(suggestions__status=MatchSuggestion.Status.DISMISSED)
        ),
        kept_count=Count("suggestions", filter=Q(suggestions__status__in=KEPT)),
    )


def ikm_matching_needs(ikm, user) -> list[MatchSuggestion]:
    """The open needs ``ikm`` is suggested for (not dismissed), among those ``user`` sees."""
    return list(
        MatchSuggestion.objects.visible_to(user)
        .filter(ikm=ikm, demand__status=Demand.Status.OPEN)
        .exclude(status=MatchSuggestion.Status.DISMISSED)
        .select_related("demand__buyer__organisation")
        .order_by("rank", "demand__title")
    )
