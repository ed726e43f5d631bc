"""The realisation ledger's maths (on hand-made cases) and its services: partial deliveries
and payments, FIFO, overdue at the boundary day, over-delivery and over-payment refused, PO
numbers unique per buyer, who may record, corrections, nothing written on a refusal."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from kemitraan import realisation as r
from kemitraan.models import BuyerProfile, Delivery, MoU, Payment, PurchaseOrder

from ..factories import MouFactory, MouParticipantFactory, OrganisationFactory, UserFactory

D = datetime.date
E = r.Entry
M = 1_000_000


# --- Maths over plain data -------------------------------------------------------------

# PO of Rp10 juta, 30 days' terms, delivered in two parts and paid in three (2023: no leap day).
DELIVERIES = [E(D(2023, 1, 1), 4 * M), E(D(2023, 1, 11), 6 * M)]  # due 31 Jan and 10 Feb
PAYMENTS = [E(D(2023, 1, 31), 3 * M), E(D(2023, 2, 15), 3 * M), E(D(2023, 3, 1), 4 * M)]


def figures(today, deliveries=DELIVERIES, payments=PAYMENTS, value=10 * M, terms=30):
    return r.po_figures(
        value=value,
        payment_terms_days=terms,
        deliveries=deliveries,
        payments=payments,
        today=today,
    )


def test_partial_deliveries_and_payments_fifo_days_to_pay():
    f = figures(D(2023, 3, 1))
    assert (f.ordered, f.delivered, f.paid, f.outstanding) == (10 * M, 10 * M, 10 * M, 0)
    assert (f.due, f.overdue, f.overdue_since) == (10 * M, 0, None)
    # FIFO: the first delivery (4 juta) is completed by the 2nd payment on 15 Feb (45 days);
    # the second (6 juta) by the 3rd on 1 Mar (11 Jan -> 1 Mar = 49 days).
    assert f.max_days_to_pay == 49
    assert f.avg_days_to_pay == Decimal("47.4")  # (4 x 45 + 6 x 49) / 10
    assert isinstance(f.delivered, int) and isinstance(f.avg_days_to_pay, Decimal)


@pytest.mark.parametrize(
    "today, due, paid, overdue, since",
    [
        (D(2023, 1, 30), 0, 0, 0, None),  # the day before the first due date
        (D(2023, 1, 31), 4 * M, 3 * M, 1 * M, D(2023, 1, 31)),  # due date: 1 juta short
        (D(2023, 2, 9), 4 * M, 3 * M, 1 * M, D(2023, 1, 31)),
        (D(2023, 2, 10), 10 * M, 3 * M, 7 * M, D(2023, 1, 31)),  # second delivery due
        (D(2023, 2, 15), 10 * M, 6 * M, 4 * M, D(2023, 2, 10)),  # first one now paid (FIFO)
        (D(2023, 3, 1), 10 * M, 10 * M, 0, None),
    ],
)
def test_overdue_over_time(today, due, paid, overdue, since):
    f = figures(today)
    assert (f.due, f.paid, f.overdue, f.overdue_since) == (due, paid, overdue, since)
    assert f.is_overdue == (overdue > 0)
    assert f.outstanding == max(0, f.delivered - f.paid)


def test_overdue_boundary_day():
    one = [E(D(2024, 1, 1), 5 * M)]  # 30 days' terms: due 31 Jan 2024
    assert figures(D(2024, 1, 30), one, []).overdue == 0
    f = figures(D(2024, 1, 31), one, [])
    assert (f.overdue, f.overdue_since) == (5 * M, D(2024, 1, 31))
    # Paid on the due date itself: not overdue, 30 days to pay.
    f = figures(D(2024, 1, 31), one, [E(D(2024, 1, 31), 5 * M)])
    assert (f.overdue, f.avg_days_to_pay, f.max_days_to_pay) == (0, Decimal("30.0"), 30)


def test_zero_days_terms_are_due_on_delivery():
    f = figures(D(2024, 3, 5), [E(D(2024, 3, 5), 2 * M)], [], terms=0)
    assert (f.due, f.overdue, f.overdue_since) == (2 * M, 2 * M, D(2024, 3, 5))


def test_partly_paid_delivery_has_no_days_to_pay_yet():
    f = figures(D(2023, 6, 1), [E(D(2023, 1, 1), 4 * M)], [E(D(2023, 1, 20), 3 * M)])
    assert (f.outstanding, f.overdue, f.overdue_since) == (1 * M, 1 * M, D(2023, 1, 31))
    assert f.avg_days_to_pay is None and f.max_days_to_pay is None


def test_advance_payment_counts_zero_days_and_no_outstanding():
    f = figures(D(2023, 6, 1), [E(D(2023, 2, 1), 3 * M)], [E(D(2023, 1, 15), 5 * M)])
    assert (f.outstanding, f.advance, f.overdue) == (0, 2 * M, 0)
    assert (f.avg_days_to_pay, f.max_days_to_pay) == (Decimal("0.0"), 0)


def test_entries_after_today_are_ignored_and_order_of_input_does_not_matter():
    f = figures(D(2023, 1, 20), list(reversed(DELIVERIES)), list(reversed(PAYMENTS)))
    assert (f.delivered, f.paid, f.due) == (10 * M, 0, 0)


def test_one_rupiah_exactness():
    f = figures(
        D(2023, 12, 31),
        [E(D(2023, 1, 1), 1), E(D(2023, 1, 2), 2)],
        [E(D(2023, 1, 10), 2)],  # covers the first (9 days) and half of the second
        value=3,
        terms=0,
    )
    assert (f.outstanding, f.overdue, f.overdue_since) == (1, 1, D(2023, 1, 2))
    assert (f.avg_days_to_pay, f.max_days_to_pay) == (Decimal("9.0"), 9)


def test_percentages_are_decimal_rounded_half_up():
    assert r.percent(1, 3) == Decimal("33.3")
    assert r.percent(2, 3) == Decimal("66.7")
    assert r.percent(1, 8) == Decimal("12.5")
    assert r.percent(1, 1600) == Decimal("0.1")  # 0.0625 -> 0.1
    assert r.percent(5, 0) is None
    assert r.weighted_days(7, 2) == Decimal("3.5")


def test_summary_of_pos_and_of_participants():
    late = figures(D(2023, 2, 10))  # overdue 7 juta since 31 Jan
    settled = figures(D(2023, 3, 1))
    a = r.summarise(30 * M, [late, settled])
    assert (a.ordered, a.delivered, a.paid, a.overdue, a.overdue_count) == (
        20 * M,
        20 * M,
        13 * M,
        7 * M,
        1,
    )
    assert a.overdue_since == D(2023, 1, 31)
    assert a.ordered_percent == Decimal("66.7") and a.paid_percent == Decimal("43.3")
    assert a.variance == -10 * M
    assert a.avg_days_to_pay == Decimal("47.4")  # only the fully paid deliveries
    b = r.summarise(10 * M, [])
    assert b.ordered_percent == Decimal("0.0") and b.avg_days_to_pay is None
    total = r.Summary()
    total.merge(a)
    total.merge(b)
    assert (total.committed, total.ordered, total.overdue_count) == (40 * M, 20 * M, 1)
    assert total.ordered_percent == Decimal("50.0") and total.max_days_to_pay == 49


# --- Services ----------------------------------------------------------------------------


@pytest.fixture
def mou(buyer_org):
    return MouFactory(buyer=BuyerProfile.objects.get_or_create(organisation=buyer_org)[0])


@pytest.fixture
def participant(mou):
    return MouParticipantFactory(mou=mou, committed_market_access=20 * M)


def record_po(participant, actor, number="PO/001", value=10 * M, **kw):
    return r.purchase_order_record(
        participant=participant,
        number=number,
        order_date=kw.pop("order_date", D(2024, 1, 2)),
        value=value,
        payment_terms_days=kw.pop("payment_terms_days", 30),
        actor=actor,
        **kw,
    )


def counts():
    return (PurchaseOrder.objects.count(), Delivery.objects.count(), Payment.objects.count())


@pytest.mark.django_db
def test_record_po_delivery_payment_happy_path(participant, pengadaan_user):
    po = record_po(participant, pengadaan_user, description="bracket knalpot")
    assert po.buyer == participant.mou.buyer and po.created_by == pengadaan_user
    assert po.history.first().history_user == pengadaan_user
    r.delivery_record(purchase_order=po, date=D(2024, 1, 10), value=4 * M, actor=pengadaan_user)
    r.delivery_record(purchase_order=po, date=D(2024, 1, 20), value=6 * M, actor=pengadaan_user)
    r.payment_record(purchase_order=po, date=D(2024, 2, 1), value=10 * M, actor=pengadaan_user)
    ledger = r.participant_ledger(participant, today=D(2024, 3, 1))
    s = ledger["summary"]
    assert (s.ordered, s.delivered, s.paid, s.overdue) == (10 * M, 10 * M, 10 * M, 0)
    assert s.ordered_percent == Decimal("50.0") and s.max_days_to_pay == 22


@pytest.mark.django_db
def test_po_number_unique_per_buyer_but_reusable_by_another(participant, pengadaan_user, mou):
    record_po(participant, pengadaan_user)
    # Another MoU of the same buyer: the number is taken.
    same_buyer = MouParticipantFactory(mou=MouFactory(buyer=mou.buyer))
    before = counts()
    with pytest.raises(ValidationError) as exc:
        record_po(same_buyer, pengadaan_user, number=" PO/001 ")
    assert exc.value.message_dict["number"] == [str(r.PO_NUMBER_TAKEN)]
    assert counts() == before
    # Another buyer may use the same number.
    other_org = OrganisationFactory(kind="tier1", name="PT Pembeli Lain")
    other_mou = MouFactory(buyer=BuyerProfile.objects.get_or_create(organisation=other_org)[0])
    officer = UserFactory(role=Role.PENGADAAN, organisation=other_org)
    po = record_po(MouParticipantFactory(mou=other_mou), officer)
    assert po.number == "PO/001" and PurchaseOrder.objects.filter(number="PO/001").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("status", [MoU.Status.DRAFT, MoU.Status.TERMINATED])
def test_no_po_under_a_draft_or_terminated_mou(participant, kemenperin_user, status):
    MoU.objects.filter(pk=participant.mou_id).update(status=status, termination_reason="x")
    with pytest.raises(ValidationError) as exc:
        record_po(participant, kemenperin_user)
    assert exc.value.messages == [str(r.MOU_NOT_OPEN)]
    assert counts() == (0, 0, 0)


@pytest.mark.django_db
def test_po_under_an_expired_mou_is_accepted(participant, kemenperin_user):
    MoU.objects.filter(pk=participant.mou_id).update(status=MoU.Status.EXPIRED)
    assert record_po(participant, kemenperin_user).pk


@pytest.mark.django_db
def test_who_may_record(participant, users_by_role, other_buyer_org):
    assert record_po(participant, users_by_role[Role.KEMENPERIN], number="K1").pk
    assert record_po(participant, users_by_role[Role.PENGADAAN], number="P1").pk
    other_officer = UserFactory(role=Role.PENGADAAN, organisation=other_buyer_org)
    for actor in (users_by_role[Role.KADIN], users_by_role[Role.PEMBIAYAAN], other_officer):
        with pytest.raises(ValidationError) as exc:
            record_po(participant, actor, number="X1")
        assert exc.value.messages == [str(r.NOT_ALLOWED)]
    po = PurchaseOrder.objects.get(number="K1")
    with pytest.raises(ValidationError):
        r.delivery_record(purchase_order=po, date=D(2024, 1, 5), value=1, actor=other_officer)
    with pytest.raises(ValidationError):
        r.payment_record(
            purchase_order=po, date=D(2024, 1, 5), value=1, actor=users_by_role[Role.KADIN]
        )
    assert counts() == (2, 0, 0)


@pytest.mark.django_db
def test_over_delivery_refused_and_nothing_written(participant, pengadaan_user):
    po = record_po(participant, pengadaan_user)
    r.delivery_record(purchase_order=po, date=D(2024, 1, 10), value=6 * M, actor=pengadaan_user)
    with pytest.raises(ValidationError) as exc:
        r.delivery_record(
            purchase_order=po, date=D(2024, 1, 11), value=4 * M + 1, actor=pengadaan_user
        )
    assert "value" in exc.value.message_dict
    assert "Rp4.000.000" in exc.value.message_dict["value"][0]
    assert counts() == (1, 1, 0)
    r.delivery_record(purchase_order=po, date=D(2024, 1, 11), value=4 * M, actor=pengadaan_user)
    assert counts() == (1, 2, 0)


@pytest.mark.django_db
def test_over_payment_refused_and_nothing_written(participant, pengadaan_user):
    po = record_po(participant, pengadaan_user)
    r.payment_record(purchase_order=po, date=D(2024, 1, 10), value=9 * M, actor=pengadaan_user)
    with pytest.raises(ValidationError) as exc:
        r.payment_record(purchase_order=po, date=D(2024, 1, 11), value=M + 1, actor=pengadaan_user)
    assert "Rp1.000.000" in exc.value.message_dict["value"][0]
    assert counts() == (1, 0, 1)


@pytest.mark.django_db
def test_dates_and_values_checked(participant, pengadaan_user):
    po = record_po(participant, pengadaan_user)
    tomorrow = timezone.localdate() + datetime.timedelta(days=2)
    cases = [
        (r.delivery_record, {"date": D(2024, 1, 1), "value": M}, "date"),  # before order date
        (r.delivery_record, {"date": tomorrow, "value": M}, "date"),
        (r.payment_record, {"date": D(2023, 12, 31), "value": M}, "date"),
        (r.payment_record, {"date": D(2024, 1, 5), "value": 0}, "value"),
    ]
    for service, kwargs, key in cases:
        with pytest.raises(ValidationError) as exc:
            service(purchase_order=po, actor=pengadaan_user, **kwargs)
        assert key in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        record_po(participant, pengadaan_user, number="PO/2", order_date=tomorrow)
    assert "order_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        record_po(participant, pengadaan_user, number="PO/3", payment_terms_days=400)
    with pytest.raises(ValidationError) as exc:
        record_po(participant, pengadaan_user, number="   ")
    assert "number" in exc.value.message_dict
    assert counts() == (1, 0, 0)
    # A delivery on the order date itself is fine.
    r.delivery_record(purchase_order=po, date=D(2024, 1, 2), value=M, actor=pengadaan_user)


@pytest.mark.django_db
def test_correction_deletes_with_reason_in_history(participant, pengadaan_user, kadin_user):
    po = record_po(participant, pengadaan_user)
    delivery = r.delivery_record(
        purchase_order=po, date=D(2024, 1, 10), value=M, actor=pengadaan_user
    )
    payment = r.payment_record(
        purchase_order=po, date=D(2024, 1, 10), value=M, actor=pengadaan_user
    )
    with pytest.raises(ValidationError) as exc:
        r.delivery_delete(delivery=delivery, reason="  ", actor=pengadaan_user)
    assert exc.value.message_dict["reason"] == [str(r.CORRECTION_NEEDS_REASON)]
    with pytest.raises(ValidationError):
        r.payment_delete(payment=payment, reason="salah", actor=kadin_user)
    assert counts() == (1, 1, 1)
    delivery_id, payment_id = delivery.pk, payment.pk
    r.delivery_delete(delivery=delivery, reason="surat jalan ganda", actor=pengadaan_user)
    r.payment_delete(payment=payment, reason="salah PO", actor=pengadaan_user)
    assert counts() == (1, 0, 0)
    gone = Delivery.history.filter(id=delivery_id, history_type="-").get()
    assert gone.history_change_reason == "correction: surat jalan ganda"
    assert gone.history_user == pengadaan_user
    assert Payment.history.filter(id=payment_id, history_type="-").get().history_change_reason


@pytest.mark.django_db
def test_mou_ledger_figures_and_bounded_queries(mou, pengadaan_user):
    a = MouParticipantFactory(mou=mou, committed_market_access=30 * M)
    b = MouParticipantFactory(mou=mou, committed_market_access=10 * M)

    def add_pos(participant, n, prefix):
        for i in range(n):
            po = record_po(participant, pengadaan_user, number=f"{prefix}{i}", value=M)
            r.delivery_record(purchase_order=po, date=D(2024, 1, 2), value=M, actor=pengadaan_user)

    add_pos(a, 3, "A")
    with CaptureQueriesContext(connection) as small:
        ledger = r.mou_ledger(mou, today=D(2024, 3, 1))
    rows = {row["participant"].pk: row["summary"] for row in ledger["rows"]}
    assert rows[a.pk].overdue == 3 * M and rows[a.pk].overdue_count == 3
    assert rows[a.pk].overdue_since == D(2024, 2, 1)
    assert rows[a.pk].ordered_percent == Decimal("10.0")
    assert rows[b.pk].ordered == 0 and rows[b.pk].ordered_percent == Decimal("0.0")
    total = ledger["total"]
    assert (total.committed, total.ordered, total.overdue_count) == (40 * M, 3 * M, 3)
    assert total.ordered_percent == Decimal("7.5") and total.paid_percent == Decimal("0.0")
    add_pos(a, 15, "B")
    add_pos(b, 12, "C")
    with CaptureQueriesContext(connection) as large:
        ledger = r.mou_ledger(mou, today=D(2024, 3, 1))
    assert ledger["total"].po_count == 30
    assert len(large) == len(small) == 4
    with CaptureQueriesContext(connection) as one:
        r.participant_ledger(a, today=D(2024, 3, 1))
    assert len(one) == 3
