"""draft -> submitted -> verified | rejected (with reason) -> resubmitted; who and when
are kept; deactivation; an IKM in an MoU or akad can never be deleted."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from ikm import services
from ikm.models import IKM

from ..factories import AkadKreditFactory, IkmFactory, MouParticipantFactory

pytestmark = pytest.mark.django_db


def test_the_whole_workflow_records_who_and_when(kemenperin_user):
    ikm = IkmFactory(verification_status=IKM.Status.DRAFT)
    ikm = services.ikm_submit(ikm=ikm, actor=kemenperin_user)
    assert ikm.verification_status == "submitted" and ikm.submitted_at
    ikm = services.ikm_reject(ikm=ikm, reason="NIB tidak cocok dengan OSS", actor=kemenperin_user)
    assert ikm.verification_status == "rejected"
    assert ikm.rejection_reason == "NIB tidak cocok dengan OSS"
    assert ikm.verified_by == kemenperin_user and ikm.verified_at
    ikm = services.ikm_submit(ikm=ikm, actor=kemenperin_user)
    assert ikm.verification_status == "submitted" and ikm.rejection_reason == ""
    ikm = services.ikm_verify(ikm=ikm, actor=kemenperin_user)
    assert ikm.verification_status == "verified"
    reasons = list(
        ikm.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons[-4:] == ["submitted", "rejected", "resubmitted", "verified"]
    assert {h.history_user for h in ikm.history.all()[:4]} == {kemenperin_user}


@pytest.mark.parametrize(
    ("start", "service"),
    [
        ("draft", "ikm_verify"),
        ("verified", "ikm_verify"),
        ("verified", "ikm_submit"),
        ("submitted", "ikm_submit"),
    ],
)
def test_transitions_not_in_the_workflow_are_refused(kemenperin_user, start, service):
    ikm = IkmFactory(verification_status=start)
    before = ikm.history.count()
    with pytest.raises(ValidationError) as excinfo:
        getattr(services, service)(ikm=ikm, actor=kemenperin_user)
    assert excinfo.value.code == "transition"
    ikm.refresh_from_db()
    assert ikm.verification_status == start
    assert ikm.history.count() == before


def test_rejection_needs_a_reason(kemenperin_user):
    ikm = IkmFactory(verification_status="submitted")
    with pytest.raises(ValidationError) as excinfo:
        services.ikm_reject(ikm=ikm, reason="  ", actor=kemenperin_user)
    assert services.REJECTION_NEEDS_REASON in excinfo.value.message_dict["reason"]
    ikm.refresh_from_db()
    assert ikm.verification_status == "submitted"


def test_deactivate_and_reactivate(kemenperin_user):
    ikm = IkmFactory()
    with pytest.raises(ValidationError):
        services.ikm_deactivate(ikm=ikm, reason="", actor=kemenperin_user)
    ikm = services.ikm_deactivate(ikm=ikm, reason="Usaha tutup", actor=kemenperin_user)
    assert not ikm.is_active and ikm.deactivation_reason == "Usaha tutup"
    with pytest.raises(ValidationError):
        services.ikm_verify(
            ikm=IkmFactory(verification_status="submitted", is_active=False), actor=kemenperin_user
        )
    ikm = services.ikm_reactivate(ikm=ikm, actor=kemenperin_user)
    assert ikm.is_active and ikm.deactivated_at is None


def test_an_ikm_in_an_mou_or_akad_can_never_be_deleted():
    in_mou = MouParticipantFactory().ikm
    in_akad = AkadKreditFactory().borrower
    for ikm in (in_mou, in_akad):
        with pytest.raises(ProtectedError):
            ikm.delete()
        assert IKM.objects.filter(pk=ikm.pk).exists()


def test_no_role_may_delete_an_ikm(users_by_role):
    for user in users_by_role.values():
        assert not user.has_perm("ikm.delete_ikm")


def test_verify_and_reject_through_the_page(client, kemenperin_user):
    ikm = IkmFactory(verification_status="submitted")
    client.force_login(kemenperin_user)
    assert client.post(f"/ikm/{ikm.pk}/verifikasi/").status_code == 302
    ikm.refresh_from_db()
    assert ikm.verification_status == "verified"
    response = client.post(f"/ikm/{ikm.pk}/tolak/", {"reason": ""}, follow=True)
    ikm.refresh_from_db()
    assert ikm.verification_status == "verified"  # refused: no reason
    assert "alasan" in response.text.lower()
    client.post(f"/ikm/{ikm.pk}/tolak/", {"reason": "Alamat fiktif"})
    ikm.refresh_from_db()
    assert ikm.verification_status == "rejected"


@pytest.mark.parametrize("role_user", ["pengadaan_user", "pembiayaan_user", "kadin_user"])
def test_only_kemenperin_verifies(request, client, role_user):
    ikm = IkmFactory(verification_status="submitted")
    client.force_login(request.getfixturevalue(role_user))
    for action in ("verifikasi", "tolak", "nonaktifkan", "ajukan"):
        assert client.post(f"/ikm/{ikm.pk}/{action}/", {"reason": "x"}).status_code == 403
    ikm.refresh_from_db()
    assert ikm.verification_status == "submitted" and ikm.is_active


def test_out_of_scope_ikm_is_a_404_like_a_missing_one(client, pengadaan_user):
    draft = IkmFactory(verification_status="draft")
    client.force_login(pengadaan_user)
    assert client.get(f"/ikm/{draft.pk}/").status_code == 404
    assert client.get("/ikm/999999/").status_code == 404


def test_the_ikm_page_shows_the_audit_history_to_staff(client, kemenperin_user, pengadaan_user):
    ikm = IkmFactory(verification_status="submitted")
    services.ikm_verify(ikm=ikm, actor=kemenperin_user)
    client.force_login(kemenperin_user)
    page = client.get(f"/ikm/{ikm.pk}/").text
    assert "Riwayat" in page and kemenperin_user.username in page and "diverifikasi" in page
    client.force_login(pengadaan_user)
    assert "Riwayat" not in client.get(f"/ikm/{ikm.pk}/").text
