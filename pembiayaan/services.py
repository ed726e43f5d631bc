"""Writes with rules for credit: a lender's application, its life as an akad kredit, and the
tranches disbursed under it.

The life cycle::

    pipeline ──approve──▶ approved ──sign──▶ signed ──disburse──▶ disbursed
        │                    │                 │                      │ report collectibility
        └─reject / cancel────┴─reject/cancel   └─cancel (nothing       ▼
                                                  disbursed yet)   repaying ──pay off──▶ paid_off

Conventions of :mod:`kemitraan.services`: keyword-only arguments, ``actor=`` (recorded as
the history user and as ``status_changed_by``), atomic, the akad row locked while its rules
are checked, ``full_clean()`` before saving, and refusals as ``ValidationError`` carrying a
message constant of this module (keyed by form field where one applies). Nothing is written
when a service refuses.

Rules
-----
* **Who.** A lender officer acts only for their own lender; a superuser (or ``actor=None``:
  the system, e.g. ``seed_demo``) for any. Kemenperin and KADIN read, they do not record.
* **Scheme limits.** The plafon lies within the scheme's minimum and maximum, and the rate
  is at most the scheme's maximum. For KUR the maximum depends on the borrower's access:
  the first KUR akad of an IKM (with any lender) at most ``max_rate`` (6%), later ones the
  scheme's ``repeat_access_rates`` (7, 8, then 9%). KUR rates are effective rates.
  Checked when applying, editing, approving and signing.
* **Security.** The MoU, when given, must be signed, active or expired and have the
  borrower among its participants; purchase orders must be the borrower's (and under
  that MoU when one is given).
* **Dates.** No date lies in the future; approval not before the application, signing
  not before approval, a tranche not before signing, pay-off not before the last tranche.
* **Akad number** unique per lender (case and surrounding spaces ignored).
* **Disbursement** only once signed, and the tranches never exceed the plafon.
* **Edits** to the terms only before signing (pipeline, approved).
"""

import datetime
import logging
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from ikm.models import IKM
from ikm.money import format_rupiah
from kemitraan.models import MoU, MouParticipant, PurchaseOrder

from .models import AkadKredit, Collateral, CreditScheme, Disbursement, LenderProfile

logger = logging.getLogger(__name__)

NOT_ALLOWED = _("Only an officer of this lender may record or change its credit.")
LENDER_MISMATCH = _("An officer records credit for their own lender only.")
SCHEME_INACTIVE = _("This credit scheme is no longer offered: choose another one.")
PLAFON_BELOW_SCHEME = _("%(scheme)s starts above %(minimum)s: the plafon is too small.")
PLAFON_ABOVE_SCHEME = _("%(scheme)s goes up to %(maximum)s: the plafon is too large.")
RATE_ABOVE_SCHEME = _("%(scheme)s allows at most %(rate)s%% a year for this borrower (%(access)s).")
KUR_RATE_NOT_EFFECTIVE = _(
    "KUR rates are effective rates (Permenko 1/2023): record the effective rate."
)
GRACE_NOT_WITHIN_TENOR = _("The grace period must be shorter than the tenor.")
APPLIED_AFTER_APPROVAL = _("The application cannot be dated after its approval (%(date)s).")
MOU_NOT_SECURING = _(
    "Credit rests only on a signed, active or expired MoU (not a draft or a terminated one)."
)
BORROWER_NOT_IN_MOU = _("The borrower is not a participant of this MoU.")
PO_NOT_BORROWERS = _("Purchase order %(number)s is not the borrower's.")
PO_UNKNOWN = _("Unknown purchase order: %(ids)s.")
PO_NOT_UNDER_MOU = _("Purchase order %(number)s is not under the chosen MoU.")
DATE_IN_FUTURE = _("The date cannot be in the future.")
DATE_BEFORE = _("The date cannot be before %(what)s (%(date)s).")
NOT_EDITABLE = _("This akad has been signed or closed: its terms can no longer be changed.")
CANNOT_APPROVE = _("Only an application in the pipeline can be approved.")
CANNOT_SIGN = _("Only an approved application can be signed as an akad.")
AKAD_NUMBER_REQUIRED = _("Enter the akad number.")
AKAD_NUMBER_TAKEN = _("This lender already has an akad with this number.")
NOT_SIGNED_YET = _("Nothing can be disbursed before the akad is signed.")
CANNOT_DISBURSE_CLOSED = _("This akad is closed: nothing more can be disbursed.")
AMOUNT_NOT_POSITIVE = _("The amount must be greater than zero.")
OVER_PLAFON = _(
    "Disbursements would exceed the plafon: %(remaining)s is left to disburse on this akad."
)
CANNOT_REPORT_COLLECTIBILITY = _(
    "Collectibility is reported once the credit has been disbursed, and until it is paid off."
)
COLLECTIBILITY_INVALID = _("Collectibility is a grade from 1 to 5.")
CANNOT_PAY_OFF = _("Only a disbursed or repaying akad can be paid off.")
CANNOT_REJECT = _("Only an application not yet signed can be rejected.")
CANNOT_CANCEL = _(
    "Only an application, or a signed akad with nothing disbursed yet, can be cancelled."
)
REASON_REQUIRED = _("Write the reason: it is kept with the record.")

ACCESS_FIRST = _("first KUR access")
ACCESS_LATER = _("KUR access no. %(number)s")

# Fields that change only through the transition services.
_STATUS_FIELDS = (
    "status",
    "status_changed_at",
    "status_changed_by",
    "status_reason",
    "approved_on",
    "signed_on",
    "akad_number",
    "closed_on",
    "collectibility",
    "collectibility_as_of",
)


def rupiah(amount: int) -> str:
    return format_rupiah(amount, language=get_language())


def percent_text(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if (get_language() or "").startswith("en") else text.replace(".", ",")


def _date(value: datetime.date) -> str:
    return value.strftime("%d-%m-%Y")


# --- Who -------------------------------------------------------------------------------


def can_record(user, akad: AkadKredit) -> bool:
    """A superuser for any lender; a lender officer for their own lender."""
    if user is None:
        return True  # the system (seed_demo, jobs)
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return (
        user.role == Role.PEMBIAYAAN
        and bool(user.organisation_id)
        and user.organisation_id == akad.lender.organisation_id
    )


def _check_actor(actor, akad: AkadKredit) -> None:
    if actor is not None and actor.is_authenticated and actor.role == Role.PEMBIAYAAN:
        if not can_record(actor, akad):
            raise ValidationError({"lender": LENDER_MISMATCH})
        return
    if not can_record(actor, akad):
        raise ValidationError(NOT_ALLOWED, code="not_allowed")


# --- Scheme limits -----------------------------------------------------------------------


def kur_access_number(akad: AkadKredit) -> int:
    """1 for the borrower's first KUR akad (with any lender), 2 for the next, ...

    Counts the borrower's other KUR akad already signed on or before this one's signing
    date (today's, while it is not signed yet). Signing locks the borrower's row, so two
    KUR akad of one IKM are never counted at the same moment."""
    others = AkadKredit.objects.filter(
        borrower_id=akad.borrower_id,
        scheme__kind=CreditScheme.Kind.KUR,
        status__in=AkadKredit.SIGNED_STATUSES,
        signed_on__lte=akad.signed_on or timezone.localdate(),
    )
    if akad.pk:
        others = others.exclude(pk=akad.pk)
    return 1 + others.count()


def max_rate_for(akad: AkadKredit) -> tuple[Decimal | None, int]:
    """The scheme's highest allowed rate for this akad, and the KUR access number it used
    (0 for other schemes)."""
    scheme = akad.scheme
    if scheme.max_rate is None:
        return None, 0
    if scheme.kind != CreditScheme.Kind.KUR:
        return scheme.max_rate, 0
    access = kur_access_number(akad)
    rates = scheme.repeat_access_rates
    if access == 1 or not rates:
        return scheme.max_rate, access
    return Decimal(str(rates[min(access - 2, len(rates) - 1)])), access


def _check_scheme(akad: AkadKredit, *, new: bool) -> None:
    """Plafon and rate within the scheme's limits; messages keyed by the field at fault."""
    if not akad.scheme_id:
        return  # the form reports the missing scheme
    scheme = akad.scheme
    errors = {}
    if new and not scheme.is_active:
        errors["scheme"] = [SCHEME_INACTIVE]
    if akad.plafon is not None:
        if scheme.min_plafon is not None and akad.plafon < scheme.min_plafon:
            errors["plafon"] = [
                ValidationError(
                    PLAFON_BELOW_SCHEME,
                    params={"scheme": scheme.name, "minimum": rupiah(scheme.min_plafon - 1)},
                )
                if scheme.min_plafon > 1
                else ValidationError(AMOUNT_NOT_POSITIVE)
            ]
        if scheme.max_plafon is not None and akad.plafon > scheme.max_plafon:
            errors["plafon"] = [
                ValidationError(
                    PLAFON_ABOVE_SCHEME,
                    params={"scheme": scheme.name, "maximum": rupiah(scheme.max_plafon)},
                )
            ]
    if akad.interest_rate is not None:
        maximum, access = max_rate_for(akad)
        if maximum is not None and Decimal(akad.interest_rate) > maximum:
            if scheme.kind == CreditScheme.Kind.KUR:
                access_text = ACCESS_FIRST if access == 1 else ACCESS_LATER % {"number": access}
            else:
                access_text = scheme.name
            errors["interest_rate"] = [
                ValidationError(
                    RATE_ABOVE_SCHEME,
                    params={
                        "scheme": scheme.name,
                        "rate": percent_text(maximum),
                        "access": access_text,
                    },
                )
            ]
        if scheme.kind == CreditScheme.Kind.KUR and akad.rate_type != AkadKredit.RateType.EFFECTIVE:
            errors.setdefault("rate_type", []).append(KUR_RATE_NOT_EFFECTIVE)
    if errors:
        raise ValidationError(errors)


def _check_terms(akad: AkadKredit) -> None:
    if (
        akad.grace_period_months is not None
        and akad.tenor_months is not None
        and akad.grace_period_months >= akad.tenor_months
    ):
        raise ValidationError({"grace_period_months": GRACE_NOT_WITHIN_TENOR})


# --- What the credit rests on ------------------------------------------------------------


def _check_security(akad: AkadKredit, purchase_orders: list[PurchaseOrder] | None) -> None:
    errors = {}
    if akad.mou_id:
        mou = MoU.objects.get(pk=akad.mou_id)
        if mou.status not in (MoU.Status.SIGNED, MoU.Status.ACTIVE, MoU.Status.EXPIRED):
            errors["mou"] = [MOU_NOT_SECURING]
        elif not MouParticipant.objects.filter(mou=mou, ikm_id=akad.borrower_id).exists():
            errors["mou"] = [BORROWER_NOT_IN_MOU]
    for po in purchase_orders or ():
        participant = po.participant
        if participant.ikm_id != akad.borrower_id:
            message = ValidationError(PO_NOT_BORROWERS, params={"number": po.number})
        elif akad.mou_id and participant.mou_id != akad.mou_id:
            message = ValidationError(PO_NOT_UNDER_MOU, params={"number": po.number})
        else:
            continue
        errors.setdefault("purchase_orders", []).append(message)
    if errors:
        raise ValidationError(errors)


def _check_date(field: str, value, *, not_before=None, what="") -> None:
    if value is None:
        return
    if value > timezone.localdate():
        raise ValidationError({field: DATE_IN_FUTURE})
    if not_before is not None and value < not_before:
        raise ValidationError(
            {field: ValidationError(DATE_BEFORE, params={"what": what, "date": _date(not_before)})}
        )


def _as_collateral(item) -> Collateral:
    if isinstance(item, Collateral):
        return item
    return Collateral(
        kind=item["kind"],
        description=item.get("description", "") or "",
        value=item["value"],
        binding=item.get("binding") or Collateral.Binding.NOT_BOUND,
    )


_RELATIONS = [f.name for f in AkadKredit._meta.concrete_fields if f.is_relation]


def _save(akad: AkadKredit, *, actor, reason: str, update_fields=None) -> AkadKredit:
    akad._history_user = actor
    akad._change_reason = reason
    if update_fields is None:
        akad.full_clean()
    else:
        # A transition has checked its own rules on a locked row whose links it does not
        # change: its fields are validated, while the table's constraints and the links'
        # existence are left to the database instead of a query each here.
        akad.full_clean(exclude=_RELATIONS, validate_constraints=False)
    akad.save(update_fields=update_fields)
    return akad


def _replace_collaterals(akad: AkadKredit, collaterals: list[Collateral], *, actor, reason):
    for row in akad.collaterals.all():
        row._history_user = actor
        row._change_reason = reason
        row.delete()
    for collateral in collaterals:
        collateral.pk = None
        collateral.akad = akad
        collateral._history_user = actor
        collateral._change_reason = reason
        collateral.full_clean()
        collateral.save()


def _resolve_pos(purchase_orders) -> list[PurchaseOrder] | None:
    if purchase_orders is None:
        return None
    ids = [po.pk if isinstance(po, PurchaseOrder) else int(po) for po in purchase_orders]
    found = PurchaseOrder.objects.select_related("participant").in_bulk(ids)
    if missing := [i for i in ids if i not in found]:
        raise ValidationError(
            {"purchase_orders": ValidationError(PO_UNKNOWN, params={"ids": missing[0]})}
        )
    return [found[i] for i in dict.fromkeys(ids)]


# --- Application and edits ---------------------------------------------------------------


@transaction.atomic
def akad_apply(
    *,
    akad: AkadKredit,
    collaterals: Iterable = (),
    purchase_orders: Iterable = (),
    actor,
) -> AkadKredit:
    """Record a credit application (status pipeline) with its collateral and the purchase
    orders it rests on. ``collaterals``: unsaved :class:`Collateral` or dicts of their
    fields; ``purchase_orders``: POs or their ids."""
    _check_actor(actor, akad)
    pos = _resolve_pos(purchase_orders)
    _check_date("applied_on", akad.applied_on)
    _check_terms(akad)
    _check_scheme(akad, new=True)
    _check_security(akad, pos)
    akad.status = AkadKredit.Status.PIPELINE
    akad.status_changed_at = timezone.now()
    akad.status_changed_by = actor
    akad.status_reason = ""
    akad.akad_number = ""
    akad.approved_on = akad.signed_on = akad.closed_on = None
    akad.collectibility = akad.collectibility_as_of = None
    akad.created_by = actor
    _save(akad, actor=actor, reason="applied")
    _replace_collaterals(
        akad, [_as_collateral(c) for c in collaterals], actor=actor, reason="applied"
    )
    akad.purchase_orders.set(pos)
    logger.info("Credit application %s recorded", akad.pk)
    return akad


@transaction.atomic
def akad_update(
    *,
    akad: AkadKredit,
    collaterals: Iterable | None = None,
    purchase_orders: Iterable | None = None,
    actor,
) -> AkadKredit:
    """Save changes to an application's terms (only before signing). ``None`` leaves the
    collateral or the purchase orders as they are. The lender and the status fields keep
    their stored values."""
    original = AkadKredit.objects.select_for_update().select_related("lender").get(pk=akad.pk)
    _check_actor(actor, original)
    if original.status not in AkadKredit.EDITABLE_STATUSES:
        raise ValidationError(NOT_EDITABLE)
    akad.lender_id = original.lender_id
    for name in (*_STATUS_FIELDS, "created_by_id", "created_at", "is_demo"):
        setattr(akad, name, getattr(original, name))
    pos = _resolve_pos(purchase_orders)
    _check_date("applied_on", akad.applied_on)
    if akad.approved_on and akad.applied_on and akad.applied_on > akad.approved_on:
        raise ValidationError(
            {
                "applied_on": ValidationError(
                    APPLIED_AFTER_APPROVAL, params={"date": _date(akad.approved_on)}
                )
            }
        )
    _check_terms(akad)
    _check_scheme(akad, new=akad.scheme_id != original.scheme_id)
    _check_security(
        akad, pos if pos is not None else list(akad.purchase_orders.select_related("participant"))
    )
    _save(akad, actor=actor, reason="edited")
    if collaterals is not None:
        _replace_collaterals(
            akad, [_as_collateral(c) for c in collaterals], actor=actor, reason="edited"
        )
    if pos is not None:
        akad.purchase_orders.set(pos)
    return akad


# --- Transitions -------------------------------------------------------------------------


def _locked(akad: AkadKredit, actor) -> AkadKredit:
    locked = (
        AkadKredit.objects.select_for_update().select_related("lender", "scheme").get(pk=akad.pk)
    )
    _check_actor(actor, locked)
    return locked


def _transition(akad: AkadKredit, *, status: str, actor, reason: str, fields=()) -> AkadKredit:
    akad.status = status
    akad.status_changed_at = timezone.now()
    akad.status_changed_by = actor
    _save(
        akad,
        actor=actor,
        reason=reason,
        update_fields=["status", "status_changed_at", "status_changed_by", "updated_at", *fields],
    )
    logger.info("Akad %s is now %s", akad.pk, status)
    return akad


@transaction.atomic
def akad_approve(*, akad: AkadKredit, approved_on: datetime.date, actor) -> AkadKredit:
    """The lender approves an application in the pipeline."""
    locked = _locked(akad, actor)
    if locked.status != AkadKredit.Status.PIPELINE:
        raise ValidationError(CANNOT_APPROVE)
    if approved_on is None:
        approved_on = timezone.localdate()
    _check_date("approved_on", approved_on, not_before=locked.applied_on, what=_("the application"))
    _check_scheme(locked, new=False)
    locked.approved_on = approved_on
    return _transition(
        locked,
        status=AkadKredit.Status.APPROVED,
        actor=actor,
        reason="approved",
        fields=("approved_on",),
    )


@transaction.atomic
def akad_sign(*, akad: AkadKredit, akad_number: str, signed_on: datetime.date, actor) -> AkadKredit:
    """Record the signing of an approved application: the akad number (unique per lender)
    and the signing date (not in the future, not before approval). The scheme's limits are
    checked again: the borrower's KUR access may have changed since the application."""
    locked = _locked(akad, actor)
    if locked.status != AkadKredit.Status.APPROVED:
        raise ValidationError(CANNOT_SIGN)
    # One signing at a time per lender (akad numbers) and per KUR borrower (access number).
    LenderProfile.objects.select_for_update().filter(pk=locked.lender_id).first()
    if locked.scheme.kind == CreditScheme.Kind.KUR:
        IKM.objects.select_for_update().filter(pk=locked.borrower_id).first()
    number = " ".join((akad_number or "").split())
    errors = {}
    if not number:
        errors["akad_number"] = [AKAD_NUMBER_REQUIRED]
    elif (
        AkadKredit.objects.filter(lender_id=locked.lender_id, akad_number__iexact=number)
        .exclude(pk=locked.pk)
        .exists()
    ):
        errors["akad_number"] = [AKAD_NUMBER_TAKEN]
    if signed_on is None:
        errors["signed_on"] = [_("Enter the signing date.")]
    if errors:
        raise ValidationError(errors)
    _check_date("signed_on", signed_on, not_before=locked.approved_on, what=_("the approval"))
    locked.akad_number = number
    locked.signed_on = signed_on
    _check_scheme(locked, new=False)
    try:
        with transaction.atomic():
            return _transition(
                locked,
                status=AkadKredit.Status.SIGNED,
                actor=actor,
                reason="signed",
                fields=("akad_number", "signed_on"),
            )
    except IntegrityError as exc:  # the database's own uniqueness, should a race slip by
        raise ValidationError({"akad_number": [AKAD_NUMBER_TAKEN]}) from exc


def disbursed_total(akad: AkadKredit) -> int:
    return akad.disbursements.aggregate(total=Sum("amount"))["total"] or 0


@transaction.atomic
def akad_disburse(
    *,
    akad: AkadKredit,
    amount: int,
    disbursed_on: datetime.date,
    note: str = "",
    actor,
) -> Disbursement:
    """Disburse a tranche of a signed akad. All tranches together never exceed the plafon;
    the first one moves the akad to "disbursed"."""
    locked = _locked(akad, actor)
    if locked.status in AkadKredit.PIPELINE_STATUSES:
        raise ValidationError(NOT_SIGNED_YET)
    if locked.status not in AkadKredit.DISBURSABLE_STATUSES:
        raise ValidationError(CANNOT_DISBURSE_CLOSED)
    if amount is None or amount <= 0:
        raise ValidationError({"amount": AMOUNT_NOT_POSITIVE})
    if disbursed_on is None:
        raise ValidationError({"disbursed_on": _("Enter the disbursement date.")})
    _check_date("disbursed_on", disbursed_on, not_before=locked.signed_on, what=_("the signing"))
    remaining = locked.plafon - disbursed_total(locked)
    if amount > remaining:
        raise ValidationError(
            {
                "amount": ValidationError(
                    OVER_PLAFON, params={"remaining": rupiah(max(remaining, 0))}
                )
            }
        )
    tranche = Disbursement(
        akad=locked, amount=amount, disbursed_on=disbursed_on, note=(note or "").strip()
    )
    tranche.created_by = actor
    tranche._history_user = actor
    tranche._change_reason = "disbursed"
    tranche.full_clean()
    tranche.save()
    if locked.status == AkadKredit.Status.SIGNED:
        _transition(locked, status=AkadKredit.Status.DISBURSED, actor=actor, reason="disbursed")
    else:  # a later tranche: recorded in the akad's history too
        _save(locked, actor=actor, reason="disbursed", update_fields=["updated_at"])
    akad.status = locked.status
    return tranche


@transaction.atomic
def akad_report_collectibility(
    *, akad: AkadKredit, collectibility: int, as_of: datetime.date, actor
) -> AkadKredit:
    """Report the credit's quality (OJK collectibility 1-5) as of a date. A disbursed akad
    becomes "repaying"."""
    locked = _locked(akad, actor)
    if locked.status not in (AkadKredit.Status.DISBURSED, AkadKredit.Status.REPAYING):
        raise ValidationError(CANNOT_REPORT_COLLECTIBILITY)
    if collectibility not in AkadKredit.Collectibility.values:
        raise ValidationError({"collectibility": COLLECTIBILITY_INVALID})
    if as_of is None:
        as_of = timezone.localdate()
    first = locked.disbursements.order_by("disbursed_on").values_list("disbursed_on", flat=True)
    _check_date("as_of", as_of, not_before=first.first(), what=_("the first disbursement"))
    _check_date("as_of", as_of, not_before=locked.collectibility_as_of, what=_("the last report"))
    locked.collectibility = collectibility
    locked.collectibility_as_of = as_of
    return _transition(
        locked,
        status=AkadKredit.Status.REPAYING,
        actor=actor,
        reason="collectibility reported",
        fields=("collectibility", "collectibility_as_of"),
    )


@transaction.atomic
def akad_pay_off(*, akad: AkadKredit, paid_off_on: datetime.date, actor) -> AkadKredit:
    """Record that the borrower has repaid the credit in full."""
    locked = _locked(akad, actor)
    if locked.status not in (AkadKredit.Status.DISBURSED, AkadKredit.Status.REPAYING):
        raise ValidationError(CANNOT_PAY_OFF)
    if paid_off_on is None:
        paid_off_on = timezone.localdate()
    last = locked.disbursements.aggregate(last=Max("disbursed_on"))["last"]
    _check_date("paid_off_on", paid_off_on, not_before=last, what=_("the last disbursement"))
    _check_date(
        "paid_off_on",
        paid_off_on,
        not_before=locked.collectibility_as_of,
        what=_("the last collectibility report"),
    )
    locked.closed_on = paid_off_on
    return _transition(
        locked,
        status=AkadKredit.Status.PAID_OFF,
        actor=actor,
        reason="paid off",
        fields=("closed_on",),
    )


def _close(akad: AkadKredit, *, status: str, reason: str, actor, history: str) -> AkadKredit:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    akad.status_reason = reason
    akad.closed_on = timezone.localdate()
    return _transition(
        akad, status=status, actor=actor, reason=history, fields=("status_reason", "closed_on")
    )


@transaction.atomic
def akad_reject(*, akad: AkadKredit, reason: str, actor) -> AkadKredit:
    """The lender turns down an application (pipeline or approved), with the reason."""
    locked = _locked(akad, actor)
    if locked.status not in AkadKredit.PIPELINE_STATUSES:
        raise ValidationError(CANNOT_REJECT)
    return _close(
        locked, status=AkadKredit.Status.REJECTED, reason=reason, actor=actor, history="rejected"
    )


@transaction.atomic
def akad_cancel(*, akad: AkadKredit, reason: str, actor) -> AkadKredit:
    """Cancel an application, or a signed akad under which nothing was disbursed."""
    locked = _locked(akad, actor)
    cancellable = locked.status in AkadKredit.PIPELINE_STATUSES or (
        locked.status == AkadKredit.Status.SIGNED and not locked.disbursements.exists()
    )
    if not cancellable:
        raise ValidationError(CANNOT_CANCEL)
    return _close(
        locked,
        status=AkadKredit.Status.CANCELLED,
        reason=reason,
        actor=actor,
        history="cancelled",
    )
