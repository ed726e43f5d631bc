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
