"""The production engine agrees with the plain reference implementation on every pair."""

import math

import numpy as np
import pytest

from kemitraan.matching.engine import Matcher
from kemitraan.matching.reference import rank, score_pair
from kemitraan.matching.scoring import COMPONENTS, Weights

from .corpus import TODAY, make_corpus

TOLERANCE = 1e-6
WEIGHTS = [
    Weights(),
    Weights(process=0, text=40, kbli=5, capacity=20, location=30, certification=0, quality=5),
]


@pytest.fixture(scope="module", params=[1, 2, 3])
def corpus(request):
    return make_corpus(request.param)


@pytest.mark.parametrize("weights", WEIGHTS, ids=["default", "skewed"])
@pytest.mark.parametrize("cells", [997, 2_000_000], ids=["small-blocks", "one-block"])
def test_every_pair_agrees_with_the_reference(corpus, weights, cells):
    ikms, needs = corpus
    matcher = Matcher(ikms, weights, today=TODAY, cells=cells)
    pairs = filtered = 0
    for need in needs:
        engine = matcher.scores(need)
        for position, ikm in enumerate(matcher.ikms):
            reference = score_pair(need, ikm, matcher.index, weights, TODAY)
            pairs += 1
            if not reference.passed:
                filtered += 1
                assert engine[position] == -math.inf, (need.id, ikm.id, reference.failed_filter)
                continue
            assert abs(engine[position] - reference.score) <= TOLERANCE, (need.id, ikm.id)
    # The corpus exercises both outcomes in quantity.
    assert pairs == len(needs) * len(ikms)
    assert 0.1 * pairs < filtered < 0.9 * pairs


@pytest.mark.parametrize("cells", [997, 50_000])
def test_top_lists_and_breakdowns_agree(corpus, cells):
    ikms, needs = corpus
    weights = Weights()
    matcher = Matcher(ikms, weights, today=TODAY, cells=cells)
    top = matcher.top(needs, limit=20)
    for need in needs:
        expected = rank(need, matcher.ikms, matcher.index, weights, TODAY, 20)
        got = top[need.id]
        assert [pk for pk, _ in expected] == [item.ikm_id for item in got], need.id
        for item, (_, score) in zip(got, expected, strict=True):
            assert abs(item.score - score) <= TOLERANCE
            reference = score_pair(
                need, matcher.ikms[matcher.position[item.ikm_id]], matcher.index, weights, TODAY
            )
            assert set(item.breakdown) == set(reference.breakdown)
            for name, points in reference.breakdown.items():
                assert abs(item.breakdown[name] - points) <= TOLERANCE
            assert abs(sum(item.breakdown.values()) - item.score) <= TOLERANCE


def test_one_supplier_against_all_needs_agrees(corpus):
    ikms, needs = corpus
    matcher = Matcher(ikms, Weights(), today=TODAY, cells=500)
    side = matcher.prepare(needs)
    for ikm in matcher.ikms[:40]:
        scores = matcher.against_record(ikm, side)
        for need, value in zip(needs, scores, strict=True):
            reference = score_pair(need, ikm, matcher.index, matcher.weights, TODAY)
            if reference.passed:
                assert abs(value - reference.score) <= TOLERANCE
            else:
                assert value == -np.inf


def test_breakdown_lists_only_the_components_that_apply():
    ikms, needs = make_corpus(4, n_ikm=50, n_needs=30)
    matcher = Matcher(ikms, Weights(), today=TODAY)
    for need in needs:
        for item in matcher.top([need], 5)[need.id]:
            assert "quality" in item.breakdown
            assert ("process" in item.breakdown) == bool(need.processes)
            assert ("kbli" in item.breakdown) == bool(need.kbli)
            assert ("capacity" in item.breakdown) == (need.quantity_per_month is not None)
            assert set(item.breakdown) <= set(COMPONENTS)


def test_a_supplier_newer_than_the_snapshot_is_scored_like_the_reference():
    """ikm_rescore scores a changed supplier from its fresh record against a snapshot that
    may not know its region, certificate or words yet."""
    from kemitraan.matching.records import Certificate, IkmRecord, NeedRecord

    karawang = {"regency": "32.15", "province": "32", "island_group": "jawa"}
    matcher = Matcher(
        [IkmRecord(id=1, text="tromol aluminium", **karawang)],
        Weights(),
        today=TODAY,
        catalogue={"certificates": ["ISO9001", "IATF16949"], "processes": [], "kbli": []},
    )
    fresh = IkmRecord(
        id=2,
        text="knalpot stainless tromol",
        regency="73.71",
        province="73",
        island_group="sulawesi",
        certificates=(Certificate("IATF16949"),),
    )
    needs = [
        NeedRecord(id=1, text="tromol", regency="12.71", province="12", island_group="sumatera"),
        NeedRecord(id=2, text="tromol", regency="73.71", province="73", island_group="sulawesi"),
        NeedRecord(id=3, text="tromol", required_certifications=frozenset({"IATF16949"})),
        NeedRecord(id=4, text="knalpot stainless"),
    ]
    scores = matcher.against_record(fresh, matcher.prepare(needs))
    for need, value in zip(needs, scores, strict=True):
        reference = score_pair(need, fresh, matcher.index, matcher.weights, TODAY)
        assert reference.passed
        assert value == pytest.approx(reference.score, abs=TOLERANCE), need.id
    # Words no supplier of the snapshot uses match nothing until the next snapshot.
    assert (
        score_pair(needs[3], fresh, matcher.index, matcher.weights, TODAY).components["text"] == 0
    )
