"""Suggestions stored in the database: top 20 with reasons, the buyer's actions surviving
every recompute, dismissed suppliers never coming back, incremental rescoring agreeing
with a full rematch, and concurrent recomputes leaving one consistent set."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from ikm.models import IKM, Regency
from kemitraan.matching import run
from kemitraan.matching.scoring import ENGINE_VERSION
from kemitraan.models import Demand, MatchSuggestion
from kemitraan.services import (
    demand_create,
    suggestion_dismiss,
    suggestion_restore,
    suggestion_shortlist,
)

from ..factories import CertificateFactory, DemandFactory, IkmFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_snapshot():
    run.forget_snapshot()
    yield
    run.forget_snapshot()


@pytest.fixture
def suppliers():
    """30 stamping shops with different capacity, so the ranking has no ties."""
    return [
        IkmFactory(
            products="bracket knalpot, dudukan mesin",
            monthly_capacity=1000 * (i + 1),
            capacity_unit="pcs",
            processes=["stamping"],
            kbli=["25910"],
        )
        for i in range(30)
    ]


@pytest.fixture
def need(suppliers):
    demand = DemandFactory(
        title="Bracket knalpot stamping",
        description="Bracket knalpot plat SPCC, stamping dan cat hitam.",
        quantity_per_month=40_000,
        unit="pcs",
    )
    demand.processes.set(suppliers[0].processes.all())
    return demand


def suggestions(demand):
    return list(MatchSuggestion.objects.filter(demand=demand).order_by("rank"))


def suggested_ids(demand):
    return [
        s.ikm_id
        for s in MatchSuggestion.objects.filter(demand=demand, status="suggested").order_by("rank")
    ]


def test_a_match_stores_the_top_20_ranked_with_breakdown_reasons_and_weights(need):
    result = run.demand_match(need.pk)

    rows = suggestions(need)
    assert result.created == len(rows) == 20
    assert [s.rank for s in rows] == list(range(1, 21))
    scores = [s.score for s in rows]
    assert scores == sorted(scores, reverse=True)
    assert all(s.engine_version == ENGINE_VERSION for s in rows)
    assert rows[0].weights == run.current_weights().as_dict()
    for s in rows:
        assert sum(s.breakdown.values()) == pytest.approx(float(s.score), abs=0.01)
        assert s.reasons and all(isinstance(code, str) for code, _params in s.reasons)
    need.refresh_from_db()
    assert need.matched_at is not None
    # The best has the most capacity (the only difference between the suppliers).
    best = IKM.objects.get(pk=rows[0].ikm_id)
    assert best.monthly_capacity == 30_000


def test_running_twice_changes_nothing(need):
    run.demand_match(need.pk)
    first = [(s.pk, s.ikm_id, s.rank, s.score) for s in suggestions(need)]

    again = run.demand_match(need.pk)

    assert again.unchanged == 20 and again.created == again.updated == again.deleted == 0
    assert [(s.pk, s.ikm_id, s.rank, s.score) for s in suggestions(need)] == first


def test_the_buyers_actions_survive_a_recompute(need, pengadaan_user):
    run.demand_match(need.pk)
    rows = suggestions(need)
    kept = suggestion_shortlist(suggestion=rows[2], actor=pengadaan_user)
    gone = suggestion_dismiss(
        suggestion=rows[0], actor=pengadaan_user, reason="Harga terlalu mahal"
    )
    # The need changes: a recompute follows.
    need.quantity_per_month = 35_000
    need.save()

    run.demand_match(need.pk)

    kept.refresh_from_db()
    assert kept.status == "shortlisted" and kept.actioned_by == pengadaan_user
    gone.refresh_from_db()
    assert gone.status == "dismissed" and gone.dismissed_reason == "Harga terlalu mahal"
    # 20 suggestions besides the dismissed one: the next supplier took its place.
    assert len(suggested_ids(need)) == 19  # + the shortlisted one = 20 in the list
    assert gone.ikm_id not in suggested_ids(need)
    active = MatchSuggestion.objects.filter(demand=need).exclude(status="dismissed")
    assert active.count() == 20
    assert sorted(s.rank for s in active) == list(range(1, 21))


def test_a_dismissed_supplier_never_comes_back_for_that_need(need, pengadaan_user):
    run.demand_match(need.pk)
    best = suggestions(need)[0]
    suggestion_dismiss(
        suggestion=best, actor=pengadaan_user, reason="Tidak sanggup kirim tepat waktu"
    )

    run.demand_match(need.pk)
    run.recompute_all()
    run.ikm_rescore(best.ikm_id)

    best.refresh_from_db()
    assert best.status == "dismissed"
    assert best.ikm_id not in suggested_ids(need)
    # Restoring it (the buyer's undo) lets it compete again.
    suggestion_restore(suggestion=best, actor=pengadaan_user)
    run.demand_match(need.pk)
    assert suggested_ids(need)[0] == best.ikm_id


def test_a_kept_supplier_that_fails_a_filter_stays_flagged_not_eligible(need, pengadaan_user):
    certificate = CertificateFactory(
        ikm=IkmFactory(products="bracket knalpot", monthly_capacity=90_000)
    )
    need.required_certifications.set([certificate.certification_type])
    run.demand_match(need.pk)
    only = suggestions(need)
    assert [s.ikm_id for s in only] == [certificate.ikm_id]
    suggestion_shortlist(suggestion=only[0], actor=pengadaan_user)

    certificate.delete()
    run.ikm_rescore(certificate.ikm_id)

    row = MatchSuggestion.objects.get(demand=need, ikm_id=certificate.ikm_id)
    assert row.status == "shortlisted"
    assert row.eligible is False
    assert row.reasons[0][0] == "filtered"
    assert row.reasons[0][1]["filter"] == "certificate"


def test_a_closed_need_keeps_its_suggestions(need):
    run.demand_match(need.pk)
    before = [(s.ikm_id, s.rank) for s in suggestions(need)]
    need.status = Demand.Status.CLOSED
    need.save()
    IkmFactory(products="bracket knalpot", monthly_capacity=99_000, processes=["stamping"])

    result = run.demand_match(need.pk)

    assert result.skipped == [need.pk]
    assert [(s.ikm_id, s.rank) for s in suggestions(need)] == before


def _state(demand):
    rows = MatchSuggestion.objects.filter(demand=demand).order_by("rank")
    return [(s.ikm_id, s.rank, s.status, s.eligible) for s in rows], [float(s.score) for s in rows]


@pytest.mark.parametrize("change", ["enters", "moves", "drops-out", "deactivated"])
def test_rescoring_one_changed_supplier_equals_a_full_rematch(need, suppliers, change):
    run.demand_match(need.pk)
    other = DemandFactory(title="Jok motor", description="Jok kulit sintetis motor bebek")
    run.demand_match(other.pk)
    by_rank = {s.rank: s.ikm_id for s in suggestions(need)}
    if change == "enters":
        target = IkmFactory(
            products="bracket knalpot", monthly_capacity=35_000, processes=["stamping"]
        )
    elif change == "moves":
        target = IKM.objects.get(pk=by_rank[15])
        target.monthly_capacity = 29_500
    elif change == "drops-out":
        target = IKM.objects.get(pk=by_rank[3])
        target.monthly_capacity = 10
    else:
        target = IKM.objects.get(pk=by_rank[1])
        target.is_active = False
        target.deactivation_reason = "Tutup usaha"
    target.save()
    if change == "drops-out":
        target.processes.clear()

    run.ikm_rescore(target.pk)
    incremental, incremental_scores = _state(need)
    run.demand_match(need.pk)

    # The same list as a full rematch; the scores within half a point (the rescore weighs
    # the text with the snapshot's IDF, the rematch with one refitted on the new registry).
    rematched, scores = _state(need)
    assert incremental == rematched
    assert incremental_scores == pytest.approx(scores, abs=0.5)
    if change == "enters":
        assert target.pk in suggested_ids(need)
    if change in ("drops-out", "deactivated"):
        assert target.pk not in suggested_ids(need)
        assert len(suggested_ids(need)) == 20


def test_recompute_matches_command(need, capsys):
    call_command("recompute_matches", "--sync")
    assert "1 need(s) matched" in capsys.readouterr().out
    assert MatchSuggestion.objects.filter(demand=need).count() == 20

    call_command("recompute_matches", "--demand", str(need.pk), "--sync")
    assert "20 unchanged" in capsys.readouterr().out


def test_posting_a_need_enqueues_its_matching_on_commit(
    suppliers, pengadaan_user, django_capture_on_commit_callbacks
):
    from accounts.models import Organisation
    from kemitraan.models import BuyerProfile

    buyer = BuyerProfile.objects.get(
        organisation=Organisation.objects.get(pk=pengadaan_user.organisation_id)
    )
    demand = Demand(buyer=buyer, title="Bracket knalpot", description="stamping bracket knalpot")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        demand_create(demand=demand, actor=pengadaan_user, processes=suppliers[0].processes.all())
    assert len(callbacks) == 1
    assert not MatchSuggestion.objects.filter(demand=demand).exists()  # not before commit

    callbacks[0]()  # the commit (tasks run in-process in the test settings)

    assert MatchSuggestion.objects.filter(demand=demand).count() == 20


def test_a_changed_supplier_is_rescored_on_commit(
    need, suppliers, django_capture_on_commit_callbacks
):
    run.demand_match(need.pk)
    loser = IKM.objects.get(pk=suggestions(need)[-1].ikm_id)
    outsider = next(s for s in suppliers if s.pk not in [x.ikm_id for x in suggestions(need)])

    with django_capture_on_commit_callbacks(execute=True):
        outsider.monthly_capacity = 80_000
        outsider.save()

    assert suggested_ids(need)[0] == outsider.pk
    assert loser.pk not in suggested_ids(need)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_recomputes_leave_one_consistent_set(need):
    errors = []
    barrier = threading.Barrier(3)

    def recompute():
        try:
            barrier.wait(timeout=10)
            run.demand_match(need.pk)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=recompute) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    rows = suggestions(need)
    assert len(rows) == 20
    assert [s.rank for s in rows] == list(range(1, 21))
    assert len({s.ikm_id for s in rows}) == 20
    # One writer's set: the first wrote it, the others found every row up to date.
    assert len({s.computed_at for s in rows}) == 1
    assert run.demand_match(need.pk).unchanged == 20


def test_regions_are_matched_by_location_when_asked(suppliers):
    tegal = Regency.objects.get(code="33.28")
    local = IkmFactory(
        regency=tegal,
        province=tegal.province,
        products="bracket knalpot, dudukan mesin",
        monthly_capacity=25_000,
    )
    demand = DemandFactory(title="Bracket knalpot", regency=tegal, province=tegal.province)
    demand.processes.set(local.processes.all())

    run.demand_match(demand.pk)

    first = suggestions(demand)[0]
    assert first.ikm_id == local.pk
    assert ["location_regency", {}] in first.reasons


def test_a_dismissal_lets_the_next_supplier_take_the_place(
    need, pengadaan_user, django_capture_on_commit_callbacks
):
    run.demand_match(need.pk)
    before = suggested_ids(need)
    first = suggestions(need)[0]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        suggestion_dismiss(suggestion=first, actor=pengadaan_user, reason="Sudah punya pemasok")

    assert len(callbacks) == 1
    after = suggested_ids(need)
    assert first.ikm_id not in after
    assert len(after) == 20
    assert set(after) - set(before)  # the 21st came in
