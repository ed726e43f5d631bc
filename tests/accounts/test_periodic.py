"""A periodic job runs once per scheduled slot (accounts.periodic). The two-beat run with
real processes is in tests/test_celery_faults.py; these pin the slots and the claims."""

import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
from celery.app.task import Context
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from accounts.periodic import (
    ENTRY_HEADER,
    SENT_AT_HEADER,
    claim_scheduled_run,
    entry_schedule,
    scheduled_slot,
    stamp_scheduled_send,
)

WIB = ZoneInfo("Asia/Jakarta")
DAY = datetime.timedelta(days=1)


def wib(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=WIB)


@pytest.fixture
def nightly():
    """00:15 Jakarta time, as django-celery-beat keeps the MoU expiry."""
    return CrontabSchedule(minute="15", hour="0", timezone="Asia/Jakarta").schedule


@pytest.mark.parametrize(
    ("sent", "slot"),
    [
        (wib(2025, 3, 10, 0, 15, 0), wib(2025, 3, 10, 0, 15)),
        (wib(2025, 3, 10, 0, 15, 4), wib(2025, 3, 10, 0, 15)),  # beat ticks a few s late
        (wib(2025, 3, 10, 0, 16, 40), wib(2025, 3, 10, 0, 15)),  # a second beat, late
        (wib(2025, 3, 10, 23, 59, 59), wib(2025, 3, 10, 0, 15)),  # stuck in a queue all day
        (wib(2025, 3, 10, 0, 14, 59), wib(2025, 3, 9, 0, 15)),  # before tonight's: last night
    ],
)
def test_a_crontab_slot_is_the_minute_it_fired(nightly, sent, slot):
    start, length = scheduled_slot(nightly, sent.astimezone(datetime.UTC))
    assert start == slot
    assert length == DAY


def test_a_weekly_crontab_slot_reaches_back_days():
    monday_eight = CrontabSchedule(
        minute="0", hour="8", day_of_week="1", timezone="Asia/Jakarta"
    ).schedule
    start, length = scheduled_slot(monday_eight, wib(2025, 3, 13, 9, 30))  # a Thursday
    assert start == wib(2025, 3, 10, 8, 0)  # Monday
    assert length == 7 * DAY


def test_an_interval_slot_is_a_multiple_of_the_interval():
    every_two = datetime.timedelta(seconds=2)
    at = datetime.datetime(2025, 3, 10, 1, 0, 10, tzinfo=datetime.UTC)
    assert scheduled_slot(every_two, at) == (at, every_two)
    assert scheduled_slot(every_two, at + datetime.timedelta(seconds=1.9))[0] == at
    assert scheduled_slot(every_two, at + every_two)[0] == at + every_two
    assert scheduled_slot(2, at)[0] == at  # settings may give seconds as a number


@pytest.mark.django_db
def test_the_schedule_is_the_database_s_else_the_settings():
    assert entry_schedule("mou-expire-due-daily").hour == {0}  # settings
    assert entry_schedule("no-such-entry") is None
    PeriodicTask.objects.create(
        name="mou-expire-due-daily",
        task="kemitraan.tasks.mou_expire_due_task",
        crontab=CrontabSchedule.objects.create(minute="45", hour="3", timezone="Asia/Jakarta"),
    )
    assert entry_schedule("mou-expire-due-daily").hour == {3}  # edited in the admin


def _delivery(entry: str, sent_at: datetime.datetime, task_id: str | None = None) -> Context:
    """A worker's request for a message beat sent."""
    return Context(
        id=task_id or str(uuid.uuid4()),
        **{ENTRY_HEADER: entry, SENT_AT_HEADER: sent_at.timestamp()},
    )


@pytest.mark.django_db
def test_one_run_per_slot_and_the_winner_may_be_delivered_again():
    entry = f"dashboard-test-{uuid.uuid4().hex[:8]}"
    PeriodicTask.objects.create(
        name=entry,
        task="dasbor.tasks.snapshot_refresh_task",
        crontab=CrontabSchedule.objects.create(minute="30", hour="2", timezone="Asia/Jakarta"),
    )
    tonight = wib(2025, 3, 10, 2, 30, 1)
    first = _delivery(entry, tonight)

    assert claim_scheduled_run(first)
    # The second beat's message for the same night does nothing ...
    assert not claim_scheduled_run(_delivery(entry, tonight + datetime.timedelta(seconds=3)))
    # ... the first message delivered again (its worker was killed) runs ...
    assert claim_scheduled_run(_delivery(entry, tonight, task_id=first.id))
    # ... and the next night is a slot of its own.
    assert claim_scheduled_run(_delivery(entry, tonight + DAY))


@pytest.mark.django_db
def test_jobs_not_sent_by_beat_always_run():
    entry = f"interval-test-{uuid.uuid4().hex[:8]}"
    PeriodicTask.objects.create(
        name=entry,
        task="dasbor.tasks.snapshot_refresh_task",
        interval=IntervalSchedule.objects.create(every=1, period=IntervalSchedule.HOURS),
    )
    # The admin's "run now" names the entry but carries no beat stamp: run, every time.
    run_now = Context(id=str(uuid.uuid4()), **{ENTRY_HEADER: entry})
    assert claim_scheduled_run(run_now)
    assert claim_scheduled_run(Context(id=str(uuid.uuid4()), **{ENTRY_HEADER: entry}))
    # Sent after a change or from a view: no headers at all.
    assert claim_scheduled_run(Context(id=str(uuid.uuid4())))

    # Only a beat process stamps; this one (a web or test process) leaves headers alone.
    headers = {ENTRY_HEADER: entry}
    stamp_scheduled_send(headers=headers)
    assert SENT_AT_HEADER not in headers
