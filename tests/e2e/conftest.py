"""Browser tests: Playwright (Python) drives Debian's Chromium, headless, against the app
served by pytest-django's ``live_server`` on the test database.

Run them alone with ``pytest -m e2e``. They are skipped (with the reason) when Playwright or
``/usr/bin/chromium`` is missing; CI installs the ``chromium`` package. Playwright never
downloads a browser here: it launches the system one (``executable_path``).

When a test fails, a full-page screenshot of every page it had open is kept under
``var/e2e-screenshots/``.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "var" / "e2e-screenshots"
# Generous for a loaded 2-core machine; nothing is asserted about time.
TIMEOUT_MS = 30_000


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "e2e: browser test (Playwright driving headless Chromium on live_server)"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell that the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# --- The browser --------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """Chromium, for the tests of one module.

    While it runs, Playwright's sync API keeps an event loop running in this thread, which
    changes two things for Django here. It refuses ORM calls from such a thread unless told
    that this is deliberate (the calls stay synchronous): the permission lasts as long as the
    browser, so the rest of the suite keeps Django's check. And it hands out another set of
    connection objects (per context, as for async code): they are given the database's
    serialized contents, so that ``serialized_rollback`` restores the reference data
    (regions, KBLI, roles) after each test's flush, as it does without a browser."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (Debian: apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    from django.db import connections

    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            for alias, contents in serialized.items():
                connections[alias]._test_serialized_contents = contents
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(request, browser, live_server):
    """A factory of pages, each in a browser context of its own (its own session): one per
    user of a journey. A failed test leaves a screenshot of each of them."""
    contexts = []

    def make():
        context = browser.new_context(
            base_url=live_server.url,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make

    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        for number, context in enumerate(contexts, start=1):
            for page_number, page in enumerate(context.pages, start=1):
                path = SCREENSHOTS / f"{name}-{number}-{page_number}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                except Exception as exc:  # a crashed page must not hide the test's failure
                    print(f"screenshot {path.name} failed: {exc}")
                else:
                    print(f"screenshot kept: {path.relative_to(ROOT)}")
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


# --- Data and people ------------------------------------------------------------------


@pytest.fixture
def demo(live_server):
    """The demo program (users, IKM, buyers, needs with suggestions, MoU, akad, the
    dashboard's first snapshot), loaded as `make run` loads it."""
    call_command("seed_demo", verbosity=0)
