"""Celery tasks of partnerships: thin callers of services, safe to run twice.

Matching tasks take ids, re-read the database and write under the need's row lock (see
:mod:`kemitraan.matching.run`), so a task run twice, or beside another, leaves one
consistent set of suggestions. All are ``acks_late``; with
``CELERY_TASK_REJECT_ON_WORKER_LOST`` (the settings, for every task) a task whose worker
(or pool process) dies mid-task goes back to the queue and runs again, on another worker
or the same one. They retry with backoff on transient database or broker
errors. The periodic ones run once per scheduled slot even when two beat processes send
them (:func:`accounts.periodic.once_per_scheduled_run`).
"""

import logging
import uuid

from celery import chord, shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts.periodic import once_per_scheduled_run

from .matching import run
from .services import mou_expire_due, mou_expiring_notify

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, RedisConnectionError)
RETRY = {
    "acks_late": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
}
RECOMPUTE_LOCK = "matching:recompute-all"
RECOMPUTE_LOCK_SECONDS = 2 * 60 * 60
# A change touching more IKM than this at once is handled by one full recompute.
RESCORE_MAX_IKM = 200


@shared_task(**RETRY)
@once_per_scheduled_run
def mou_expire_due_task() -> int:
    """Daily: expire MoUs whose validity has ended. Idempotent."""
    return mou_expire_due()


@shared_task(**RETRY)
@once_per_scheduled_run
def mou_expiring_notify_task() -> int:
    """Daily: tell buyers and Kemenperin about MoUs ending within 30 days. Idempotent."""
    return mou_expiring_notify()


@shared_task(**RETRY)
@once_per_scheduled_run
def meeting_reminder_task() -> int:
    """Daily: remind the buyers' officers and Kemenperin of tomorrow's confirmed Link &
    Match meetings. Idempotent (one reminder per meeting and day)."""
    from .event_services import meeting_send_reminders

    return meeting_send_reminders()


@shared_task(**RETRY)
def demand_match_task(demand_id: int) -> dict:
    """A new or changed need: match it against every supplier."""
    return run.demand_match(demand_id).as_dict()


@shared_task(**RETRY)
def ikm_rescore_task(ikm_ids: list[int]) -> dict:
    """New or changed suppliers: rescore each against every open need."""
    if len(ikm_ids) > RESCORE_MAX_IKM:
        matches_recompute_all_task.delay()
        return {"delegated": len(ikm_ids)}
    total = run.StoreResult()
    for ikm_id in ikm_ids:
        total.add(run.ikm_rescore(ikm_id))
    return total.as_dict()


@shared_task(**RETRY)
def matches_recompute_chunk_task(first_id: int, last_id: int) -> dict:
    """One chunk of the full recompute: the open needs with ids in [first, last]."""
    return run.recompute_range(first_id, last_id).as_dict()


@shared_task(acks_late=True)
def matches_recompute_merge_task(results: list[dict], lock_token: str = "") -> dict:
    """The chord's last step: add up the chunks' counts and release the lock."""
    total = {}
    for result in results:
        for key, value in result.items():
            total[key] = total.get(key, 0) + value
    _release(lock_token)
    logger.info("Full matching recompute done: %s", total)
    return total


def _release(token: str) -> None:
    if token and cache.get(RECOMPUTE_LOCK) == token:
        cache.delete(RECOMPUTE_LOCK)


@shared_task(bind=True, **RETRY)
@once_per_scheduled_run
def matches_recompute_all_task(self, chunk_size: int | None = None) -> dict:
    """Nightly (and after bulk changes): rematch every open need.

    Split into chunk tasks over ranges of needs, run as a chord so that every worker on
    every machine takes chunks; in-process (eager mode) the same chunks run one after the
    other. A second full recompute while one is running does nothing (a lock in the cache).
    The lock holds the task's id: the same message delivered again (its worker died
    mid-run) takes its own lock over rather than being skipped until the lock expires.
    """
    chunk_size = chunk_size or settings.MATCHING_CHUNK_SIZE
    token = self.request.id or uuid.uuid4().hex
    if (
        not cache.add(RECOMPUTE_LOCK, token, RECOMPUTE_LOCK_SECONDS)
        and cache.get(RECOMPUTE_LOCK) != token
    ):
        logger.info("Full matching recompute already running: skipped")
        return {"skipped": 1}
    try:
        ranges = run.open_demand_ranges(chunk_size)
        eager = self.app.conf.task_always_eager
        if eager or len(ranges) <= 1:
            total = run.StoreResult()
            for first, last in ranges:
                total.add(run.recompute_range(first, last))
            _release(token)
            return total.as_dict()
        chord(matches_recompute_chunk_task.si(first, last) for first, last in ranges)(
            matches_recompute_merge_task.s(lock_token=token)
        )
        return {"chunks": len(ranges)}
    except BaseException:
        _release(token)
        raise
