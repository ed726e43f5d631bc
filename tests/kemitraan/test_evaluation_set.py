"""The hand-labelled evaluation set, its metrics and the reference's score on it.

No database: the set is plain records, the metrics plain functions."""

import csv
import importlib
import math
from pathlib import Path

import pytest

from kemitraan.matching import evaluation, reference
from kemitraan.matching.evaluation_set import GRADES, IKMS, NEEDS, PROSE, TERSE, TODAY
from kemitraan.matching.synonyms import STOPWORDS, SYNONYMS
from kemitraan.matching.text import _words, tokens

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DATA = importlib.import_module("ikm.migrations.0003_load_reference_data")
REGION_DATA = importlib.import_module("ikm.migrations.0002_load_regions")

IKM_BY_ID = {ikm.id: ikm for ikm in IKMS}
NEED_BY_ID = {need.id: need for need in NEEDS}


def _regencies() -> dict[str, str]:
    with open(ROOT / "ikm" / "data" / "regions" / "regencies.csv", encoding="utf-8") as f:
        return {row["code"]: row["province_code"] for row in csv.DictReader(f)}


# --- The set's shape --------------------------------------------------------------


def test_sizes_and_kinds():
    assert len(IKMS) >= 40
    assert len(NEEDS) >= 10
    assert len(PROSE) >= 5 and len(TERSE) >= 5
    assert set(NEED_BY_ID) == PROSE | TERSE and not PROSE & TERSE
    # Prose reads like an RFQ (several sentences); shorthand is one short line.
    for need_id in PROSE:
        assert NEED_BY_ID[need_id].text.count(". ") >= 3
    for need_id in TERSE:
        assert len(NEED_BY_ID[need_id].text.split()) <= 10


def test_ids_are_unique():
    assert len(IKM_BY_ID) == len(IKMS)
    assert len(NEED_BY_ID) == len(NEEDS)


def test_grades_refer_to_existing_records():
    assert set(GRADES) == set(NEED_BY_ID)
    for need_id, grades in GRADES.items():
        assert set(grades) <= set(IKM_BY_ID), need_id
        assert set(grades.values()) <= {0, 1, 2, 3}, need_id
        assert max(grades.values()) == 3, f"need {need_id} has no supplier that fits now"


def test_codes_are_valid():
    processes = {slug for slug, _, _ in REFERENCE_DATA.PROCESSES}
    kbli = {code for code, _, _ in REFERENCE_DATA.KBLI}
    certifications = {code for code, _ in REFERENCE_DATA.CERTIFICATION_TYPES}
    regencies = _regencies()
    for ikm in IKMS:
        assert ikm.processes <= processes, ikm.id
        assert ikm.kbli <= kbli, ikm.id
        assert {c.code for c in ikm.certificates} <= certifications, ikm.id
        assert regencies[ikm.regency] == ikm.province, ikm.id
        assert ikm.island_group == REGION_DATA.island_group(ikm.province), ikm.id
        assert ikm.status in {"draft", "submitted", "verified", "rejected"}
    for need in NEEDS:
        assert need.processes <= processes, need.id
        assert need.kbli <= kbli, need.id
        assert need.required_certifications | need.preferred_certifications <= certifications
        if need.regency:
            assert regencies[need.regency] == need.province, need.id
        if need.province:
            assert need.island_group == REGION_DATA.island_group(need.province), need.id
        assert need.excluded <= set(IKM_BY_ID)


def test_the_set_holds_the_decoys_it_promises():
    expired = [
        ikm
        for ikm in IKMS
        if any(c.valid_until and c.valid_until < TODAY for c in ikm.certificates)
    ]
    assert expired
    assert any(not ikm.is_active for ikm in IKMS)
    assert any(ikm.status == "rejected" for ikm in IKMS)
    assert any(ikm.status == "submitted" for ikm in IKMS)
    assert sum(ikm.status == "verified" for ikm in IKMS) > len(IKMS) * 0.8
    assert any(ikm.latitude is not None for ikm in IKMS)
    assert any(need.required_certifications for need in NEEDS)
    assert any(need.verified_only for need in NEEDS)
    assert any(need.min_tkdn is not None for need in NEEDS)
    assert any(need.excluded for need in NEEDS)
    # Some needs give structured fields, some only text.
    assert any(need.processes for need in NEEDS)
    assert any(not need.processes and not need.kbli for need in NEEDS)


def test_suppliers_kept_out_by_a_filter_are_graded_zero():
    kept_out = 0
    for need in NEEDS:
        for ikm in IKMS:
            failed, _ = reference.check_filters(need, ikm, TODAY)
            if failed:
                kept_out += 1
                assert GRADES[need.id].get(ikm.id, 0) == 0, (need.id, ikm.id, failed)
    assert kept_out


def test_the_expired_certificate_keeps_a_perfect_supplier_out():
    need = NEED_BY_ID[6]
    failed, details = reference.check_filters(need, IKM_BY_ID[151], TODAY)
    assert failed == "certificate" and details == {"missing": ["IATF16949"]}


# --- The vocabulary ---------------------------------------------------------------


def test_synonym_keys_survive_the_tokeniser():
    assert len(SYNONYMS) >= 100
    for key in SYNONYMS:
        assert tokens(key) == key.split(), key
        assert not set(key.split()) & STOPWORDS, key


def test_every_variant_has_one_meaning():
    seen = {}
    for key, variants in SYNONYMS.items():
        for variant in (key, *variants):
            words = tuple(_words(variant))
            assert words, (key, variant)
            assert seen.setdefault(words, key) == key, (variant, seen[words], key)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pengelasan rangka", ["las", "rangka"]),
        ("mengelas", ["las"]),
        ("Komponen pemesinan CNC", ["komponen", "machining", "machining"]),
        ("tromol rem alumunium", ["tromol", "aluminium"]),
        ("brake drum aluminum", ["tromol", "aluminium"]),
        ("ADC12", ["aluminium"]),
        ("kabel bodi", ["wireharness"]),
        ("per daun truk", ["pegas", "daun", "truk"]),
        ("harga per pcs", ["harga"]),
        ("exhaust fan", ["kipas"]),
        ("spring bed", ["springbed"]),
        ("besi cor", ["besicor", "cor"]),
        ("plat besi", ["plat", "baja"]),
        ("kampas rem", ["kampas", "rem"]),
        ("bahan MB", ["kulitsintetis"]),
    ],
)
def test_domain_words(text, expected):
    assert tokens(text) == expected


# --- The metrics ------------------------------------------------------------------

GRADED = {1: 3, 2: 2, 3: 1}


def test_ndcg_of_the_ideal_ranking_is_one():
    assert evaluation.ndcg_at_k([1, 2, 3], GRADED) == pytest.approx(1.0)
    assert evaluation.ndcg_at_k([1, 2, 3, 7, 8, 9], GRADED) == pytest.approx(1.0)


def test_ndcg_known_values():
    ideal = 7 + 3 / math.log2(3) + 1 / 2
    reversed_ = 1 + 3 / math.log2(3) + 7 / 2
    assert evaluation.ndcg_at_k([3, 2, 1], GRADED) == pytest.approx(reversed_ / ideal)
    assert evaluation.ndcg_at_k([3, 2, 1], GRADED) == pytest.approx(0.680606, abs=1e-6)
    # An ungraded supplier first pushes everything down one place.
    shifted = 7 / math.log2(3) + 3 / 2 + 1 / math.log2(5)
    assert evaluation.ndcg_at_k([9, 1, 2, 3], GRADED) == pytest.approx(shifted / ideal)
    # k cuts both the ranking and the ideal.
    assert evaluation.ndcg_at_k([2], GRADED, k=1) == pytest.approx(3 / 7)
    assert evaluation.ndcg_at_k([], GRADED) == 0.0
    assert evaluation.ndcg_at_k([4, 5], {}) == 1.0


def test_precision_known_values():
    assert evaluation.precision_at_k([1, 9, 2, 8, 3], GRADED) == pytest.approx(0.4)
    assert evaluation.precision_at_k([1, 9, 2, 8, 3], GRADED, relevant=1) == pytest.approx(0.6)
    assert evaluation.precision_at_k([1], GRADED) == pytest.approx(0.2)
    assert evaluation.precision_at_k([1, 2], GRADED, k=2) == pytest.approx(1.0)


def test_evaluate_gives_per_need_and_mean_values():
    result = evaluation.evaluate({1: [1, 2, 3], 2: [3, 2, 1]}, {1: GRADED, 2: GRADED})
    assert result["per_need"][1] == {"ndcg": pytest.approx(1.0), "precision": 0.4}
    assert result["per_need"][2]["ndcg"] == pytest.approx(0.680606, abs=1e-6)
    assert result["mean_ndcg"] == pytest.approx((1 + 0.680606) / 2, abs=1e-6)
    assert result["mean_precision"] == pytest.approx(0.4)
    # A need without a ranking counts as ranking nothing.
    assert evaluation.evaluate({}, {1: GRADED})["mean_ndcg"] == 0.0


# --- The reference on the set -----------------------------------------------------


def test_reference_rankings_leave_filtered_suppliers_out():
    rankings = evaluation.reference_rankings(limit=20)
    assert set(rankings) == set(NEED_BY_ID)
    assert 113 not in rankings[2]  # dismissed by the buyer
    assert 151 not in rankings[6]  # IATF 16949 expired
    assert 164 not in rankings[7]  # inactive
    assert 124 not in rankings[3]  # rejected
    assert 171 not in rankings[8]  # not verified, and the need wants verified only
    assert all(len(ranked) <= 20 for ranked in rankings.values())


def test_reference_reaches_the_target_ndcg():
    result = evaluation.evaluate(evaluation.reference_rankings(), GRADES)
    assert result["mean_ndcg"] >= 0.90, evaluation.report()
