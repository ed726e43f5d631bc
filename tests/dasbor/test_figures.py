"""Every figure of ``dasbor.figures.compute`` against values counted by hand on the program of
``conftest.py`` (its docstring lists the records; the comments here say which count)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dasbor.figures import Filters, Scope, compute, reference_names
from ikm.models import Province
from pembiayaan.models import LenderProfile

from .conftest import JT, NOW, M

pytestmark = pytest.mark.django_db

KEYS = {
    "scope",
    "filters",
    "ikm_total",
    "ikm_verified",
    "ikm_by_province",
    "ikm_by_division",
    "ikm_by_size",
    "buyers_total",
    "demands_open",
    "suggestions_made",
    "suggestions_shortlisted",
    "suggestions_contacted",
    "meetings_held",
    "mou_signed",
    "mou_active",
    "mou_ikm",
    "market_access_per_year",
    "market_access_by_buyer",
    "market_access_by_province",
    "market_access_by_event",
    "po_count",
    "po_value",
    "po_value_in_force",
    "realisation_pct",
    "akad_pipeline_count",
    "akad_pipeline_amount",
    "akad_signed_count",
    "akad_signed_amount",
    "akad_disbursed_count",
    "akad_disbursed_amount",
    "akad_by_lender",
    "akad_by_scheme",
    "akad_by_province",
    "closed_loop_ikm",
    "mou_without_credit_ikm",
    "tkdn_known",
    "tkdn_average",
    "tkdn_40_plus",
    "funnel",
    "monthly",
}
NO_FILTERS = {"date_from": None, "date_to": None, "province": None, "sector": None, "event": None}
JABAR, JATENG, JATIM = "JAWA BARAT", "JAWA TENGAH", "JAWA TIMUR"


def month_range(first: str, count: int) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def trend(months: list[str], values: dict[str, dict]) -> list[dict]:
    """The expected ``monthly`` list: zero everywhere but in ``values``."""
    zero = {
        "ikm_registered": 0,
        "mou_signed": 0,
        "market_access": 0,
        "akad_signed_count": 0,
        "akad_signed_amount": 0,
        "akad_disbursed_amount": 0,
        "po_value": 0,
    }
    assert set(values) <= set(months)
    return [{"month": month, **zero, **values.get(month, {})} for month in months]


def akad_row(key, name, pipeline=(0, 0), signed=(0, 0), disbursed=(0, 0)) -> dict:
    return {
        "id": key,
        "name": name,
        "pipeline_count": pipeline[0],
        "pipeline_amount": pipeline[1],
        "signed_count": signed[0],
        "signed_amount": signed[1],
        "disbursed_count": disbursed[0],
        "disbursed_amount": disbursed[1],
    }


def funnel(registered, suggested, met, mou, credit) -> list[dict]:
    return [
        {"step": "registered", "ikm": registered},
        {"step": "suggested", "ikm": suggested},
        {"step": "met", "ikm": met},
        {"step": "mou", "ikm": mou},
        {"step": "credit", "ikm": credit},
    ]


# --- the program ---------------------------------------------------------------------------


def test_program_figures(program):
    p = program
    f = compute(Scope(), now=NOW)

    assert set(f) == KEYS
    assert f["scope"] == "program"
    assert f["filters"] == NO_FILTERS

    # IKM: registered = active and submitted/verified: I1..I5 (I6 draft, I7 rejected, I8
    # inactive are not); verified among them: I1, I2, I4.
    assert f["ikm_total"] == 5
    assert f["ikm_verified"] == 3
    assert f["ikm_by_province"] == [
        {"code": "32", "name": JABAR, "total": 2, "verified": 2},  # I1, I2
        {"code": "35", "name": JATIM, "total": 2, "verified": 1},  # I4 (v), I5
        {"code": "33", "name": JATENG, "total": 1, "verified": 0},  # I3
    ]
    assert f["ikm_by_division"] == [
        {"code": "29", "total": 4, "verified": 3},  # I1, I2, I4, I5; verified I1, I2, I4
        {"code": "25", "total": 2, "verified": 1},  # I2 (25920), I3 (25910); verified I2
    ]
    assert f["ikm_by_size"] == [
        {"code": "kecil", "total": 2, "verified": 1},  # I1 (12, 500 jt) v, I3 (8, 300 jt)
        {"code": "menengah", "total": 2, "verified": 1},  # I2 (30, 2 M) v, I5 (10, 1,5 M)
        {"code": "besar", "total": 1, "verified": 1},  # I4 (100, 20 M)
    ]

    # Matchmaking
    assert f["buyers_total"] == 2  # B1, B2
    assert f["demands_open"] == 1  # D1 (D2 closed)
    assert f["suggestions_made"] == 5  # D1: I1, I2, I3; D2: I4, I1
    assert f["suggestions_shortlisted"] == 2  # D1-I1 shortlisted + D1-I2 contacted
    assert f["suggestions_contacted"] == 1  # D1-I2
    assert f["meetings_held"] == 2  # M1, M4 (M2 in the future, M3 cancelled)

    # MoUs: signed = A, B, C (D is a draft); in force = A (active), B (signed).
    assert f["mou_signed"] == 3
    assert f["mou_active"] == 2
    assert f["mou_ikm"] == 4  # A: I1, I2; B: I4, I3
    # A: 1,0 M + 0,5 M; B: 2,0 M + 0,35 M. C expired (0,8 M) and D draft (0,4 M) not in force.
    assert f["market_access_per_year"] == 3_850 * JT
    assert f["market_access_by_buyer"] == [
        {"id": p.b2.pk, "name": "PT Pembeli Dua", "mou": 1, "ikm": 2, "amount": 2_350 * JT},
        {"id": p.b1.pk, "name": "PT Pembeli Satu", "mou": 1, "ikm": 2, "amount": 1_500 * JT},
    ]
    assert f["market_access_by_province"] == [
        {"code": "35", "name": JATIM, "ikm": 1, "amount": 2 * M},  # B-I4
        {"code": "32", "name": JABAR, "ikm": 2, "amount": 1_500 * JT},  # A-I1, A-I2
        {"code": "33", "name": JATENG, "ikm": 1, "amount": 350 * JT},  # B-I3
    ]
    assert f["market_access_by_event"] == [
        {"id": None, "name": None, "mou": 1, "amount": 2_350 * JT},  # B, outside an event
        {"id": p.e1.pk, "name": "Link & Match Uji Satu", "mou": 1, "amount": 1_500 * JT},  # A
    ]
    assert f["po_count"] == 4  # PO1..PO4
    assert f["po_value"] == 1_200 * JT  # 200 + 100 + 500 + 400 jt
    assert f["po_value_in_force"] == 800 * JT  # PO4 is under the expired MoU C
    assert f["realisation_pct"] == 20.8  # 800 jt / 3.850 jt = 20,78 %

    # Akad: pipeline K3 (400 jt) + K4 (250 jt); signed K1 600 + K2 1.000 + K5 300 jt (paid
    # off still counts); K6 rejected nowhere. Disbursed: K1 300 + 200, K5 300.
    assert f["akad_pipeline_count"] == 2
    assert f["akad_pipeline_amount"] == 650 * JT
    assert f["akad_signed_count"] == 3
    assert f["akad_signed_amount"] == 1_900 * JT
    assert f["akad_disbursed_count"] == 2
    assert f["akad_disbursed_amount"] == 800 * JT
    assert f["akad_by_lender"] == [
        # L1: K1 + K2 signed; K1's tranches.
        akad_row(p.l1.pk, "Bank Satu", signed=(2, 1_600 * JT), disbursed=(1, 500 * JT)),
        # L2: K3 + K4 in process; K5 signed and disbursed. No short name: the organisation's.
        akad_row(
            p.l2.pk,
            "PT Multi Dua",
            pipeline=(2, 650 * JT),
            signed=(1, 300 * JT),
            disbursed=(1, 300 * JT),
        ),
    ]
    assert f["akad_by_scheme"] == [
        # KI: K4 in process, K2 signed (1.000 jt) — first, the larger signed amount.
        akad_row(p.ki.pk, "Kredit Investasi (KI)", pipeline=(1, 250 * JT), signed=(1, 1 * M)),
        # KMK: K3 in process; K1 + K5 signed (900 jt), both disbursed (500 + 300 jt).
        akad_row(
            p.kmk.pk,
            "Kredit Modal Kerja (KMK)",
            pipeline=(1, 400 * JT),
            signed=(2, 900 * JT),
            disbursed=(2, 800 * JT),
        ),
    ]
    assert f["akad_by_province"] == [
        # 35: K2 (I4) + K5 (I5) signed 1.300 jt; K5's tranche.
        akad_row("35", JATIM, signed=(2, 1_300 * JT), disbursed=(1, 300 * JT)),
        # 32: K3 (I2) in process; K1 (I1) signed and disbursed.
        akad_row(
            "32", JABAR, pipeline=(1, 400 * JT), signed=(1, 600 * JT), disbursed=(1, 500 * JT)
        ),
        # 33: K4 (I3) in process only.
        akad_row("33", JATENG, pipeline=(1, 250 * JT)),
    ]

    # Closed loop: IKM in MoUs in force I1, I2, I3, I4; with a signed akad: I1 (K1), I4 (K2).
    assert f["closed_loop_ikm"] == 2
    assert f["mou_without_credit_ikm"] == 2  # I2 (K3 only in process), I3
    assert f["tkdn_known"] == 3  # I1 45, I2 30, I4 60 (I3 unknown)
    assert f["tkdn_average"] == 45.0  # (45 + 30 + 60) / 3
    assert f["tkdn_40_plus"] == 2  # I1, I4 (I5's 40 is under an expired MoU)

    # registered 5; suggested I1, I2, I3, I4; met I1 (M1), I4 (M4); MoU 4; credit 2.
    assert f["funnel"] == funnel(5, 4, 2, 4, 2)

    # From the first signing (C, Jan 2024) to this month: 18 months.
    months = month_range("2024-01", 18)
    assert f["monthly"] == trend(
        months,
        {
            "2024-01": {"mou_signed": 1, "market_access": 800 * JT},  # C
            # K5 signed 300 jt and paid out in one tranche
            "2024-02": {
                "akad_signed_count": 1,
                "akad_signed_amount": 300 * JT,
                "akad_disbursed_amount": 300 * JT,
            },
            "2024-06": {"po_value": 400 * JT},  # PO4
            "2025-01": {"ikm_registered": 1},  # I1
            "2025-02": {"ikm_registered": 2},  # I2, I3
            "2025-03": {"ikm_registered": 1, "mou_signed": 1, "market_access": 1_500 * JT},
            "2025-04": {
                "ikm_registered": 1,  # I5
                "mou_signed": 1,  # B
                "market_access": 2_350 * JT,
                "akad_signed_count": 2,  # K1, K2
                "akad_signed_amount": 1_600 * JT,
                "akad_disbursed_amount": 300 * JT,  # K1's first tranche
                "po_value": 200 * JT,  # PO1
            },
            "2025-05": {"akad_disbursed_amount": 200 * JT, "po_value": 600 * JT},  # PO2+PO3
        },
    )


# --- the slices ------------------------------------------------------------------------------


def test_buyer_slice(program):
    p = program
    f = compute(Scope.for_organisation(p.b1_org), now=NOW)

    assert set(f) == KEYS
    assert f["scope"] == "buyer"
    assert f["filters"] == NO_FILTERS
    # Partners: the IKM of B1's signed MoUs: A (I1, I2) and C (I5, expired still signed).
    assert f["ikm_total"] == 3
    assert f["ikm_verified"] == 2  # I1, I2
    assert f["ikm_by_province"] == [
        {"code": "32", "name": JABAR, "total": 2, "verified": 2},
        {"code": "35", "name": JATIM, "total": 1, "verified": 0},
    ]
    assert f["ikm_by_division"] == [
        {"code": "29", "total": 3, "verified": 2},  # I1, I2, I5
        {"code": "25", "total": 1, "verified": 1},  # I2
    ]
    assert f["ikm_by_size"] == [
        {"code": "kecil", "total": 1, "verified": 1},  # I1
        {"code": "menengah", "total": 2, "verified": 1},  # I2, I5
        {"code": "besar", "total": 0, "verified": 0},
    ]
    assert f["buyers_total"] is None
    assert f["demands_open"] == 1  # D1
    assert f["suggestions_made"] == 3  # D1's three
    assert f["suggestions_shortlisted"] == 2
    assert f["suggestions_contacted"] == 1
    assert f["meetings_held"] == 1  # M1 (M2 is in the future)
    assert f["mou_signed"] == 2  # A, C
    assert f["mou_active"] == 1  # A
    assert f["mou_ikm"] == 2  # I1, I2
    assert f["market_access_per_year"] == 1_500 * JT  # A only; B2's 2.350 jt absent
    assert f["market_access_by_buyer"] == [
        {"id": p.b1.pk, "name": "PT Pembeli Satu", "mou": 1, "ikm": 2, "amount": 1_500 * JT}
    ]
    assert f["market_access_by_province"] == [
        {"code": "32", "name": JABAR, "ikm": 2, "amount": 1_500 * JT}
    ]
    assert f["market_access_by_event"] == [
        {"id": p.e1.pk, "name": "Link & Match Uji Satu", "mou": 1, "amount": 1_500 * JT}
    ]
    assert f["po_count"] == 3  # PO1, PO2, PO4
    assert f["po_value"] == 700 * JT
    assert f["po_value_in_force"] == 300 * JT  # PO1 + PO2
    assert f["realisation_pct"] == 20.0  # 300 / 1.500
    # The akad financed against B1's MoUs: K1 (A), K3 (A), K5 (C).
    assert f["akad_pipeline_count"] == 1  # K3
    assert f["akad_pipeline_amount"] == 400 * JT
    assert f["akad_signed_count"] == 2  # K1, K5
    assert f["akad_signed_amount"] == 900 * JT
    assert f["akad_disbursed_count"] == 2
    assert f["akad_disbursed_amount"] == 800 * JT
    assert f["akad_by_lender"] == [
        akad_row(p.l1.pk, "Bank Satu", signed=(1, 600 * JT), disbursed=(1, 500 * JT)),
        akad_row(
            p.l2.pk,
            "PT Multi Dua",
            pipeline=(1, 400 * JT),
            signed=(1, 300 * JT),
            disbursed=(1, 300 * JT),
        ),
    ]
    assert f["akad_by_scheme"] == [
        akad_row(
            p.kmk.pk,
            "Kredit Modal Kerja (KMK)",
            pipeline=(1, 400 * JT),
            signed=(2, 900 * JT),
            disbursed=(2, 800 * JT),
        )
    ]
    assert f["akad_by_province"] == [
        akad_row(
            "32", JABAR, pipeline=(1, 400 * JT), signed=(1, 600 * JT), disbursed=(1, 500 * JT)
        ),  # K3 (I2), K1 (I1)
        akad_row("35", JATIM, signed=(1, 300 * JT), disbursed=(1, 300 * JT)),  # K5 (I5)
    ]
    # In force: A's I1 (K1 signed) and I2 (no signed akad).
    assert f["closed_loop_ikm"] == 1
    assert f["mou_without_credit_ikm"] == 1
    assert f["tkdn_known"] == 2
    assert f["tkdn_average"] == 37.5  # (45 + 30) / 2
    assert f["tkdn_40_plus"] == 1
    assert f["funnel"] == funnel(None, 3, 1, 2, 1)  # suggested I1, I2, I3; met I1
    months = month_range("2024-01", 18)  # C, signed Jan 2024
    assert f["monthly"] == trend(
        months,
        {
            "2024-01": {"mou_signed": 1, "market_access": 800 * JT},
            "2024-02": {
                "akad_signed_count": 1,
                "akad_signed_amount": 300 * JT,
                "akad_disbursed_amount": 300 * JT,
            },
            "2024-06": {"po_value": 400 * JT},
            "2025-01": {"ikm_registered": 1},  # I1
            "2025-02": {"ikm_registered": 1},  # I2
            "2025-03": {"mou_signed": 1, "market_access": 1_500 * JT},  # A
            "2025-04": {
                "ikm_registered": 1,  # I5
                "akad_signed_count": 1,
                "akad_signed_amount": 600 * JT,
                "akad_disbursed_amount": 300 * JT,
                "po_value": 200 * JT,
            },
            "2025-05": {"akad_disbursed_amount": 200 * JT, "po_value": 100 * JT},
        },
    )


def test_lender_slice(program):
    p = program
    f = compute(Scope.for_organisation(p.l1_org), now=NOW)

    assert set(f) == KEYS
    assert f["scope"] == "lender"
    # Borrowers of L1: I1 (K1, K6), I4 (K2).
    assert f["ikm_total"] == 2
    assert f["ikm_verified"] == 2
    assert f["ikm_by_province"] == [
        {"code": "32", "name": JABAR, "total": 1, "verified": 1},
        {"code": "35", "name": JATIM, "total": 1, "verified": 1},
    ]
    assert f["ikm_by_division"] == [{"code": "29", "total": 2, "verified": 2}]
    assert f["ikm_by_size"] == [
        {"code": "kecil", "total": 1, "verified": 1},
        {"code": "menengah", "total": 0, "verified": 0},
        {"code": "besar", "total": 1, "verified": 1},
    ]
    # Needs, suggestions and meetings are not a lender's.
    for key in (
        "buyers_total",
        "demands_open",
        "suggestions_made",
        "suggestions_shortlisted",
        "suggestions_contacted",
        "meetings_held",
    ):
        assert f[key] is None, key
    # The MoUs behind L1's akad: A (K1), B (K2); financed participants A-I1, B-I4.
    assert f["mou_signed"] == 2
    assert f["mou_active"] == 2
    assert f["mou_ikm"] == 2
    assert f["market_access_per_year"] == 3 * M  # 1,0 M + 2,0 M (not A-I2, B-I3)
    assert f["market_access_by_buyer"] == [
        {"id": p.b2.pk, "name": "PT Pembeli Dua", "mou": 1, "ikm": 1, "amount": 2 * M},
        {"id": p.b1.pk, "name": "PT Pembeli Satu", "mou": 1, "ikm": 1, "amount": 1 * M},
    ]
    assert f["market_access_by_province"] == [
        {"code": "35", "name": JATIM, "ikm": 1, "amount": 2 * M},
        {"code": "32", "name": JABAR, "ikm": 1, "amount": 1 * M},
    ]
    assert f["market_access_by_event"] == [
        {"id": None, "name": None, "mou": 1, "amount": 2 * M},
        {"id": p.e1.pk, "name": "Link & Match Uji Satu", "mou": 1, "amount": 1 * M},
    ]
    assert f["po_count"] == 3  # PO1, PO2 (A-I1), PO3 (B-I4)
    assert f["po_value"] == 800 * JT
    assert f["po_value_in_force"] == 800 * JT
    assert f["realisation_pct"] == 26.7  # 800 / 3.000 = 26,67 %
    assert f["akad_pipeline_count"] == 0
    assert f["akad_pipeline_amount"] == 0
    assert f["akad_signed_count"] == 2  # K1, K2 (K6 rejected)
    assert f["akad_signed_amount"] == 1_600 * JT
    assert f["akad_disbursed_count"] == 1  # K1
    assert f["akad_disbursed_amount"] == 500 * JT
    assert f["akad_by_lender"] == [
        akad_row(p.l1.pk, "Bank Satu", signed=(2, 1_600 * JT), disbursed=(1, 500 * JT))
    ]
    assert f["akad_by_scheme"] == [
        akad_row(p.ki.pk, "Kredit Investasi (KI)", signed=(1, 1 * M)),
        akad_row(
            p.kmk.pk, "Kredit Modal Kerja (KMK)", signed=(1, 600 * JT), disbursed=(1, 500 * JT)
        ),
    ]
    assert f["akad_by_province"] == [
        akad_row("35", JATIM, signed=(1, 1 * M)),
        akad_row("32", JABAR, signed=(1, 600 * JT), disbursed=(1, 500 * JT)),
    ]
    assert f["closed_loop_ikm"] == 2  # I1, I4
    assert f["mou_without_credit_ikm"] == 0
    assert f["tkdn_known"] == 2
    assert f["tkdn_average"] == 52.5  # (45 + 60) / 2
    assert f["tkdn_40_plus"] == 2
    assert f["funnel"] == funnel(None, None, None, 2, 2)
    # From A's signing (Mar 2025) to June 2025: 4 months, so the minimum of 12.
    months = month_range("2024-07", 12)
    assert f["monthly"] == trend(
        months,
        {
            "2025-01": {"ikm_registered": 1},  # I1
            "2025-03": {"ikm_registered": 1, "mou_signed": 1, "market_access": 1 * M},  # I4; A
            "2025-04": {
                "mou_signed": 1,  # B
                "market_access": 2 * M,  # B-I4
                "akad_signed_count": 2,
                "akad_signed_amount": 1_600 * JT,
                "akad_disbursed_amount": 300 * JT,
                "po_value": 200 * JT,
            },
            "2025-05": {"akad_disbursed_amount": 200 * JT, "po_value": 600 * JT},
        },
    )


# --- the filters ---------------------------------------------------------------------------


def headline(f: dict) -> dict:
    keys = (
        "ikm_total",
        "ikm_verified",
        "buyers_total",
        "demands_open",
        "suggestions_made",
        "suggestions_shortlisted",
        "suggestions_contacted",
        "meetings_held",
        "mou_signed",
        "mou_active",
        "mou_ikm",
        "market_access_per_year",
        "po_count",
        "po_value",
        "po_value_in_force",
        "realisation_pct",
        "akad_pipeline_count",
        "akad_pipeline_amount",
        "akad_signed_count",
        "akad_signed_amount",
        "akad_disbursed_count",
        "akad_disbursed_amount",
        "closed_loop_ikm",
        "mou_without_credit_ikm",
        "tkdn_known",
        "tkdn_average",
        "tkdn_40_plus",
        "funnel",
    )
    return {key: f[key] for key in keys}


def test_province_filter(program):
    f = compute(Scope(filters=Filters(province="32")), now=NOW)
    assert f["filters"] == NO_FILTERS | {"province": "32"}
    assert headline(f) == {
        "ikm_total": 2,  # I1, I2
        "ikm_verified": 2,
        "buyers_total": 1,  # B1 (its profile's province)
        "demands_open": 1,  # D1 (preferred province 32)
        "suggestions_made": 3,  # D1-I1, D1-I2, D2-I1
        "suggestions_shortlisted": 2,  # D1-I1, D1-I2
        "suggestions_contacted": 1,
        "meetings_held": 1,  # M1 (I1); M2 (I2) is in the future
        "mou_signed": 1,  # A (D, with I1, is a draft)
        "mou_active": 1,
        "mou_ikm": 2,
        "market_access_per_year": 1_500 * JT,  # A-I1 + A-I2
        "po_count": 2,  # PO1, PO2
        "po_value": 300 * JT,
        "po_value_in_force": 300 * JT,
        "realisation_pct": 20.0,
        "akad_pipeline_count": 1,  # K3 (I2)
        "akad_pipeline_amount": 400 * JT,
        "akad_signed_count": 1,  # K1 (I1)
        "akad_signed_amount": 600 * JT,
        "akad_disbursed_count": 1,
        "akad_disbursed_amount": 500 * JT,
        "closed_loop_ikm": 1,  # I1
        "mou_without_credit_ikm": 1,  # I2
        "tkdn_known": 2,
        "tkdn_average": 37.5,
        "tkdn_40_plus": 1,
        "funnel": funnel(2, 2, 1, 2, 1),  # suggested I1, I2
    }
    assert f["market_access_by_buyer"] == [
        {"id": program.b1.pk, "name": "PT Pembeli Satu", "mou": 1, "ikm": 2, "amount": 1_500 * JT}
    ]
    assert [row["code"] for row in f["ikm_by_province"]] == ["32"]


def test_sector_filter(program):
    f = compute(Scope(filters=Filters(sector="25")), now=NOW)
    assert headline(f) == {
        "ikm_total": 2,  # I2 (25920), I3 (25910); I8 inactive
        "ikm_verified": 1,  # I2
        "buyers_total": None,  # buyers have no sector
        "demands_open": None,  # nor needs
        "suggestions_made": 2,  # D1-I2 contacted, D1-I3
        "suggestions_shortlisted": 1,
        "suggestions_contacted": 1,
        "meetings_held": 0,  # M2 (I2) future, M3 (I3) cancelled
        "mou_signed": 2,  # A (I2), B (I3)
        "mou_active": 2,
        "mou_ikm": 2,
        "market_access_per_year": 850 * JT,  # A-I2 500 + B-I3 350
        "po_count": 0,  # the orders are I1's, I4's and I5's
        "po_value": 0,
        "po_value_in_force": 0,
        "realisation_pct": 0.0,
        "akad_pipeline_count": 2,  # K3 (I2), K4 (I3)
        "akad_pipeline_amount": 650 * JT,
        "akad_signed_count": 0,
        "akad_signed_amount": 0,
        "akad_disbursed_count": 0,
        "akad_disbursed_amount": 0,
        "closed_loop_ikm": 0,
        "mou_without_credit_ikm": 2,
        "tkdn_known": 1,  # I2
        "tkdn_average": 30.0,
        "tkdn_40_plus": 0,
        "funnel": funnel(2, 2, 0, 2, 0),
    }
    # The sector's IKM are counted in each of their divisions (I2 is in 29 too).
    assert f["ikm_by_division"] == [
        {"code": "25", "total": 2, "verified": 1},
        {"code": "29", "total": 1, "verified": 1},
    ]


def test_event_filter(program):
    p = program
    f = compute(Scope(filters=Filters(event=p.e1.pk)), now=NOW)
    assert f["filters"]["event"] == p.e1.pk
    assert headline(f) == {
        "ikm_total": 2,  # approved at E1: I1, I3 (I2 only requested)
        "ikm_verified": 1,
        "buyers_total": 1,  # B1 approved (B2 rejected)
        "demands_open": None,
        "suggestions_made": None,
        "suggestions_shortlisted": None,
        "suggestions_contacted": None,
        "meetings_held": 1,  # M1 (M4 is at E2)
        "mou_signed": 1,  # A, signed at E1
        "mou_active": 1,
        "mou_ikm": 2,  # I1, I2
        "market_access_per_year": 1_500 * JT,
        "po_count": 2,  # PO1, PO2
        "po_value": 300 * JT,
        "po_value_in_force": 300 * JT,
        "realisation_pct": 20.0,
        "akad_pipeline_count": 1,  # K3 (MoU A)
        "akad_pipeline_amount": 400 * JT,
        "akad_signed_count": 1,  # K1 (MoU A)
        "akad_signed_amount": 600 * JT,
        "akad_disbursed_count": 1,
        "akad_disbursed_amount": 500 * JT,
        "closed_loop_ikm": 1,
        "mou_without_credit_ikm": 1,
        "tkdn_known": 2,
        "tkdn_average": 37.5,
        "tkdn_40_plus": 1,
        "funnel": funnel(2, None, 1, 2, 1),
    }
    assert f["market_access_by_event"] == [
        {"id": p.e1.pk, "name": "Link & Match Uji Satu", "mou": 1, "amount": 1_500 * JT}
    ]


def test_period_filter(program):
    april = Filters(date_from=datetime.date(2025, 4, 1), date_to=datetime.date(2025, 4, 30))
    f = compute(Scope(filters=april), now=NOW)
    assert f["filters"] == NO_FILTERS | {"date_from": "2025-04-01", "date_to": "2025-04-30"}
    assert headline(f) == {
        "ikm_total": 1,  # I5, registered 2 April
        "ikm_verified": 0,
        "buyers_total": 1,  # B2's organisation, created 3 April
        "demands_open": 0,  # D2 (posted 1 April) is closed
        "suggestions_made": 2,  # D2's: I4 dismissed, I1 suggested
        "suggestions_shortlisted": 0,
        "suggestions_contacted": 0,
        "meetings_held": 0,  # none in April
        "mou_signed": 1,  # B, signed 5 April
        "mou_active": 1,
        "mou_ikm": 2,  # I4, I3
        "market_access_per_year": 2_350 * JT,
        "po_count": 1,  # PO1, 10 April
        "po_value": 200 * JT,
        "po_value_in_force": 200 * JT,
        "realisation_pct": 8.5,  # 200 / 2.350 = 8,51 %
        "akad_pipeline_count": 1,  # K3 applied 25 April (K4 in May)
        "akad_pipeline_amount": 400 * JT,
        "akad_signed_count": 2,  # K1 (1 April), K2 (20 April)
        "akad_signed_amount": 1_600 * JT,
        "akad_disbursed_count": 1,  # K1's tranche of 5 April
        "akad_disbursed_amount": 300 * JT,
        "closed_loop_ikm": 1,  # of B's I4, I3: I4 holds K2
        "mou_without_credit_ikm": 1,  # I3
        "tkdn_known": 1,  # I4
        "tkdn_average": 60.0,
        "tkdn_40_plus": 1,
        "funnel": funnel(1, 2, 0, 2, 1),  # suggested I4, I1
    }
    # The period's trend: 12 months up to April 2025, only April filled.
    assert f["monthly"] == trend(
        month_range("2024-05", 12),
        {
            "2025-04": {
                "ikm_registered": 1,
                "mou_signed": 1,
                "market_access": 2_350 * JT,
                "akad_signed_count": 2,
                "akad_signed_amount": 1_600 * JT,
                "akad_disbursed_amount": 300 * JT,
                "po_value": 200 * JT,
            }
        },
    )


def test_meetings_held_follow_now(program):
    """A confirmed meeting counts as held once it has started: M2 (1 July) after that date."""
    later = NOW.replace(month=7, day=2)
    assert compute(Scope(), now=later)["meetings_held"] == 3  # M1, M2, M4
    assert compute(Scope(), now=NOW)["meetings_held"] == 2


def test_a_slice_reads_its_profile_once_and_no_names(program):
    """The names come in ``reference``; the lender's profile id is read once per scope."""
    reference = reference_names()
    with CaptureQueriesContext(connection) as queries:
        compute(Scope.for_organisation(program.l1_org), now=NOW, reference=reference)
    sql = [query["sql"] for query in queries]
    assert sum(f'FROM "{LenderProfile._meta.db_table}"' in s for s in sql) == 1
    assert not any(f'FROM "{Province._meta.db_table}"' in s for s in sql)
