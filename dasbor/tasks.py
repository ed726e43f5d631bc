"""Celery tasks of the dashboard: thin callers of :mod:`dasbor.services`."""

from celery import shared_task
from django.core.cache import cache

from kemitraan.tasks import RETRY

from . import services
from .models import Snapshot


@shared_task(**RETRY)
def snapshot_refresh_task(trigger: str = Snapshot.Trigger.NIGHTLY) -> int | None:
    """Compute and store a snapshot of the figures. Safe to run twice: a second run beside
    the first is skipped, one after it stores a newer snapshot.

    A run scheduled by a change frees the debounce first, so a change committed while it
    computes schedules the next run (a minute later) rather than being lost.
    """
    if trigger == Snapshot.Trigger.CHANGE:
        cache.delete(services.PENDING_KEY)
    snapshot = services.refresh(trigger)
    return snapshot.pk if snapshot else None
