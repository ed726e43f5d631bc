"""Settings shared by every environment, driven by environment variables.

Every variable is listed in README.md ("Configuration") and in .env.example.
Without DATABASE_URL the platform runs on an embedded SQLite file; without a
broker (CELERY_BROKER_URL or REDIS_URL) Celery tasks run in-process.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY",
    default="django-insecure-local-development-key-never-used-in-production",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    # Third party
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "health_check",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Kemitraan, lowest first: accounts <- ikm <- kemitraan <- pembiayaan <- dasbor
    "accounts",
    "ikm",
    "kemitraan",
    "pembiayaan",
    "dasbor",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.IgnoreAcceptLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.OtpVerificationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------

if "DATABASE_URL" not in env.ENVIRON:
    VAR_DIR.mkdir(exist_ok=True)  # the embedded SQLite file lives here
DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{(VAR_DIR / 'kemitraan.sqlite3').as_posix()}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------

# seed_demo creates users with a published password: never in production.
DEMO_DATA_ALLOWED = True

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username and address before the password is checked.
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in throttling (django-axes): 5 wrong passwords for one username from one address lock
# that pair for 15 minutes. Locking the pair, not the username alone, means nobody can lock
# another person out from another address.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during a lockout do not extend it, so "try again in 15 minutes" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip_address"
AXES_VERBOSE = False
# Reverse proxies in front of Django that append the client's address to X-Forwarded-For;
# 0 reads REMOTE_ADDR. Production sits behind one (see production.py).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)

# Optional second factor (django-otp, TOTP) for Kemenperin and KADIN users.
OTP_TOTP_ISSUER = "Kemitraan"

# --- Internationalisation ---------------------------------------------------

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads -----------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents (certificates, scanned MoUs) are personal or business data:
# they live outside static/ and are never served by URL directly; views that
# check permissions stream them.
PRIVATE_MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Forms and tables --------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

# --- E-mail -----------------------------------------------------------------

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Kemitraan <noreply@kemitraan.local>")
# The site's address, put before the links in notification e-mails (e.g. https://kemitraan.example).
SITE_URL = env("DJANGO_SITE_URL", default="")

# --- Redis and Celery ---------------------------------------------------------

REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
# No broker: run tasks in-process so the platform works without Redis.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="kemitraan")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose pool process dies mid-task (out of memory, SIGKILL) goes back to the queue
# instead of being acknowledged (acks_late tasks only: ours set acks_late each).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis: a message taken by a worker that died unacknowledged is delivered again after this
# long. It must exceed CELERY_TASK_TIME_LIMIT and the longest countdown or retry backoff.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic jobs are declared here, in code; django-celery-beat stores them.
CELERY_BEAT_SCHEDULE = {
    "mou-expire-due-daily": {
        "task": "kemitraan.tasks.mou_expire_due_task",
        "schedule": crontab(hour=0, minute=15),
    },
    "matches-recompute-nightly": {
        "task": "kemitraan.tasks.matches_recompute_all_task",
        "schedule": crontab(hour=1, minute=30),
    },
    "mou-expiring-notify-daily": {
        "task": "kemitraan.tasks.mou_expiring_notify_task",
        "schedule": crontab(hour=7, minute=0),
    },
    "meeting-reminder-daily": {
        "task": "kemitraan.tasks.meeting_reminder_task",
        "schedule": crontab(hour=8, minute=0),
    },
    "dashboard-snapshot-nightly": {
        "task": "dasbor.tasks.snapshot_refresh_task",
        "schedule": crontab(hour=2, minute=30),
        "kwargs": {"trigger": "nightly"},
    },
}

# --- Matching ---------------------------------------------------------------
# Default weights of the score's components (kemitraan/matching/scoring.py); an admin can
# override them in "Matching weights". Open needs per chunk task of the full recompute.
MATCHING_WEIGHTS = {
    "process": 25,
    "text": 25,
    "kbli": 10,
    "capacity": 10,
    "location": 10,
    "certification": 10,
    "quality": 10,
}
MATCHING_CHUNK_SIZE = env.int("MATCHING_CHUNK_SIZE", default=500)

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Dashboard ----------------------------------------------------------------
# A change schedules a new snapshot this many seconds later; changes in between join it.
DASHBOARD_DEBOUNCE_SECONDS = env.int("DASHBOARD_DEBOUNCE_SECONDS", default=60)
DASHBOARD_REFRESH_ON_CHANGE = env.bool("DASHBOARD_REFRESH_ON_CHANGE", default=True)

# --- API -------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated API call gets 401 with WWW-Authenticate: Token.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "accounts.api.ApiSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kemitraan API",
    "DESCRIPTION": (
        "API of the Kemitraan Inklusif Closed-Loop platform: IKM registry, "
        "matchmaking, partnerships and financing."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # DRF views opt out of LoginRequiredMiddleware (they authenticate tokens themselves),
    # so the schema and its docs need their own permission: signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A choice set used by several components gets a name of its own (else a hashed one).
    "ENUM_NAME_OVERRIDES": {
        "LinkMatchEventKindEnum": "kemitraan.models.LinkMatchEvent.Kind",
    },
}

# --- Content Security Policy (django-csp) --------------------------------------
# No inline script anywhere: every script is a file under static/ (json_script data blocks are
# not executed). style-src allows inline styles: templates set computed widths with style=""
# (progress bars), htmx injects its indicator style, and Swagger UI styles inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
    },
}

# --- Logging ------------------------------------------------------------------
# Personal data (names, phones, e-mails, NIK) is never logged: log ids only.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}
