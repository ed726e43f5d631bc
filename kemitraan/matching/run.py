"""Matching against the database: the current snapshot of suppliers, and suggestions
stored so that the buyer's actions survive every recompute.

- :func:`current_matcher` keeps one :class:`~.engine.Matcher` per process and rebuilds it
  when the registry changes (a cheap "stamp" query) or the day turns.
- :func:`demand_match` rematches one need; :func:`recompute_range` a range of open needs
  (the nightly job's chunk); :func:`ikm_rescore` one changed supplier against every open
  need, touching only the needs whose suggestions it changes.
- Writes go through :func:`_store`, under a row lock on each need (``SELECT ... FOR
  UPDATE``, in id order): two recomputes of a need at once leave one consistent set, and a
  buyer's action (which takes the same lock) never interleaves with a rewrite.

Keeping the buyer's actions: rows the buyer acted on (shortlisted, contacted, dismissed)
are never deleted by a recompute; they are rescored in place, flagged ``eligible=False``
when the supplier no longer passes a filter, and a dismissed supplier is excluded from the
need's candidates for good. Only rows still ``suggested`` are replaced.
"""

import csv
import hashlib
import io
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from ikm.models import IKM, Certificate

from ..models import Demand, MatchingWeights, MatchSuggestion, MouParticipant
from . import scoring as s
from .engine import Matcher, Scored
from .explain import reasons_for
from .loading import ikm_records, need_records, open_demands
from .records import signature
from .reference import score_pair

logger = logging.getLogger(__name__)

SUGGESTIONS_PER_NEED = 20
STORE_BATCH = 200  # needs written per transaction in a bulk recompute
ANALYZE_AFTER_ROWS = 5000  # rows inserted or deleted by a chunk that call for ANALYZE


def current_weights() -> s.Weights:
    row = MatchingWeights.objects.filter(pk=1).first()
    if row is None:
        return s.Weights.from_dict(settings.MATCHING_WEIGHTS)
    return s.Weights.from_dict({c: getattr(row, c) for c in s.COMPONENTS})


def registry_stamp() -> tuple:
    """Changes whenever anything the engine reads about suppliers changes."""
    ikm = IKM.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    cert = Certificate.objects.aggregate(n=Count("pk"), last=Max("pk"))
    mou = MouParticipant.objects.aggregate(n=Count("pk"), last=Max("pk"))
    weights = MatchingWeights.objects.filter(pk=1).values_list("updated_at", flat=True).first()
    return (
        ikm["n"],
        ikm["last"],
        cert["n"],
        cert["last"],
        mou["n"],
        mou["last"],
        weights,
        timezone.localdate(),
        tuple(sorted(settings.MATCHING_WEIGHTS.items())),
    )


_snapshot_lock = threading.Lock()
_snapshot: dict = {"stamp": None, "matcher": None}


def catalogue() -> dict:
    """Every code of the reference tables, for the engine's vocabulary."""
    from ikm.models import CertificationType, Kbli, ProcessCapability

    return {
        "processes": list(ProcessCapability.objects.values_list("slug", flat=True)),
        "certificates": list(CertificationType.objects.values_list("code", flat=True)),
        "kbli": list(Kbli.objects.values_list("code", flat=True)),
    }


def current_matcher(*, force: bool = False, allow_stale: bool = False) -> Matcher:
    """This process's engine over the registry as it is now: rebuilt when the registry
    changed, unless ``allow_stale`` (an incremental rescore scores the changed supplier
    from its fresh record, so the rest of today's snapshot serves). A new day, or new
    weights, always rebuild."""
    stamp = registry_stamp()
    with _snapshot_lock:
        current = _snapshot["stamp"]
        usable = current is not None and (
            current == stamp or (allow_stale and current[-3:] == stamp[-3:])
        )
        if force or not usable:
            started = time.monotonic()
            matcher = Matcher(
                ikm_records(),
                current_weights(),
                today=timezone.localdate(),
                catalogue=catalogue(),
            )
            _snapshot.update(stamp=stamp, matcher=matcher)
            logger.info(
                "Matching snapshot of %d IKM built in %.1f s",
                len(matcher.ikms),
                time.monotonic() - started,
            )
        return _snapshot["matcher"]


def forget_snapshot() -> None:
    with _snapshot_lock:
        _snapshot.update(stamp=None, matcher=None)


# -- storing ------------------------------------------------------------------------


@dataclass
class Item:
    """A supplier's place in a need's list, ready to store. ``reasons`` stay None until the
    row must be written (they come from the reference, the costliest part of a row)."""

    ikm_id: int
    score: float
    breakdown: dict
    reasons: list | None
    eligible: bool = True
    signature: str = ""  # of the supplier's record it was computed from ("" if kept as is)


@dataclass
class StoreResult:
    needs: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped: list[int] = field(default_factory=list)

    def add(self, other: "StoreResult") -> "StoreResult":
        self.needs += other.needs
        self.created += other.created
        self.updated += other.updated
        self.deleted += other.deleted
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        return self

    def as_dict(self) -> dict:
        return {
            "needs": self.needs,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
        }


def _round(value: float) -> Decimal:
    return Decimal(str(round(min(max(value, 0.0), 100.0), 3)))


def _rounded(breakdown: dict) -> dict:
    return {name: round(value, 3) for name, value in breakdown.items()}


def _ikm_signature(matcher: Matcher, ikm_id: int) -> str:
    cache = matcher.__dict__.setdefault("_signatures", {})
    found = cache.get(ikm_id)
    if found is None:
        found = cache[ikm_id] = signature(matcher.ikms[matcher.position[ikm_id]])
    return found


def _explained(
    matcher: Matcher, need, ikm_id: int, *, ignore_dismissal=False, record=None
) -> Item | None:
    """A supplier's item for a need from the reference (reasons need its details).
    ``record`` is a fresher record of the supplier than the snapshot's."""
    if record is None:
        position = matcher.position.get(ikm_id)
        if position is None:
            return None
        record = matcher.ikms[position]
    if ignore_dismissal and ikm_id in need.excluded:
        need = _without_exclusion(need, ikm_id)
    result = score_pair(
        need,
        record,
        matcher.index,
        matcher.weights,
        matcher.today,
        explain_filtered=True,
    )
    return Item(
        ikm_id,
        result.score,
        result.breakdown,
        reasons_for(result),
        result.passed,
        signature(record),
    )


def _without_exclusion(need, ikm_id):
    from dataclasses import replace

    return replace(need, excluded=need.excluded - {ikm_id})


def _items(matcher: Matcher, need, top: list[Scored]) -> list[Item]:
    """The engine's top list as items (reasons computed later, only for rows written)."""
    return [
        Item(
            scored.ikm_id,
            scored.score,
            scored.breakdown,
            None,
            True,
            _ikm_signature(matcher, scored.ikm_id),
        )
        for scored in top
    ]


def _with_reasons(matcher: Matcher, need, item: Item) -> Item:
    if item.reasons is None:
        record = matcher.ikms[matcher.position[item.ikm_id]]
        result = score_pair(need, record, matcher.index, matcher.weights, matcher.today)
        item.reasons = reasons_for(result)
    return item


def _digest(rank: int, item: Item, context: str) -> str:
    """What a row was computed from: its place and numbers, the supplier's record, and
    (in ``context``) the need's record, the engine version, weights and day."""
    payload = repr(
        (
            rank,
            str(_round(item.score)),
            sorted(_rounded(item.breakdown).items()),
            item.eligible,
            item.signature,
            context,
        )
    )
    return hashlib.md5(payload.encode(), usedforsecurity=False).hexdigest()


@dataclass
class _Stored:
    """A stored row as far as a recompute needs it (no JSON decoded)."""

    pk: int
    ikm_id: int
    status: str
    digest: str
    full: MatchSuggestion | None = None  # loaded for rows the buyer acted on, and merges

    @property
    def is_actioned(self) -> bool:
        return self.status != MatchSuggestion.Status.SUGGESTED

    def item(self) -> Item:
        row = self.full
        return Item(self.ikm_id, float(row.score), row.breakdown, row.reasons, row.eligible)


def _load_stored(locked: set, *, merge: bool) -> dict[int, dict[int, _Stored]]:
    stored: dict[int, dict[int, _Stored]] = {pk: {} for pk in locked}
    for pk, demand_id, ikm_id, status, digest in MatchSuggestion.objects.filter(
        demand_id__in=locked
    ).values_list("pk", "demand_id", "ikm_id", "status", "digest"):
        stored[demand_id][ikm_id] = _Stored(pk, ikm_id, status, digest)
    full = MatchSuggestion.objects.filter(demand_id__in=locked)
    if not merge:
        full = full.exclude(status=MatchSuggestion.Status.SUGGESTED)
    for row in full:
        stored[row.demand_id][row.ikm_id].full = row
    return stored


def _store(matcher: Matcher, needs_items: dict[int, tuple], *, merge: bool = False) -> StoreResult:
    """Write the suggestions of several needs, each under its row lock.

    ``needs_items`` maps a need id to ``(need record, items)``. With ``merge`` the items
    join the need's stored suggestions (an incremental rescore); otherwise they replace
    the rows still "suggested". Needs that are gone or no longer open are skipped. A row
    whose digest shows it was computed from the same inputs is left as it is.
    """
    result = StoreResult()
    if not needs_items:
        return result
    now = timezone.now()
    version, weights = s.ENGINE_VERSION, matcher.weights.as_dict()
    base = repr((version, sorted(weights.items()), str(matcher.today)))
    with transaction.atomic():
        locked = set(
            Demand.objects.select_for_update()
            .filter(pk__in=needs_items.keys(), status=Demand.Status.OPEN)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        stored = _load_stored(locked, merge=merge)
        creates, updates, deletes = [], [], []
        floors: dict[int, Decimal | None] = {}
        for demand_id, (need, items) in needs_items.items():
            if demand_id not in locked:
                result.skipped.append(demand_id)
                continue
            result.needs += 1
            context = base + signature(need)
            rows = stored[demand_id]
            actioned = {pk: row for pk, row in rows.items() if row.is_actioned}
            dismissed = {pk for pk, row in actioned.items() if row.status == "dismissed"}
            fresh = {item.ikm_id: item for item in items if item.ikm_id not in dismissed}
            if merge:
                kept = {
                    pk: row.item()
                    for pk, row in rows.items()
                    if not row.is_actioned and pk not in fresh
                }
                fresh = {**kept, **{pk: item for pk, item in fresh.items() if item.eligible}}
            given = {item.ikm_id: item for item in items}
            kept_actions: dict[int, Item] = {}
            for pk, row in actioned.items():
                item = given.get(pk)
                if item is None and not merge:
                    item = _explained(matcher, need, pk, ignore_dismissal=True)
                if item is None:  # not rescored now (or left the registry): kept as it was
                    item = row.item()
                kept_actions[pk] = item
            # The top 20 among the candidates and the kept (not dismissed) suppliers: a
            # shortlisted supplier in the top 20 takes one of its places.
            competing = {
                **fresh,
                **{pk: i for pk, i in kept_actions.items() if pk not in dismissed},
            }
            ranked = sorted(
                (item for item in competing.values() if item.eligible),
                key=lambda item: (-item.score, item.ikm_id),
            )[:SUGGESTIONS_PER_NEED]
            floors[demand_id] = (
                _round(ranked[-1].score) if len(ranked) == SUGGESTIONS_PER_NEED else None
            )
            final: dict[int, Item] = {
                item.ikm_id: item for item in ranked if item.ikm_id not in actioned
            }
            final.update(kept_actions)
            order = sorted(
                final.values(),
                key=lambda item: (
                    item.ikm_id in dismissed,
                    not item.eligible,
                    -item.score,
                    item.ikm_id,
                ),
            )
            for rank, item in enumerate(order, start=1):
                digest = _digest(rank, item, context)
                row = rows.get(item.ikm_id)
                if row is not None and row.digest == digest:
                    result.unchanged += 1
                    continue
                _with_reasons(matcher, need, item)
                written = _Row(
                    pk=row.pk if row is not None else None,
                    demand_id=demand_id,
                    ikm_id=item.ikm_id,
                    rank=rank,
                    score=_round(item.score),
                    breakdown=_rounded(item.breakdown),
                    reasons=item.reasons,
                    eligible=item.eligible,
                    digest=digest,
                )
                (creates if row is None else updates).append(written)
            deletes += [row.pk for pk, row in rows.items() if pk not in final]
        if deletes:
            MatchSuggestion.objects.filter(pk__in=deletes).delete()
        _insert(creates, version=version, weights=weights, now=now)
        _update(updates, version=version, weights=weights, now=now)
        Demand.objects.bulk_update(
            [Demand(pk=pk, matched_at=now, match_floor=floor) for pk, floor in floors.items()],
            ["matched_at", "match_floor"],
            batch_size=500,
        )
    result.created, result.updated, result.deleted = len(creates), len(updates), len(deletes)
    return result


INSERT_FIELDS = (
    "demand_id",
    "ikm_id",
    "rank",
    "score",
    "breakdown",
    "reasons",
    "eligible",
    "engine_version",
    "weights",
    "digest",
    "status",
    "dismissed_reason",
    "computed_at",
)


@dataclass
class _Row:
    """A suggestion row to write (cheaper to build than a model instance)."""

    pk: int | None
    demand_id: int
    ikm_id: int
    rank: int
    score: Decimal
    breakdown: dict
    reasons: list
    eligible: bool
    digest: str

    def instance(self, **common) -> MatchSuggestion:
        return MatchSuggestion(
            pk=self.pk,
            demand_id=self.demand_id,
            ikm_id=self.ikm_id,
            rank=self.rank,
            score=self.score,
            breakdown=self.breakdown,
            reasons=self.reasons,
            eligible=self.eligible,
            digest=self.digest,
            **common,
        )


def _copy(sql: str, lines) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(sql, buffer)


def _insert(rows: list[_Row], *, version: str, weights: dict, now) -> None:
    """Insert new suggestions: PostgreSQL's COPY (a nightly recompute writes hundreds of
    thousands), ``bulk_create`` elsewhere."""
    if not rows:
        return
    common = {"engine_version": version, "weights": weights, "computed_at": now}
    if connection.vendor != "postgresql":
        MatchSuggestion.objects.bulk_create([r.instance(**common) for r in rows], batch_size=500)
        return
    weights_json, computed_at = json.dumps(weights), now.isoformat()
    table = MatchSuggestion._meta.db_table
    columns = ", ".join(MatchSuggestion._meta.get_field(f).column for f in INSERT_FIELDS)
    # An empty CSV field reads as NULL unless the column is FORCE_NOT_NULL.
    _copy(
        f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, "
        "FORCE_NOT_NULL (dismissed_reason, engine_version, digest, status))",
        (
            [
                row.demand_id,
                row.ikm_id,
                row.rank,
                row.score,
                json.dumps(row.breakdown),
                json.dumps(row.reasons),
                "t" if row.eligible else "f",
                version,
                weights_json,
                row.digest,
                MatchSuggestion.Status.SUGGESTED.value,
                "",
                computed_at,
            ]
            for row in rows
        ),
    )


UPDATE_FIELDS = (
    "rank",
    "score",
    "breakdown",
    "reasons",
    "eligible",
    "engine_version",
    "weights",
    "digest",
    "computed_at",
)


def _update(rows: list[_Row], *, version: str, weights: dict, now) -> None:
    """Rewrite recomputed suggestions in place (their ids stay, and so do the buyer's
    actions): on PostgreSQL through a temporary table filled by COPY and one ``UPDATE ...
    FROM``; ``bulk_update`` elsewhere."""
    if not rows:
        return
    common = {"engine_version": version, "weights": weights, "computed_at": now}
    if connection.vendor != "postgresql":
        MatchSuggestion.objects.bulk_update(
            [r.instance(**common) for r in rows], UPDATE_FIELDS, batch_size=200
        )
        return
    weights_json, computed_at = json.dumps(weights), now.isoformat()
    table = MatchSuggestion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE matching_update (id bigint, rank smallint, "
            "score numeric(6, 3), breakdown jsonb, reasons jsonb, eligible boolean, "
            "digest varchar(32)) ON COMMIT DROP"
        )
    _copy(
        "COPY matching_update FROM STDIN WITH (FORMAT csv)",
        (
            [
                row.pk,
                row.rank,
                row.score,
                json.dumps(row.breakdown),
                json.dumps(row.reasons),
                "t" if row.eligible else "f",
                row.digest,
            ]
            for row in rows
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS s SET rank = u.rank, score = u.score, "
            "breakdown = u.breakdown, reasons = u.reasons, eligible = u.eligible, "
            "engine_version = %s, weights = %s::jsonb, digest = u.digest, computed_at = %s "
            "FROM matching_update AS u WHERE s.id = u.id",
            [version, weights_json, computed_at],
        )
        cursor.execute("DROP TABLE matching_update")


# -- the jobs -----------------------------------------------------------------------


def demand_match(demand_id: int, *, matcher: Matcher | None = None) -> StoreResult:
    """Rematch one need against every supplier (a new or changed need). Closed and
    fulfilled needs keep their suggestions as they are."""
    matcher = matcher or current_matcher()
    needs = need_records(Demand.objects.filter(pk=demand_id, status=Demand.Status.OPEN))
    if not needs:
        return StoreResult(skipped=[demand_id])
    need = needs[0]
    top = matcher.top([need], SUGGESTIONS_PER_NEED)[need.id]
    return _store(matcher, {need.id: (need, _items(matcher, need, top))})


def open_demand_ranges(chunk_size: int) -> list[tuple[int, int]]:
    """Inclusive id ranges of about ``chunk_size`` open needs each."""
    ids = list(open_demands().order_by("pk").values_list("pk", flat=True))
    return [
        (ids[i], ids[min(i + chunk_size, len(ids)) - 1]) for i in range(0, len(ids), chunk_size)
    ]


def recompute_range(first_id: int, last_id: int, *, matcher: Matcher | None = None) -> StoreResult:
    """Rematch the open needs with ids in [first_id, last_id]: one chunk of the nightly job."""
    matcher = matcher or current_matcher()
    needs = need_records(open_demands().filter(pk__gte=first_id, pk__lte=last_id))
    result = StoreResult()
    for start in range(0, len(needs), STORE_BATCH):
        batch = needs[start : start + STORE_BATCH]
        top = matcher.top(batch, SUGGESTIONS_PER_NEED)
        result.add(_store(matcher, {n.id: (n, _items(matcher, n, top[n.id])) for n in batch}))
    if result.created + result.deleted >= ANALYZE_AFTER_ROWS:
        _analyze()
    return result


def _analyze() -> None:
    """Fresh planner statistics after a mass write (a first recompute inserts hundreds of
    thousands of rows; until autovacuum catches up, the planner would scan the table)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {MatchSuggestion._meta.db_table}")


_needs_lock = threading.Lock()
_needs_cache: dict = {"stamp": None, "records": None, "side": None, "matcher": None}


def _open_needs(matcher: Matcher):
    """The open needs, prepared for scoring (cached per process until they change)."""
    agg = open_demands().aggregate(n=Count("pk"), last=Max("updated_at"))
    stamp = (agg["n"], agg["last"])
    with _needs_lock:
        if _needs_cache["stamp"] != stamp or _needs_cache["matcher"] is not matcher:
            records = need_records(open_demands())
            _needs_cache.update(
                stamp=stamp, records=records, side=matcher.prepare(records), matcher=matcher
            )
        return _needs_cache["records"], _needs_cache["side"]


def ikm_rescore(ikm_id: int, *, matcher: Matcher | None = None) -> StoreResult:
    """Rescore one new or changed supplier against every open need.

    Its fresh record is scored against all open needs at once. A need changes only when
    the supplier enters its top list, moves within it, or is one the buyer acted on; when
    a supplier that was suggested falls out, the need is rematched in full (the next one
    in line must take its place).
    """
    matcher = matcher or current_matcher(allow_stale=True)
    fresh = ikm_records(IKM.objects.filter(pk=ikm_id))
    records, side = _open_needs(matcher)
    result = StoreResult()
    if not records:
        return result
    # A deleted supplier leaves every list.
    scores = matcher.against_record(fresh[0], side) if fresh else [float("-inf")] * len(records)
    floors = dict(open_demands().values_list("pk", "match_floor"))
    present = dict(
        MatchSuggestion.objects.filter(
            ikm_id=ikm_id, demand__status=Demand.Status.OPEN
        ).values_list("demand_id", "status")
    )
    merges, rematch = {}, []
    for need, score in zip(records, scores, strict=True):
        status = present.get(need.id)
        passes = score != float("-inf")
        floor = floors.get(need.id)
        # At or above the 20th score it belongs in the list (the merge breaks ties by id).
        enters = passes and (floor is None or score >= float(floor))
        if status == MatchSuggestion.Status.SUGGESTED and not enters:
            rematch.append(need.id)
        elif status is not None or enters:
            merges[need.id] = need
    if merges:
        items = {}
        for need_id, need in merges.items():
            item = None
            if fresh:
                dismissed = present.get(need_id) == MatchSuggestion.Status.DISMISSED
                item = _explained(
                    matcher, need, ikm_id, ignore_dismissal=dismissed, record=fresh[0]
                )
            items[need_id] = (need, [item] if item else [])
        result.add(_store(matcher, items, merge=True))
    if rematch:
        # The next supplier in line takes the place: a rematch on a snapshot that knows
        # the change (rebuilt now if it is stale).
        fresh_matcher = current_matcher()
        for need_id in rematch:
            result.add(demand_match(need_id, matcher=fresh_matcher))
    return result


def recompute_all(chunk_size: int = 500) -> StoreResult:
    """Every open need, in this process, chunk by chunk (``recompute_matches --sync``)."""
    matcher = current_matcher()
    total = StoreResult()
    for first, last in open_demand_ranges(chunk_size):
        total.add(recompute_range(first, last, matcher=matcher))
    return total
