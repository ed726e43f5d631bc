"""Tasks round-trip through Redis to a real Celery worker process on the test database."""

import datetime

import pytest
from django.utils import timezone

from kemitraan.models import MoU
from kemitraan.tasks import mou_expire_due_task

from .factories import MouFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_mou_expiry_task_runs_in_the_worker(celery_worker_process):
    today = timezone.localdate()
    ended = MouFactory(valid_until=today - datetime.timedelta(days=1), status=MoU.Status.ACTIVE)
    running = MouFactory(valid_until=today + datetime.timedelta(days=30), status=MoU.Status.ACTIVE)

    result = mou_expire_due_task.apply_async(queue=celery_worker_process["queue"])

    assert result.get(timeout=30) == 1
    # Executed by the worker (its own process), not in this one.
    assert result.status == "SUCCESS"
    ended.refresh_from_db()
    running.refresh_from_db()
    assert ended.status == MoU.Status.EXPIRED
    assert ended.history.first().history_change_reason == "validity ended"
    assert running.status == MoU.Status.ACTIVE

    # Safe to run twice: nothing left to expire.
    again = mou_expire_due_task.apply_async(queue=celery_worker_process["queue"])
    assert again.get(timeout=30) == 0


def test_health_reports_database_redis_and_the_worker(client, celery_worker_process, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/health/?format=json")
    assert response.status_code == 200, response.content
    checks = response.json()
    names = " ".join(checks)
    assert "Database" in names
    assert "Redis" in names
    assert "Ping" in names
    assert all(value == "OK" for value in checks.values()), checks


def test_a_spreadsheet_import_is_checked_and_applied_by_the_worker(
    celery_worker_process, kemenperin_user
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from ikm.importing import COLUMN_NAMES, import_job_create
    from ikm.models import IKM, ImportJob
    from ikm.tasks import ikm_import_apply_task, ikm_import_preview_task

    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMN_NAMES))
    row = {
        "nama_usaha": "CV Pekerja Nyata",
        "nib": "9150000000001",
        "provinsi": "Jawa Timur",
        "kabupaten_kota": "Kab. Sidoarjo",
        "kbli": "29300",
        "proses": "pemesinan",
        "produk": "poros roda",
        "jumlah_tenaga_kerja": 9,
        "nilai_investasi": "400 juta",
    }
    sheet.append([row.get(name) for name in COLUMN_NAMES])
    sheet.append([row.get(name) if name != "nib" else "12" for name in COLUMN_NAMES])
    buffer = io.BytesIO()
    book.save(buffer)
    job = import_job_create(
        uploaded_file=SimpleUploadedFile("jatim.xlsx", buffer.getvalue()), actor=kemenperin_user
    )
    queue = celery_worker_process["queue"]

    ikm_import_preview_task.apply_async(args=[str(job.pk)], queue=queue).get(timeout=60)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW_READY
    assert job.counts == {"create": 1, "update": 0, "unchanged": 0, "invalid": 1}
    assert not IKM.objects.filter(nib="9150000000001").exists()

    ikm_import_apply_task.apply_async(args=[str(job.pk), kemenperin_user.pk], queue=queue).get(
        timeout=60
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    ikm = IKM.objects.get(nib="9150000000001")
    assert ikm.created_by == kemenperin_user and ikm.regency_id == "35.15"
    # Running the apply task again (a redelivered message) writes nothing more.
    ikm_import_apply_task.apply_async(args=[str(job.pk), kemenperin_user.pk], queue=queue).get(
        timeout=60
    )
    assert IKM.objects.filter(nib="9150000000001").count() == 1
    assert ikm.history.count() == IKM.objects.get(pk=ikm.pk).history.count()
