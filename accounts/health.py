"""`/health/`: is the database, Redis and a Celery worker reachable?

Only what is configured is checked: without REDIS_URL there is no Redis to ping,
and without a broker tasks run in-process (eager), so no worker is expected.
Answers 200 when every check passes, 500 otherwise; JSON with ?format=json.
"""

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from health_check.views import HealthCheckView


def configured_checks() -> list:
    checks: list = ["health_check.checks.Database"]
    if settings.REDIS_URL:
        from redis.asyncio import Redis

        url = settings.REDIS_URL
        checks.append(
            ("health_check.contrib.redis.Redis", {"client_factory": lambda: Redis.from_url(url)})
        )
    if settings.CELERY_BROKER_URL and not settings.CELERY_TASK_ALWAYS_EAGER:
        checks.append(
            ("health_check.contrib.celery.Ping", {"timeout": datetime.timedelta(seconds=2)})
        )
    return checks


@login_not_required
@transaction.non_atomic_requests
async def health_view(request, *args, **kwargs):
    # Built per request so that the checks follow the settings in force.
    view = HealthCheckView.as_view(checks=configured_checks())
    return await view(request, *args, **kwargs)
