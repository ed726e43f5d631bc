"""Snapshots: what ``services.refresh`` stores, the history, the pruning and the lock."""

import datetime

import pytest
from django.core.cache import cache
from django.db import transaction

from dasbor import services
from dasbor.models import Snapshot, SnapshotFigures
from ikm.models import IKM

from ..factories import IkmFactory, OrganisationFactory
from .conftest import JT, NOW, at

pytestmark = pytest.mark.django_db


def test_refresh_stores_the_program_and_a_slice_per_buyer_and_lender(program):
    p = program
    snapshot = services.refresh()

    assert snapshot is not None
    assert snapshot.trigger == Snapshot.Trigger.MANUAL
    assert snapshot.finished_at is not None and snapshot.finished_at >= snapshot.computed_at
    rows = {row.organisation_id: row.figures for row in snapshot.figures.all()}
    # The program, B1, B2, L1, L2; the event organiser (Kemenperin) has no slice.
    assert set(rows) == {None, p.b1_org.pk, p.b2_org.pk, p.l1_org.pk, p.l2_org.pk}
    assert snapshot.scope_count == 5
    assert rows[None]["scope"] == "program"
    assert rows[None]["market_access_per_year"] == 3_850 * JT  # A 1,5 M + B 2,35 M
    assert rows[p.b1_org.pk]["scope"] == "buyer"
    assert rows[p.b1_org.pk]["market_access_per_year"] == 1_500 * JT  # A
    assert rows[p.b2_org.pk]["market_access_per_year"] == 2_350 * JT  # B (D is a draft)
    assert rows[p.l1_org.pk]["scope"] == "lender"
    assert rows[p.l1_org.pk]["akad_signed_amount"] == 1_600 * JT  # K1 + K2
    assert rows[p.l2_org.pk]["akad_signed_amount"] == 300 * JT  # K5
    # The lock is released for the next run.
    assert cache.get(services.LOCK_KEY) is None


def test_refresh_works_inside_an_open_transaction():
    """refresh() is called inside transactions: by seed_demo under a test's transaction, and
    in-process (no worker) by the page and the "recompute now" button, under
    ATOMIC_REQUESTS. Its REPEATABLE READ must not break there (PostgreSQL refuses
    SET TRANSACTION ISOLATION LEVEL after the transaction's first query)."""
    IkmFactory()
    with transaction.atomic():
        assert IKM.objects.count() == 1  # the request has queried before
        snapshot = services.refresh()
    assert snapshot is not None
    assert snapshot.figures.get(organisation=None).figures["ikm_total"] == 1


def test_a_failed_refresh_keeps_the_figures_stale(monkeypatch):
    """In-process, the stale flag is the only trace of a change: a run that fails must leave
    it for the next reader rather than serve the old figures as current."""
    cache.set(services.STALE_KEY, "1", timeout=None)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "compute", broken)
    with pytest.raises(RuntimeError):
        services.refresh()
    assert cache.get(services.STALE_KEY) is not None
    assert cache.get(services.LOCK_KEY) is None


def test_history_lists_the_snapshots_newest_first(client, kadin_user):
    counts = []
    for _ in range(3):
        IkmFactory()
        snapshot = services.refresh()
        counts.append((snapshot.pk, IKM.objects.count()))

    history = services.history()
    # Newest first, each with the figures of its time: 3, 2, 1 IKM registered.
    assert [(row.snapshot_id, row.figures["ikm_total"]) for row in history] == [
        (counts[2][0], 3),
        (counts[1][0], 2),
        (counts[0][0], 1),
    ]

    client.force_login(kadin_user)
    response = client.get("/dasbor/")
    assert response.status_code == 200
    assert [row.snapshot_id for row in response.context["history"]] == [
        pk for pk, _count in reversed(counts)
    ]
    assert 'id="history-heading"' in response.content.decode()


def _snapshot(computed_at, organisation) -> Snapshot:
    snapshot = Snapshot.objects.create(
        computed_at=computed_at,
        finished_at=computed_at + datetime.timedelta(seconds=5),
        trigger=Snapshot.Trigger.CHANGE,
    )
    SnapshotFigures.objects.create(snapshot=snapshot, organisation=None, figures={"n": 1})
    SnapshotFigures.objects.create(snapshot=snapshot, organisation=organisation, figures={})
    return snapshot


def test_prune_keeps_two_days_then_the_last_of_each_day():
    buyer = OrganisationFactory(name="PT Pembeli Arsip", kind="apm")
    # NOW is 15 June 2025 12:00 WIB; everything before 13 June 12:00 WIB is older than 48 h.
    s = {
        "10 Jun 08:00": _snapshot(at(2025, 6, 10, 8), buyer),
        "10 Jun 20:00": _snapshot(at(2025, 6, 10, 20), buyer),  # last of 10 June
        # 12 June 22:00 and 13 June 00:30 WIB are both 12 June in UTC: days are WIB days.
        "12 Jun 22:00": _snapshot(at(2025, 6, 12, 22), buyer),  # last of 12 June
        "13 Jun 00:30": _snapshot(at(2025, 6, 13, 0, 30), buyer),
        "13 Jun 05:00": _snapshot(at(2025, 6, 13, 5), buyer),  # last of 13 June (< 48 h)
        "13 Jun 13:00": _snapshot(at(2025, 6, 13, 13), buyer),  # 47 h ago
        "15 Jun 11:00": _snapshot(at(2025, 6, 15, 11), buyer),
        "15 Jun 11:50": _snapshot(at(2025, 6, 15, 11, 50), buyer),
    }

    deleted = services.prune(now=NOW)

    kept = {name for name, snap in s.items() if Snapshot.objects.filter(pk=snap.pk).exists()}
    assert kept == {
        "10 Jun 20:00",
        "12 Jun 22:00",
        "13 Jun 05:00",
        "13 Jun 13:00",
        "15 Jun 11:00",
        "15 Jun 11:50",
    }
    # Every kept snapshot keeps its program row (the history) ...
    assert SnapshotFigures.objects.filter(organisation=None).count() == 6
    # ... and only the latest two keep the organisations' slices.
    assert set(
        SnapshotFigures.objects.filter(organisation=buyer).values_list("snapshot_id", flat=True)
    ) == {s["15 Jun 11:00"].pk, s["15 Jun 11:50"].pk}
    # "Returns the number of snapshots removed": 10 Jun 08:00 and 13 Jun 00:30.
    assert deleted == 2


def test_a_second_refresh_while_one_runs_is_skipped():
    IkmFactory()
    assert cache.add(services.LOCK_KEY, "1", timeout=60)  # another run holds the lock

    assert services.refresh() is None
    assert not Snapshot.objects.exists()
    assert not SnapshotFigures.objects.exists()
    # The skipped run does not release the other run's lock.
    assert cache.get(services.LOCK_KEY) is not None


def test_latest_reads_the_newest_complete_snapshot(program):
    """The page and the API read the newest finished snapshot of the scope."""
    older = _snapshot(at(2025, 6, 14, 10), program.b1_org)
    newer = _snapshot(at(2025, 6, 15, 10), program.b1_org)
    Snapshot.objects.create(computed_at=at(2025, 6, 15, 11), trigger="change")  # unfinished
    assert services.latest().snapshot_id == newer.pk
    assert services.latest(program.b1_org).snapshot_id == newer.pk
    assert older.pk != newer.pk
    assert services.latest(program.b2_org) is None  # no slice stored for B2
