"""Numbers on the dashboard, written the way readers of each language write them."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import get_language

from ikm.money import format_rupiah

from ..tables import COUNT, PERCENT, RUPIAH

register = template.Library()


def _english() -> bool:
    return (get_language() or "id").startswith("en")


@register.filter
def number(value):
    """``100.000`` (English ``100,000``); ``None`` (not applicable) is an em dash."""
    if value is None or value == "":
        return "—"
    try:
        text = f"{int(value):,}"
    except (TypeError, ValueError):
        return value
    return text if _english() else text.replace(",", ".")


@register.filter
def percent(value):
    """``75,0%`` (English ``75.0%``)."""
    if value is None or value == "":
        return "—"
    try:
        text = f"{Decimal(str(value)).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
    except (ArithmeticError, ValueError):
        return value
    return text if _english() else text.replace(".", ",")


@register.filter
def cell(value, kind: str):
    """A table cell by its column's kind."""
    if value is None:
        return "—"
    if kind == RUPIAH:
        return format_rupiah(value, language=get_language())
    if kind == COUNT:
        return number(value)
    if kind == PERCENT:
        return percent(value)
    return value
