"""Matching through Redis and a real Celery worker process: a posted need is matched on
commit, a changed supplier is rescored, the full recompute runs as a chord of chunks."""

import time

import pytest
from django.core.cache import cache
from django.db import transaction

from kemitraan.models import BuyerProfile, Demand, MatchSuggestion
from kemitraan.services import demand_create
from kemitraan.tasks import RECOMPUTE_LOCK, matches_recompute_all_task

from ..factories import DemandFactory, IkmFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_a_posted_need_is_matched_by_the_worker_after_commit(celery_worker_process, pengadaan_user):
    suppliers = [
        IkmFactory(products="tromol rem aluminium", monthly_capacity=1000 * (i + 1))
        for i in range(5)
    ]
    buyer = BuyerProfile.objects.get(organisation_id=pengadaan_user.organisation_id)
    demand = Demand(
        buyer=buyer,
        title="Brake drum aluminium",
        description="tromol alumunium",
        quantity_per_month=10_000,
        unit="pcs",
    )
    with transaction.atomic():
        demand_create(demand=demand, actor=pengadaan_user)
        time.sleep(1)  # the worker must not see it before the commit
        assert not MatchSuggestion.objects.filter(demand=demand).exists()

    assert wait_for(lambda: MatchSuggestion.objects.filter(demand=demand).count() == 5)
    ranked = list(MatchSuggestion.objects.filter(demand=demand).order_by("rank"))
    assert ranked[0].ikm_id == suppliers[-1].pk  # the most capacity
    assert "aluminium" in str(ranked[0].reasons)

    # A supplier changed in the registry is rescored by the worker too.
    suppliers[0].monthly_capacity = 900_000
    suppliers[0].save()
    assert wait_for(lambda: MatchSuggestion.objects.get(demand=demand, ikm=suppliers[0]).rank == 1)


def test_the_full_recompute_runs_as_a_chord_of_chunks(celery_worker_process):
    IkmFactory(products="bracket knalpot")
    needs = [DemandFactory(title=f"Bracket knalpot {i}") for i in range(3)]
    queue = celery_worker_process["queue"]

    started = matches_recompute_all_task.apply_async(kwargs={"chunk_size": 1}, queue=queue)

    assert started.get(timeout=60) == {"chunks": 3}
    assert wait_for(lambda: Demand.objects.filter(matched_at__isnull=False).count() == 3)
    for need in needs:
        assert MatchSuggestion.objects.filter(demand=need).count() == 1
    # The merge step released the lock: the next full recompute may start.
    assert wait_for(lambda: cache.get(RECOMPUTE_LOCK) is None, timeout=30)
