"""Celery faults, with real processes: a worker killed mid-task loses no task, and two
beat processes run each scheduled slot of a periodic job once.

Every process here runs the project's own Celery app on the test database, on a queue and
a Redis key space of its own (kombu's ``global_keyprefix``; a cache key prefix), so that
the short visibility timeout these workers use (an unacknowledged message returns to the
queue after it) never touches another worker's messages on the same Redis, and other
runs' locks (the dashboard's, the beat claims) never meet these.
"""

import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import psycopg2
import pytest
from celery import Celery
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from accounts.periodic import ENTRY_HEADER, SENT_AT_HEADER
from dasbor.models import Snapshot
from kemitraan.matching import run
from kemitraan.models import Demand, MoU

from .factories import DemandFactory, IkmFactory, MouFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "var" / "test-faults"
# Runs the project's Celery app with a few settings of the test's: its broker key space
# and, for the cache (locks, claims), a key prefix of its own (see _Process).
RUNNER = (
    "import json, os, sys\n"
    "from django.conf import settings\n"
    "settings.CACHES['default']['KEY_PREFIX'] = os.environ['FAULTS_CACHE_PREFIX']\n"
    "from config.celery import app\n"
    "app.conf.update(json.loads(os.environ['FAULTS_CELERY_CONF']))\n"
    "app.start(sys.argv[1:])\n"
)
VISIBILITY_TIMEOUT = 5  # seconds before an unacknowledged message is delivered again
WAIT = 45  # seconds at most for the processes to get somewhere (never asserted on)


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER'] or 'postgres'}{password}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _wait_for(condition, timeout=WAIT, interval=0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


class Broker:
    """A queue and a Redis key space of the test's own, and a client app sending to it."""

    def __init__(self):
        tag = uuid.uuid4().hex[:8]
        self.queue = f"kemitraan-faults-{tag}"
        self.prefix = f"faults-{tag}"
        self.transport_options = {
            "global_keyprefix": f"{self.prefix}:",
            "visibility_timeout": VISIBILITY_TIMEOUT,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
        }
        # Not the current app: the project's tasks keep running in-process in this one.
        self.app = Celery(
            "faults",
            broker=settings.CELERY_BROKER_URL,
            backend=settings.CELERY_RESULT_BACKEND,
            broker_transport_options=self.transport_options,
            set_as_current=False,
        )

    def send(self, name, *, args=(), headers=None):
        return self.app.send_task(name, args=list(args), queue=self.queue, headers=headers)

    def close(self):
        self.app.close()


class _Process:
    """`celery worker` or `celery beat` of the project's app, in a process group of its
    own (so that it can be killed whole), logging to var/test-faults/."""

    def __init__(self, broker, name, argv, conf=None):
        self.broker = broker
        self.name = name
        self.argv = argv
        self.conf = {"broker_transport_options": broker.transport_options, **(conf or {})}
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log_path = LOGS / f"{name}.log"
        self.process = None

    def start(self):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_TEST_QUEUE": self.broker.queue,
            "CELERY_TEST_EAGER": "false",
            "FAULTS_CELERY_CONF": json.dumps(self.conf),
            "FAULTS_CACHE_PREFIX": self.broker.prefix,
        }
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", RUNNER, *self.argv],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self):
        """SIGKILL the whole process group: the machine or container dies."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # a warm shutdown, as systemd or a deploy would ask
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


class Worker(_Process):
    def __init__(self, broker, name):
        self.hostname = f"{name}-{uuid.uuid4().hex[:6]}@localhost"
        argv = [
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--queues",
            broker.queue,
            "--hostname",
            self.hostname,
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ]
        super().__init__(broker, name, argv)

    def start(self):
        super().start()
        ready = _wait_for(
            lambda: (
                self.process.poll() is not None
                or self.broker.app.control.ping(destination=[self.hostname], timeout=0.5)
            ),
            timeout=60,
        )
        if not ready or self.process.poll() is not None:
            self.stop()
            raise RuntimeError(f"The worker {self.name} did not start; see {self.log_path}")
        return self

    def kill_pool_process(self) -> int:
        """SIGKILL the pool process running the task (out of memory, a crash in C code)."""
        (child,) = psutil.Process(self.process.pid).children()
        child.send_signal(signal.SIGKILL)
        return child.pid


class RowLock:
    """A row locked by another database session, so that a task which locks it waits,
    mid-task, until the lock is released."""

    def __init__(self, model, pk):
        self.conn = _connect()
        self.watcher = _connect()
        self.watcher.autocommit = True  # pg_stat_activity is read afresh by each statement
        with self.conn.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {model._meta.db_table} WHERE id = %s FOR UPDATE", [pk])
            cursor.execute("SELECT pg_backend_pid()")
            self.holder = cursor.fetchone()[0]

    def waited_on(self) -> bool:
        """Whether another session waits for a lock this one holds (the task is blocked)."""
        with self.watcher.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                [self.holder],
            )
            return cursor.fetchone()[0] > 0

    def release(self):
        for conn in (self.conn, self.watcher):
            if not conn.closed:
                conn.rollback()
                conn.close()


def _connect():
    db = connection.settings_dict
    return psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )


@pytest.fixture
def broker():
    found = Broker()
    yield found
    found.close()


@pytest.fixture
def processes():
    started = []
    yield started
    for process in started:
        process.stop()


# --- A worker killed mid-task ------------------------------------------------------


def test_a_worker_killed_mid_task_loses_no_task(broker, processes):
    """SIGKILL the whole worker (its main and pool processes) while it runs the first of
    six matching jobs: the job it held comes back after the visibility timeout and a new
    worker runs it and the five still queued. No job is lost, and the suggestions are those
    of one clean run."""
    IkmFactory.create_batch(4)
    needs = DemandFactory.create_batch(6)
    assert not Demand.objects.filter(matched_at__isnull=False).exists()

    lock = RowLock(Demand, needs[0].pk)
    try:
        first = Worker(broker, "faults-first")
        processes.append(first.start())
        for need in needs:
            broker.send("kemitraan.tasks.demand_match_task", args=[need.pk])
        assert _wait_for(lock.waited_on), "the first job never reached the need's row lock"
        first.kill()
        # Killed mid-task: the job it was running wrote nothing.
        assert Demand.objects.filter(matched_at__isnull=False).count() == 0
    finally:
        lock.release()

    second = Worker(broker, "faults-second")
    processes.append(second.start())
    _wait_for(lambda: not Demand.objects.filter(matched_at__isnull=True).exists())

    lost = Demand.objects.filter(pk__in=[n.pk for n in needs], matched_at__isnull=True).count()
    assert lost == 0, f"{lost} of {len(needs)} jobs lost when the worker was killed"
    # The state is the one a single clean run leaves: matching again changes nothing.
    for need in needs:
        again = run.demand_match(need.pk)
        assert (again.created, again.updated, again.deleted) == (0, 0, 0), need.pk


def _beat_headers(entry: str, sent_at: float) -> dict:
    """The headers beat puts on a periodic job: django-celery-beat's entry name and the
    time of sending stamped by accounts.periodic."""
    return {ENTRY_HEADER: entry, SENT_AT_HEADER: sent_at}


def test_a_periodic_run_whose_pool_process_dies_runs_again_and_once(broker, processes):
    """The nightly MoU expiry, sent by beat, is running when its pool process is killed:
    it goes back to the queue (reject on worker lost) and runs again, even though its slot
    is already claimed (by itself). The same slot sent by a second beat does nothing; the
    next night's slot runs."""
    entry = f"mou-expire-due-test-{uuid.uuid4().hex[:8]}"
    PeriodicTask.objects.create(
        name=entry,
        task="kemitraan.tasks.mou_expire_due_task",
        crontab=CrontabSchedule.objects.create(minute="15", hour="0", timezone="Asia/Jakarta"),
        enabled=False,  # no beat runs here; the worker reads its schedule
    )
    today = timezone.localdate()
    ended = MouFactory(valid_until=today - datetime.timedelta(days=1), status=MoU.Status.ACTIVE)
    sent_at = time.time()

    worker = Worker(broker, "faults-pool")
    processes.append(worker.start())
    lock = RowLock(MoU, ended.pk)
    try:
        first = broker.send(
            "kemitraan.tasks.mou_expire_due_task", headers=_beat_headers(entry, sent_at)
        )
        assert _wait_for(lock.waited_on), "the expiry never reached the MoU's row lock"
        worker.kill_pool_process()
        ended.refresh_from_db()
        assert ended.status == MoU.Status.ACTIVE  # killed mid-task
    finally:
        lock.release()

    assert first.get(timeout=WAIT) == 1  # run again in a new pool process: nothing lost
    ended.refresh_from_db()
    assert ended.status == MoU.Status.EXPIRED
    assert "WorkerLostError" in worker.log() or "SIGKILL" in worker.log()

    # Another MoU ends; the second beat's message for the same slot does nothing ...
    later = MouFactory(valid_until=today - datetime.timedelta(days=2), status=MoU.Status.ACTIVE)
    duplicate = broker.send(
        "kemitraan.tasks.mou_expire_due_task", headers=_beat_headers(entry, sent_at + 3)
    )
    assert duplicate.get(timeout=WAIT) is None
    later.refresh_from_db()
    assert later.status == MoU.Status.ACTIVE
    # ... while the next night's slot runs.
    tomorrow = broker.send(
        "kemitraan.tasks.mou_expire_due_task", headers=_beat_headers(entry, sent_at + 86400)
    )
    assert tomorrow.get(timeout=WAIT) == 1
    later.refresh_from_db()
    assert later.status == MoU.Status.EXPIRED


# --- Two beat processes ------------------------------------------------------------

SENT = re.compile(r"dasbor\.tasks\.snapshot_refresh_task sent\. id->([0-9a-f-]+)")


def test_two_beat_processes_run_each_slot_of_a_job_once(broker, processes):
    """Two real `celery beat` processes (django-celery-beat's database scheduler) send the
    nightly dashboard job, here every 2 seconds. Each beat sends it in every slot; the
    worker stores one snapshot per slot."""
    period = 2
    entry = f"dashboard-snapshot-test-{uuid.uuid4().hex[:8]}"
    job = PeriodicTask.objects.create(
        name=entry,
        task="dasbor.tasks.snapshot_refresh_task",
        kwargs=json.dumps({"trigger": Snapshot.Trigger.NIGHTLY}),
        interval=IntervalSchedule.objects.create(every=period, period=IntervalSchedule.SECONDS),
        queue=broker.queue,
        enabled=False,
    )
    processes.append(Worker(broker, "faults-beat-worker").start())
    # Only the test's job: no entries from the settings, no result clean-up entry.
    conf = {"beat_schedule": {}, "result_expires": None}
    beats = [
        _Process(
            broker,
            f"faults-beat-{letter}",
            ["beat", "--loglevel", "DEBUG", "--max-interval", "1"],
            conf,
        ).start()
        for letter in "ab"
    ]
    processes.extend(beats)
    assert _wait_for(lambda: all("beat: Starting" in b.log() for b in beats), timeout=60)

    # Both beats pick the job up (they reload changed schedules within a second) and
    # first send it at the same slot: the next multiple of the period, a few seconds on.
    first_slot = (int(time.time()) // period + 4) * period
    job.last_run_at = datetime.datetime.fromtimestamp(first_slot - period, tz=datetime.UTC)
    job.enabled = True
    job.save()
    assert _wait_for(lambda: all(len(SENT.findall(b.log())) >= 3 for b in beats))
    for beat in beats:
        beat.stop()

    sent = [SENT.findall(beat.log()) for beat in beats]
    results = [broker.app.AsyncResult(task_id).get(timeout=WAIT) for ids in sent for task_id in ids]
    ran = [pk for pk in results if pk is not None]
    slots = max(len(ids) for ids in sent)

    assert min(len(ids) for ids in sent) >= 3  # both beats sent the job in every slot
    assert len(ran) == slots, f"{len(ran)} runs for {slots} slots ({[len(i) for i in sent]} sent)"
    assert Snapshot.objects.filter(trigger=Snapshot.Trigger.NIGHTLY).count() == slots
