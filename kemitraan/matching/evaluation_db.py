"""The evaluation set measured through the database, against a plain full-text baseline.

:mod:`.evaluation` measures the engine on the hand-labelled set as plain records. Here the
set goes the way production data goes: written as IKM, certificates, MoU, a buyer, needs
and a dismissal (inside one transaction that is always rolled back), read back with
:mod:`.loading`, ranked by the engine with the current weights, and compared with what
PostgreSQL's full-text search alone would rank first (``ts_rank`` over the registry's
``IKM.search_vector``, the need's words ORed).

The round trip is not exact in one respect, by design of the loader: a supplier's text in
the database is its products, its materials and each process's Indonesian *and* English
name (``loading.process_names``), where the set's records carry the Indonesian names only.
:func:`round_trip_differences` lists every field that came back different.

``python manage.py evaluate_matching`` prints :func:`evaluate_in_database`'s result.
"""

import datetime
import secrets
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections, transaction

from accounts.models import Organisation
from ikm.models import IKM, Certificate, CertificationType, ProcessCapability

from ..models import BuyerProfile, Demand, MatchSuggestion, MoU, MouParticipant
from . import evaluation, run
from . import scoring as s
from .engine import Matcher
from .evaluation_set import GRADES, IKMS, NEEDS, PROSE, TODAY
from .loading import ikm_records, need_records
from .records import IkmRecord, NeedRecord
from .synonyms import STOPWORDS
from .text import QUANTITY_RE, _words, tokens

GOAL_NDCG = 0.90
LIMIT = 20
NIB_PREFIX = "96"  # synthetic NIBs of the evaluation set (generate_synthetic uses "97")
BUYER_NAME = "Pembeli Evaluasi Pencocokan (evaluate_matching)"
DISMISSED_REASON = "Evaluation set: dismissed by the buyer."
MIN_QUERY_WORD = 3  # full-text baseline: shorter words are left out of the query
ELIGIBLE_STATUSES = ("submitted", "verified")


class _RolledBack(Exception):  # control flow, not an error
    """Leaves the evaluation's transaction, carrying its result out."""

    def __init__(self, result):
        super().__init__("evaluation rolled back")
        self.result = result


@dataclass
class Written:
    """What :func:`write_evaluation_set` created: record id -> database id."""

    ikm: dict[int, int] = field(default_factory=dict)
    demand: dict[int, int] = field(default_factory=dict)
    buyer_id: int | None = None

    def ikm_record_id(self) -> dict[int, int]:
        return {pk: record_id for record_id, pk in self.ikm.items()}

    def demand_record_id(self) -> dict[int, int]:
        return {pk: record_id for record_id, pk in self.demand.items()}


# -- Records -> rows -------------------------------------------------------------------


def split_ikm_text(record: IkmRecord, process_names: dict[str, str]) -> tuple[str, str]:
    """Products and materials of a set record. Its text is "products. materials. process
    names" (``evaluation_set._ikm``): the names, joined by ", ", are dropped (the database
    IKM gets them from its processes), and the rest splits at its first ". "."""
    head = record.text
    names = {process_names[slug] for slug in record.processes if slug in process_names}
    if names:
        rest, _, tail = head.rpartition(". ")
        if set(tail.split(", ")) == names:
            head = rest
    products, _, materials = head.partition(". ")
    return products.strip(), materials.strip()


def split_need_text(need: NeedRecord) -> tuple[str, str]:
    """Title and description: prose needs open with a title sentence; shorthand is all title."""
    if need.id in PROSE:
        title, _, description = need.text.partition(". ")
        return title.strip()[:200], description.strip()
    return need.text.strip()[:200], ""


def _decimal(value, places: int = 6):
    return None if value is None else Decimal(str(round(float(value), places)))


def _legal_form(name: str) -> str:
    first = name.split()[0].lower().rstrip(".") if name.split() else ""
    return first if first in {"pt", "cv", "ud"} else IKM.LegalForm.LAINNYA


def _free_nibs(count: int, using: str) -> list[str]:
    """``count`` 13-digit NIBs with the evaluation prefix that no IKM uses yet."""
    taken = set(
        IKM.objects.using(using).filter(nib__startswith=NIB_PREFIX).values_list("nib", flat=True)
    )
    nibs, n = [], 0
    while len(nibs) < count:
        nib = f"{NIB_PREFIX}{n:011d}"
        n += 1
        if nib not in taken:
            nibs.append(nib)
    return nibs


def write_evaluation_set(
    ikms: list[IkmRecord] = IKMS, needs: list[NeedRecord] = NEEDS, using: str = "default"
) -> Written:
    """Write the set's suppliers and needs into the database (call inside a transaction
    that is rolled back). Rows go in with bulk inserts: no history rows, and none of the
    signals that would queue a rescore when the transaction commits."""
    written = Written()
    db = IKM.objects.db_manager(using)
    processes = dict(ProcessCapability.objects.using(using).values_list("slug", "pk"))
    process_names = {
        slug: name
        for slug, name in ProcessCapability.objects.using(using).values_list("slug", "name")
    }
    cert_types = dict(CertificationType.objects.using(using).values_list("code", "pk"))

    # A buyer of its own (the name carries a random token: never an existing organisation).
    organisation = Organisation.objects.using(using).create(
        name=f"{BUYER_NAME} {secrets.token_hex(4)}", kind=Organisation.Kind.APM
    )
    buyer, _ = BuyerProfile.objects.using(using).get_or_create(organisation=organisation)
    written.buyer_id = buyer.pk

    # Suppliers, in the set's id order: the database ids keep that order, so the engine
    # breaks ties (lower id first) the same way on both sides.
    ordered = sorted(ikms, key=lambda r: r.id)
    rows = []
    for record, nib in zip(ordered, _free_nibs(len(ordered), using), strict=True):
        products, materials = split_ikm_text(record, process_names)
        capacity = record.monthly_capacity
        rows.append(
            IKM(
                name=record.name or f"IKM evaluasi {record.id}",
                legal_form=_legal_form(record.name),
                nib=nib,
                province_id=record.province,
                regency_id=record.regency,
                latitude=_decimal(record.latitude),
                longitude=_decimal(record.longitude),
                workforce=20,
                investment_value=1_000_000_000,
                tkdn=_decimal(record.tkdn, 2),
                products=products,
                materials=materials,
                monthly_capacity=None if capacity is None else round(capacity),
                capacity_unit=record.capacity_unit,
                verification_status=record.status,
                rejection_reason="Evaluation set: rejected." if record.status == "rejected" else "",
                is_active=record.is_active,
                deactivation_reason="" if record.is_active else "Evaluation set: inactive.",
                is_demo=True,
            )
        )
    created = db.bulk_create(rows)
    written.ikm = {record.id: row.pk for record, row in zip(ordered, created, strict=True)}

    through = IKM.processes.through
    through.objects.using(using).bulk_create(
        through(ikm_id=written.ikm[r.id], processcapability_id=processes[slug])
        for r in ordered
        for slug in sorted(r.processes)
    )
    through = IKM.kbli.through
    through.objects.using(using).bulk_create(
        through(ikm_id=written.ikm[r.id], kbli_id=code) for r in ordered for code in sorted(r.kbli)
    )
    Certificate.objects.using(using).bulk_create(
        Certificate(
            ikm_id=written.ikm[r.id],
            certification_type_id=cert_types[c.code],
            number=f"EVAL-{r.id}-{c.code}",
            valid_from=c.valid_from,
            valid_until=c.valid_until,
        )
        for r in ordered
        for c in r.certificates
    )

    # Partnership record: MoU number k has every supplier with at least k MoU as a
    # participant, so each supplier takes part in exactly mou_count MoU (all active).
    most = max((r.mou_count for r in ordered), default=0)
    token = secrets.token_hex(4)
    mous = MoU.objects.using(using).bulk_create(
        MoU(
            number=f"EVAL/{token}/{k}",
            title=f"Evaluation set MoU {k}",
            buyer=buyer,
            signing_date=datetime.date(2025, 1, 1),
            valid_from=datetime.date(2025, 1, 1),
            valid_until=datetime.date(2027, 12, 31),
            partnership_pattern=MoU.Pattern.RANTAI_PASOK,
            status=MoU.Status.ACTIVE,
            is_demo=True,
        )
        for k in range(1, most + 1)
    )
    MouParticipant.objects.using(using).bulk_create(
        MouParticipant(mou=mou, ikm_id=written.ikm[r.id], committed_market_access=1_000_000)
        for k, mou in enumerate(mous, start=1)
        for r in ordered
        if r.mou_count >= k
    )

    # Needs, and the suppliers their buyer dismissed.
    ordered_needs = sorted(needs, key=lambda n: n.id)
    demands = []
    for need in ordered_needs:
        title, description = split_need_text(need)
        quantity = need.quantity_per_month
        demands.append(
            Demand(
                buyer=buyer,
                title=title,
                description=description,
                quantity_per_month=None if quantity is None else round(quantity),
                unit=need.unit,
                province_id=need.province or None,
                regency_id=need.regency or None,
                min_tkdn=_decimal(need.min_tkdn, 2),
                latitude=_decimal(need.latitude),
                longitude=_decimal(need.longitude),
                verified_only=need.verified_only,
                status=Demand.Status.OPEN,
                is_demo=True,
            )
        )
    created = Demand.objects.using(using).bulk_create(demands)
    written.demand = {need.id: row.pk for need, row in zip(ordered_needs, created, strict=True)}
    for attribute, column, values, pk_of in (
        ("kbli", "kbli_id", lambda n: n.kbli, None),
        ("processes", "processcapability_id", lambda n: n.processes, processes),
        (
            "required_certifications",
            "certificationtype_id",
            lambda n: n.required_certifications,
            cert_types,
        ),
        (
            "preferred_certifications",
            "certificationtype_id",
            lambda n: n.preferred_certifications,
            cert_types,
        ),
    ):
        model = getattr(Demand, attribute).through
        model.objects.using(using).bulk_create(
            model(demand_id=written.demand[n.id], **{column: pk_of[v] if pk_of else v})
            for n in ordered_needs
            for v in sorted(values(n))
        )
    MatchSuggestion.objects.using(using).bulk_create(
        MatchSuggestion(
            demand_id=written.demand[n.id],
            ikm_id=written.ikm[ikm_id],
            rank=rank,
            score=Decimal("0"),
            engine_version=s.ENGINE_VERSION,
            status=MatchSuggestion.Status.DISMISSED,
            dismissed_reason=DISMISSED_REASON,
        )
        for n in ordered_needs
        for rank, ikm_id in enumerate(sorted(n.excluded), start=1)
    )
    return written


# -- Rankings ----------------------------------------------------------------------------


def engine_rankings(
    written: Written, weights: s.Weights, using: str = "default", limit: int = LIMIT
) -> tuple[dict[int, list[int]], list[IkmRecord], list[NeedRecord]]:
    """The engine's ranking of each need (set ids), from the rows read back by the loader;
    also the loaded records (database ids)."""
    ikms = ikm_records(IKM.objects.using(using).filter(pk__in=written.ikm.values()))
    needs = need_records(Demand.objects.using(using).filter(pk__in=written.demand.values()))
    top = Matcher(ikms, weights, today=TODAY).top(needs, limit)
    to_ikm, to_need = written.ikm_record_id(), written.demand_record_id()
    rankings = {
        to_need[need_id]: [to_ikm[item.ikm_id] for item in items] for need_id, items in top.items()
    }
    return rankings, ikms, needs


def fulltext_words(text: str) -> list[str]:
    """The query words of a need for the baseline: lower case, accents removed (as the
    trigger's ``unaccent``), distinct, without stop words (the engine's list), quantities
    ("60rb", "500pcs") and words shorter than three characters."""
    words = []
    for word in _words(text):
        if len(word) < MIN_QUERY_WORD or word in STOPWORDS or QUANTITY_RE.match(word):
            continue
        if word not in words:
            words.append(word)
    return words


FULLTEXT_SQL = """
    SELECT ikm.id, ts_rank(ikm.search_vector, query) AS rank
    FROM {table} AS ikm, websearch_to_tsquery('indonesian', unaccent(%s)) AS query
    WHERE ikm.id = ANY(%s)
      AND ikm.is_active
      AND ikm.verification_status = ANY(%s)
      AND ikm.search_vector @@ query
    ORDER BY rank DESC, ikm.id
    LIMIT %s
"""


def fulltext_rankings(
    written: Written, needs: list[NeedRecord] = NEEDS, using: str = "default", limit: int = LIMIT
) -> dict[int, list[int]]:
    """The plain PostgreSQL full-text ranking of each need (set ids): the set's active,
    submitted or verified IKM that match any of the need's words, by ``ts_rank`` of
    ``IKM.search_vector`` (name A, products B, materials C; default weights), ties by id.
    None of the engine's other inputs or hard filters (certificates, TKDN, verified only,
    dismissals) apply. The words are ORed: ``websearch_to_tsquery`` of "w1 or w2 or ...",
    passed as a parameter and stemmed by the same ``indonesian`` configuration."""
    to_ikm = written.ikm_record_id()
    ids = sorted(written.ikm.values())
    sql = FULLTEXT_SQL.format(table=connections[using].ops.quote_name(IKM._meta.db_table))
    rankings = {}
    with connections[using].cursor() as cursor:
        for need in needs:
            words = fulltext_words(need.text)
            if not words:
                rankings[need.id] = []
                continue
            cursor.execute(sql, [" or ".join(words), ids, list(ELIGIBLE_STATUSES), limit])
            rankings[need.id] = [to_ikm[pk] for pk, _rank in cursor.fetchall()]
    return rankings


# -- The round trip ----------------------------------------------------------------------

IKM_FIELDS = (
    "name",
    "processes",
    "kbli",
    "monthly_capacity",
    "capacity_unit",
    "regency",
    "province",
    "island_group",
    "latitude",
    "longitude",
    "is_active",
    "status",
    "tkdn",
    "mou_count",
)
NEED_FIELDS = (
    "processes",
    "kbli",
    "required_certifications",
    "preferred_certifications",
    "quantity_per_month",
    "unit",
    "regency",
    "province",
    "island_group",
    "latitude",
    "longitude",
    "min_tkdn",
    "verified_only",
)


def _certificates(record: IkmRecord) -> list[tuple]:
    return sorted((c.code, c.valid_from, c.valid_until) for c in record.certificates)


def round_trip_differences(
    written: Written,
    loaded_ikms: list[IkmRecord],
    loaded_needs: list[NeedRecord],
    ikms: list[IkmRecord] = IKMS,
    needs: list[NeedRecord] = NEEDS,
) -> list[str]:
    """Every way the records read back from the database differ from the set's records
    (texts compared as the engine sees them: their tokens)."""
    out = []
    to_ikm, to_need = written.ikm_record_id(), written.demand_record_id()
    original = {r.id: r for r in ikms}
    extra_tokens: Counter[str] = Counter()
    changed_texts = 0
    for loaded in loaded_ikms:
        record = original[to_ikm[loaded.id]]
        for name in IKM_FIELDS:
            if getattr(loaded, name) != getattr(record, name):
                out.append(
                    f"IKM {record.id} {name}: {getattr(record, name)!r} -> "
                    f"{getattr(loaded, name)!r}"
                )
        if _certificates(loaded) != _certificates(record):
            out.append(f"IKM {record.id} certificates differ")
        before, after = Counter(tokens(record.text)), Counter(tokens(loaded.text))
        if before != after:
            changed_texts += 1
            extra_tokens.update(after - before)
            missing = before - after
            if missing:
                out.append(f"IKM {record.id} text lost tokens {sorted(missing)}")
    if changed_texts:
        common = ", ".join(f"{t} ({n})" for t, n in extra_tokens.most_common(8))
        out.append(
            f"text of {changed_texts} IKM: the loader adds each process's English name "
            f"(tokens added, by IKM: {common})"
        )
    by_id = {n.id: n for n in needs}
    for loaded in loaded_needs:
        need = by_id[to_need[loaded.id]]
        for name in NEED_FIELDS:
            if getattr(loaded, name) != getattr(need, name):
                out.append(
                    f"need {need.id} {name}: {getattr(need, name)!r} -> {getattr(loaded, name)!r}"
                )
        if {to_ikm[i] for i in loaded.excluded} != set(need.excluded):
            out.append(f"need {need.id} excluded differs")
        if tokens(loaded.text) != tokens(need.text):
            out.append(f"need {need.id} text tokens differ")
    return out


# -- The whole evaluation --------------------------------------------------------------


def _evaluate(using: str) -> dict:
    weights = run.current_weights()
    written = write_evaluation_set(using=using)
    engine, loaded_ikms, loaded_needs = engine_rankings(written, weights, using)
    postgres = connections[using].vendor == "postgresql"
    fulltext = fulltext_rankings(written, using=using) if postgres else None
    reference = evaluation.reference_rankings(LIMIT, weights)
    return {
        "k": evaluation.K,
        "today": TODAY,
        "weights": weights.as_dict(),
        "ikm_count": len(written.ikm),
        "need_count": len(written.demand),
        "ids": {"ikm": dict(written.ikm), "demand": dict(written.demand)},
        "rankings": {"engine": engine, "fulltext": fulltext, "reference": reference},
        "engine": evaluation.evaluate(engine, GRADES),
        "fulltext": evaluation.evaluate(fulltext, GRADES) if postgres else None,
        "reference": evaluation.evaluate(reference, GRADES),
        "round_trip": round_trip_differences(written, loaded_ikms, loaded_needs),
        "fulltext_available": postgres,
    }


def evaluate_in_database(using: str = "default") -> dict:
    """Write the set, rank it with the engine and with full-text search, and roll every
    row back. Returns the metrics (as :func:`.evaluation.evaluate`) of the engine, the
    full-text baseline (None off PostgreSQL) and the in-memory reference, the rankings
    (set ids), the round trip's differences, and whether the goal is met: mean nDCG@5
    at least ``GOAL_NDCG`` and above full-text's."""
    try:
        with transaction.atomic(using=using):
            raise _RolledBack(_evaluate(using))
    except _RolledBack as done:
        result = done.result
    engine = result["engine"]["mean_ndcg"]
    fulltext = result["fulltext"]["mean_ndcg"] if result["fulltext"] else None
    result["goal"] = {
        "ndcg": GOAL_NDCG,
        "engine_reaches": engine >= GOAL_NDCG,
        "above_fulltext": None if fulltext is None else engine > fulltext,
        "met": engine >= GOAL_NDCG and (fulltext is None or engine > fulltext),
    }
    return result


def need_rows() -> list[dict]:
    """id, kind and title of each need, in id order (for the printed table)."""
    return [
        {"id": n.id, "kind": "prose" if n.id in PROSE else "terse", "title": split_need_text(n)[0]}
        for n in sorted(NEEDS, key=lambda n: n.id)
    ]
