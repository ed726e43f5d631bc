"""Size classes at each threshold's edge, in Python and in SQL (they must agree)."""

import pytest

from ikm.models import IKM
from ikm.size_class import SizeClass, UmkmClass, size_class, umkm_class

from ..factories import IkmFactory

M = 1_000_000_000

KEMENPERIN_EDGES = [
    # workforce, investment, expected
    (19, M - 1, SizeClass.KECIL),
    (19, M, SizeClass.MENENGAH),
    (0, 0, SizeClass.KECIL),
    (20, 0, SizeClass.MENENGAH),
    (20, 15 * M, SizeClass.MENENGAH),
    (20, 15 * M + 1, SizeClass.BESAR),
    (19, 15 * M + 1, SizeClass.MENENGAH),
    (500, 100 * M, SizeClass.BESAR),
]


@pytest.mark.parametrize(("workforce", "investment", "expected"), KEMENPERIN_EDGES)
def test_kemenperin_size_class_edges(workforce, investment, expected):
    assert size_class(workforce, investment) == expected


@pytest.mark.django_db
def test_sql_expression_agrees_with_python_at_every_edge():
    ids = {}
    for workforce, investment, expected in KEMENPERIN_EDGES:
        ikm = IkmFactory(workforce=workforce, investment_value=investment)
        assert ikm.size_class == expected
        ids[ikm.pk] = expected
    annotated = dict(IKM.objects.with_size_class().values_list("pk", "size_class_code"))
    assert {pk: annotated[pk] for pk in ids} == {pk: v.value for pk, v in ids.items()}


@pytest.mark.parametrize(
    ("investment", "revenue", "expected"),
    [
        # by annual sales when known: <= 2 M micro, <= 15 M small, <= 50 M medium
        (0, 2 * M, UmkmClass.MIKRO),
        (0, 2 * M + 1, UmkmClass.KECIL),
        (0, 15 * M, UmkmClass.KECIL),
        (0, 15 * M + 1, UmkmClass.MENENGAH),
        (0, 50 * M, UmkmClass.MENENGAH),
        (0, 50 * M + 1, UmkmClass.BESAR),
        # by business capital otherwise: <= 1 M, <= 5 M, <= 10 M
        (1 * M, None, UmkmClass.MIKRO),
        (1 * M + 1, None, UmkmClass.KECIL),
        (5 * M, None, UmkmClass.KECIL),
        (5 * M + 1, None, UmkmClass.MENENGAH),
        (10 * M, None, UmkmClass.MENENGAH),
        (10 * M + 1, None, UmkmClass.BESAR),
    ],
)
def test_umkm_class_edges(investment, revenue, expected):
    assert umkm_class(investment, revenue) == expected
