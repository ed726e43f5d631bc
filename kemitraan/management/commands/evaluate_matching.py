"""`python manage.py evaluate_matching`: the engine's quality on the labelled set, through
the database, against plain PostgreSQL full-text search.

Writes the evaluation set (``kemitraan.matching.evaluation_set``) as IKM, certificates,
MoU, a buyer, needs and dismissals inside one transaction that is always rolled back
(nothing stays), ranks every need with the engine (current weights, the set's "today")
and with ``ts_rank`` over ``IKM.search_vector``, and prints nDCG@5 and precision@5 of
both, per need and on average. Exits with an error when the goal is not met (engine mean
nDCG@5 ≥ 0.90 and above full-text), so CI can run it. ``-v 2`` also prints each need's
top 5 (set ids with their grades). Safe on any database: it leaves no rows behind. On a
database other than PostgreSQL only the engine is measured.
"""

from django.core.management.base import BaseCommand, CommandError

from kemitraan.matching.evaluation_db import GOAL_NDCG, evaluate_in_database, need_rows
from kemitraan.matching.evaluation_set import GRADES

TITLE_WIDTH = 42


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _top(ranking: list[int], grades: dict[int, int], k: int) -> str:
    return " ".join(f"{i}:{grades.get(i, 0)}" for i in ranking[:k]) or "(none)"


class Command(BaseCommand):
    help = (
        "Measure the matching engine on the labelled evaluation set through the database "
        "(rolled back) against plain PostgreSQL full-text ranking; fail if the goal is not met."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args, database="default", verbosity=1, **options):
        result = evaluate_in_database(using=database)
        self.print_result(result, verbosity)
        if not result["goal"]["met"]:
            raise CommandError("The matching goal is NOT met (see the table above).")

    def print_result(self, result: dict, verbosity: int = 1) -> None:
        out = self.stdout.write
        k = result["k"]
        engine, fulltext = result["engine"], result["fulltext"]
        weights = ", ".join(f"{name} {value:g}" for name, value in result["weights"].items())
        out(
            f"Evaluation set written to the database and rolled back: {result['ikm_count']} "
            f"IKM, {result['need_count']} needs; today = {result['today']}."
        )
        out(f"Engine weights (current): {weights}.")
        if fulltext is None:
            out("Full-text baseline: needs PostgreSQL (this database is not): engine figures only.")
        else:
            out(
                "Full-text baseline: ts_rank(search_vector, the need's words ORed) over the "
                "set's active, submitted or verified IKM; no other filter."
            )
        out("")
        header = f"{'need':>4}  {'kind':<5}  {'title':<{TITLE_WIDTH}}  {'engine':>13}"
        sub = f"{'':>4}  {'':<5}  {'':<{TITLE_WIDTH}}  {f'nDCG@{k}':>7} {f'P@{k}':>5}"
        if fulltext is not None:
            header += f"  {'full-text':>13}"
            sub += f"  {f'nDCG@{k}':>7} {f'P@{k}':>5}"
        out(header)
        out(sub)
        for row in need_rows():
            need_id = row["id"]
            e = engine["per_need"][need_id]
            line = (
                f"{need_id:>4}  {row['kind']:<5}  {_cut(row['title'], TITLE_WIDTH):<{TITLE_WIDTH}}"
                f"  {e['ndcg']:7.3f} {e['precision']:5.2f}"
            )
            if fulltext is not None:
                f = fulltext["per_need"][need_id]
                line += f"  {f['ndcg']:7.3f} {f['precision']:5.2f}"
            out(line)
            if verbosity >= 2:
                grades = GRADES[need_id]
                out(f"{'':>13}engine    {_top(result['rankings']['engine'][need_id], grades, k)}")
                if fulltext is not None:
                    ranking = result["rankings"]["fulltext"][need_id]
                    out(f"{'':>13}full-text {_top(ranking, grades, k)}")
        mean = (
            f"{'mean':>4}  {'':<5}  {'':<{TITLE_WIDTH}}"
            f"  {engine['mean_ndcg']:7.3f} {engine['mean_precision']:5.2f}"
        )
        if fulltext is not None:
            mean += f"  {fulltext['mean_ndcg']:7.3f} {fulltext['mean_precision']:5.2f}"
        out(mean)
        out("")

        reference = result["reference"]
        out(
            f"In-memory reference (same weights): mean nDCG@{k} {reference['mean_ndcg']:.3f}, "
            f"P@{k} {reference['mean_precision']:.2f}."
        )
        changed = [
            need_id
            for need_id, ranking in result["rankings"]["engine"].items()
            if ranking[:k] != result["rankings"]["reference"][need_id][:k]
        ]
        for need_id in sorted(changed):
            grades = GRADES[need_id]
            out(
                f"  need {need_id} top {k}: in memory "
                f"{_top(result['rankings']['reference'][need_id], grades, k)}; "
                f"database {_top(result['rankings']['engine'][need_id], grades, k)}"
            )
        if not changed:
            out(f"  Every need's top {k} is the same through the database.")
        if result["round_trip"]:
            out("Round trip (set record -> database -> loader) differences:")
            for line in result["round_trip"]:
                out(f"  {line}")
        out("")

        goal = result["goal"]
        if fulltext is None:
            verdict = "met" if goal["met"] else "NOT met"
            out(
                f"goal nDCG@{k} ≥ {GOAL_NDCG:.2f}: {verdict} "
                "(above full-text: not checked, needs PostgreSQL)"
            )
        else:
            verdict = "met" if goal["met"] else "NOT met"
            out(f"goal nDCG@{k} ≥ {GOAL_NDCG:.2f} and above full-text: {verdict}")
