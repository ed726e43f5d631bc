"""The Celery application.

Tasks live in each app's ``tasks.py``; the broker comes from ``CELERY_BROKER_URL``
(default: ``REDIS_URL``). Without a broker the settings switch Celery to eager mode,
so tasks run in-process and ``make run`` needs no Redis.

A beat process stamps the periodic jobs it sends with the time of sending, so that a job
sent by two beat processes for the same scheduled slot runs once (see
:mod:`accounts.periodic`).
"""

import os

from celery import Celery
from celery.signals import beat_init, before_task_publish

from accounts import periodic

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("kemitraan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

beat_init.connect(periodic.mark_beat_process, weak=False)
before_task_publish.connect(periodic.stamp_scheduled_send, weak=False)
