"""Periodic jobs run once per scheduled slot, however many beat processes send them.

Celery beat sends each periodic job when it falls due. Two beat processes (a second one
started by mistake, or two during a deployment) would each send it, and the job would run
twice. Every job in ``CELERY_BEAT_SCHEDULE`` is therefore decorated with
:func:`once_per_scheduled_run`:

* In a beat process, :func:`stamp_scheduled_send` (connected to ``before_task_publish`` by
  ``config/celery.py``) adds the time of sending to every message beat sends (those carry
  django-celery-beat's ``periodic_task_name`` header). Messages sent by anything else (a
  change, a view, the admin's "run now", a command) carry no stamp and always run.
* In the worker, the decorated job derives its slot from that time and the entry's schedule
  (the database's, as django-celery-beat keeps it, else the settings'): the latest time
  at or before the send at which the schedule fires. The first message of a slot claims it in
  the cache (``beat:<entry>:<slot>``, holding the message's task id, for at least the
  slot's length); another message of the same slot finds the claim and does nothing.
* A redelivery of the winning message (its worker was killed mid-task, a retry) carries the
  same task id, finds its own claim and runs: the guard never loses a run.

Crontab slots are exact (the minute the crontab fires), so two beats a few seconds or
minutes apart share the slot. Interval schedules are not aligned to the clock: their slots
are the interval's multiples since the epoch.
"""

from __future__ import annotations

import datetime
import functools
import logging
import math
import time

from celery import current_task
from celery.schedules import crontab
from celery.schedules import schedule as interval_schedule
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# Headers of a message sent by beat: django-celery-beat's entry name, and ours.
ENTRY_HEADER = "periodic_task_name"
SENT_AT_HEADER = "beat_sent_at"
# A claim outlives its slot by at least this much, so that a duplicate stuck in a queue
# behind other work still finds it.
MIN_CLAIM_SECONDS = 60 * 60
# How far back to look for the minute a crontab fired (covers weekly schedules).
CRONTAB_LOOKBACK_MINUTES = 8 * 24 * 60

_in_beat = False


def mark_beat_process(**kwargs) -> None:
    """``beat_init``: this process is a beat; the messages it sends get a stamp."""
    global _in_beat
    _in_beat = True


def stamp_scheduled_send(headers=None, **kwargs) -> None:
    """``before_task_publish``: in a beat process, stamp a periodic job's message with the
    time it was sent (a retry keeps the first stamp)."""
    if _in_beat and headers is not None and headers.get(ENTRY_HEADER):
        headers.setdefault(SENT_AT_HEADER, time.time())


def _header(request, name: str):
    value = getattr(request, name, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(name)
    return value


def entry_schedule(entry: str):
    """The schedule of a beat entry: the database's (django-celery-beat, editable in the
    admin), else ``CELERY_BEAT_SCHEDULE``'s; ``None`` if neither knows it."""
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.filter(name=entry).first()
    if task is not None:
        try:
            return task.schedule
        except Exception:  # a schedule row removed under it
            logger.warning("Periodic task %s has no schedule in the database", entry)
    found = getattr(settings, "CELERY_BEAT_SCHEDULE", {}).get(entry)
    return found["schedule"] if found else None


def scheduled_slot(
    schedule, sent_at: datetime.datetime
) -> tuple[datetime.datetime, datetime.timedelta]:
    """The slot a message sent at ``sent_at`` belongs to: its start (the time the schedule
    fired, at or before ``sent_at``) and its length (until the schedule fires again)."""
    if isinstance(schedule, (int, float)):
        schedule = datetime.timedelta(seconds=schedule)
    if isinstance(schedule, datetime.timedelta):
        schedule = interval_schedule(schedule)
    if isinstance(schedule, crontab):
        return _crontab_slot(schedule, sent_at)
    if isinstance(schedule, interval_schedule):
        seconds = schedule.run_every.total_seconds()
        start = math.floor(sent_at.timestamp() / seconds) * seconds
        return (
            datetime.datetime.fromtimestamp(start, tz=datetime.UTC),
            schedule.run_every,
        )
    # Solar or clocked schedules: the minute it was sent.
    start = sent_at.replace(second=0, microsecond=0)
    return start, datetime.timedelta(minutes=1)


def _fires_at(cron: crontab, moment: datetime.datetime) -> bool:
    return (
        moment.minute in cron.minute
        and moment.hour in cron.hour
        and moment.isoweekday() % 7 in cron.day_of_week  # crontab: Sunday is 0
        and moment.day in cron.day_of_month
        and moment.month in cron.month_of_year
    )


def _crontab_slot(
    cron: crontab, sent_at: datetime.datetime
) -> tuple[datetime.datetime, datetime.timedelta]:
    tz = cron.tz
    minute = datetime.timedelta(minutes=1)
    sent_minute = sent_at.astimezone(datetime.UTC).replace(second=0, microsecond=0)
    start = None
    moment = sent_minute
    for _ in range(CRONTAB_LOOKBACK_MINUTES):
        if _fires_at(cron, moment.astimezone(tz)):
            start = moment
            break
        moment -= minute
    if start is None:  # fired longer ago than we look: the minute it was sent
        return sent_minute, minute
    following = start + minute
    for _ in range(CRONTAB_LOOKBACK_MINUTES):
        if _fires_at(cron, following.astimezone(tz)):
            return start, following - start
        following += minute
    return start, following - start


def claim_scheduled_run(request) -> bool:
    """Whether this delivery of a periodic job should run: ``True`` for anything beat did
    not send, for the first message of its slot and for redeliveries of that message."""
    entry = _header(request, ENTRY_HEADER)
    sent_at = _header(request, SENT_AT_HEADER)
    if not entry or sent_at is None:
        return True
    schedule = entry_schedule(entry)
    if schedule is None:
        return True
    sent = datetime.datetime.fromtimestamp(float(sent_at), tz=datetime.UTC)
    start, length = scheduled_slot(schedule, sent)
    key = f"beat:{entry}:{start:%Y%m%dT%H%M%SZ}"
    timeout = max(int(length.total_seconds()), MIN_CLAIM_SECONDS)
    if cache.add(key, request.id, timeout=timeout):
        return True
    if cache.get(key) == request.id:
        return True  # this very message again: its worker died, or it is retried
    logger.info("Periodic job %s of %s already sent by another beat: skipped", entry, start)
    return False


def once_per_scheduled_run(func):
    """Decorate a periodic task's function (under ``@shared_task``): a second message of
    the same scheduled slot returns ``None`` without running it."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        task = current_task
        if task and not task.request.is_eager and not claim_scheduled_run(task.request):
            return None
        return func(*args, **kwargs)

    return wrapper
