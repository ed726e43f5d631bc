"""MoU services: recording (with its rules), editing, the life cycle draft → signed →
active / terminated, the daily expiry and the market access total."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from kemitraan import mou_services as s
from kemitraan.models import MoU, MouParticipant, MouSupport, MouWitness
from kemitraan.services import mou_expire_due
from kemitraan.tasks import mou_expire_due_task

from ..factories import IkmFactory, MouFactory, MouParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def buyer(buyer_org):
    return buyer_org.buyer_profile


def new_mou(buyer, **overrides) -> MoU:
    fields = {
        "number": "001/UJI/MoU/2025",
        "title": "Pemasokan bracket knalpot",
        "buyer": buyer,
        "valid_from": datetime.date(2025, 1, 1),
        "valid_until": datetime.date(2027, 12, 31),
        "partnership_pattern": MoU.Pattern.RANTAI_PASOK,
    }
    fields.update(overrides)
    return MoU(**fields)


def participants(*amounts, ikms=None):
    ikms = ikms or [IkmFactory() for _ in amounts]
    return [
        {"ikm": ikm, "committed_market_access": amount, "committed_parts": "bracket"}
        for ikm, amount in zip(ikms, amounts, strict=True)
    ]


def create(buyer, actor, *, parts=None, **overrides):
    return s.mou_create(
        mou=new_mou(buyer, **overrides),
        participants=participants(2_000_000_000, 3_000_000_000) if parts is None else parts,
        supports=[{"pillar": "technology_transfer", "notes": "Pelatihan stamping"}],
        witnesses=[{"name": "Budi Santoso", "position": "Direktur IKM"}],
        actor=actor,
    )


def nothing_written():
    assert not MoU.objects.exists()
    assert not MouParticipant.objects.exists()
    assert not MouSupport.objects.exists()
    assert not MouWitness.objects.exists()


def messages_of(exc_info, field=None):
    error = exc_info.value
    if field is None:
        return error.messages
    return error.message_dict[field]


# --- Recording --------------------------------------------------------------------------


def test_create_records_a_draft_with_everything(buyer, pengadaan_user):
    mou = create(buyer, pengadaan_user)
    assert mou.status == MoU.Status.DRAFT
    assert mou.status_changed_at is not None
    assert mou.created_by == pengadaan_user
    assert mou.participants.count() == 2
    assert mou.market_access == 5_000_000_000  # the sum, never typed
    assert list(mou.supports.values_list("pillar", flat=True)) == ["technology_transfer"]
    assert mou.witnesses.get().name == "Budi Santoso"
    record = mou.history.get()
    assert record.history_change_reason == "recorded"
    assert record.history_user == pengadaan_user


def test_create_forces_draft_even_when_given_another_status(buyer, kemenperin_user):
    mou = create(buyer, kemenperin_user, status=MoU.Status.ACTIVE)
    assert mou.status == MoU.Status.DRAFT


def test_market_access_annotation_matches_the_property(buyer, kemenperin_user):
    mou = create(buyer, kemenperin_user)
    annotated = MoU.objects.with_market_access().get(pk=mou.pk)
    assert annotated.market_access == mou.market_access == 5_000_000_000


def test_validity_must_end_after_it_starts(buyer, kemenperin_user):
    for end in (datetime.date(2025, 1, 1), datetime.date(2024, 12, 31)):
        with pytest.raises(ValidationError) as exc:
            create(buyer, kemenperin_user, valid_until=end)
        assert messages_of(exc, "valid_until") == [str(s.VALIDITY_END_NOT_AFTER_START)]
    nothing_written()


def test_number_is_unique_ignoring_case(buyer, kemenperin_user):
    create(buyer, kemenperin_user, number="001/UJI/MoU/2025")
    with pytest.raises(ValidationError) as exc:
        create(buyer, kemenperin_user, number=" 001/uji/mou/2025 ")
    assert messages_of(exc, "number") == [str(s.NUMBER_TAKEN)]
    assert MoU.objects.count() == 1
    assert MouParticipant.objects.count() == 2


def test_at_least_one_participant(buyer, kemenperin_user):
    with pytest.raises(ValidationError) as exc:
        create(buyer, kemenperin_user, parts=[])
    assert messages_of(exc, "participants") == [str(s.MOU_NEEDS_PARTICIPANT)]
    nothing_written()


@pytest.mark.parametrize("amount", [0, -1, None])
def test_amounts_must_be_positive(buyer, kemenperin_user, amount):
    with pytest.raises(ValidationError) as exc:
        create(buyer, kemenperin_user, parts=participants(1_000_000, amount))
    assert messages_of(exc, "participants") == [str(s.PARTICIPANT_AMOUNT_NOT_POSITIVE)]
    nothing_written()


def test_an_ikm_takes_part_once(buyer, kemenperin_user):
    ikm = IkmFactory()
    with pytest.raises(ValidationError) as exc:
        create(buyer, kemenperin_user, parts=participants(1_000, 2_000, ikms=[ikm, ikm]))
    assert messages_of(exc, "participants") == [str(s.PARTICIPANT_TWICE)]
    nothing_written()


def test_a_pillar_is_committed_once(buyer, kemenperin_user):
    with pytest.raises(ValidationError) as exc:
        s.mou_create(
            mou=new_mou(buyer),
            participants=participants(1_000),
            supports=[{"pillar": "quality"}, {"pillar": "quality", "notes": "audit"}],
            actor=kemenperin_user,
        )
    assert messages_of(exc, "supports") == [str(s.SUPPORT_PILLAR_TWICE)]
    nothing_written()


def test_a_failure_late_in_the_save_leaves_nothing(buyer, kemenperin_user):
    """A witness without a name fails its full_clean after the MoU row was written:
    the transaction rolls everything back."""
    with pytest.raises(ValidationError):
        s.mou_create(
            mou=new_mou(buyer),
            participants=participants(1_000),
            witnesses=[{"name": ""}],
            actor=kemenperin_user,
        )
    nothing_written()


def test_an_officer_records_mous_of_their_own_organisation_only(
    buyer, other_buyer_org, pengadaan_user
):
    with pytest.raises(ValidationError) as exc:
        create(other_buyer_org.buyer_profile, pengadaan_user)
    assert messages_of(exc, "buyer") == [str(s.BUYER_MISMATCH)]
    nothing_written()
    create(buyer, pengadaan_user)  # their own: fine


def test_kemenperin_records_for_any_buyer(other_buyer_org, kemenperin_user):
    assert create(other_buyer_org.buyer_profile, kemenperin_user).pk


def test_document_is_checked_by_content(buyer, kemenperin_user):
    mou = new_mou(buyer, document=SimpleUploadedFile("scan.pdf", b"<svg/>"))
    with pytest.raises(ValidationError):
        s.mou_create(mou=mou, participants=participants(1_000), actor=kemenperin_user)
    nothing_written()
    mou = new_mou(buyer, document=SimpleUploadedFile("nama pemilik.PDF", PDF))
    mou = s.mou_create(mou=mou, participants=participants(1_000), actor=kemenperin_user)
    assert mou.document.name.startswith("mou/") and mou.document.name.endswith(".pdf")
    assert "pemilik" not in mou.document.name


# --- Editing ----------------------------------------------------------------------------


def test_a_draft_can_be_edited_keeping_the_rows_of_ikm_that_stay(buyer, kemenperin_user):
    mou = create(buyer, kemenperin_user)
    stay, leave = mou.participants.order_by("committed_market_access")
    new_ikm = IkmFactory()
    mou.title = "Judul baru"
    s.mou_update(
        mou=mou,
        participants=[
            {"ikm": stay.ikm, "committed_market_access": 7_000_000_000, "committed_parts": "x"},
            {"ikm": new_ikm, "committed_market_access": 1_000_000_000},
        ],
        supports=[{"pillar": "quality", "notes": "Audit mutu"}],
        witnesses=[],
        actor=kemenperin_user,
    )
    mou.refresh_from_db()
    assert mou.title == "Judul baru"
    assert mou.market_access == 8_000_000_000
    assert mou.participants.get(ikm=stay.ikm).pk == stay.pk
    assert not MouParticipant.objects.filter(pk=leave.pk).exists()
    assert list(mou.supports.values_list("pillar", flat=True)) == ["quality"]
    assert not mou.witnesses.exists()
    assert mou.history.first().history_change_reason == "edited"


def test_edit_cannot_change_the_status(buyer, kemenperin_user):
    mou = create(buyer, kemenperin_user)
    mou.status = MoU.Status.ACTIVE
    s.mou_update(mou=mou, actor=kemenperin_user)
    mou.refresh_from_db()
    assert mou.status == MoU.Status.DRAFT


def test_a_signed_mou_is_frozen_except_its_document(buyer, kemenperin_user):
    mou = create(buyer, kemenperin_user)
    s.mou_sign(
        mou=mou, signing_date=datetime.date(2025, 1, 2), signing_place="Jakarta",
        actor=kemenperin_user,
    )  # fmt: skip
    mou.refresh_from_db()
    mou.title = "Diubah"
    with pytest.raises(ValidationError) as exc:
        s.mou_update(mou=mou, actor=kemenperin_user)
    assert messages_of(exc) == [str(s.MOU_NOT_DRAFT)]
    mou.refresh_from_db()
    with pytest.raises(ValidationError):
        s.mou_update(mou=mou, participants=participants(5), actor=kemenperin_user)
    mou.document = SimpleUploadedFile("scan.pdf", PDF)
    s.mou_update(mou=mou, actor=kemenperin_user)
    mou.refresh_from_db()
    assert mou.title != "Diubah" and mou.document.name.endswith(".pdf")


# --- Transitions ------------------------------------------------------------------------


def sign(mou, actor, **kwargs):
    kwargs.setdefault("signing_date", datetime.date(2025, 1, 2))
    kwargs.setdefault("signing_place", "Jakarta")
    return s.mou_sign(mou=mou, actor=actor, **kwargs)


def test_the_life_cycle_is_recorded_with_reasons(buyer, pengadaan_user):
    mou = create(buyer, pengadaan_user)
    mou = sign(mou, pengadaan_user)
    assert (mou.status, mou.signing_place) == (MoU.Status.SIGNED, "Jakarta")
    signed_at = mou.status_changed_at
    mou = s.mou_activate(mou=mou, actor=pengadaan_user)
    assert mou.status == MoU.Status.ACTIVE and mou.status_changed_at >= signed_at
    mou = s.mou_terminate(mou=mou, reason="IKM berhenti berproduksi", actor=pengadaan_user)
    mou.refresh_from_db()
    assert mou.status == MoU.Status.TERMINATED
    assert mou.termination_reason == "IKM berhenti berproduksi"
    reasons = list(
        mou.history.order_by("history_date").values_list("history_change_reason", "status")
    )
    assert reasons == [
        ("recorded", "draft"),
        ("signed", "signed"),
        ("activated", "active"),
        ("terminated", "terminated"),
    ]
    assert set(mou.history.values_list("history_user", flat=True)) == {pengadaan_user.pk}


def test_a_signed_mou_can_be_terminated(buyer, kemenperin_user):
    mou = sign(create(buyer, kemenperin_user), kemenperin_user)
    assert s.mou_terminate(mou=mou, reason="Batal", actor=kemenperin_user).status == "terminated"


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("signed", "sign", s.CANNOT_SIGN),
        ("active", "sign", s.CANNOT_SIGN),
        ("draft", "activate", s.CANNOT_ACTIVATE),
        ("active", "activate", s.CANNOT_ACTIVATE),
        ("expired", "activate", s.CANNOT_ACTIVATE),
        ("terminated", "activate", s.CANNOT_ACTIVATE),
        ("draft", "terminate", s.CANNOT_TERMINATE),
        ("expired", "terminate", s.CANNOT_TERMINATE),
        ("terminated", "terminate", s.CANNOT_TERMINATE),
    ],
)
def test_refused_transitions(kemenperin_user, status, action, message):
    extra = {"termination_reason": "alasan"} if status == "terminated" else {}
    if status == "draft":
        extra["signing_date"] = None
    mou = MouFactory(status=status, **extra)
    MouParticipantFactory(mou=mou)
    before = mou.history.count()
    calls = {
        "sign": lambda: sign(mou, kemenperin_user),
        "activate": lambda: s.mou_activate(mou=mou, actor=kemenperin_user),
        "terminate": lambda: s.mou_terminate(mou=mou, reason="x", actor=kemenperin_user),
    }
    with pytest.raises(ValidationError) as exc:
        calls[action]()
    assert messages_of(exc) == [str(message)]
    mou.refresh_from_db()
    assert mou.status == status and mou.history.count() == before


def test_terminate_needs_a_reason(buyer, kemenperin_user):
    mou = sign(create(buyer, kemenperin_user), kemenperin_user)
    for reason in ("", "   ", None):
        with pytest.raises(ValidationError) as exc:
            s.mou_terminate(mou=mou, reason=reason, actor=kemenperin_user)
        assert messages_of(exc, "reason") == [str(s.TERMINATION_NEEDS_REASON)]
    mou.refresh_from_db()
    assert mou.status == MoU.Status.SIGNED


def test_sign_needs_a_past_date_and_a_place(buyer, kemenperin_user):
    mou = create(buyer, kemenperin_user)
    with pytest.raises(ValidationError) as exc:
        sign(mou, kemenperin_user, signing_date=None, signing_place=" ")
    assert exc.value.message_dict == {
        "signing_date": [str(s.SIGNING_DATE_REQUIRED)],
        "signing_place": [str(s.SIGNING_PLACE_REQUIRED)],
    }
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        sign(mou, kemenperin_user, signing_date=tomorrow)
    assert messages_of(exc, "signing_date") == [str(s.SIGNING_DATE_IN_FUTURE)]
    mou.refresh_from_db()
    assert mou.status == MoU.Status.DRAFT


def test_an_mou_whose_validity_ended_is_not_activated(buyer, kemenperin_user):
    mou = create(
        buyer,
        kemenperin_user,
        valid_from=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2021, 1, 1),
    )
    mou = sign(mou, kemenperin_user, signing_date=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError) as exc:
        s.mou_activate(mou=mou, actor=kemenperin_user)
    assert messages_of(exc) == [str(s.VALIDITY_ENDED)]


def test_an_officer_cannot_act_on_another_buyers_mou(other_buyer_org, kemenperin_user):
    officer = UserFactory(role=Role.PENGADAAN, organisation=other_buyer_org)
    mou = MouFactory(status="signed")  # another buyer's
    with pytest.raises(ValidationError):
        s.mou_activate(mou=mou, actor=officer)
    with pytest.raises(ValidationError):
        s.mou_terminate(mou=mou, reason="x", actor=officer)


# --- Expiry (the daily job) ---------------------------------------------------------------


def test_expiry_job_marks_signed_and_active_past_validity_and_records_it():
    today = datetime.date(2026, 1, 10)
    past = {"valid_until": datetime.date(2026, 1, 9)}
    signed = MouFactory(status="signed", **past)
    active = MouFactory(status="active", **past)
    draft = MouFactory(status="draft", signing_date=None, **past)
    terminated = MouFactory(status="terminated", termination_reason="x", **past)
    current = MouFactory(status="active", valid_until=today)  # still valid today
    assert mou_expire_due(today=today) == 2
    for mou, status in [
        (signed, "expired"),
        (active, "expired"),
        (draft, "draft"),
        (terminated, "terminated"),
        (current, "active"),
    ]:
        mou.refresh_from_db()
        assert mou.status == status, mou
    assert signed.history.first().history_change_reason == "validity ended"
    assert signed.status_changed_at is not None
    assert mou_expire_due(today=today) == 0  # safe to run twice


def test_expiry_task_runs_the_service():
    MouFactory(
        status="active", valid_until=datetime.date(2000, 1, 2), valid_from=datetime.date(2000, 1, 1)
    )
    assert mou_expire_due_task.apply().get() == 1
