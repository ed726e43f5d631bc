"""Writes with rules for the IKM registry: register, edit, verify, deactivate.

Every service takes ``actor=`` (recorded in the audit trail as the history user), is
atomic, and runs ``full_clean()`` before saving. Refusals raise ``ValidationError`` with
a message constant from this module.
"""

import difflib
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import IKM, Certificate

TRANSITION_NOT_ALLOWED = _("This IKM cannot go from %(current)s to %(target)s.")
REJECTION_NEEDS_REASON = _("Write the reason for rejecting this IKM: the business will see it.")
DEACTIVATION_NEEDS_REASON = _("Write the reason for deactivating this IKM.")
ALREADY_INACTIVE = _("This IKM is already inactive.")
ALREADY_ACTIVE = _("This IKM is already active.")
INACTIVE_CANNOT_BE_VERIFIED = _("An inactive IKM cannot be verified; activate it first.")

# Verification workflow: draft -> submitted -> verified | rejected; rejected -> submitted
# (resubmitted after corrections). A verified IKM whose data changes stays verified;
# staff can send it back by rejecting it with a reason.
TRANSITIONS = {
    IKM.Status.DRAFT: {IKM.Status.SUBMITTED},
    IKM.Status.SUBMITTED: {IKM.Status.VERIFIED, IKM.Status.REJECTED},
    IKM.Status.REJECTED: {IKM.Status.SUBMITTED},
    IKM.Status.VERIFIED: {IKM.Status.REJECTED},
}

# Change reasons recorded in the audit trail, and how the IKM page names them.
CHANGE_REASONS = {
    "registered": _("registered"),
    "edited": _("edited"),
    "submitted": _("sent for verification"),
    "resubmitted": _("resubmitted"),
    "verified": _("verified"),
    "rejected": _("rejected"),
    "deactivated": _("deactivated"),
    "reactivated": _("activated again"),
    "imported": _("imported"),
}

# Name similarity above which two IKM in one regency are flagged as possible duplicates.
SIMILAR_NAME_THRESHOLD = 0.45


def _save(instance, *, actor, reason: str = ""):
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.full_clean()
    instance.save()


@transaction.atomic
def ikm_register(
    *,
    ikm: IKM,
    kbli=(),
    processes=(),
    certificates: list[Certificate] = (),
    actor,
    submit: bool = False,
) -> IKM:
    """Save a new IKM (built by a form or the API) with its capabilities and certificates.

    It starts as a draft, or submitted for verification when ``submit``.
    """
    ikm.created_by = actor
    ikm.verification_status = IKM.Status.SUBMITTED if submit else IKM.Status.DRAFT
    ikm.submitted_at = timezone.now() if submit else None
    _save(ikm, actor=actor, reason="registered")
    ikm.kbli.set(kbli)
    ikm.processes.set(processes)
    for certificate in certificates:
        certificate.ikm = ikm
        _save(certificate, actor=actor)
    return ikm


@transaction.atomic
def ikm_update(*, ikm: IKM, kbli=None, processes=None, actor) -> IKM:
    """Save edits to an IKM (fields already set on ``ikm``); M2M lists when given."""
    _save(ikm, actor=actor, reason="edited")
    if kbli is not None:
        ikm.kbli.set(kbli)
    if processes is not None:
        ikm.processes.set(processes)
    return ikm


def _transition(ikm: IKM, target: str) -> None:
    if target not in TRANSITIONS.get(ikm.verification_status, set()):
        raise ValidationError(
            TRANSITION_NOT_ALLOWED,
            params={
                "current": IKM.Status(ikm.verification_status).label,
                "target": IKM.Status(target).label,
            },
            code="transition",
        )


def _locked(ikm: IKM) -> IKM:
    return IKM.objects.select_for_update().get(pk=ikm.pk)


@transaction.atomic
def ikm_submit(*, ikm: IKM, actor) -> IKM:
    """Send a draft (or a rejected IKM, corrected) for verification."""
    ikm = _locked(ikm)
    _transition(ikm, IKM.Status.SUBMITTED)
    resubmitted = ikm.verification_status == IKM.Status.REJECTED
    ikm.verification_status = IKM.Status.SUBMITTED
    ikm.submitted_at = timezone.now()
    ikm.rejection_reason = ""
    _save(ikm, actor=actor, reason="resubmitted" if resubmitted else "submitted")
    return ikm


@transaction.atomic
def ikm_verify(*, ikm: IKM, actor) -> IKM:
    """Mark a submitted IKM as verified; who and when are kept."""
    ikm = _locked(ikm)
    if not ikm.is_active:
        raise ValidationError(INACTIVE_CANNOT_BE_VERIFIED, code="inactive")
    _transition(ikm, IKM.Status.VERIFIED)
    ikm.verification_status = IKM.Status.VERIFIED
    ikm.verified_at = timezone.now()
    ikm.verified_by = actor
    ikm.rejection_reason = ""
    _save(ikm, actor=actor, reason="verified")
    return ikm


@transaction.atomic
def ikm_reject(*, ikm: IKM, reason: str, actor) -> IKM:
    """Reject a submitted (or verified) IKM, with the reason the business will see."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REJECTION_NEEDS_REASON})
    ikm = _locked(ikm)
    _transition(ikm, IKM.Status.REJECTED)
    ikm.verification_status = IKM.Status.REJECTED
    ikm.verified_at = timezone.now()
    ikm.verified_by = actor
    ikm.rejection_reason = reason
    _save(ikm, actor=actor, reason="rejected")
    return ikm


@transaction.atomic
def ikm_deactivate(*, ikm: IKM, reason: str, actor) -> IKM:
    """Take an IKM out of the directory and of matching. Nothing is deleted: an IKM that
    appears in an MoU or an akad must stay (and the database protects it)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": DEACTIVATION_NEEDS_REASON})
    ikm = _locked(ikm)
    if not ikm.is_active:
        raise ValidationError(ALREADY_INACTIVE, code="inactive")
    ikm.is_active = False
    ikm.deactivated_at = timezone.now()
    ikm.deactivation_reason = reason
    _save(ikm, actor=actor, reason="deactivated")
    return ikm


@transaction.atomic
def ikm_reactivate(*, ikm: IKM, actor) -> IKM:
    ikm = _locked(ikm)
    if ikm.is_active:
        raise ValidationError(ALREADY_ACTIVE, code="active")
    ikm.is_active = True
    ikm.deactivated_at = None
    ikm.deactivation_reason = ""
    _save(ikm, actor=actor, reason="reactivated")
    return ikm


@dataclass(frozen=True)
class PossibleDuplicate:
    ikm: IKM
    reason: str  # "npwp" or "name"
    similarity: float


def ikm_possible_duplicates(
    *, name: str, npwp: str, regency_id: str | None, exclude_pk: int | None = None, limit: int = 5
) -> list[PossibleDuplicate]:
    """IKM that may be the same business: the same NPWP anywhere, or a similar name in
    the same regency (trigram similarity on PostgreSQL, difflib elsewhere)."""
    found: dict[int, PossibleDuplicate] = {}
    others = IKM.objects.all() if exclude_pk is None else IKM.objects.exclude(pk=exclude_pk)
    if npwp:
        for ikm in others.filter(npwp=npwp).select_related("regency")[:limit]:
            found[ikm.pk] = PossibleDuplicate(ikm, "npwp", 1.0)
    name = (name or "").strip()
    if name and regency_id:
        same_regency = others.filter(regency_id=regency_id).select_related("regency")
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import TrigramSimilarity

            candidates = (
                same_regency.annotate(similarity=TrigramSimilarity("name", name))
                .filter(Q(similarity__gte=SIMILAR_NAME_THRESHOLD))
                .order_by("-similarity")[:limit]
            )
            scored = [(c, float(c.similarity)) for c in candidates]
        else:
            scored = [
                (c, difflib.SequenceMatcher(None, c.name.lower(), name.lower()).ratio())
                for c in same_regency.only("pk", "name", "regency")
            ]
            scored = sorted(
                [s for s in scored if s[1] >= SIMILAR_NAME_THRESHOLD + 0.2],
                key=lambda s: -s[1],
            )[:limit]
        for candidate, similarity in scored:
            found.setdefault(candidate.pk, PossibleDuplicate(candidate, "name", similarity))
    return list(found.values())[:limit]
