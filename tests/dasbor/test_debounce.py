"""A change asks for new figures when it commits: debounced through a real worker, or (tasks
run in-process) only marked stale until the next reader recomputes them."""

import datetime
import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from dasbor import services
from dasbor.models import Snapshot

from ..factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

DEBOUNCE = 2  # seconds
CLOCK_SLACK = datetime.timedelta(milliseconds=100)  # test process vs worker clocks


@pytest.fixture
def on_change(settings):
    settings.DASHBOARD_REFRESH_ON_CHANGE = True
    settings.DASHBOARD_DEBOUNCE_SECONDS = DEBOUNCE


def new_buyer(name: str):
    """A change the figures count: a buyer organisation gets its profile (one commit each)."""
    return OrganisationFactory(name=name, kind="apm")


def wait_for(condition, timeout=30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def change_snapshots():
    return list(Snapshot.objects.filter(trigger=Snapshot.Trigger.CHANGE).order_by("computed_at"))


def program_figures(snapshot: Snapshot) -> dict:
    return snapshot.figures.get(organisation__isnull=True).figures


@pytest.mark.worker
def test_changes_in_quick_succession_make_one_snapshot(celery_worker_process, on_change):
    assert not Snapshot.objects.exists()

    first_change = timezone.now()
    for n in range(3):
        new_buyer(f"PT Pembeli Cepat {n}")
    assert cache.get(services.PENDING_KEY) is not None  # one run is scheduled
    # Nothing is computed before the debounce has passed.
    time.sleep(DEBOUNCE / 2)
    assert not Snapshot.objects.exists()

    assert wait_for(lambda: len(change_snapshots()) >= 1)
    time.sleep(DEBOUNCE + 1)  # long enough for a second (unwanted) run to show up
    snapshots = change_snapshots()
    assert len(snapshots) == 1
    assert Snapshot.objects.count() == 1
    first = snapshots[0]
    assert first.computed_at >= first_change + datetime.timedelta(seconds=DEBOUNCE) - CLOCK_SLACK
    # The run saw every change, the last included: three buyers, each with its slice.
    assert program_figures(first)["buyers_total"] == 3
    assert first.figures.filter(organisation__isnull=False).count() == 3

    # A change after that snapshot: a second run, a debounce after the change.
    second_change = timezone.now()
    new_buyer("PT Pembeli Cepat 3")
    assert wait_for(lambda: len(change_snapshots()) == 2)
    second = change_snapshots()[1]
    assert second.computed_at >= second_change + datetime.timedelta(seconds=DEBOUNCE) - CLOCK_SLACK
    assert program_figures(second)["buyers_total"] == 4
    time.sleep(1)
    assert len(change_snapshots()) == 2


def test_in_process_a_change_only_marks_the_figures_stale(on_change):
    """Tasks run in-process (the tests' default): a save never computes the figures; the
    next reader does."""
    new_buyer("PT Pembeli Lambat")

    assert cache.get(services.STALE_KEY) is not None
    assert not Snapshot.objects.exists()  # nothing computed at save time

    row = services.latest()
    assert row is not None
    assert row.snapshot.trigger == Snapshot.Trigger.CHANGE
    assert row.figures["buyers_total"] == 1
    assert cache.get(services.STALE_KEY) is None
    # Read again without a change: the same snapshot, no new run.
    assert services.latest().snapshot_id == row.snapshot_id
    assert Snapshot.objects.count() == 1


def test_in_process_no_flag_when_refresh_on_change_is_off(settings):
    settings.DASHBOARD_REFRESH_ON_CHANGE = False
    new_buyer("PT Pembeli Diam")
    assert cache.get(services.STALE_KEY) is None
    assert services.latest() is None  # nothing recomputed, nothing stored


def test_in_process_the_page_recomputes_stale_figures(client, kadin_user, on_change):
    """The page is the reader: after a change it shows the new figures (it runs under
    ATOMIC_REQUESTS, so refresh() is called inside the request's transaction)."""
    services.refresh()
    new_buyer("PT Pembeli Baru")
    assert cache.get(services.STALE_KEY) is not None

    client.force_login(kadin_user)
    response = client.get("/dasbor/")

    assert response.status_code == 200
    assert response.context["figures"]["buyers_total"] == 1
    assert response.context["snapshot"].trigger == Snapshot.Trigger.CHANGE
