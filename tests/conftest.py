"""Shared fixtures. The suite runs on the real PostgreSQL and Redis; a session-scoped
fixture starts a real Celery worker process for the tests marked ``worker``."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from accounts.roles import Role

from .factories import OrganisationFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


def _where(url: str) -> str:
    """host:port of a service URL, without credentials (they never go into output)."""
    parts = urlsplit(url)
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or ''}".rstrip(":")


def pytest_configure(config):
    """Fail at once, saying which service is down and how to start it."""
    import psycopg2
    import redis

    db = settings.DATABASES["default"]
    problems = []
    if db["ENGINE"] != "django.db.backends.postgresql":
        problems.append("The tests run on PostgreSQL: DATABASE_URL must be a postgres:// URL.")
    else:
        try:
            psycopg2.connect(
                dbname="postgres",
                user=db.get("USER") or None,
                password=db.get("PASSWORD") or None,
                host=db.get("HOST") or None,
                port=db.get("PORT") or None,
                connect_timeout=3,
            ).close()
        except psycopg2.OperationalError:
            problems.append(
                f"PostgreSQL is not reachable at {db.get('HOST')}:{db.get('PORT') or 5432}. "
                "Start it (Debian: pg_ctlcluster --skip-systemctl-redirect 15 main start) "
                "or point DATABASE_URL at a running server."
            )
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError:
        problems.append(
            f"Redis is not reachable at {_where(settings.REDIS_URL)}. Start it "
            '(redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "") '
            "or point REDIS_URL at a running server."
        )
    if problems:
        pytest.exit("\n".join(["Services the tests need are down:", *problems]), returncode=1)


# --- Users of each role ---------------------------------------------------------


@pytest.fixture
def buyer_org(db):
    return OrganisationFactory(kind="apm", name="PT Uji Motor Indonesia")


@pytest.fixture
def other_buyer_org(db):
    return OrganisationFactory(kind="tier1", name="PT Pembeli Lain")


@pytest.fixture
def lender_org(db):
    return OrganisationFactory(kind="bank", name="PT Bank Uji")


@pytest.fixture
def other_lender_org(db):
    return OrganisationFactory(kind="multifinance", name="PT Pembiayaan Lain")


@pytest.fixture
def kemenperin_user(db):
    return UserFactory(role=Role.KEMENPERIN, organisation=OrganisationFactory(kind="kemenperin"))


@pytest.fixture
def kadin_user(db):
    return UserFactory(role=Role.KADIN, organisation=OrganisationFactory(kind="kadin"))


@pytest.fixture
def pengadaan_user(buyer_org):
    return UserFactory(role=Role.PENGADAAN, organisation=buyer_org)


@pytest.fixture
def pembiayaan_user(lender_org):
    return UserFactory(role=Role.PEMBIAYAAN, organisation=lender_org)


@pytest.fixture
def users_by_role(kemenperin_user, kadin_user, pengadaan_user, pembiayaan_user):
    return {
        Role.KEMENPERIN: kemenperin_user,
        Role.KADIN: kadin_user,
        Role.PENGADAAN: pengadaan_user,
        Role.PEMBIAYAAN: pembiayaan_user,
    }


# --- A real Celery worker ---------------------------------------------------------


@pytest.fixture(scope="session")
def _celery_worker_session(django_db_setup, django_db_blocker):
    """A `celery worker` subprocess on the test database, consuming a queue of its own,
    started once for the session."""
    from django.db import connection

    from config.celery import app

    queue = f"kemitraan-test-{uuid.uuid4().hex[:8]}"
    hostname = f"test-{queue}@localhost"
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}"
        f"{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TEST_QUEUE": queue,
        "CELERY_TEST_EAGER": "false",
    }
    (ROOT / "var").mkdir(exist_ok=True)
    log = open(ROOT / "var" / "test-worker.log", "w")  # noqa: SIM115 (open while the worker runs)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--hostname",
            hostname,
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The Celery worker exited early; see {log.name}")
        if app.control.ping(destination=[hostname], timeout=1):
            break
    else:
        process.terminate()
        raise RuntimeError(f"The Celery worker did not answer within 60 s; see {log.name}")

    try:
        yield {"queue": queue, "hostname": hostname, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def celery_worker_process(_celery_worker_session):
    """The session's real worker, with tasks sent to it (not run in-process) for the
    duration of one test only: tests that follow run their tasks eagerly again, so a task
    never reaches the worker from a test that did not ask for it."""
    from config.celery import app

    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = _celery_worker_session["queue"]
    try:
        yield _celery_worker_session
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
