"""Ranking metrics and a runner for the hand-labelled evaluation set.

No Django: the metrics take plain rankings (IKM ids, best first) and grades (IKM id →
relevance 0-3, unlisted = 0), so the reference, the engine or a tuned variant can all be
measured the same way::

    python -m kemitraan.matching.evaluation
"""

import math

from . import reference
from .evaluation_set import GRADES, IKMS, NEEDS, TODAY
from .scoring import Weights
from .text import TextIndex, tokens

K = 5


def dcg(gains: list[int]) -> float:
    """Discounted cumulative gain of grades in rank order: sum (2^rel - 1) / log2(i + 2)."""
    return sum((2**rel - 1) / math.log2(i + 2) for i, rel in enumerate(gains))


def ndcg_at_k(ranked_ids: list[int], grades: dict[int, int], k: int = K) -> float:
    """nDCG@k of a ranking; the ideal ranking is over all graded items of the need.
    A need without any relevant item scores 1.0 when nothing is expected."""
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal <= 0:
        return 1.0
    return dcg([grades.get(i, 0) for i in ranked_ids[:k]]) / ideal


def precision_at_k(
    ranked_ids: list[int], grades: dict[int, int], k: int = K, relevant: int = 2
) -> float:
    """Share of the top k positions held by items graded ``relevant`` or better
    (a ranking shorter than k counts its missing places as misses)."""
    return sum(1 for i in ranked_ids[:k] if grades.get(i, 0) >= relevant) / k


def evaluate(rankings: dict[int, list[int]], grades: dict[int, dict[int, int]], k: int = K) -> dict:
    """Per-need and mean nDCG@k and precision@k of rankings (need id → IKM ids)."""
    per_need = {}
    for need_id in sorted(grades):
        ranked = rankings.get(need_id, [])
        per_need[need_id] = {
            "ndcg": ndcg_at_k(ranked, grades[need_id], k),
            "precision": precision_at_k(ranked, grades[need_id], k),
        }
    count = len(per_need) or 1
    return {
        "k": k,
        "per_need": per_need,
        "mean_ndcg": sum(v["ndcg"] for v in per_need.values()) / count,
        "mean_precision": sum(v["precision"] for v in per_need.values()) / count,
    }


def reference_index() -> TextIndex:
    return TextIndex([tokens(ikm.text) for ikm in IKMS])


def reference_rankings(limit: int = 20, weights: Weights | None = None) -> dict[int, list[int]]:
    """The reference implementation's ranking of the evaluation set, need by need."""
    index = reference_index()
    weights = weights or Weights()
    return {
        need.id: [ikm_id for ikm_id, _ in reference.rank(need, IKMS, index, weights, TODAY, limit)]
        for need in NEEDS
    }


def report(limit: int = 20) -> str:
    """A plain-text table of the reference's scores on the evaluation set."""
    rankings = reference_rankings(limit)
    result = evaluate(rankings, GRADES)
    lines = [f"{'need':>4}  {'nDCG@5':>6}  {'P@5':>4}  top 5 (id:grade)"]
    for need_id, values in result["per_need"].items():
        top = " ".join(f"{i}:{GRADES[need_id].get(i, 0)}" for i in rankings[need_id][:K])
        lines.append(f"{need_id:>4}  {values['ndcg']:6.3f}  {values['precision']:4.2f}  {top}")
    lines.append(f"mean  {result['mean_ndcg']:6.3f}  {result['mean_precision']:4.2f}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(report())
