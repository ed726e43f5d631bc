"""The realisation ledger: recording purchase orders (PO), deliveries and payments against an
MoU participant, and the figures that compare them with what the MoU committed.

Writes follow :mod:`kemitraan.services`: keyword-only arguments, ``actor=`` (recorded as the
history user), atomic, ``full_clean()`` before saving, refusals as ``ValidationError`` with a
message constant of this module (keyed by form field where one applies).

Rules
-----
* Who records: Kemenperin staff (or a superuser) for any MoU; a procurement officer only for
  their own organisation's MoUs (the MoU's buyer-side party). Nobody else.
* A new PO needs an MoU that is signed, active or expired (orders placed while it was valid
  are often recorded late). A draft MoU has committed nothing yet, and a terminated one has
  ended the partnership: both refuse new POs. Deliveries and payments are accepted on any
  existing PO whatever the MoU's status, so that a terminated MoU's orders can be settled.
* Dates may not lie in the future; a delivery or payment may not precede the PO's order date.
* Delivered total ≤ PO value; paid total ≤ PO value (an advance payment before delivery is
  allowed, up to the PO value). The PO row is locked while totals are checked.
* Corrections: a delivery or payment is deleted with a written reason, kept in its history.

Figures (whole rupiah, ``int``; percentages ``Decimal`` rounded half-up to 0.1)
-------------------------------------------------------------------------------
* ordered = PO value; delivered = Σ deliveries; paid = Σ payments (dated up to "today").
* outstanding = max(0, delivered - paid): delivered goods not yet paid for;
  advance = max(0, paid - delivered).
* due date of a delivery = delivery date + the PO's payment terms (days).
* due = Σ deliveries whose due date ≤ today; overdue = max(0, due - paid). An amount is thus
  overdue from its due date itself if no payment has been recorded for it by then.
* Payments are applied first-in-first-out to deliveries (both in date order). "Overdue since"
  is the due date of the oldest delivery that is due and not fully covered.
* Days to pay: for each delivery fully covered, days from its delivery date to the date of
  the payment that completed it (0 when paid in advance). Reported as the average weighted
  by delivery value (Decimal, 0.1) and the maximum.
* Realisation % = ordered / committed and paid / committed x 100, where committed is the
  participant's committed market access (Rp per year) and ordered/paid are cumulative over
  the MoU. Variance = ordered - committed (negative: short of the commitment).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from ikm.money import format_rupiah

from .models import Delivery, MoU, MouParticipant, Payment, PurchaseOrder

NOT_ALLOWED = _(
    "Only Kemenperin staff, or a procurement officer of the MoU's buyer, may record its "
    "realisation."
)
MOU_NOT_OPEN = _(
    "Purchase orders can be recorded only under a signed, active or expired MoU "
    "(not a draft or a terminated one)."
)
PO_NUMBER_TAKEN = _("This buyer already has a purchase order with this number.")
PO_NUMBER_REQUIRED = _("Enter the PO number.")
VALUE_NOT_POSITIVE = _("The value must be greater than zero.")
DATE_IN_FUTURE = _("The date cannot be in the future.")
BEFORE_ORDER_DATE = _("The date cannot be before the order date (%(date)s).")
OVER_DELIVERED = _(
    "Deliveries would exceed the order value: %(remaining)s is left to deliver on this PO."
)
OVER_PAID = _("Payments would exceed the order value: %(remaining)s is left to pay on this PO.")
CORRECTION_NEEDS_REASON = _("Write why this record is removed: it is kept in its history.")

RECORDING_STATUSES = (MoU.Status.SIGNED, MoU.Status.ACTIVE, MoU.Status.EXPIRED)
ONE_PLACE = Decimal("0.1")


def _rp(amount: int) -> str:
    return format_rupiah(amount, language=get_language())


# --- Who may record ------------------------------------------------------------------


def can_record(user, mou: MoU) -> bool:
    """Kemenperin (or a superuser) for any MoU; a procurement officer for their own
    organisation's MoUs."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser or user.role == Role.KEMENPERIN:
        return True
    return (
        user.role == Role.PENGADAAN
        and bool(user.organisation_id)
        and user.organisation_id == mou.buyer.organisation_id
    )


def _check_actor(actor, mou: MoU) -> None:
    if not can_record(actor, mou):
        raise ValidationError(NOT_ALLOWED, code="not_allowed")


def _check_date(name: str, date: datetime.date, *, not_before: datetime.date | None = None):
    if date > timezone.localdate():
        raise ValidationError({name: DATE_IN_FUTURE})
    if not_before is not None and date < not_before:
        raise ValidationError(
            {name: ValidationError(BEFORE_ORDER_DATE, params={"date": not_before.isoformat()})}
        )


def _check_value(value) -> None:
    if value is None or value <= 0:
        raise ValidationError({"value": VALUE_NOT_POSITIVE})


# --- Services ------------------------------------------------------------------------


@transaction.atomic
def purchase_order_record(
    *,
    participant: MouParticipant,
    number: str,
    order_date: datetime.date,
    value: int,
    payment_terms_days: int,
    description: str = "",
    actor,
) -> PurchaseOrder:
    """Record a PO placed with ``participant``'s IKM by the MoU's buyer."""
    mou = MoU.objects.select_related("buyer").get(pk=participant.mou_id)
    _check_actor(actor, mou)
    if mou.status not in RECORDING_STATUSES:
        raise ValidationError(MOU_NOT_OPEN, code="mou_not_open")
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": PO_NUMBER_REQUIRED})
    _check_value(value)
    _check_date("order_date", order_date)
    if PurchaseOrder.objects.filter(buyer_id=mou.buyer_id, number=number).exists():
        raise ValidationError({"number": PO_NUMBER_TAKEN})
    po = PurchaseOrder(
        participant=participant,
        buyer_id=mou.buyer_id,
        number=number,
        order_date=order_date,
        value=value,
        payment_terms_days=payment_terms_days,
        description=description or "",
        created_by=actor,
    )
    po._history_user = actor
    po._change_reason = "recorded"
    po.full_clean()
    try:
        with transaction.atomic():  # a concurrent PO with the same number
            po.save()
    except IntegrityError as exc:
        raise ValidationError({"number": PO_NUMBER_TAKEN}) from exc
    return po


def _locked_po(purchase_order: PurchaseOrder) -> PurchaseOrder:
    return (
        PurchaseOrder.objects.select_for_update()
        .select_related("participant__mou__buyer")
        .get(pk=purchase_order.pk)
    )


def _sum(queryset) -> int:
    return sum(queryset.values_list("value", flat=True))


@transaction.atomic
def delivery_record(
    *, purchase_order: PurchaseOrder, date: datetime.date, value: int, reference: str = "", actor
) -> Delivery:
    """Record goods delivered against a PO (possibly part of it)."""
    po = _locked_po(purchase_order)
    _check_actor(actor, po.participant.mou)
    _check_value(value)
    _check_date("date", date, not_before=po.order_date)
    remaining = po.value - _sum(po.deliveries.all())
    if value > remaining:
        raise ValidationError(
            {"value": ValidationError(OVER_DELIVERED, params={"remaining": _rp(remaining)})}
        )
    delivery = Delivery(purchase_order=po, date=date, value=value, reference=reference or "")
    delivery._history_user = actor
    delivery._change_reason = "recorded"
    delivery.full_clean()
    delivery.save()
    return delivery


@transaction.atomic
def payment_record(
    *, purchase_order: PurchaseOrder, date: datetime.date, value: int, reference: str = "", actor
) -> Payment:
    """Record a payment by the buyer against a PO (possibly part of it)."""
    po = _locked_po(purchase_order)
    _check_actor(actor, po.participant.mou)
    _check_value(value)
    _check_date("date", date, not_before=po.order_date)
    remaining = po.value - _sum(po.payments.all())
    if value > remaining:
        raise ValidationError(
            {"value": ValidationError(OVER_PAID, params={"remaining": _rp(remaining)})}
        )
    payment = Payment(purchase_order=po, date=date, value=value, reference=reference or "")
    payment._history_user = actor
    payment._change_reason = "recorded"
    payment.full_clean()
    payment.save()
    return payment


def _delete_with_reason(record, *, reason: str, actor) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": CORRECTION_NEEDS_REASON})
    po = _locked_po(record.purchase_order)
    _check_actor(actor, po.participant.mou)
    record._history_user = actor
    record._change_reason = f"correction: {reason}"[:100]
    record.delete()


@transaction.atomic
def delivery_delete(*, delivery: Delivery, reason: str, actor) -> None:
    """Remove a delivery recorded by mistake; the reason stays in its history."""
    _delete_with_reason(delivery, reason=reason, actor=actor)


@transaction.atomic
def payment_delete(*, payment: Payment, reason: str, actor) -> None:
    """Remove a payment recorded by mistake; the reason stays in its history."""
    _delete_with_reason(payment, reason=reason, actor=actor)


# --- Maths over plain data -------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A delivery or a payment as the maths needs it."""

    date: datetime.date
    value: int


@dataclass
class PoFigures:
    ordered: int
    delivered: int
    paid: int
    outstanding: int
    advance: int
    due: int
    overdue: int
    overdue_since: datetime.date | None
    # Days to pay, over the deliveries fully paid: Σ value x days, Σ value, max days.
    paid_value_days: int = 0
    paid_value: int = 0
    max_days_to_pay: int | None = None

    @property
    def is_overdue(self) -> bool:
        return self.overdue > 0

    @property
    def avg_days_to_pay(self) -> Decimal | None:
        return weighted_days(self.paid_value_days, self.paid_value)


def weighted_days(value_days: int, value: int) -> Decimal | None:
    if not value:
        return None
    return (Decimal(value_days) / Decimal(value)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def percent(part: int, whole: int) -> Decimal | None:
    """part / whole x 100, rounded half-up to 0.1; None when nothing was committed."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _by_date(entries) -> list[Entry]:
    # Stable: entries of the same date keep the order they were given in (pk order).
    return sorted(entries, key=lambda e: e.date)


def po_figures(
    *,
    value: int,
    payment_terms_days: int,
    deliveries,
    payments,
    today: datetime.date,
) -> PoFigures:
    """The figures of one PO as of ``today`` (entries dated after it are ignored)."""
    deliveries = [d for d in _by_date(deliveries) if d.date <= today]
    payments = [p for p in _by_date(payments) if p.date <= today]
    terms = datetime.timedelta(days=payment_terms_days)
    delivered = sum(d.value for d in deliveries)
    paid = sum(p.value for p in payments)
    due = sum(d.value for d in deliveries if d.date + terms <= today)

    # FIFO: walk the payments over the deliveries.
    value_days = paid_value = 0
    max_days = None
    overdue_since = None
    pay_iter = iter(payments)
    payment, left = None, 0  # current payment and what is left of it
    for delivery in deliveries:
        need = delivery.value
        completed_on = None
        while need > 0:
            if left == 0:
                payment = next(pay_iter, None)
                if payment is None:
                    break
                left = payment.value
            used = min(need, left)
            need -= used
            left -= used
            if need == 0:
                completed_on = payment.date
        if completed_on is not None:
            days = max(0, (completed_on - delivery.date).days)
            value_days += delivery.value * days
            paid_value += delivery.value
            max_days = days if max_days is None else max(max_days, days)
        elif overdue_since is None and delivery.date + terms <= today:
            overdue_since = delivery.date + terms

    return PoFigures(
        ordered=value,
        delivered=delivered,
        paid=paid,
        outstanding=max(0, delivered - paid),
        advance=max(0, paid - delivered),
        due=due,
        overdue=max(0, due - paid),
        overdue_since=overdue_since,
        paid_value_days=value_days,
        paid_value=paid_value,
        max_days_to_pay=max_days,
    )


@dataclass
class Summary:
    """Totals over a set of POs against a commitment (a participant, or a whole MoU)."""

    committed: int = 0
    ordered: int = 0
    delivered: int = 0
    paid: int = 0
    outstanding: int = 0
    overdue: int = 0
    overdue_count: int = 0
    overdue_since: datetime.date | None = None
    po_count: int = 0
    paid_value_days: int = 0
    paid_value: int = 0
    max_days_to_pay: int | None = None

    def add(self, figures: PoFigures) -> None:
        self.po_count += 1
        self.ordered += figures.ordered
        self.delivered += figures.delivered
        self.paid += figures.paid
        self.outstanding += figures.outstanding
        self.overdue += figures.overdue
        if figures.is_overdue:
            self.overdue_count += 1
            if self.overdue_since is None or figures.overdue_since < self.overdue_since:
                self.overdue_since = figures.overdue_since
        self.paid_value_days += figures.paid_value_days
        self.paid_value += figures.paid_value
        if figures.max_days_to_pay is not None:
            self.max_days_to_pay = max(self.max_days_to_pay or 0, figures.max_days_to_pay)

    def merge(self, other: Summary) -> None:
        self.committed += other.committed
        self.po_count += other.po_count
        self.ordered += other.ordered
        self.delivered += other.delivered
        self.paid += other.paid
        self.outstanding += other.outstanding
        self.overdue += other.overdue
        self.overdue_count += other.overdue_count
        if other.overdue_since and (
            self.overdue_since is None or other.overdue_since < self.overdue_since
        ):
            self.overdue_since = other.overdue_since
        self.paid_value_days += other.paid_value_days
        self.paid_value += other.paid_value
        if other.max_days_to_pay is not None:
            self.max_days_to_pay = max(self.max_days_to_pay or 0, other.max_days_to_pay)

    @property
    def ordered_percent(self) -> Decimal | None:
        return percent(self.ordered, self.committed)

    @property
    def paid_percent(self) -> Decimal | None:
        return percent(self.paid, self.committed)

    @property
    def variance(self) -> int:
        return self.ordered - self.committed

    @property
    def avg_days_to_pay(self) -> Decimal | None:
        return weighted_days(self.paid_value_days, self.paid_value)


def summarise(committed: int, figures) -> Summary:
    summary = Summary(committed=committed)
    for f in figures:
        summary.add(f)
    return summary


# --- Selectors ---------------------------------------------------------------------------


def _entries_by_po(model, po_ids) -> dict[int, list[Entry]]:
    entries = defaultdict(list)
    rows = (
        model.objects.filter(purchase_order_id__in=po_ids)
        .order_by("date", "pk")
        .values_list("purchase_order_id", "date", "value")
    )
    for po_id, date, value in rows:
        entries[po_id].append(Entry(date, value))
    return entries


def _figures_for(pos, today) -> dict[int, PoFigures]:
    ids = [po.pk for po in pos]
    deliveries = _entries_by_po(Delivery, ids)
    payments = _entries_by_po(Payment, ids)
    return {
        po.pk: po_figures(
            value=po.value,
            payment_terms_days=po.payment_terms_days,
            deliveries=deliveries.get(po.pk, []),
            payments=payments.get(po.pk, []),
            today=today,
        )
        for po in pos
    }


def mou_ledger(mou: MoU, *, today: datetime.date | None = None) -> dict:
    """Per participant and in total: committed vs ordered, delivered, paid, overdue, days to
    pay. Four queries whatever the number of participants and POs."""
    today = today or timezone.localdate()
    participants = list(
        MouParticipant.objects.filter(mou=mou).select_related("ikm").order_by("ikm__name", "pk")
    )
    pos = list(
        PurchaseOrder.objects.filter(participant__mou=mou).only(
            "pk", "participant_id", "value", "payment_terms_days"
        )
    )
    rows, total = _ledger_rows(participants, _by_participant(pos, _figures_for(pos, today)))
    return {"rows": rows, "total": total, "today": today}


def _by_participant(pos, figures) -> dict[int, list[PoFigures]]:
    by_participant = defaultdict(list)
    for po in pos:
        by_participant[po.participant_id].append(figures[po.pk])
    return by_participant


def _ledger_rows(participants, by_participant) -> tuple[list[dict], Summary]:
    total = Summary()
    rows = []
    for participant in participants:
        summary = summarise(participant.committed_market_access, by_participant[participant.pk])
        total.merge(summary)
        rows.append({"participant": participant, "summary": summary})
    return rows, total


def mou_ledgers(mous, *, today: datetime.date | None = None) -> dict[int, dict]:
    """:func:`mou_ledger` for many MoUs at once (a page of a list), by MoU id: each with its
    ``rows`` and ``total``. The participants are read through ``mou.participants.all()``:
    prefetch them, and it is at most three queries (POs, deliveries, payments) whatever the
    number of MoUs, participants and POs."""
    today = today or timezone.localdate()
    mous = list(mous)
    by_mou = {mou.pk: list(mou.participants.all()) for mou in mous}
    participant_ids = [p.pk for participants in by_mou.values() for p in participants]
    pos = []
    if participant_ids:
        pos = list(
            PurchaseOrder.objects.filter(participant_id__in=participant_ids).only(
                "pk", "participant_id", "value", "payment_terms_days"
            )
        )
    by_participant = _by_participant(pos, _figures_for(pos, today) if pos else {})
    ledgers = {}
    for mou_pk, participants in by_mou.items():
        rows, total = _ledger_rows(participants, by_participant)
        ledgers[mou_pk] = {"rows": rows, "total": total}
    return ledgers


def participant_ledger(participant: MouParticipant, *, today: datetime.date | None = None):
    """The participant's POs (newest first) with their deliveries, payments and figures, and
    the participant's summary. Four queries whatever the number of POs."""
    today = today or timezone.localdate()
    pos = list(
        PurchaseOrder.objects.filter(participant=participant)
        .order_by("-order_date", "-pk")
        .prefetch_related("deliveries", "payments")
    )
    for po in pos:
        po.figures = po_figures(
            value=po.value,
            payment_terms_days=po.payment_terms_days,
            deliveries=[Entry(d.date, d.value) for d in po.deliveries.all()],
            payments=[Entry(p.date, p.value) for p in po.payments.all()],
            today=today,
        )
        terms = datetime.timedelta(days=po.payment_terms_days)
        for d in po.deliveries.all():
            d.due_date = d.date + terms
    summary = summarise(participant.committed_market_access, [po.figures for po in pos])
    return {"purchase_orders": pos, "summary": summary, "today": today}
