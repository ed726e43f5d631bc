"""The Celery application.

Tasks live in each app's ``tasks.py``; the broker comes from ``CELERY_BROKER_URL``
(default: ``REDIS_URL``). Without a broker the settings switch Celery to eager mode,
so tasks run in-process and ``make run`` needs no Redis.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("kemitraan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
