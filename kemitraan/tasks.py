"""Celery tasks of partnerships: thin callers of services, safe to run twice."""

from celery import shared_task
from django.db import OperationalError

from .services import mou_expire_due


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def mou_expire_due_task() -> int:
    """Daily: expire MoUs whose validity has ended. Idempotent."""
    return mou_expire_due()
