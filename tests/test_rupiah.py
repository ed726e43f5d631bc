"""The one template filter for money, in both languages."""

import pytest
from django.template import Context, Template
from django.utils import translation

from ikm.money import format_rupiah


def render(value, form=""):
    arg = f':"{form}"' if form else ""
    return Template("{% load rupiah %}{{ value|rupiah" + arg + " }}").render(
        Context({"value": value})
    )


@pytest.mark.parametrize(
    ("value", "exact", "short"),
    [
        (1_500_000, "Rp1.500.000", "Rp1,5 juta"),
        (24_000_000_000, "Rp24.000.000.000", "Rp24 miliar"),
        (82_000_000_000, "Rp82.000.000.000", "Rp82 miliar"),
        (100_000_000_000, "Rp100.000.000.000", "Rp100 miliar"),
        (1_500_000_000_000, "Rp1.500.000.000.000", "Rp1,5 triliun"),
        (250_000_000, "Rp250.000.000", "Rp250 juta"),
        (1_234_567_890, "Rp1.234.567.890", "Rp1,23 miliar"),
        (999_995_000, "Rp999.995.000", "Rp1 miliar"),
        (999_000, "Rp999.000", "Rp999.000"),
        (0, "Rp0", "Rp0"),
        (-1_500_000, "-Rp1.500.000", "-Rp1,5 juta"),
    ],
)
def test_indonesian(value, exact, short):
    with translation.override("id"):
        assert render(value) == exact
        assert render(value, "short") == short


@pytest.mark.parametrize(
    ("value", "exact", "short"),
    [
        (1_500_000, "IDR 1,500,000", "IDR 1.5 million"),
        (24_000_000_000, "IDR 24,000,000,000", "IDR 24 billion"),
        (1_500_000_000_000, "IDR 1,500,000,000,000", "IDR 1.5 trillion"),
        (250_000_000, "IDR 250,000,000", "IDR 250 million"),
    ],
)
def test_english(value, exact, short):
    with translation.override("en"):
        assert render(value) == exact
        assert render(value, "short") == short


def test_unknown_amount_is_a_dash_and_junk_is_left_alone():
    with translation.override("id"):
        assert render(None) == "—"
        assert render("bukan angka") == "bukan angka"


def test_rounds_to_whole_rupiah():
    assert format_rupiah("1500000.6") == "Rp1.500.001"
