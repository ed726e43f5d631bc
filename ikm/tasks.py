"""Celery tasks of the IKM registry: thin callers of services, safe to run twice.

Both are ``acks_late``; with ``CELERY_TASK_REJECT_ON_WORKER_LOST`` (the settings) a job
whose worker dies mid-task is run again (the import takes over a job left ``importing`` by
a crashed worker)."""

import logging

from celery import shared_task
from django.contrib.auth import get_user_model

from .importing import ikm_import_apply, ikm_import_preview
from .models import ImportJob

logger = logging.getLogger(__name__)

# A 20,000-row file takes well under a minute; these limits only stop a stuck task.
IMPORT_SOFT_TIME_LIMIT = 25 * 60
IMPORT_TIME_LIMIT = 30 * 60


@shared_task(
    acks_late=True,
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    time_limit=IMPORT_TIME_LIMIT,
)
def ikm_import_preview_task(job_id: str) -> str | None:
    """Check an uploaded file without writing (queued → previewing → preview_ready).

    Safe to run twice: a job that was already previewed is left alone. A failure marks the
    job ``failed`` with its message (the service does it) and is logged, not re-raised, so a
    redelivery does not repeat it. Returns the job's status."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("IKM import %s: no such job", job_id)
        return None
    try:
        ikm_import_preview(job=job)
    except Exception:
        logger.exception("IKM import %s: preview task failed", job_id)
    return job.status


@shared_task(
    acks_late=True,
    soft_time_limit=IMPORT_SOFT_TIME_LIMIT,
    time_limit=IMPORT_TIME_LIMIT,
)
def ikm_import_apply_task(job_id: str, actor_id: int | None) -> str | None:
    """Import a checked file in one transaction (→ importing → done, or failed with
    nothing written). Safe to run twice: a job that is done (or failed, or being applied
    by another worker) is left alone, and re-checking makes already imported rows
    "unchanged". Returns the job's status."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("IKM import %s: no such job", job_id)
        return None
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        ikm_import_apply(job=job, actor=actor)
    except Exception:
        logger.exception("IKM import %s: import task failed", job_id)
    return job.status
