"""Import jobs: storing an upload, the preview (a dry run), the import, its progress."""

import hashlib
import logging
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from ..models import ImportJob
from ..parsing import ReferenceData
from ..signals import registry_bulk_changed
from .columns import (
    FILE_ALREADY_RUNNING,
    FILE_TOO_LARGE,
    FILE_TYPE,
    FILE_UNREADABLE,
    IMPORT_CRASHED,
    ImportFileError,
)
from .reading import Table, find_formula, formula_error, read_table, source_bytes
from .rows import _Importer

logger = logging.getLogger("ikm.importing")


MAX_FILE_BYTES = 20 * 1024 * 1024
PROGRESS_CACHE_TIMEOUT = 6 * 60 * 60


def _persisted(job: ImportJob) -> bool:
    return not job._state.adding


def _job_update(job: ImportJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    if _persisted(job):
        ImportJob.objects.filter(pk=job.pk).update(**fields)


def _progress_key(job: ImportJob) -> str:
    return f"ikm-import-progress:{job.pk}"


def import_job_create(*, uploaded_file, actor) -> ImportJob:
    """Store an uploaded .xlsx or .csv (private storage, a random name) as a queued
    :class:`ImportJob` of ``actor``. Enqueueing the preview is the caller's business
    (``transaction.on_commit(lambda: ikm_import_preview_task.delay(str(job.pk)))``).

    Raises ``ValidationError`` for another kind of file, a file over 20 MB, or a file
    (same SHA-256) that is already being processed (constraint
    ``import_one_running_per_file``)."""
    file_name = Path(getattr(uploaded_file, "name", "") or "").name
    if not file_name.lower().endswith((".xlsx", ".csv")):
        raise ValidationError(FILE_TYPE, code="file_type")
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise ValidationError(FILE_TOO_LARGE, code="file_size")
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    job = ImportJob(created_by=actor, file_name=file_name[:255], file_sha256=digest.hexdigest())
    job.full_clean(exclude=["file"])  # the running-file constraint, with its message
    uploaded_file.seek(0)
    job.file.save(file_name, uploaded_file, save=False)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError as exc:  # the same file was queued a moment ago
        job.file.delete(save=False)
        raise ValidationError(FILE_ALREADY_RUNNING, code="running") from exc
    return job


def _job_table(job: ImportJob, source) -> Table:
    """The job's file (or ``source``) as a :class:`Table`, refused whole when it holds text
    that a spreadsheet would run as a formula (CSV injection: the registry keeps text as
    typed), as the PO and akad imports do. This check holds for every way in (the task
    after an upload, the command line). A formula cell is kept as its text, and the
    neutralised "'=..." that exports write is let through, so an exported directory
    imports back unchanged; the upload page refuses both before storing the file
    (``ikm.import_views.check_upload``)."""
    if source is None:
        try:
            with job.file.open("rb") as handle:
                data = handle.read()
        except (OSError, ValueError) as exc:
            raise ImportFileError(FILE_UNREADABLE) from exc
    else:
        data = source_bytes(source)
    table = read_table(data, job.file_name)
    found = find_formula(data, job.file_name, formula_cells=False, quoted=False, table=table)
    if found is not None:
        raise formula_error(found)
    return table


def _fail(job: ImportJob, message) -> None:
    _job_update(
        job, status=ImportJob.Status.FAILED, error_message=str(message), finished_at=timezone.now()
    )


def ikm_import_preview(*, job: ImportJob, source=None) -> ImportJob:
    """Check every row of the job's file against the database without writing any IKM
    (dry run); store the row results, counts and warnings; status ``preview_ready``.
    Progress goes to the job row every :data:`CHUNK_SIZE` rows.

    Runs only on a ``queued`` job that was not previewed yet (or one left ``previewing``
    by a crashed worker), so running it twice does no harm. A file-level error ends in
    ``failed`` with the message; an unexpected error too, and is re-raised. ``source``
    (path, bytes or file) replaces the stored file (the command line)."""
    Status = ImportJob.Status
    if _persisted(job):
        claimed = ImportJob.objects.filter(
            pk=job.pk, status=Status.QUEUED, finished_at__isnull=True
        ).update(status=Status.PREVIEWING, started_at=timezone.now())
        job.refresh_from_db()
        if not claimed and job.status != Status.PREVIEWING:
            return job
    elif job.status not in (Status.QUEUED, Status.PREVIEWING):
        return job
    else:
        job.status, job.started_at = Status.PREVIEWING, timezone.now()

    def progress(processed, total, counts):
        _job_update(job, processed_rows=processed, total_rows=total, counts=counts)

    try:
        table = _job_table(job, source)
        result = _Importer(table, ReferenceData.from_db(), write=False, on_progress=progress).run()
    except ImportFileError as exc:
        _fail(job, exc.text)
        return job
    except Exception as exc:
        logger.exception("IKM import %s: the preview failed", job.pk)
        _fail(job, IMPORT_CRASHED % {"error": type(exc).__name__})
        raise
    _job_update(
        job, status=Status.PREVIEW_READY, error_message="", finished_at=timezone.now(), **result
    )
    return job


class _AlreadyApplying(Exception):
    pass


def ikm_import_apply(*, job: ImportJob, actor=None, source=None) -> ImportJob:
    """Import the job's file: check every row again against the current database and, in
    one transaction, create the new IKM (status ``submitted``, ``submitted_at`` now,
    ``created_by`` = ``actor``), update the changed ones (rows locked with
    ``select_for_update``), add their certificates, and store the results on the job
    (status ``done``) in the same transaction. History records ``actor``. Invalid rows
    are skipped and listed. Progress goes to the cache (see :func:`import_job_progress`).

    Runs on a ``queued`` or ``preview_ready`` job (or one left ``importing`` by a crashed
    worker); on any other status it does nothing, so running it twice does no harm. A
    file-level error or a crash leaves the database as it was and the job ``failed``; a
    crash is re-raised. ``actor`` may be None (command line without --by)."""
    Status = ImportJob.Status
    if _persisted(job):
        try:
            with transaction.atomic():
                claimed = ImportJob.objects.filter(
                    pk=job.pk, status__in=[Status.QUEUED, Status.PREVIEW_READY]
                ).update(status=Status.IMPORTING, started_at=timezone.now(), error_message="")
        except IntegrityError:  # the same file is being imported by another job
            _fail(job, FILE_ALREADY_RUNNING)
            return job
        job.refresh_from_db()
        if not claimed and job.status != Status.IMPORTING:
            return job
    elif job.status not in (Status.QUEUED, Status.PREVIEW_READY):
        return job
    else:
        job.status, job.started_at = Status.IMPORTING, timezone.now()

    key = _progress_key(job)

    def progress(processed, total, counts):
        try:
            cache.set(
                key,
                {"processed_rows": processed, "total_rows": total, "counts": counts},
                PROGRESS_CACHE_TIMEOUT,
            )
        except Exception:  # progress is a courtesy: never fail an import over it
            logger.warning("IKM import %s: progress not cached", job.pk, exc_info=True)

    now = timezone.now()
    try:
        with transaction.atomic():
            if _persisted(job):
                try:
                    locked = ImportJob.objects.select_for_update(nowait=True).get(pk=job.pk)
                except DatabaseError as exc:
                    raise _AlreadyApplying from exc
                if locked.status != Status.IMPORTING:
                    raise _AlreadyApplying
            table = _job_table(job, source)
            importer = _Importer(
                table,
                ReferenceData.from_db(),
                write=True,
                actor=actor,
                reason=f"IKM import {job.pk}",
                now=now,
                on_progress=progress,
            )
            result = importer.run()
            _job_update(
                job, status=Status.DONE, error_message="", finished_at=timezone.now(), **result
            )
            created = result["counts"].get("create", 0)
            updated = result["counts"].get("update", 0)
            if created or updated:
                transaction.on_commit(
                    lambda: registry_bulk_changed.send(
                        sender=ImportJob, created=created, updated=updated
                    )
                )
    except _AlreadyApplying:
        if _persisted(job):
            job.refresh_from_db()
        return job
    except ImportFileError as exc:
        _fail(job, exc.text)
        return job
    except Exception as exc:
        logger.exception("IKM import %s: the import failed and was rolled back", job.pk)
        _fail(job, IMPORT_CRASHED % {"error": type(exc).__name__})
        raise
    finally:
        try:
            cache.delete(key)
        except Exception:
            logger.warning("IKM import %s: progress not cleared", job.pk, exc_info=True)
    return job


def import_job_progress(job: ImportJob) -> dict:
    """``{"status", "total_rows", "processed_rows", "percent", "counts"}`` for a progress
    page. While the import runs its transaction hides the job row's changes, so the
    progress is read from the cache then; otherwise from the job (fetch it fresh)."""
    data = {
        "status": job.status,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "counts": dict(job.counts or {}),
    }
    if job.status == ImportJob.Status.QUEUED:
        data.update(processed_rows=0, counts={})  # waiting for a worker (again, if confirmed)
    elif job.status == ImportJob.Status.IMPORTING:
        try:
            cached = cache.get(_progress_key(job))
        except Exception:
            cached = None
        if cached:
            data.update(cached)
        else:
            data.update(processed_rows=0, counts={})
    total = data["total_rows"]
    data["percent"] = min(100, round(100 * data["processed_rows"] / total)) if total else 0
    return data
