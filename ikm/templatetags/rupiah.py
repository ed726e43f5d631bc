"""The one template filter for money: ``{{ amount|rupiah }}`` or ``{{ amount|rupiah:"short" }}``."""

from django import template
from django.utils.translation import get_language

from ikm.money import format_rupiah

register = template.Library()


@register.filter(name="rupiah")
def rupiah(value, form: str = ""):
    """``Rp1.500.000`` exactly; with ``"short"``: ``Rp24 miliar`` (English: ``IDR 24 billion``)."""
    try:
        return format_rupiah(value, short=(form == "short"), language=get_language())
    except (TypeError, ValueError, ArithmeticError):
        return value
