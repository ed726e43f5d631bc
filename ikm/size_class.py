"""Size classes derived from an IKM's inputs; never typed, never stored.

Kemenperin (Permenperin 64/2016):
- industri kecil: <= 19 workers and investment < Rp1 miliar;
- industri menengah: <= 19 workers and investment >= Rp1 miliar,
  or >= 20 workers and investment <= Rp15 miliar;
- industri besar: >= 20 workers and investment > Rp15 miliar.
Investment excludes land and buildings.

UMKM (PP 7/2021): by business capital (micro <= Rp1 M, small > 1-5 M, medium > 5-10 M)
or by annual sales (<= Rp2 M, > 2-15 M, > 15-50 M); beyond is a large business.
Sales, where known, describe a running business better, so they take precedence.

The same thresholds give both the Python function (for one record) and the SQL
expression (for filtering and counting in the database).
"""

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _

MILIAR = 1_000_000_000

SMALL_MAX_WORKERS = 19
SMALL_INVESTMENT_BELOW = 1 * MILIAR
MEDIUM_INVESTMENT_MAX = 15 * MILIAR

UMKM_CAPITAL_LIMITS = (1 * MILIAR, 5 * MILIAR, 10 * MILIAR)
UMKM_SALES_LIMITS = (2 * MILIAR, 15 * MILIAR, 50 * MILIAR)


class SizeClass(models.TextChoices):
    KECIL = "kecil", _("Small industry")
    MENENGAH = "menengah", _("Medium industry")
    BESAR = "besar", _("Large industry")


class UmkmClass(models.TextChoices):
    MIKRO = "mikro", _("Micro business")
    KECIL = "kecil", _("Small business")
    MENENGAH = "menengah", _("Medium business")
    BESAR = "besar", _("Large business")


def size_class(workforce: int, investment_value: int) -> SizeClass:
    """Kemenperin's class for a workforce and an investment value in rupiah."""
    if workforce <= SMALL_MAX_WORKERS:
        if investment_value < SMALL_INVESTMENT_BELOW:
            return SizeClass.KECIL
        return SizeClass.MENENGAH
    if investment_value <= MEDIUM_INVESTMENT_MAX:
        return SizeClass.MENENGAH
    return SizeClass.BESAR


def _umkm_by_limits(value: int, limits: tuple[int, int, int]) -> UmkmClass:
    micro, small, medium = limits
    if value <= micro:
        return UmkmClass.MIKRO
    if value <= small:
        return UmkmClass.KECIL
    if value <= medium:
        return UmkmClass.MENENGAH
    return UmkmClass.BESAR


def umkm_class(investment_value: int, annual_revenue: int | None) -> UmkmClass:
    """PP 7/2021 class: by annual sales when known, otherwise by business capital."""
    if annual_revenue is not None:
        return _umkm_by_limits(annual_revenue, UMKM_SALES_LIMITS)
    return _umkm_by_limits(investment_value, UMKM_CAPITAL_LIMITS)


def size_class_expression() -> Case:
    """SQL equivalent of :func:`size_class` over the IKM table's columns."""
    return Case(
        When(
            Q(workforce__lte=SMALL_MAX_WORKERS, investment_value__lt=SMALL_INVESTMENT_BELOW),
            then=Value(SizeClass.KECIL.value),
        ),
        When(
            Q(workforce__lte=SMALL_MAX_WORKERS) | Q(investment_value__lte=MEDIUM_INVESTMENT_MAX),
            then=Value(SizeClass.MENENGAH.value),
        ),
        default=Value(SizeClass.BESAR.value),
        output_field=models.CharField(),
    )
