"""Writes with rules for MoUs (Nota Kesepahaman): recording one, editing it, and its life
cycle draft → signed → active, or → terminated (with a reason). ``expired`` is set by the
daily job :func:`kemitraan.services.mou_expire_due`.

Rules, in the style of :mod:`kemitraan.services`: keyword-only arguments, ``actor=`` is
the history user, atomic, ``full_clean()`` before saving, refusals raise
``ValidationError`` with a message constant of this module (nothing is written then).

What may change when:

* while the MoU is a **draft** everything may be edited: its fields, participants,
  support commitments and witnesses;
* once **signed** (and later) the agreed terms are frozen: only the scanned document may
  still be attached or replaced (the signed scan usually arrives after the ceremony);
* the status and its dates (``status``, ``status_changed_at``, ``signing_date`` and
  ``signing_place`` once signed, ``termination_reason``) change only through the
  transition services, never through an edit.

The market access of an MoU is the sum of its participants' commitments: never typed.
Participants are kept by IKM on edit (an IKM that stays keeps its row, which the
realisation ledger's purchase orders point to).
"""

import datetime
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ikm.uploads import validate_document

from .models import MoU, MouParticipant, MouSupport, MouWitness

logger = logging.getLogger(__name__)

MOU_NEEDS_PARTICIPANT = _("An MoU needs at least one participating IKM.")
PARTICIPANT_AMOUNT_NOT_POSITIVE = _("Committed market access must be greater than zero.")
PARTICIPANT_TWICE = _("This IKM is already in the MoU: list each IKM once.")
SUPPORT_PILLAR_TWICE = _("This pillar is already in the MoU.")
VALIDITY_END_NOT_AFTER_START = _("An MoU must end after it starts.")
NUMBER_TAKEN = _("Another MoU already has this number.")
BUYER_MISMATCH = _("An officer records MoUs of their own organisation only.")
MOU_NOT_DRAFT = _(
    "This MoU has been signed: its terms can no longer be changed; only the scanned "
    "document can be attached."
)
CANNOT_SIGN = _("Only a draft MoU can be signed.")
CANNOT_ACTIVATE = _("Only a signed MoU can be put into effect.")
CANNOT_TERMINATE = _("Only a signed or active MoU can be terminated.")
SIGNING_DATE_REQUIRED = _("Give the date the MoU was signed.")
SIGNING_DATE_IN_FUTURE = _("The signing date cannot be in the future.")
SIGNING_PLACE_REQUIRED = _("Give the place where the MoU was signed.")
VALIDITY_ENDED = _("The MoU's validity has already ended: it cannot be put into effect.")
TERMINATION_NEEDS_REASON = _("Write why the MoU is terminated.")

# Fields that change only through the transition services.
_STATUS_FIELDS = ("status", "status_changed_at", "termination_reason")
# Fields that may still change once an MoU is no longer a draft.
_ALWAYS_EDITABLE = ("document", "updated_at")


def _check_buyer(mou: MoU, actor) -> None:
    """A procurement officer acts only for their own organisation's buyer profile."""
    if actor is None or actor.sees_everything:
        return
    if not actor.organisation_id or mou.buyer.organisation_id != actor.organisation_id:
        raise ValidationError({"buyer": BUYER_MISMATCH})


def _as_participant(item) -> MouParticipant:
    if isinstance(item, MouParticipant):
        return item
    return MouParticipant(
        ikm=item["ikm"],
        committed_market_access=item["committed_market_access"],
        committed_parts=item.get("committed_parts", "") or "",
    )


def _as_support(item) -> MouSupport:
    if isinstance(item, MouSupport):
        return item
    return MouSupport(pillar=item["pillar"], notes=item.get("notes", "") or "")


def _as_witness(item) -> MouWitness:
    if isinstance(item, MouWitness):
        return item
    return MouWitness(
        name=item["name"],
        position=item.get("position", "") or "",
        organisation_name=item.get("organisation_name", "") or "",
    )


def _check_mou(mou: MoU) -> None:
    errors = {}
    if mou.valid_from and mou.valid_until and mou.valid_until <= mou.valid_from:
        errors["valid_until"] = [VALIDITY_END_NOT_AFTER_START]
    number = (mou.number or "").strip()
    mou.number = number
    if number and MoU.objects.filter(number__iexact=number).exclude(pk=mou.pk).exists():
        errors["number"] = [NUMBER_TAKEN]
    if errors:
        raise ValidationError(errors)


def _check_participants(participants: list[MouParticipant]) -> None:
    if not participants:
        raise ValidationError({"participants": [MOU_NEEDS_PARTICIPANT]})
    seen = set()
    errors = []
    for participant in participants:
        amount = participant.committed_market_access
        if amount is None or amount <= 0:
            errors.append(PARTICIPANT_AMOUNT_NOT_POSITIVE)
        if participant.ikm_id in seen:
            errors.append(PARTICIPANT_TWICE)
        seen.add(participant.ikm_id)
    if errors:
        raise ValidationError({"participants": list(dict.fromkeys(errors))})


def _check_supports(supports: list[MouSupport]) -> None:
    pillars = [support.pillar for support in supports]
    if len(pillars) != len(set(pillars)):
        raise ValidationError({"supports": [SUPPORT_PILLAR_TWICE]})


def _save_mou(mou: MoU, *, actor, reason: str) -> MoU:
    if mou.document and not getattr(mou.document, "_committed", True):
        uploaded = mou.document.file
        validate_document(uploaded)  # a new upload: by its content, ≤ 5 MB
        mou.document.name = uploaded.name  # named by its content: document.pdf, ...
    mou._history_user = actor
    mou._change_reason = reason
    mou.full_clean()
    mou.save()
    return mou


def _save_child(child, *, mou: MoU, actor, reason: str):
    child.mou = mou
    child._history_user = actor
    child._change_reason = reason
    child.full_clean()
    child.save()
    return child


def _sync_participants(mou: MoU, participants: list[MouParticipant], *, actor, reason) -> None:
    """Keep the row of an IKM that stays (purchase orders point to it), update its amount
    and parts, add the new IKM and remove those no longer listed."""
    existing = {p.ikm_id: p for p in mou.participants.all()}
    wanted = {p.ikm_id for p in participants}
    for ikm_id, row in existing.items():
        if ikm_id not in wanted:
            row._history_user = actor
            row._change_reason = reason
            row.delete()
    for participant in participants:
        row = existing.get(participant.ikm_id)
        if row is not None:
            if (row.committed_market_access, row.committed_parts) == (
                participant.committed_market_access,
                participant.committed_parts,
            ):
                continue
            row.committed_market_access = participant.committed_market_access
            row.committed_parts = participant.committed_parts
            participant = row
        _save_child(participant, mou=mou, actor=actor, reason=reason)


def _sync_supports(mou: MoU, supports: list[MouSupport], *, actor, reason) -> None:
    existing = {s.pillar: s for s in mou.supports.all()}
    wanted = {s.pillar for s in supports}
    for pillar, row in existing.items():
        if pillar not in wanted:
            row._history_user = actor
            row._change_reason = reason
            row.delete()
    for support in supports:
        row = existing.get(support.pillar)
        if row is not None:
            if row.notes == support.notes:
                continue
            row.notes = support.notes
            support = row
        _save_child(support, mou=mou, actor=actor, reason=reason)


def _replace_witnesses(mou: MoU, witnesses: list[MouWitness], *, actor, reason) -> None:
    for row in mou.witnesses.all():
        row._history_user = actor
        row._change_reason = reason
        row.delete()
    for witness in witnesses:
        witness.pk = None
        _save_child(witness, mou=mou, actor=actor, reason=reason)


@transaction.atomic
def mou_create(
    *,
    mou: MoU,
    participants: Iterable,
    supports: Iterable = (),
    witnesses: Iterable = (),
    actor,
) -> MoU:
    """Record an MoU as a draft, with its participating IKM (at least one, each once,
    each with committed market access > 0), support commitments (one per pillar) and
    witnesses. ``participants``, ``supports``, ``witnesses``: unsaved model instances or
    dicts of their fields. A new MoU is always a draft: it is signed through
    :func:`mou_sign`."""
    participants = [_as_participant(item) for item in participants]
    supports = [_as_support(item) for item in supports]
    witnesses = [_as_witness(item) for item in witnesses]
    _check_buyer(mou, actor)
    _check_mou(mou)
    _check_participants(participants)
    _check_supports(supports)
    mou.status = MoU.Status.DRAFT
    mou.status_changed_at = timezone.now()
    mou.termination_reason = ""
    mou.created_by = actor
    _save_mou(mou, actor=actor, reason="recorded")
    for participant in participants:
        _save_child(participant, mou=mou, actor=actor, reason="recorded")
    for support in supports:
        _save_child(support, mou=mou, actor=actor, reason="recorded")
    for witness in witnesses:
        _save_child(witness, mou=mou, actor=actor, reason="recorded")
    logger.info("MoU %s recorded with %d participant(s)", mou.pk, len(participants))
    return mou


@transaction.atomic
def mou_update(
    *,
    mou: MoU,
    participants: Iterable | None = None,
    supports: Iterable | None = None,
    witnesses: Iterable | None = None,
    actor,
) -> MoU:
    """Save changes to an MoU (``None`` leaves a set of related records as it is).

    A draft may change in every respect; once signed only the scanned document may
    change (see the module's docstring). The status fields always keep their stored
    values: transitions have services of their own."""
    original = MoU.objects.select_for_update().get(pk=mou.pk)
    for name in _STATUS_FIELDS:
        setattr(mou, name, getattr(original, name))
    if original.status != MoU.Status.DRAFT:
        # The signing record is part of the frozen terms.
        changed = [
            field.attname
            for field in MoU._meta.concrete_fields
            if field.attname not in _ALWAYS_EDITABLE
            and getattr(mou, field.attname) != getattr(original, field.attname)
        ]
        if changed or any(x is not None for x in (participants, supports, witnesses)):
            raise ValidationError(MOU_NOT_DRAFT)
    _check_buyer(original, actor)
    _check_buyer(mou, actor)
    _check_mou(mou)
    if participants is not None:
        participants = [_as_participant(item) for item in participants]
        _check_participants(participants)
    if supports is not None:
        supports = [_as_support(item) for item in supports]
        _check_supports(supports)
    _save_mou(mou, actor=actor, reason="edited")
    if participants is not None:
        _sync_participants(mou, participants, actor=actor, reason="edited")
    if supports is not None:
        _sync_supports(mou, supports, actor=actor, reason="edited")
    if witnesses is not None:
        _replace_witnesses(
            mou, [_as_witness(item) for item in witnesses], actor=actor, reason="edited"
        )
    return mou


def _locked(mou: MoU, actor) -> MoU:
    locked = MoU.objects.select_for_update().select_related("buyer").get(pk=mou.pk)
    _check_buyer(locked, actor)
    return locked


def _transition(mou: MoU, *, status: str, actor, reason: str, fields=()) -> MoU:
    mou.status = status
    mou.status_changed_at = timezone.now()
    mou._history_user = actor
    mou._change_reason = reason
    mou.full_clean()
    mou.save(update_fields=["status", "status_changed_at", "updated_at", *fields])
    logger.info("MoU %s is now %s", mou.pk, status)
    return mou


@transaction.atomic
def mou_sign(*, mou: MoU, signing_date: datetime.date, signing_place: str, actor) -> MoU:
    """Record the signing of a draft MoU: its date (not in the future) and place."""
    signing_place = (signing_place or "").strip()
    errors = {}
    if signing_date is None:
        errors["signing_date"] = [SIGNING_DATE_REQUIRED]
    elif signing_date > timezone.localdate():
        errors["signing_date"] = [SIGNING_DATE_IN_FUTURE]
    if not signing_place:
        errors["signing_place"] = [SIGNING_PLACE_REQUIRED]
    locked = _locked(mou, actor)
    if locked.status != MoU.Status.DRAFT:
        raise ValidationError(CANNOT_SIGN)
    if errors:
        raise ValidationError(errors)
    locked.signing_date = signing_date
    locked.signing_place = signing_place
    return _transition(
        locked,
        status=MoU.Status.SIGNED,
        actor=actor,
        reason="signed",
        fields=("signing_date", "signing_place"),
    )


@transaction.atomic
def mou_activate(*, mou: MoU, actor) -> MoU:
    """Put a signed MoU into effect (its validity must not have ended)."""
    locked = _locked(mou, actor)
    if locked.status != MoU.Status.SIGNED:
        raise ValidationError(CANNOT_ACTIVATE)
    if locked.valid_until < timezone.localdate():
        raise ValidationError(VALIDITY_ENDED)
    return _transition(locked, status=MoU.Status.ACTIVE, actor=actor, reason="activated")


@transaction.atomic
def mou_terminate(*, mou: MoU, reason: str, actor) -> MoU:
    """End a signed or active MoU before its validity ends, with the reason."""
    reason = (reason or "").strip()
    locked = _locked(mou, actor)
    if locked.status not in MoU.IN_FORCE_STATUSES:
        raise ValidationError(CANNOT_TERMINATE)
    if not reason:
        raise ValidationError({"reason": [TERMINATION_NEEDS_REASON]})
    locked.termination_reason = reason
    return _transition(
        locked,
        status=MoU.Status.TERMINATED,
        actor=actor,
        reason="terminated",
        fields=("termination_reason",),
    )
