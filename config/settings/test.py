"""The test suite: real PostgreSQL and Redis (defaults below, overridable)."""

import hashlib
import os
import time

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kemitraan")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

from .base import *  # noqa: F403
from .base import CELERY_TASK_DEFAULT_QUEUE

# Tests call tasks in-process by default; the worker round-trip tests send them
# through Redis to a real worker explicitly (tests/test_celery.py). The worker itself runs
# with CELERY_TEST_EAGER=false, so that the tasks it sends (a chord's chunks) are queued too.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TEST_EAGER", "true") != "false"
# A queue of the suite's own, so a developer's running worker never takes its tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TEST_QUEUE", f"{CELERY_TASK_DEFAULT_QUEUE}-test")

# The dashboard's refresh after changes is off: the suite counts commit callbacks (the
# match job is enqueued once) and most tests never read the dashboard. tests/dasbor turns
# it on where it is tested.
DASHBOARD_REFRESH_ON_CHANGE = False

# One test database per checkout, so two clones on one machine can run the suite at once.
_checkout = hashlib.sha1(str(BASE_DIR).encode()).hexdigest()[:8]  # noqa: F405
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": os.environ.get(
        "TEST_DATABASE_NAME",
        f"test_{DATABASES['default']['NAME']}_{_checkout}",  # noqa: F405
    )
}

# Cache keys of this run's own in the shared Redis (the dashboard's refresh lock and
# debounce, throttling), so that two runs at once do not take each other's locks. The
# prefix goes into the environment, so the Celery worker the suite starts shares it.
os.environ.setdefault("TEST_CACHE_PREFIX", DATABASES["default"]["TEST"]["NAME"])  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = os.environ["TEST_CACHE_PREFIX"]  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BASE_DIR / "var" / "test-media", "base_url": None},  # noqa: F405
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True

# The suite's log lines also go to a file, which tests/test_zz_logs_have_no_personal_data.py
# (the last test file) scans for NIK, phone numbers and e-mail addresses. The pytest process
# starts the file afresh; the Celery worker it starts for the `worker` tests appends to it.
# One file per test database, so two runs in one checkout do not write into each other's.
# The worker's own log (var/test-worker.log, Celery takes over its logging) is scanned too
# when it was written after TEST_RUN_STARTED.
TEST_RUN_STARTED = time.time()
TEST_LOG_FILE = (
    BASE_DIR  # noqa: F405
    / "var"
    / "test-logs"
    / (
        f"suite-{os.environ['TEST_DATABASE_NAME']}.log"
        if os.environ.get("TEST_DATABASE_NAME")
        else "suite.log"
    )
)
TEST_LOG_FILE.parent.mkdir(parents=True, exist_ok=True)
LOGGING = {
    **LOGGING,  # noqa: F405
    "handlers": {
        **LOGGING["handlers"],  # noqa: F405
        "suite_file": {
            "class": "logging.FileHandler",
            "filename": str(TEST_LOG_FILE),
            "mode": "a" if os.environ.get("CELERY_TEST_EAGER") == "false" else "w",
            "encoding": "utf-8",
            "formatter": "plain",
        },
    },
    "root": {
        **LOGGING["root"],  # noqa: F405
        "handlers": [*LOGGING["root"]["handlers"], "suite_file"],  # noqa: F405
    },
}

# The Celery worker of the `worker` tests runs outside Django's test environment: without
# this it would use the console backend and print every e-mail, addresses included, into its
# log. (The pytest process gets the same backend from pytest-django.)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
