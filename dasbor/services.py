"""Computing, storing and reading the dashboard's snapshots.

* :func:`refresh` computes every scope (the program, each buyer's and lender's slice) in one
  consistent read (a REPEATABLE READ transaction on PostgreSQL) and stores them as one
  :class:`~dasbor.models.Snapshot`. A cache lock keeps two runs from overlapping.
* :func:`request_refresh` is called after every change to a record the figures count. With a
  worker it schedules one run ``DASHBOARD_DEBOUNCE_SECONDS`` later and ignores the changes
  that follow until then: at most one run a minute, and every change is in the next run.
  Without a worker (tasks run in-process) it only marks the figures stale, and the next
  reader recomputes them (:func:`latest`): a save never waits for the dashboard.
* :func:`prune` keeps the history small: every snapshot of the last two days, then the last
  of each day; organisations' slices only in the latest snapshots.
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max, Q
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Organisation

from .figures import Filters, Scope, compute, reference_names
from .models import Snapshot, SnapshotFigures

logger = logging.getLogger(__name__)

PENDING_KEY = "dasbor:refresh-pending"
STALE_KEY = "dasbor:stale"
LOCK_KEY = "dasbor:refresh-running"
LOCK_SECONDS = 15 * 60
KEEP_SLICES = 2
KEEP_ALL_HOURS = 48
FILTERED_CACHE_SECONDS = 10 * 60


def debounce_seconds() -> int:
    return int(getattr(settings, "DASHBOARD_DEBOUNCE_SECONDS", 60))


def slice_organisations():
    """Organisations that get a slice of their own: buyers and lenders with a profile."""
    return Organisation.objects.filter(
        Q(buyer_profile__isnull=False) | Q(lender_profile__isnull=False)
    ).order_by("pk")


def refresh(trigger: str = Snapshot.Trigger.MANUAL, *, owner: str = "") -> Snapshot | None:
    """Compute and store a snapshot; ``None`` when another run holds the lock. ``owner`` (a
    task id) takes the lock back when the same task is delivered again after its worker died."""
    if not cache.add(LOCK_KEY, owner or "1", timeout=LOCK_SECONDS) and not (
        owner and cache.get(LOCK_KEY) == owner
    ):
        logger.info("dashboard refresh skipped: another run is in progress")
        return None
    succeeded = False
    try:
        cache.delete(STALE_KEY)
        started = time.monotonic()
        computed_at = timezone.now()
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and outermost:
                # Every scope reads the same state of the database.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            reference = reference_names()
            rows = [
                SnapshotFigures(
                    organisation=None,
                    figures=compute(Scope(), now=computed_at, reference=reference),
                )
            ]
            for organisation in slice_organisations():
                scope = Scope.for_organisation(organisation)
                figures = compute(scope, now=computed_at, reference=reference)
                rows.append(SnapshotFigures(organisation=organisation, figures=figures))
        duration_ms = int((time.monotonic() - started) * 1000)
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                computed_at=computed_at,
                finished_at=timezone.now(),
                trigger=trigger,
                duration_ms=duration_ms,
                scope_count=len(rows),
            )
            for row in rows:
                row.snapshot = snapshot
            SnapshotFigures.objects.bulk_create(rows, batch_size=200)
        succeeded = True
        prune()
        logger.info(
            "dashboard snapshot %s computed in %d ms (%d scopes, %s)",
            snapshot.pk,
            duration_ms,
            len(rows),
            trigger,
        )
        return snapshot
    finally:
        if not succeeded and _tasks_run_in_process():
            cache.set(STALE_KEY, "1", timeout=None)  # the next reader tries again
        cache.delete(LOCK_KEY)


def prune(now=None) -> int:
    """Drop old slices and thin the history; returns the number of snapshots removed."""
    now = now or timezone.now()
    recent = list(Snapshot.objects.complete().values_list("pk", flat=True)[:KEEP_SLICES])
    SnapshotFigures.objects.filter(organisation__isnull=False).exclude(
        snapshot_id__in=recent
    ).delete()
    cutoff = now - datetime.timedelta(hours=KEEP_ALL_HOURS)
    older = Snapshot.objects.filter(computed_at__lt=cutoff)
    last_of_day = (
        older.annotate(day=TruncDate("computed_at"))
        .order_by()
        .values("day")
        .annotate(last=Max("pk"))
        .values("last")
    )
    _total, per_model = older.exclude(pk__in=last_of_day).exclude(pk__in=recent).delete()
    return per_model.get(Snapshot._meta.label, 0)


def _tasks_run_in_process() -> bool:
    from config.celery import app

    return bool(app.conf.task_always_eager)


def request_refresh() -> None:
    """A record the figures count has changed (called when its transaction commits)."""
    if not getattr(settings, "DASHBOARD_REFRESH_ON_CHANGE", True):
        return
    if _tasks_run_in_process():
        cache.set(STALE_KEY, "1", timeout=None)
        return
    if not cache.add(PENDING_KEY, "1", timeout=debounce_seconds()):
        return  # a run is already scheduled and will see this change
    from .tasks import snapshot_refresh_task

    try:
        snapshot_refresh_task.apply_async(
            kwargs={"trigger": Snapshot.Trigger.CHANGE}, countdown=debounce_seconds()
        )
    except Exception:  # the broker is down: the nightly run catches up
        cache.delete(PENDING_KEY)
        logger.warning("dashboard refresh not scheduled: the broker is unreachable")


def latest(organisation=None) -> SnapshotFigures | None:
    """The newest figures of the program (or of an organisation's slice)."""
    if _tasks_run_in_process() and cache.get(STALE_KEY):
        refresh(Snapshot.Trigger.CHANGE)
    rows = SnapshotFigures.objects.filter(snapshot__finished_at__isnull=False).select_related(
        "snapshot"
    )
    if organisation is None:
        rows = rows.filter(organisation__isnull=True)
    else:
        rows = rows.filter(organisation=organisation)
    return rows.order_by("-snapshot__computed_at", "-snapshot_id").first()


HISTORY_KEYS = (
    "ikm_total",
    "mou_active",
    "market_access_per_year",
    "akad_signed_count",
    "akad_signed_amount",
    "akad_pipeline_count",
    "akad_pipeline_amount",
    "closed_loop_ikm",
)


@dataclass(frozen=True)
class HistoryRow:
    snapshot_id: int
    computed_at: datetime.datetime
    trigger: str
    figures: dict

    @property
    def trigger_label(self) -> str:
        return Snapshot.Trigger(self.trigger).label


def history(limit: int = 60) -> list[HistoryRow]:
    """The program's headline figures in each snapshot, newest first (only the keys the
    history shows are read out of the stored JSON)."""
    rows = (
        SnapshotFigures.objects.filter(
            organisation__isnull=True, snapshot__finished_at__isnull=False
        )
        .order_by("-snapshot__computed_at", "-snapshot_id")
        .values(
            "snapshot_id",
            "snapshot__computed_at",
            "snapshot__trigger",
            **{f"value_{key}": KT(f"figures__{key}") for key in HISTORY_KEYS},
        )[:limit]
    )
    return [
        HistoryRow(
            snapshot_id=row["snapshot_id"],
            computed_at=row["snapshot__computed_at"],
            trigger=row["snapshot__trigger"],
            figures={
                key: int(row[f"value_{key}"]) if row[f"value_{key}"] is not None else None
                for key in HISTORY_KEYS
            },
        )
        for row in rows
    ]


def filtered(scope: Scope, snapshot: Snapshot) -> dict:
    """Figures narrowed by the page's filters: computed on demand from the live records and
    kept in the cache until the next snapshot."""
    key = _filtered_key(scope, snapshot)
    figures = cache.get(key)
    if figures is None:
        figures = compute(scope)
        figures["computed_at"] = timezone.now().isoformat()
        cache.set(key, figures, timeout=FILTERED_CACHE_SECONDS)
    return figures


def _filtered_key(scope: Scope, snapshot: Snapshot) -> str:
    f: Filters = scope.filters
    parts = [
        scope.kind,
        str(scope.organisation_id or ""),
        str(snapshot.pk),
        snapshot.computed_at.isoformat(),
        f.date_from.isoformat() if f.date_from else "",
        f.date_to.isoformat() if f.date_to else "",
        f.province or "",
        f.sector or "",
        str(f.event or ""),
    ]
    return "dasbor:filtered:" + ":".join(parts)
