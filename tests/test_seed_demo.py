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
