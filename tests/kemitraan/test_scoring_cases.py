"""Hand-made cases of the matching score, each worked out by hand from the definition in
:mod:`kemitraan.matching.scoring` (the table in its docstring).

Every case is scored twice, by the reference (:func:`score_pair`) and by the engine
(:class:`Matcher`): :func:`score_all` checks that the two agree (score, filtered pairs and
points per component) before a test checks the expected number.
"""

import datetime
import math
import time
from dataclasses import replace

import pytest
from django.utils import translation

from kemitraan.matching import explain
from kemitraan.matching.engine import Matcher
from kemitraan.matching.explain import filter_message, reasons_for, render_reasons
from kemitraan.matching.records import Certificate, IkmRecord, NeedRecord
from kemitraan.matching.reference import PairResult, check_filters, rank, score_pair
from kemitraan.matching.scoring import FILTERS, Weights, haversine_km

TODAY = datetime.date(2026, 11, 29)
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)
TOLERANCE = 1e-9
DEFAULT = Weights()  # process 25, text 25, kbli 10, capacity 10, location 10, cert 10, quality 10

# Regions: (regency, province, island group); points (latitude, longitude).
KARAWANG = {"regency": "32.15", "province": "32", "island_group": "jawa"}
BEKASI = {"regency": "32.16", "province": "32", "island_group": "jawa"}
JAKARTA_UTARA = {"regency": "31.72", "province": "31", "island_group": "jawa"}
SIDOARJO = {"regency": "35.15", "province": "35", "island_group": "jawa"}
MEDAN = {"regency": "12.71", "province": "12", "island_group": "sumatera"}
MAKASSAR = {"regency": "73.71", "province": "73", "island_group": "sulawesi"}
KARAWANG_POINT = {"latitude": -6.30, "longitude": 107.30}  # the buyer's plant
JAKARTA_UTARA_POINT = {"latitude": -6.13, "longitude": 106.88}  # about 50 km away
MAKASSAR_POINT = {"latitude": -5.14, "longitude": 119.42}


def score_all(need, ikms, weights=DEFAULT, *, breakdowns=True) -> dict[int, PairResult]:
    """The reference result of every IKM for the need, by IKM id, after checking that the
    engine agrees: the same score (-inf where a filter fails) and, in its top list, the
    same points per component, which add up to the score."""
    matcher = Matcher(ikms, weights, today=TODAY)
    engine = matcher.scores(need)
    top = {item.ikm_id: item for item in matcher.top([need], limit=len(ikms))[need.id]}
    results = {}
    for position, ikm in enumerate(matcher.ikms):
        result = score_pair(need, ikm, matcher.index, weights, TODAY)
        results[ikm.id] = result
        if not result.passed:
            assert engine[position] == -math.inf, (ikm.id, result.failed_filter)
            assert ikm.id not in top
            continue
        assert engine[position] == pytest.approx(result.score, abs=TOLERANCE), ikm.id
        assert top[ikm.id].score == pytest.approx(result.score, abs=TOLERANCE)
        assert sum(result.breakdown.values()) == pytest.approx(result.score, abs=TOLERANCE)
        if breakdowns:
            assert top[ikm.id].breakdown == pytest.approx(result.breakdown, abs=TOLERANCE)
    return results


def score_one(need, ikm, weights=DEFAULT) -> PairResult:
    return score_all(need, [ikm], weights)[ikm.id]


def idf(n_ikms: int, document_frequency: int) -> float:
    """The inverse document frequency of text.py: ln((1 + N) / (1 + df)) + 1."""
    return math.log((1 + n_ikms) / (1 + document_frequency)) + 1


# -- hard filters ----------------------------------------------------------------------

DRUM_SUPPLIER = IkmRecord(
    id=11,
    text="Tromol rem aluminium, pengecoran",
    processes=frozenset({"pengecoran", "pemesinan"}),
    status="verified",
    tkdn=40.0,
    **KARAWANG,
)
DRUM_NEED = NeedRecord(id=1, text="Tromol rem aluminium untuk sepeda motor")


def test_inactive_ikm_is_filtered():
    result = score_one(DRUM_NEED, replace(DRUM_SUPPLIER, is_active=False))
    assert result.failed_filter == "inactive"


@pytest.mark.parametrize(
    "status, failed",
    [("draft", "status"), ("rejected", "status"), ("submitted", None), ("verified", None)],
)
def test_only_submitted_and_verified_ikms_pass(status, failed):
    result = score_one(DRUM_NEED, replace(DRUM_SUPPLIER, status=status))
    assert result.failed_filter == failed


def test_inactive_is_reported_before_status():
    result = score_one(DRUM_NEED, replace(DRUM_SUPPLIER, is_active=False, status="draft"))
    assert result.failed_filter == "inactive"


def test_dismissed_ikm_is_filtered_for_that_need_only():
    other = replace(DRUM_SUPPLIER, id=12)
    need = replace(DRUM_NEED, excluded=frozenset({11}))
    results = score_all(need, [DRUM_SUPPLIER, other])
    assert results[11].failed_filter == "dismissed"
    assert results[12].passed


def test_missing_required_certificate_is_filtered():
    iso = replace(DRUM_SUPPLIER, id=11, certificates=(Certificate("ISO9001"),))
    iatf = replace(DRUM_SUPPLIER, id=12, certificates=(Certificate("IATF16949"),))
    need = replace(DRUM_NEED, required_certifications=frozenset({"IATF16949"}))
    results = score_all(need, [iso, iatf])
    assert results[11].failed_filter == "certificate"
    assert results[11].details["filter"] == {"missing": ["IATF16949"]}
    assert results[12].passed


@pytest.mark.parametrize(
    "certificate, passes",
    [
        (Certificate("IATF16949", valid_until=YESTERDAY), False),  # expired yesterday
        (Certificate("IATF16949", valid_until=TODAY), True),  # last valid day
        (Certificate("IATF16949"), True),  # no dates: counts as held
        (Certificate("IATF16949", valid_from=TOMORROW), False),  # not yet valid
        (Certificate("IATF16949", valid_from=TODAY, valid_until=TODAY), True),
    ],
    ids=["expired-yesterday", "valid-until-today", "no-dates", "from-tomorrow", "today-only"],
)
def test_required_certificate_must_be_valid_today(certificate, passes):
    need = replace(DRUM_NEED, required_certifications=frozenset({"IATF16949"}))
    result = score_one(need, replace(DRUM_SUPPLIER, certificates=(certificate,)))
    assert result.failed_filter == (None if passes else "certificate")


def test_required_certificate_nobody_holds_filters_everyone():
    ikms = [
        replace(DRUM_SUPPLIER, id=11, certificates=(Certificate("ISO9001"),)),
        replace(DRUM_SUPPLIER, id=12, certificates=()),
    ]
    need = replace(DRUM_NEED, required_certifications=frozenset({"SNI"}))
    results = score_all(need, ikms)
    assert [r.failed_filter for r in results.values()] == ["certificate", "certificate"]


def test_verified_only_filters_submitted_ikm():
    submitted = replace(DRUM_SUPPLIER, id=11, status="submitted")
    verified = replace(DRUM_SUPPLIER, id=12, status="verified")
    results = score_all(replace(DRUM_NEED, verified_only=True), [submitted, verified])
    assert results[11].failed_filter == "verified_only"
    assert results[12].passed


@pytest.mark.parametrize(
    "tkdn, failed", [(39.99, "tkdn"), (40.0, None), (75.5, None), (None, "tkdn")]
)
def test_min_tkdn(tkdn, failed):
    result = score_one(replace(DRUM_NEED, min_tkdn=40.0), replace(DRUM_SUPPLIER, tkdn=tkdn))
    assert result.failed_filter == failed


# -- components --------------------------------------------------------------------------


def test_process_share():
    need = NeedRecord(id=1, text="", processes=frozenset({"pengecoran", "pemesinan", "tempa"}))
    result = score_one(need, DRUM_SUPPLIER)  # has pengecoran and pemesinan, not tempa
    assert result.components["process"] == pytest.approx(2 / 3)
    assert result.details["process"] == {
        "matched": ["pemesinan", "pengecoran"],
        "missing": ["tempa"],
    }


def test_no_process_asked_does_not_apply_and_weights_renormalise():
    twin = replace(DRUM_SUPPLIER, id=12)  # two identical documents: every term has df = N
    result = score_all(DRUM_NEED, [DRUM_SUPPLIER, twin])[11]
    assert result.components["process"] is None
    assert set(result.breakdown) == {"text", "quality"}  # nothing else asked
    quality = 0.5 + 0.25 * 40 / 100 + 0.25 * 0
    # text: the IKM has tromol, aluminium, cor (all idf(2, 2) = 1), the need tromol,
    # aluminium (1) and motor (no IKM has it: idf b); two terms shared
    b = idf(2, 0)
    text = min(1, 2 / (math.sqrt(3) * math.sqrt(2 + b**2)) / 0.5)
    assert result.components["text"] == pytest.approx(text)
    assert result.score == pytest.approx(100 * (25 * text + 10 * quality) / (25 + 10))
    assert result.breakdown["quality"] == pytest.approx(100 * 10 * quality / 35)


def test_text_same_words_is_cosine_one():
    ikms = [
        IkmRecord(id=11, text="Tromol rem aluminium"),
        IkmRecord(id=12, text="Knalpot stainless steel"),
    ]
    result = score_all(NeedRecord(id=1, text="Aluminium tromol rem"), ikms)[11]
    assert result.details["text"]["cosine"] == pytest.approx(1.0)
    assert result.components["text"] == pytest.approx(1.0)


def test_text_synonym_brake_drum_meets_tromol():
    ikms = [
        IkmRecord(id=11, text="Brake drum aluminium"),
        IkmRecord(id=12, text="Knalpot stainless steel"),
    ]
    results = score_all(NeedRecord(id=1, text="Tromol aluminium"), ikms)
    assert results[11].details["text"]["cosine"] == pytest.approx(1.0)  # same tokens
    assert results[11].components["text"] == pytest.approx(1.0)
    assert "tromol" in results[11].details["text"]["terms"]
    assert results[12].components["text"] == 0.0


def test_text_word_only_in_the_need_counts_in_its_length():
    ikms = [IkmRecord(id=11, text="Tromol rem"), IkmRecord(id=12, text="Knalpot stainless")]
    # need tokens: tromol (1 of 2 IKMs), mobil and listrik (no IKM): they only lengthen it
    result = score_all(NeedRecord(id=1, text="Tromol rem untuk mobil listrik"), ikms)[11]
    a, b = idf(2, 1), idf(2, 0)
    cosine = a / math.sqrt(a**2 + 2 * b**2)  # the IKM's vector is tromol alone
    assert result.details["text"]["cosine"] == pytest.approx(cosine)
    assert result.components["text"] == pytest.approx(cosine / 0.5)
    assert result.details["text"]["terms"] == ["tromol"]


def test_text_non_automotive_decoy_scores_lower():
    ikms = [
        IkmRecord(id=11, text="Tromol rem aluminium"),
        IkmRecord(id=12, text="Kursi plastik dan meja aluminium untuk rumah tangga"),
    ]
    results = score_all(NeedRecord(id=1, text="Tromol aluminium untuk sepeda motor"), ikms)
    a, b = idf(2, 1), idf(2, 0)  # aluminium: idf(2, 2) = 1
    need_norm = math.sqrt(a**2 + 1 + b**2)  # tromol, aluminium, motor
    real = math.sqrt(a**2 + 1) / need_norm
    decoy = 1 / (need_norm * math.sqrt(5 * a**2 + 1))  # kursi plastik meja rumah tangga
    assert results[11].details["text"]["cosine"] == pytest.approx(real)
    assert results[11].components["text"] == pytest.approx(min(1, real / 0.5))
    assert results[12].details["text"]["cosine"] == pytest.approx(decoy)
    assert results[12].components["text"] == pytest.approx(decoy / 0.5)
    assert results[12].details["text"]["terms"] == ["aluminium"]
    assert results[12].score < results[11].score


def test_kbli_exact_group_division_none():
    ikms = [
        IkmRecord(id=11, text="Tromol rem", kbli=frozenset({"29300"})),  # same code
        IkmRecord(id=12, text="Tromol rem", kbli=frozenset({"29390"})),  # group 293
        IkmRecord(id=13, text="Tromol rem", kbli=frozenset({"29100"})),  # division 29
        IkmRecord(id=14, text="Tromol rem", kbli=frozenset({"25920"})),  # nothing shared
        IkmRecord(id=15, text="Tromol rem", kbli=frozenset({"25920", "29390"})),  # best pair
        IkmRecord(id=16, text="Tromol rem"),  # no KBLI at all
    ]
    need = NeedRecord(id=1, text="Tromol", kbli=frozenset({"29300"}))
    results = score_all(need, ikms)
    got = {pk: r.components["kbli"] for pk, r in results.items()}
    assert got == {11: 1.0, 12: 0.6, 13: 0.3, 14: 0.0, 15: 0.6, 16: 0.0}


def test_capacity():
    ikms = [
        IkmRecord(id=11, text="Tromol", monthly_capacity=500, capacity_unit="pcs"),
        IkmRecord(id=12, text="Tromol", monthly_capacity=5000, capacity_unit="pcs/bln"),
        IkmRecord(id=13, text="Tromol", capacity_unit="pcs"),  # capacity unknown
        IkmRecord(id=14, text="Tromol", monthly_capacity=800, capacity_unit="kg"),
    ]
    need = NeedRecord(id=1, text="Tromol", quantity_per_month=1000, unit="pcs")
    results = score_all(need, ikms)
    assert results[11].components["capacity"] == pytest.approx(math.sqrt(500 / 1000))
    assert results[12].components["capacity"] == 1.0  # sqrt(5) capped at 1
    assert results[13].components["capacity"] == 0.3
    assert results[14].components["capacity"] == 0.3  # kg against pcs: another unit


def test_capacity_converts_ton_to_kg():
    ikms = [
        IkmRecord(id=11, text="Gasket karet", monthly_capacity=1, capacity_unit="ton"),
        IkmRecord(id=12, text="Gasket karet", monthly_capacity=0.25, capacity_unit="ton"),
    ]
    need = NeedRecord(id=1, text="Gasket karet", quantity_per_month=500, unit="kg")
    results = score_all(need, ikms)
    assert results[11].components["capacity"] == 1.0  # sqrt(1000 / 500) capped
    assert results[12].components["capacity"] == pytest.approx(math.sqrt(250 / 500))


def test_location_by_preferred_regency():
    ikms = [
        IkmRecord(id=11, text="Tromol", **KARAWANG),
        IkmRecord(id=12, text="Tromol", **BEKASI),
        IkmRecord(id=13, text="Tromol", **JAKARTA_UTARA),
        IkmRecord(id=14, text="Tromol", **MAKASSAR),
    ]
    results = score_all(NeedRecord(id=1, text="Tromol", **KARAWANG), ikms)
    got = {pk: r.components["location"] for pk, r in results.items()}
    assert got == {11: 1.0, 12: 0.7, 13: 0.4, 14: 0.1}


def test_location_by_preferred_province_only():
    ikms = [
        IkmRecord(id=11, text="Tromol", **BEKASI),
        IkmRecord(id=12, text="Tromol", **SIDOARJO),
        IkmRecord(id=13, text="Tromol", **MEDAN),
    ]
    need = NeedRecord(id=1, text="Tromol", province="32", island_group="jawa")
    results = score_all(need, ikms)
    got = {pk: r.components["location"] for pk, r in results.items()}
    assert got == {11: 1.0, 12: 0.5, 13: 0.1}


def test_location_with_a_delivery_point():
    ikms = [
        IkmRecord(id=11, text="Tromol", **KARAWANG, latitude=-6.32, longitude=107.31),
        IkmRecord(id=12, text="Tromol", **JAKARTA_UTARA, **JAKARTA_UTARA_POINT),
        IkmRecord(id=13, text="Tromol", **MAKASSAR, **MAKASSAR_POINT),
        IkmRecord(id=14, text="Tromol", **BEKASI),  # no coordinates: the tier alone
    ]
    need = NeedRecord(id=1, text="Tromol", **KARAWANG, **KARAWANG_POINT)
    results = score_all(need, ikms)
    km = haversine_km(-6.30, 107.30, -6.13, 106.88)
    assert 45 < km < 55
    assert results[11].components["location"] == 1.0  # same regency beats any distance
    assert results[12].components["location"] == pytest.approx(max(0.4, math.exp(-km / 200)))
    assert results[12].details["location"]["km"] == pytest.approx(km)
    far = haversine_km(-6.30, 107.30, -5.14, 119.42)
    assert results[13].components["location"] == pytest.approx(max(0.1, math.exp(-far / 200)))
    assert results[13].components["location"] == 0.1
    assert results[14].components["location"] == 0.7


def test_location_point_only():
    ikms = [
        IkmRecord(id=11, text="Tromol", **JAKARTA_UTARA, **JAKARTA_UTARA_POINT),
        IkmRecord(id=12, text="Tromol", **BEKASI),  # no coordinates, no region asked
    ]
    results = score_all(NeedRecord(id=1, text="Tromol", **KARAWANG_POINT), ikms)
    km = haversine_km(-6.30, 107.30, -6.13, 106.88)
    assert results[11].components["location"] == pytest.approx(math.exp(-km / 200))
    assert results[12].components["location"] == 0.3


def test_no_location_asked_does_not_apply():
    result = score_one(NeedRecord(id=1, text="Tromol"), IkmRecord(id=11, text="Tromol"))
    assert result.components["location"] is None
    assert "location" not in result.breakdown


def test_preferred_certifications_share_held_valid_today():
    ikms = [
        IkmRecord(
            id=11,
            text="Tromol",
            certificates=(
                Certificate("ISO9001", valid_until=TODAY),
                Certificate("IATF16949", valid_until=YESTERDAY),  # expired: not held
            ),
        ),
        IkmRecord(
            id=12,
            text="Tromol",
            certificates=(Certificate("ISO9001"), Certificate("IATF16949")),
        ),
        IkmRecord(id=13, text="Tromol", certificates=(Certificate("SNI"),)),
    ]
    need = NeedRecord(
        id=1, text="Tromol", preferred_certifications=frozenset({"ISO9001", "IATF16949"})
    )
    results = score_all(need, ikms)
    assert results[11].components["certification"] == 1 / 2
    assert results[11].details["certification"] == {"held": ["ISO9001"]}
    assert results[12].components["certification"] == 2 / 2
    assert results[13].components["certification"] == 0 / 2


def test_quality():
    ikms = [
        IkmRecord(id=11, text="Tromol", status="verified", tkdn=40.0, mou_count=3),
        IkmRecord(id=12, text="Tromol", status="submitted", tkdn=None, mou_count=1),
        IkmRecord(id=13, text="Tromol", status="verified", tkdn=100.0, mou_count=7),
    ]
    results = score_all(NeedRecord(id=1, text="Tromol"), ikms)
    assert results[11].components["quality"] == pytest.approx(0.5 + 0.25 * 0.40 + 0.25 * 1)
    assert results[12].components["quality"] == pytest.approx(0 + 0.25 * 0 + 0.25 * 1 / 3)
    assert results[13].components["quality"] == pytest.approx(0.5 + 0.25 * 1.0 + 0.25 * 1)


# -- the score -----------------------------------------------------------------------------

FULL_SUPPLIER = IkmRecord(
    id=11,
    text="Brake drum aluminium",
    processes=frozenset({"pengecoran", "pemesinan"}),
    kbli=frozenset({"29300"}),
    certificates=(Certificate("ISO9001"),),
    monthly_capacity=500,
    capacity_unit="pcs",
    **BEKASI,
    status="verified",
    tkdn=40.0,
    mou_count=3,
)
FULL_NEED = NeedRecord(
    id=1,
    text="Tromol aluminium",
    processes=frozenset({"pengecoran", "pemesinan", "perakitan"}),
    kbli=frozenset({"29390"}),
    preferred_certifications=frozenset({"ISO9001", "IATF16949"}),
    quantity_per_month=1000,
    unit="pcs",
    **KARAWANG,
)
# process 2/3, text 1, kbli 0.6 (group), capacity sqrt(0.5), location 0.7 (province),
# certification 1/2, quality 0.5 + 0.1 + 0.25
FULL_COMPONENTS = {
    "process": 2 / 3,
    "text": 1.0,
    "kbli": 0.6,
    "capacity": math.sqrt(0.5),
    "location": 0.7,
    "certification": 0.5,
    "quality": 0.85,
}


def test_score_is_the_weighted_mean_of_all_components():
    result = score_one(FULL_NEED, FULL_SUPPLIER)
    assert result.components == pytest.approx(FULL_COMPONENTS)
    points = {
        "process": 25 * 2 / 3,
        "text": 25 * 1.0,
        "kbli": 10 * 0.6,
        "capacity": 10 * math.sqrt(0.5),
        "location": 10 * 0.7,
        "certification": 10 * 0.5,
        "quality": 10 * 0.85,
    }  # the default weights add up to 100: points = weight x component
    assert result.breakdown == pytest.approx(points)
    assert result.score == pytest.approx(sum(points.values()))
    assert sum(result.breakdown.values()) == pytest.approx(result.score)


def test_score_with_a_zero_weight():
    weights = Weights(process=30, text=0, kbli=10, capacity=20, location=20, certification=10)
    result = score_one(FULL_NEED, FULL_SUPPLIER, weights)
    total = 30 + 0 + 10 + 20 + 20 + 10 + 10
    expected = (
        30 * 2 / 3 + 0 * 1.0 + 10 * 0.6 + 20 * math.sqrt(0.5) + 20 * 0.7 + 10 * 0.5 + 10 * 0.85
    )
    assert result.score == pytest.approx(100 * expected / total)
    assert result.breakdown["text"] == 0.0  # applies, weighs nothing
    assert result.breakdown["capacity"] == pytest.approx(100 * 20 * math.sqrt(0.5) / total)
    assert sum(result.breakdown.values()) == pytest.approx(result.score)


def test_score_is_zero_when_every_applicable_weight_is_zero():
    # The need asks only for text; quality always applies: both weigh 0.
    weights = Weights(text=0, quality=0)
    need = NeedRecord(id=1, text="Tromol aluminium")
    results = score_all(need, [FULL_SUPPLIER], weights, breakdowns=False)
    assert results[11].passed
    assert results[11].score == 0.0
    assert results[11].breakdown == {}


def test_breakdown_when_every_applicable_weight_is_zero_agrees():
    weights = Weights(text=0, quality=0)
    score_all(NeedRecord(id=1, text="Tromol aluminium"), [FULL_SUPPLIER], weights)


# -- ranking -------------------------------------------------------------------------------


def test_ties_are_broken_by_lower_ikm_id():
    same = {"text": "Tromol rem aluminium", **KARAWANG, "status": "verified", "tkdn": 40.0}
    ikms = [
        IkmRecord(id=7, **same),
        IkmRecord(id=3, **same),
        IkmRecord(id=5, **same),
        IkmRecord(id=9, **{**same, "mou_count": 3}),  # the only one better
        IkmRecord(id=4, **{**same, "status": "draft"}),  # filtered
    ]
    need = NeedRecord(id=1, text="Tromol aluminium", **KARAWANG)
    results = score_all(need, ikms)
    assert results[3].score == results[5].score == results[7].score < results[9].score
    matcher = Matcher(ikms, DEFAULT, today=TODAY)
    for limit, expected in [(2, [9, 3]), (3, [9, 3, 5]), (10, [9, 3, 5, 7])]:
        ranked = rank(need, matcher.ikms, matcher.index, DEFAULT, TODAY, limit)
        assert [pk for pk, _ in ranked] == expected
        top = matcher.top([need], limit)[need.id]
        assert [item.ikm_id for item in top] == expected


# -- reasons -------------------------------------------------------------------------------

REASON_CODES = {
    "filtered",
    "process",
    "process_none",
    "text",
    "kbli_exact",
    "kbli_group",
    "kbli_division",
    "kbli_none",
    "capacity_full",
    "capacity_partial",
    "capacity_unknown",
    "location_km",
    "location_regency",
    "location_province",
    "location_island",
    "location_elsewhere",
    "location_unknown",
    "certification",
    "certification_none",
    "verified",
    "tkdn",
    "mou",
}


def test_reasons_list_the_strongest_component_first():
    ikm = IkmRecord(
        id=11,
        text="Brake drum aluminium",
        processes=frozenset({"pengecoran"}),
        kbli=frozenset({"29390"}),
        status="verified",
    )
    need = NeedRecord(
        id=1, text="Tromol aluminium", processes=frozenset({"pemesinan"}), kbli=frozenset({"29300"})
    )
    result = score_one(need, ikm)
    # applies: process 25, text 25, kbli 10, quality 10 (70 in all)
    assert result.breakdown == pytest.approx(
        {
            "process": 0.0,
            "text": 100 * 25 * 1.0 / 70,
            "kbli": 100 * 10 * 0.6 / 70,
            "quality": 100 * 10 * 0.5 / 70,
        }
    )
    codes = [code for code, _ in reasons_for(result)]
    assert codes == ["text", "kbli_group", "verified", "process_none"]


def _every_reason() -> list[list]:
    """Reasons of a few pairs that together produce every reason code."""
    ikms = [
        IkmRecord(
            id=11,
            text="Tromol rem aluminium",
            processes=frozenset({"pemesinan"}),
            kbli=frozenset({"29300"}),
            certificates=(Certificate("ISO9001"),),
            monthly_capacity=2000,
            capacity_unit="pcs",
            **KARAWANG,
            latitude=-6.32,
            longitude=107.31,
            status="verified",
            tkdn=40.0,
            mou_count=2,
        ),
        IkmRecord(
            id=12,
            text="Bracket knalpot stainless",
            processes=frozenset({"stamping"}),
            kbli=frozenset({"29390"}),
            **BEKASI,
            status="submitted",
        ),
        IkmRecord(
            id=13,
            text="Tromol",
            kbli=frozenset({"29100"}),
            monthly_capacity=500,
            capacity_unit="pcs",
            **JAKARTA_UTARA,
        ),
        IkmRecord(
            id=14,
            text="Gasket karet",
            kbli=frozenset({"25920"}),
            monthly_capacity=100,
            capacity_unit="kg",
            **MAKASSAR,
            tkdn=25.5,
        ),
    ]
    needs = [
        NeedRecord(
            id=1,
            text="Tromol aluminium",
            processes=frozenset({"pemesinan"}),
            kbli=frozenset({"29300"}),
            preferred_certifications=frozenset({"ISO9001"}),
            quantity_per_month=1000,
            unit="pcs",
            **KARAWANG,
        ),
        NeedRecord(id=2, text="Tromol", **KARAWANG_POINT),
        NeedRecord(id=3, text="Tromol", required_certifications=frozenset({"IATF16949"})),
    ]
    matcher = Matcher(ikms, DEFAULT, today=TODAY)
    reasons = []
    for need in needs:
        for ikm in ikms:
            result = score_pair(need, ikm, matcher.index, DEFAULT, TODAY, explain_filtered=True)
            reasons.extend(reasons_for(result))
    return reasons


@pytest.fixture
def process_names(monkeypatch):
    """Process names without the database: the cache render_reason reads them from."""
    names = {"pemesinan": "Pemesinan", "stamping": "Stamping"}
    monkeypatch.setitem(explain._process_names, "id", (time.monotonic() + 3600, names))


def test_every_reason_code_renders_in_indonesian(process_names):
    reasons = _every_reason()
    assert {code for code, _ in reasons} == REASON_CODES
    with translation.override("id"):
        sentences = render_reasons(reasons)
    assert len(sentences) == len(reasons)
    for (code, _), sentence in zip(reasons, sentences, strict=True):
        assert sentence.strip(), code
        assert sentence != code
        assert "%(" not in sentence, (code, sentence)


def _failing_pairs() -> list[tuple[str, NeedRecord, IkmRecord]]:
    ikm = replace(DRUM_SUPPLIER, certificates=(Certificate("ISO9001"),), tkdn=30.0)
    return [
        ("inactive", DRUM_NEED, replace(ikm, is_active=False)),
        ("status", DRUM_NEED, replace(ikm, status="draft")),
        ("dismissed", replace(DRUM_NEED, excluded=frozenset({ikm.id})), ikm),
        (
            "certificate",
            replace(DRUM_NEED, required_certifications=frozenset({"IATF16949", "SNI"})),
            ikm,
        ),
        ("verified_only", replace(DRUM_NEED, verified_only=True), replace(ikm, status="submitted")),
        ("tkdn", replace(DRUM_NEED, min_tkdn=40.0), ikm),
        ("tkdn", replace(DRUM_NEED, min_tkdn=40.0), replace(ikm, tkdn=None)),
    ]


@pytest.mark.parametrize("expected, need, ikm", _failing_pairs(), ids=[*FILTERS, "tkdn-unknown"])
def test_filter_message_fills_every_placeholder(expected, need, ikm):
    code, details = check_filters(need, ikm, TODAY)
    assert code == expected
    with translation.override("id"):
        message = filter_message(code, details)
    assert message.strip()
    assert "%(" not in message, message
