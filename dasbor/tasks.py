"""Celery tasks of the dashboard: thin callers of :mod:`dasbor.services`."""

from celery import shared_task
from django.core.cache import cache

from accounts.periodic import once_per_scheduled_run
from kemitraan.tasks import RETRY

from . import services
from .models import Snapshot


@shared_task(bind=True, **RETRY)
@once_per_scheduled_run
def snapshot_refresh_task(self, trigger: str = Snapshot.Trigger.NIGHTLY) -> int | None:
    """Compute and store a snapshot of the figures. Safe to run twice: a second run beside
    the first is skipped, one after it stores a newer snapshot.

    The nightly run, sent by beat, runs once per night even if two beat processes send it
    (:func:`accounts.periodic.once_per_scheduled_run`); runs after a change or on request
    carry no beat stamp and are never held back by it.

    A run scheduled by a change frees the debounce first, so a change committed while it
    computes schedules the next run (a minute later) rather than being lost.
    """
    if trigger == Snapshot.Trigger.CHANGE:
        cache.delete(services.PENDING_KEY)
    # A redelivery after its worker died takes its own lock back (see services.refresh).
    snapshot = services.refresh(trigger, owner=self.request.id or "")
    return snapshot.pk if snapshot else None
