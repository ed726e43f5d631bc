"""seed_demo recreates the program KADIN reported on 10 Nov 2022, exactly, and only once."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Sum

from ikm.models import IKM
from kemitraan.models import MoU
from pembiayaan.models import AkadKredit

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


def row_counts():
    """Rows in every table of the project's apps, history tables included."""
    labels = ("accounts", "ikm", "kemitraan", "pembiayaan", "auth", "authtoken")
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def test_mou_with_32_ikm_and_rp100_miliar_per_year(seeded):
    mou = MoU.objects.get(number="001/YDBA/MoU/XI/2022")
    assert mou.buyer.organisation.name == "Yayasan Dharma Bhakti Astra"
    assert mou.participants.count() == 32
    assert mou.market_access == 100_000_000_000
    assert MoU.objects.with_market_access().get(pk=mou.pk).market_access_total == 100_000_000_000
    assert mou.status == MoU.Status.ACTIVE
    assert mou.event.name.startswith("Exhibition Link & Match IKM Alat Angkut")


def test_ten_signed_akad_rp24_miliar_and_24_pipeline_rp82_miliar(seeded):
    signed = AkadKredit.objects.signed()
    pipeline = AkadKredit.objects.in_pipeline()
    assert signed.count() == 10
    assert signed.aggregate(t=Sum("plafon"))["t"] == 24_000_000_000
    assert pipeline.count() == 24
    assert pipeline.aggregate(t=Sum("plafon"))["t"] == 82_000_000_000
    lenders = set(signed.values_list("lender__short_name", flat=True))
    assert lenders == {"Bank Mandiri", "Bank Sinarmas", "SANF", "AMV", "BRI"}
    assert all(a.mou_id for a in AkadKredit.objects.all())


def test_demo_ikm_are_flagged_and_valid(seeded):
    assert IKM.objects.filter(is_demo=True).count() == 32
    for ikm in IKM.objects.all():
        ikm.full_clean()  # every demo row passes the same validation as user input
        assert ikm.processes.exists()
        assert ikm.kbli.exists()


def test_open_needs_of_apm_and_tier_buyers(seeded):
    from kemitraan.models import Demand

    kinds = set(
        Demand.objects.filter(status="open").values_list("buyer__organisation__kind", flat=True)
    )
    assert {"apm", "tier1"} <= kinds


def test_a_demo_user_per_role(seeded):
    from django.contrib.auth import get_user_model

    from accounts.demo import DEMO_PASSWORD
    from accounts.roles import Role

    users = get_user_model().objects.exclude(username="admin")
    assert {u.role for u in users} == set(Role)
    assert all(u.check_password(DEMO_PASSWORD) for u in users)


def test_second_run_changes_nothing(seeded):
    before = row_counts()
    history_before = [
        (m._meta.label, list(m.objects.order_by("pk").values_list("pk", flat=True)))
        for m in apps.get_models()
        if m.__name__.startswith("Historical")
    ]
    call_command("seed_demo", verbosity=0)
    assert row_counts() == before
    history_after = [
        (m._meta.label, list(m.objects.order_by("pk").values_list("pk", flat=True)))
        for m in apps.get_models()
        if m.__name__.startswith("Historical")
    ]
    assert history_after == history_before


def test_demo_akad_went_through_the_lifecycle_services(seeded):
    """Each demo akad's history is the services' trail: recorded as an application, then
    approved and signed (for the ten), never written around the rules."""
    from pembiayaan.models import Disbursement

    for akad in AkadKredit.objects.all():
        reasons = list(
            akad.history.order_by("history_date", "history_id").values_list(
                "history_change_reason", flat=True
            )
        )
        assert reasons[0] == "applied"
        if akad.status in AkadKredit.SIGNED_STATUSES:
            assert reasons[1:3] == ["approved", "signed"]
            assert akad.approved_on <= akad.signed_on
        disbursed = sum(akad.disbursements.values_list("amount", flat=True))
        assert disbursed <= akad.plafon
    statuses = set(AkadKredit.objects.signed().values_list("status", flat=True))
    assert statuses == {"signed", "disbursed", "repaying", "paid_off"}
    assert Disbursement.objects.exists()
    # The pipeline holds applications awaiting a decision and approved ones.
    assert set(AkadKredit.objects.in_pipeline().values_list("status", flat=True)) == {
        "pipeline",
        "approved",
    }


def test_demo_realisation_and_lender_candidates(seeded):
    """The demo MoU has orders, deliveries and payments (some overdue), and the IKM of the
    MoU without credit that still runs are the lender's closed-loop candidates."""
    from django.contrib.auth import get_user_model

    from kemitraan import realisation
    from pembiayaan import selectors

    mou = MoU.objects.get(number="001/YDBA/MoU/XI/2022")
    total = realisation.mou_ledger(mou)["total"]
    assert total.po_count == 96
    assert total.ordered == sum(p.committed_market_access // 4 * 3 for p in mou.participants.all())
    # Overdue today: the last order of every eighth participant (never paid) and of every
    # fifth (a late payer, 10 days past due): 4 + 6.
    assert total.overdue_count == 10
    lender = get_user_model().objects.get(username="kredit.mandiri")
    candidates = selectors.candidate_participants(lender)
    # A paid-off akad leaves its borrower free to borrow again: 24 borrowers, 23 of them
    # with credit that still runs, so 9 candidates.
    live = set(AkadKredit.objects.live().values_list("borrower_id", flat=True))
    assert len(set(AkadKredit.objects.values_list("borrower_id", flat=True))) == 24
    assert candidates.count() == 32 - len(live) == 9
    assert not set(candidates.values_list("ikm_id", flat=True)) & live
