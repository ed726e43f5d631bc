"""Each role sees its own organisation's records; others' are a 404, like missing ones."""

import pytest

from ikm.models import IKM
from kemitraan.models import Demand, MatchSuggestion, MoU, MouParticipant
from pembiayaan.models import AkadKredit

from .factories import (
    AkadKreditFactory,
    BuyerProfileFactory,
    DemandFactory,
    IkmFactory,
    LenderProfileFactory,
    MatchSuggestionFactory,
    MouFactory,
    MouParticipantFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(buyer_org, other_buyer_org, lender_org, other_lender_org):
    own_buyer = BuyerProfileFactory(organisation=buyer_org)
    other_buyer = BuyerProfileFactory(organisation=other_buyer_org)
    own_mou = MouFactory(buyer=own_buyer)
    other_mou = MouFactory(buyer=other_buyer)
    own_akad = AkadKreditFactory(
        lender=LenderProfileFactory(organisation=lender_org), mou=other_mou
    )
    other_akad = AkadKreditFactory(
        lender=LenderProfileFactory(organisation=other_lender_org), mou=own_mou
    )
    return {
        "own_demand": DemandFactory(buyer=own_buyer),
        "other_demand": DemandFactory(buyer=other_buyer),
        "own_mou": own_mou,
        "other_mou": other_mou,
        "own_participant": MouParticipantFactory(mou=own_mou),
        "own_akad": own_akad,
        "other_akad": other_akad,
        "draft_ikm": IkmFactory(verification_status=IKM.Status.DRAFT),
        "rejected_ikm": IkmFactory(verification_status=IKM.Status.REJECTED, rejection_reason="x"),
        "inactive_ikm": IkmFactory(is_active=False),
        "submitted_ikm": IkmFactory(verification_status=IKM.Status.SUBMITTED),
        "verified_ikm": IkmFactory(),
    }


def ids(qs):
    return set(qs.values_list("pk", flat=True))


def test_procurement_officer_sees_only_their_organisation(pengadaan_user, world):
    assert ids(Demand.objects.visible_to(pengadaan_user)) == {world["own_demand"].pk}
    assert ids(MoU.objects.visible_to(pengadaan_user)) == {world["own_mou"].pk}
    assert ids(MouParticipant.objects.visible_to(pengadaan_user)) == {world["own_participant"].pk}
    assert not AkadKredit.objects.visible_to(pengadaan_user).exists()


def test_lender_officer_sees_their_akad_and_the_mous_behind_them(pembiayaan_user, world):
    assert ids(AkadKredit.objects.visible_to(pembiayaan_user)) == {world["own_akad"].pk}
    # The MoU behind their own akad, not the MoU behind another lender's akad.
    assert ids(MoU.objects.visible_to(pembiayaan_user)) == {world["other_mou"].pk}
    assert not Demand.objects.visible_to(pembiayaan_user).exists()


@pytest.mark.parametrize("role_user", ["kemenperin_user", "kadin_user"])
def test_kemenperin_and_kadin_read_everything(request, role_user, world):
    user = request.getfixturevalue(role_user)
    assert ids(Demand.objects.visible_to(user)) == {
        world["own_demand"].pk,
        world["other_demand"].pk,
    }
    assert MoU.objects.visible_to(user).count() == 2
    assert AkadKredit.objects.visible_to(user).count() == 2
    assert IKM.objects.visible_to(user).count() == IKM.objects.count()


def test_buyers_and_lenders_see_submitted_and_verified_active_ikm(
    pengadaan_user, pembiayaan_user, world
):
    expected = {world["submitted_ikm"].pk, world["verified_ikm"].pk}
    for user in (pengadaan_user, pembiayaan_user):
        visible = ids(IKM.objects.visible_to(user))
        assert {world["submitted_ikm"].pk, world["verified_ikm"].pk} <= visible
        for hidden in ("draft_ikm", "rejected_ikm", "inactive_ikm"):
            assert world[hidden].pk not in visible
    assert expected


def test_anonymous_and_roleless_users_see_nothing(django_user_model, world):
    from django.contrib.auth.models import AnonymousUser

    roleless = django_user_model.objects.create_user("tanpa.peran", password="x" * 12)
    for user in (AnonymousUser(), roleless):
        assert not IKM.objects.visible_to(user).exists()
        assert not Demand.objects.visible_to(user).exists()
        assert not MoU.objects.visible_to(user).exists()
        assert not AkadKredit.objects.visible_to(user).exists()


def test_suggestions_follow_their_need(pengadaan_user, world):
    own = MatchSuggestionFactory(demand=world["own_demand"])
    MatchSuggestionFactory(demand=world["other_demand"])
    assert ids(MatchSuggestion.objects.visible_to(pengadaan_user)) == {own.pk}
