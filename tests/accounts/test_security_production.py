"""Production settings and what a visitor sees when something goes wrong.

The production settings refuse to start without a real secret key and turn on HTTPS-only
cookies, HSTS and the framing and referrer headers. With DEBUG off, a missing page, a refused
page and a server error answer with the platform's own Indonesian pages, never a stack trace.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.test import override_settings
from django.urls import include, path
from django.utils import translation

from accounts.roles import Role

pytestmark = pytest.mark.django_db

SECRET_MARKER = "rahasia-internal-7f3a"


def boom(request):
    raise RuntimeError(f"database password is {SECRET_MARKER}")


# This module is also the URLconf of the server-error test: the project's URLs and one that fails.
urlpatterns = [path("uji-galat/", boom), path("", include("config.urls"))]

GOOD_KEY = "k" * 30 + "-production-secret-for-the-test-only-" + "z" * 20


def import_production(secret_key: str | None) -> subprocess.CompletedProcess:
    """Import config.settings.production in a fresh interpreter, with or without the key."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SECRET_KEY", "DJANGO_SETTINGS_MODULE")
    }
    if secret_key is not None:
        env["DJANGO_SECRET_KEY"] = secret_key
    script = (
        "import json\n"
        "from config.settings import production as s\n"
        "print(json.dumps({name: getattr(s, name) for name in ("
        "'DEBUG', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
        "'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'CSRF_COOKIE_SECURE', 'X_FRAME_OPTIONS', 'SECURE_REFERRER_POLICY', "
        "'SECURE_CONTENT_TYPE_NOSNIFF', 'MIDDLEWARE', 'TRUSTED_PROXY_COUNT')}))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "secret_key",
    [None, "", "too-short", "django-insecure-" + "x" * 60],
    ids=["unset", "empty", "short", "insecure-default"],
)
def test_production_settings_refuse_to_start_without_a_real_secret_key(secret_key):
    result = import_production(secret_key)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_with_a_key_are_https_only():
    result = import_production(GOOD_KEY)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert "csp.middleware.CSPMiddleware" in values["MIDDLEWARE"]
    assert values["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"
    # Behind the HTTPS proxy: sign-in throttling reads the address the proxy appended.
    assert values["TRUSTED_PROXY_COUNT"] == 1


def indonesian(text: str) -> str:
    with translation.override("id"):
        return translation.gettext(text)


@override_settings(DEBUG=False)
def test_a_missing_page_is_the_indonesian_404_page(client, kemenperin_user):
    client.force_login(kemenperin_user)
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'lang="id"' in html
    assert indonesian("Page not found") in html
    assert "Kembali ke halaman awal" in html  # "Back to the start page", translated
    assert "Using the URLconf" not in html  # Django's debug 404
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"


@override_settings(DEBUG=False)
def test_an_anonymous_visitor_gets_the_404_page_too(client):
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert "Kembali ke halaman awal" in response.content.decode()


@override_settings(DEBUG=False)
@pytest.mark.urls(__name__)
def test_a_server_error_is_the_indonesian_500_page_without_a_trace(client, kemenperin_user):
    client.force_login(kemenperin_user)
    client.raise_request_exception = False
    response = client.get("/uji-galat/")
    assert response.status_code == 500
    html = response.content.decode()
    assert 'lang="id"' in html
    assert indonesian("Something went wrong") in html
    assert "Kembali ke halaman awal" in html
    assert SECRET_MARKER not in html
    assert "Traceback" not in html
    assert "RuntimeError" not in html
    assert "Content-Security-Policy" in response


def test_the_500_page_needs_no_request_and_no_database(django_assert_num_queries):
    with translation.override("id"), django_assert_num_queries(0):
        html = get_template("500.html").render()
    assert 'lang="id"' in html
    assert "Kembali ke halaman awal" in html


@override_settings(DEBUG=False)
def test_a_refused_page_is_the_indonesian_403_page(client, users_by_role):
    client.force_login(users_by_role[Role.PENGADAAN])
    response = client.get("/ikm/baru/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Akses ditolak" in html  # "Access denied", translated
    assert "Traceback" not in html
