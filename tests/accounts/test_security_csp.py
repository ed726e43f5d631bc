"""Content-Security-Policy: every page carries it, and no template runs inline script.

The policy allows script files from the site only, so an inline <script>, an on…= handler
or a javascript: link would simply not run in the browser. The template scan fails the
moment one is added; the page walk checks what is actually served (including the pages of
Django's admin, crispy-forms and the API docs)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.test_login_required import concrete_paths

pytestmark = pytest.mark.django_db

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"

EXPECTED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
}

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
HTML_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
DATA_TYPE = re.compile(r"""type\s*=\s*["']?application/(?:ld\+)?json""", re.IGNORECASE)


def inline_script_problems(html: str) -> list[str]:
    """What in this HTML (or template) would run as inline script."""
    problems = []
    for match in SCRIPT_TAG.finditer(html):
        attributes = match.group(1)
        if re.search(r"\ssrc\s*=", attributes) or DATA_TYPE.search(attributes):
            continue
        problems.append(f"inline <script>: {match.group(0)}")
    for tag in HTML_TAG.findall(html):
        if EVENT_HANDLER.search(tag):
            problems.append(f"event handler attribute: {tag[:120]}")
    problems.extend(f"javascript: URL: {m.group(0)}" for m in JAVASCRIPT_URL.finditer(html))
    return problems


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<script type="text/javascript">go()</script>',
        '<button type="button" onclick="window.print()">Cetak</button>',
        '<body onload="start()">',
        '<a href="javascript:void(0)">x</a>',
    ],
)
def test_the_scan_finds_inline_script(html):
    assert inline_script_problems(html)


@pytest.mark.parametrize(
    "html",
    [
        '<script src="/static/js/kemitraan.js"></script>',
        '<script id="dasbor-chart-data" type="application/json">{"a": 1}</script>',
        '<button type="button" data-print-page class="btn">Cetak</button>',
        "<p>Kegiatan online=1</p>",
    ],
)
def test_the_scan_passes_script_files_and_data_blocks(html):
    assert inline_script_problems(html) == []


def test_no_template_has_inline_script_or_event_handlers():
    templates = sorted(TEMPLATES_DIR.rglob("*.html"))
    assert len(templates) > 20
    found = {
        str(path.relative_to(TEMPLATES_DIR)): problems
        for path in templates
        if (problems := inline_script_problems(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def parse_policy(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name] = value.strip()
    return directives


def test_the_policy_refuses_inline_script(client):
    response = client.get("/masuk/")
    assert response.status_code == 200
    policy = parse_policy(response["Content-Security-Policy"])
    for name, value in EXPECTED_DIRECTIVES.items():
        assert policy.get(name) == value, name
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]


def test_every_html_page_carries_the_policy_and_no_inline_script(client):
    """Every URL of the project, as a superuser, on the demo program's data: each HTML answer
    (pages, redirects' targets aside, 403 and 404 pages) has the header and runs no inline
    script."""
    call_command("seed_demo", verbosity=0)
    client.force_login(get_user_model().objects.get(username="admin"))
    # Sample ids that name no object make some third-party admin views fail (500): their
    # error page is HTML too, and is checked like the others.
    client.raise_request_exception = False
    html_pages = 0
    problems = {}
    for path in sorted(set(concrete_paths())):
        if path.startswith(("/keluar/", "/api/v1/", "/api/schema/")):
            continue  # signing out would end the walk; the API answers JSON
        response = client.get(path)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html_pages += 1
        if "Content-Security-Policy" not in response:
            problems[path] = ["no Content-Security-Policy header"]
            continue
        found = inline_script_problems(response.content.decode())
        if found:
            problems[path] = found
    assert html_pages > 50
    assert problems == {}


def test_error_pages_carry_the_policy(client, kemenperin_user):
    assert "Content-Security-Policy" in client.get("/tidak-ada-halaman-ini/")
    client.force_login(kemenperin_user)
    response = client.get("/tidak-ada-halaman-ini/")
    assert response.status_code == 404
    assert "Content-Security-Policy" in response


def test_swagger_ui_starts_from_a_script_file(client, kemenperin_user):
    client.force_login(kemenperin_user)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    html = response.content.decode()
    assert inline_script_problems(html) == []
    assert "/static/js/swagger-ui-init.js" in html
    assert 'data-schema-url="/api/schema/"' in html
    assert "swagger-ui-bundle.js" in html


def test_the_schedule_print_button_has_no_inline_handler(client, kemenperin_user):
    from tests.factories import LinkMatchEventFactory

    event = LinkMatchEventFactory()
    client.force_login(kemenperin_user)
    response = client.get(f"/kemitraan/acara/{event.pk}/jadwal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-print-page" in html
    assert inline_script_problems(html) == []
