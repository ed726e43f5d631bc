"""The credit lifecycle services (pembiayaan.services): every transition rule, the KUR limits
of Permenko 1/2023 at their exact boundaries, what the credit rests on, who may act, tranches
under concurrency and rupiah in messages.

Every refusal is checked for its message constant (and the field it is keyed by) and for
leaving the database as it was: the akad row, its history, its tranches and collateral."""

import datetime
import itertools
import threading
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext

from accounts.roles import Role
from ikm.money import format_rupiah
from kemitraan.models import MoU, PurchaseOrder
from pembiayaan import services
from pembiayaan.models import AkadKredit, Collateral, CreditScheme, Disbursement

from ..factories import (
    AkadKreditFactory,
    IkmFactory,
    MouParticipantFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

JUTA = 1_000_000
S = AkadKredit.Status

APPLIED = datetime.date(2024, 1, 10)
APPROVED = datetime.date(2024, 1, 20)
SIGNED = datetime.date(2024, 2, 1)
DISBURSED = datetime.date(2024, 2, 5)
REPORTED = datetime.date(2024, 3, 31)
PAID_OFF = datetime.date(2025, 6, 30)

ALL_STATUSES = tuple(S.values)
_numbers = itertools.count(1)


# --- Helpers ---------------------------------------------------------------------------------


def scheme(code: str) -> CreditScheme:
    return CreditScheme.objects.get(code=code)


def rp(amount: int) -> str:
    return format_rupiah(amount, language=get_language())


def day(value: datetime.date) -> str:
    return value.strftime("%d-%m-%Y")


def tomorrow() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1)


def expected_text(message, params=None) -> str:
    return str(message % params) if params else str(message)


def assert_message(error: ValidationError, message, field=None, params=None) -> None:
    """The refusal carries exactly this message, keyed by ``field`` (None: not keyed)."""
    expected = expected_text(message, params)
    if field is None:
        assert not hasattr(error, "error_dict"), error.message_dict
        assert error.messages == [expected]
    else:
        assert error.message_dict == {field: [expected]}


def snapshot(akad: AkadKredit | None = None) -> dict:
    """What a refused service must leave untouched."""
    state = {
        "akad": AkadKredit.objects.count(),
        "akad_history": AkadKredit.history.count(),
        "disbursements": Disbursement.objects.count(),
        "disbursement_history": Disbursement.history.count(),
        "collaterals": Collateral.objects.count(),
        "collateral_history": Collateral.history.count(),
    }
    if akad is not None and akad.pk:
        state["row"] = AkadKredit.objects.values().get(pk=akad.pk)
        state["purchase_orders"] = sorted(
            AkadKredit.objects.get(pk=akad.pk).purchase_orders.values_list("pk", flat=True)
        )
    return state


@contextmanager
def refused(message, field=None, *, akad=None, params=None):
    """The block raises ValidationError with ``message`` and writes nothing."""
    before = snapshot(akad)
    with pytest.raises(ValidationError) as caught:
        yield caught
    assert_message(caught.value, message, field, params)
    assert snapshot(akad) == before


def reload(akad: AkadKredit) -> AkadKredit:
    return AkadKredit.objects.get(pk=akad.pk)


def build(lender, borrower, *, code="kmk", **fields) -> AkadKredit:
    """An unsaved application."""
    values = {
        "lender": lender,
        "borrower": borrower,
        "scheme": scheme(code),
        "plafon": 100 * JUTA,
        "interest_rate": Decimal("9.50"),
        "applied_on": APPLIED,
        **fields,
    }
    return AkadKreditFactory.build(**values)


def signed_kur(borrower, lender, signed_on, *, code="kur-mikro", status=S.SIGNED):
    """A KUR akad signed earlier (written directly: the scene, not the subject)."""
    return AkadKreditFactory(
        lender=lender,
        borrower=borrower,
        scheme=scheme(code),
        plafon=50 * JUTA if code != "kur-super-mikro" else 5 * JUTA,
        interest_rate=Decimal("3.00"),
        applied_on=signed_on - datetime.timedelta(days=30),
        approved_on=signed_on - datetime.timedelta(days=10),
        signed_on=signed_on,
        akad_number=f"KUR/PRIOR/{next(_numbers)}",
        status=status,
    )


@pytest.fixture
def make_akad(lender, borrower):
    """An akad of ``lender`` walked through the services (as the system) to ``status``."""

    def make(status=S.PIPELINE, *, code="kmk", **fields) -> AkadKredit:
        akad = services.akad_apply(akad=build(lender, borrower, code=code, **fields), actor=None)
        if status == S.REJECTED:
            services.akad_reject(akad=akad, reason="Usaha belum layak", actor=None)
        elif status == S.CANCELLED:
            services.akad_cancel(akad=akad, reason="Debitur mundur", actor=None)
        elif status != S.PIPELINE:
            services.akad_approve(akad=akad, approved_on=APPROVED, actor=None)
            if status != S.APPROVED:
                number = f"AK/{akad.pk}/2024"
                services.akad_sign(akad=akad, akad_number=number, signed_on=SIGNED, actor=None)
            if status in (S.DISBURSED, S.REPAYING, S.PAID_OFF):
                services.akad_disburse(
                    akad=akad, amount=40 * JUTA, disbursed_on=DISBURSED, actor=None
                )
            if status in (S.REPAYING, S.PAID_OFF):
                services.akad_report_collectibility(
                    akad=akad, collectibility=1, as_of=REPORTED, actor=None
                )
            if status == S.PAID_OFF:
                services.akad_pay_off(akad=akad, paid_off_on=PAID_OFF, actor=None)
        akad = reload(akad)
        assert akad.status == status
        return akad

    return make


def others(*allowed):
    return [status for status in ALL_STATUSES if status not in allowed]


# --- Apply -----------------------------------------------------------------------------------


def test_apply_records_a_pipeline_application_with_collateral_and_actor(lender, borrower, officer):
    akad = build(lender, borrower, status=S.PAID_OFF, akad_number="AK/1", signed_on=SIGNED)
    collaterals = [
        {"kind": Collateral.Kind.MACHINERY, "value": 150 * JUTA, "binding": "fidusia"},
        Collateral(kind=Collateral.Kind.VEHICLE, value=80 * JUTA),
    ]

    services.akad_apply(akad=akad, collaterals=collaterals, actor=officer)

    akad = reload(akad)
    assert akad.status == S.PIPELINE
    assert (akad.akad_number, akad.signed_on, akad.approved_on) == ("", None, None)
    assert akad.created_by == officer
    assert akad.status_changed_by == officer
    assert sorted(akad.collaterals.values_list("kind", "value", "binding")) == [
        ("machinery", 150 * JUTA, "fidusia"),
        ("vehicle", 80 * JUTA, "not_bound"),
    ]
    history = akad.history.get()
    assert (history.history_user, history.history_change_reason) == (officer, "applied")


def test_apply_refuses_a_future_application_date(lender, borrower, officer):
    with refused(services.DATE_IN_FUTURE, "applied_on"):
        services.akad_apply(akad=build(lender, borrower, applied_on=tomorrow()), actor=officer)


# --- Approve ---------------------------------------------------------------------------------


def test_approve_moves_the_application_to_approved(make_akad, officer):
    akad = make_akad(S.PIPELINE)
    services.akad_approve(akad=akad, approved_on=APPROVED, actor=officer)
    akad = reload(akad)
    assert (akad.status, akad.approved_on) == (S.APPROVED, APPROVED)


def test_approve_on_the_application_day_is_allowed(make_akad, officer):
    akad = make_akad(S.PIPELINE)
    services.akad_approve(akad=akad, approved_on=APPLIED, actor=officer)
    assert reload(akad).status == S.APPROVED


@pytest.mark.parametrize("status", others(S.PIPELINE))
def test_approve_only_from_the_pipeline(make_akad, officer, status):
    akad = make_akad(status)
    with refused(services.CANNOT_APPROVE, akad=akad):
        services.akad_approve(akad=akad, approved_on=APPROVED, actor=officer)


def test_approve_refuses_a_future_date(make_akad, officer):
    akad = make_akad(S.PIPELINE)
    with refused(services.DATE_IN_FUTURE, "approved_on", akad=akad):
        services.akad_approve(akad=akad, approved_on=tomorrow(), actor=officer)


def test_approve_refuses_a_date_before_the_application(make_akad, officer):
    akad = make_akad(S.PIPELINE)
    params = {"what": gettext("the application"), "date": day(APPLIED)}
    with refused(services.DATE_BEFORE, "approved_on", akad=akad, params=params):
        services.akad_approve(
            akad=akad, approved_on=APPLIED - datetime.timedelta(days=1), actor=officer
        )


# --- Sign ------------------------------------------------------------------------------------


def test_sign_records_the_number_and_date(make_akad, officer):
    akad = make_akad(S.APPROVED)
    services.akad_sign(akad=akad, akad_number="  AK/BRI/2024/001 ", signed_on=SIGNED, actor=officer)
    akad = reload(akad)
    assert (akad.status, akad.akad_number, akad.signed_on) == (S.SIGNED, "AK/BRI/2024/001", SIGNED)


def test_sign_on_the_approval_day_is_allowed(make_akad, officer):
    akad = make_akad(S.APPROVED)
    services.akad_sign(akad=akad, akad_number="AK/1", signed_on=APPROVED, actor=officer)
    assert reload(akad).status == S.SIGNED


@pytest.mark.parametrize("status", others(S.APPROVED))
def test_sign_only_from_approved(make_akad, officer, status):
    akad = make_akad(status)
    with refused(services.CANNOT_SIGN, akad=akad):
        services.akad_sign(akad=akad, akad_number="AK/NEW/1", signed_on=SIGNED, actor=officer)


@pytest.mark.parametrize("number", ["", "   ", None])
def test_sign_requires_the_akad_number(make_akad, officer, number):
    akad = make_akad(S.APPROVED)
    with refused(services.AKAD_NUMBER_REQUIRED, "akad_number", akad=akad):
        services.akad_sign(akad=akad, akad_number=number, signed_on=SIGNED, actor=officer)


@pytest.mark.parametrize("number", ["AK/BRI/001", "ak/bri/001", "  Ak/Bri/001  "])
def test_sign_refuses_a_number_the_lender_already_used(make_akad, officer, number):
    make_akad(S.PIPELINE)  # a number-less application does not collide
    first = make_akad(S.APPROVED)
    services.akad_sign(akad=first, akad_number="AK/BRI/001", signed_on=SIGNED, actor=officer)
    akad = make_akad(S.APPROVED)
    with refused(services.AKAD_NUMBER_TAKEN, "akad_number", akad=akad):
        services.akad_sign(akad=akad, akad_number=number, signed_on=SIGNED, actor=officer)


def test_sign_allows_the_same_number_at_another_lender(
    make_akad, officer, other_lender, borrower, other_officer
):
    mine = make_akad(S.APPROVED)
    services.akad_sign(akad=mine, akad_number="AK/001", signed_on=SIGNED, actor=officer)
    theirs = services.akad_apply(akad=build(other_lender, borrower), actor=other_officer)
    services.akad_approve(akad=theirs, approved_on=APPROVED, actor=other_officer)

    services.akad_sign(akad=theirs, akad_number="AK/001", signed_on=SIGNED, actor=other_officer)

    assert reload(theirs).akad_number == reload(mine).akad_number == "AK/001"


def test_sign_refuses_a_future_date(make_akad, officer):
    akad = make_akad(S.APPROVED)
    with refused(services.DATE_IN_FUTURE, "signed_on", akad=akad):
        services.akad_sign(akad=akad, akad_number="AK/1", signed_on=tomorrow(), actor=officer)


def test_sign_refuses_a_date_before_the_approval(make_akad, officer):
    akad = make_akad(S.APPROVED)
    params = {"what": gettext("the approval"), "date": day(APPROVED)}
    with refused(services.DATE_BEFORE, "signed_on", akad=akad, params=params):
        services.akad_sign(
            akad=akad,
            akad_number="AK/1",
            signed_on=APPROVED - datetime.timedelta(days=1),
            actor=officer,
        )


def test_sign_checks_the_scheme_again_after_it_was_edited(make_akad, officer):
    akad = make_akad(S.APPROVED, code="kur-mikro", plafon=80 * JUTA, interest_rate=Decimal("6"))
    CreditScheme.objects.filter(code="kur-mikro").update(max_plafon=75 * JUTA)
    params = {"scheme": "KUR Mikro", "maximum": rp(75 * JUTA)}
    with refused(services.PLAFON_ABOVE_SCHEME, "plafon", akad=akad, params=params):
        services.akad_sign(akad=akad, akad_number="AK/1", signed_on=SIGNED, actor=officer)


def test_sign_checks_the_kur_access_again(
    make_akad, officer, borrower, other_lender, other_officer
):
    """Applied at 7% as a 2nd KUR access; the earlier akad is then cancelled (nothing was
    disbursed), so at signing this is the first access again: 6% at most."""
    earlier = signed_kur(borrower, other_lender, datetime.date(2023, 12, 1))
    akad = make_akad(S.APPROVED, code="kur-mikro", plafon=50 * JUTA, interest_rate=Decimal("7"))
    services.akad_cancel(akad=earlier, reason="Debitur mundur", actor=other_officer)

    params = {"scheme": "KUR Mikro", "rate": "6", "access": str(services.ACCESS_FIRST)}
    with refused(services.RATE_ABOVE_SCHEME, "interest_rate", akad=akad, params=params):
        services.akad_sign(akad=akad, akad_number="AK/1", signed_on=SIGNED, actor=officer)


def test_sign_counts_only_kur_akad_signed_before_this_one(
    make_akad, officer, borrower, other_lender
):
    """A 2nd access today, but backdated before the other akad's signing it is the first."""
    signed_kur(borrower, other_lender, datetime.date(2024, 3, 1))
    akad = make_akad(S.APPROVED, code="kur-mikro", plafon=50 * JUTA, interest_rate=Decimal("7"))
    params = {"scheme": "KUR Mikro", "rate": "6", "access": str(services.ACCESS_FIRST)}
    with refused(services.RATE_ABOVE_SCHEME, "interest_rate", akad=akad, params=params):
        services.akad_sign(akad=akad, akad_number="AK/1", signed_on=SIGNED, actor=officer)

    services.akad_sign(
        akad=akad, akad_number="AK/1", signed_on=datetime.date(2024, 3, 2), actor=officer
    )
    assert reload(akad).status == S.SIGNED


def test_two_kur_akad_signed_the_same_day_are_a_first_and_a_second_access(
    make_akad, officer, borrower, other_lender, other_officer
):
    mine = make_akad(S.APPROVED, code="kur-mikro", plafon=50 * JUTA, interest_rate=Decimal("6"))
    theirs = services.akad_apply(
        akad=build(other_lender, borrower, code="kur-mikro", plafon=50 * JUTA, interest_rate=6),
        actor=other_officer,
    )
    services.akad_approve(akad=theirs, approved_on=APPROVED, actor=other_officer)
    services.akad_sign(akad=theirs, akad_number="AK/X/1", signed_on=SIGNED, actor=other_officer)
    # Theirs was signed first (as the borrower's first access): mine is the second, at 7%.
    mine.interest_rate = Decimal("7")
    services.akad_update(akad=mine, actor=officer)

    services.akad_sign(akad=mine, akad_number="AK/1", signed_on=SIGNED, actor=officer)

    assert reload(mine).status == S.SIGNED


# --- Disburse --------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.PIPELINE, S.APPROVED])
def test_disburse_nothing_before_signing(make_akad, officer, status):
    akad = make_akad(status)
    with refused(services.NOT_SIGNED_YET, akad=akad):
        services.akad_disburse(akad=akad, amount=JUTA, disbursed_on=DISBURSED, actor=officer)


@pytest.mark.parametrize("status", [S.PAID_OFF, S.REJECTED, S.CANCELLED])
def test_disburse_nothing_once_closed(make_akad, officer, status):
    akad = make_akad(status)
    with refused(services.CANNOT_DISBURSE_CLOSED, akad=akad):
        services.akad_disburse(akad=akad, amount=JUTA, disbursed_on=REPORTED, actor=officer)


@pytest.mark.parametrize("amount", [0, -1, -5 * JUTA])
def test_disburse_a_positive_amount_only(make_akad, officer, amount):
    akad = make_akad(S.SIGNED)
    with refused(services.AMOUNT_NOT_POSITIVE, "amount", akad=akad):
        services.akad_disburse(akad=akad, amount=amount, disbursed_on=DISBURSED, actor=officer)


def test_disburse_refuses_a_future_date(make_akad, officer):
    akad = make_akad(S.SIGNED)
    with refused(services.DATE_IN_FUTURE, "disbursed_on", akad=akad):
        services.akad_disburse(akad=akad, amount=JUTA, disbursed_on=tomorrow(), actor=officer)


def test_disburse_refuses_a_date_before_the_signing(make_akad, officer):
    akad = make_akad(S.SIGNED)
    params = {"what": gettext("the signing"), "date": day(SIGNED)}
    with refused(services.DATE_BEFORE, "disbursed_on", akad=akad, params=params):
        services.akad_disburse(
            akad=akad,
            amount=JUTA,
            disbursed_on=SIGNED - datetime.timedelta(days=1),
            actor=officer,
        )


def test_tranches_adding_up_exactly_to_the_plafon_are_accepted(make_akad, officer):
    akad = make_akad(S.SIGNED, plafon=100 * JUTA)
    amounts = [30 * JUTA, 30 * JUTA, 40 * JUTA]
    statuses = []
    for offset, amount in enumerate(amounts):
        tranche = services.akad_disburse(
            akad=akad,
            amount=amount,
            disbursed_on=DISBURSED + datetime.timedelta(days=offset),
            note=f"  Tahap {offset + 1} ",
            actor=officer,
        )
        statuses.append(reload(akad).status)

    assert statuses == [S.DISBURSED, S.DISBURSED, S.DISBURSED]
    assert services.disbursed_total(akad) == 100 * JUTA
    assert list(akad.disbursements.values_list("amount", flat=True)) == amounts
    assert tranche.note == "Tahap 3"
    assert tranche.created_by == officer


def test_a_tranche_one_rupiah_over_the_plafon_is_refused(make_akad, officer):
    akad = make_akad(S.SIGNED, plafon=100 * JUTA)
    for amount in (30 * JUTA, 30 * JUTA):
        services.akad_disburse(akad=akad, amount=amount, disbursed_on=DISBURSED, actor=officer)

    with refused(services.OVER_PLAFON, "amount", akad=akad, params={"remaining": rp(40 * JUTA)}):
        services.akad_disburse(
            akad=akad, amount=40 * JUTA + 1, disbursed_on=DISBURSED, actor=officer
        )


def test_nothing_more_once_the_plafon_is_fully_disbursed(make_akad, officer):
    akad = make_akad(S.SIGNED, plafon=100 * JUTA)
    services.akad_disburse(akad=akad, amount=100 * JUTA, disbursed_on=DISBURSED, actor=officer)
    with refused(services.OVER_PLAFON, "amount", akad=akad, params={"remaining": rp(0)}):
        services.akad_disburse(akad=akad, amount=1, disbursed_on=DISBURSED, actor=officer)


def test_the_first_tranche_moves_a_signed_akad_to_disbursed(make_akad, colleague):
    akad = make_akad(S.SIGNED)
    history = akad.history.count()

    tranche = services.akad_disburse(
        akad=akad, amount=10 * JUTA, disbursed_on=DISBURSED, actor=colleague
    )

    assert akad.status == S.DISBURSED  # the caller's instance follows
    akad = reload(akad)
    assert (akad.status, akad.status_changed_by) == (S.DISBURSED, colleague)
    assert akad.history.count() == history + 1
    assert tranche.history.get().history_user == colleague


@pytest.mark.parametrize("status", [S.DISBURSED, S.REPAYING])
def test_later_tranches_keep_the_status(make_akad, officer, status):
    akad = make_akad(status)
    row = AkadKredit.objects.values().get(pk=akad.pk)
    row.pop("updated_at")

    services.akad_disburse(akad=akad, amount=10 * JUTA, disbursed_on=REPORTED, actor=officer)

    after = AkadKredit.objects.values().get(pk=akad.pk)
    after.pop("updated_at")
    assert after == row  # status and who changed it: untouched
    assert akad.disbursements.count() == 2
    # The tranche is in the akad's own history too, with who recorded it.
    latest = akad.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_change_reason, latest.history_user) == ("disbursed", officer)


# --- Collectibility --------------------------------------------------------------------------


@pytest.mark.parametrize("grade", [1, 2, 3, 4, 5])
def test_collectibility_moves_a_disbursed_akad_to_repaying(make_akad, officer, grade):
    akad = make_akad(S.DISBURSED)
    services.akad_report_collectibility(
        akad=akad, collectibility=grade, as_of=REPORTED, actor=officer
    )
    akad = reload(akad)
    assert (akad.status, akad.collectibility, akad.collectibility_as_of) == (
        S.REPAYING,
        grade,
        REPORTED,
    )


def test_collectibility_is_reported_again_while_repaying(make_akad, officer):
    akad = make_akad(S.REPAYING)
    later = datetime.date(2024, 6, 30)
    services.akad_report_collectibility(akad=akad, collectibility=3, as_of=later, actor=officer)
    akad = reload(akad)
    assert (akad.status, akad.collectibility, akad.collectibility_as_of) == (
        S.REPAYING,
        3,
        later,
    )


@pytest.mark.parametrize("status", others(S.DISBURSED, S.REPAYING))
def test_collectibility_only_while_disbursed_or_repaying(make_akad, officer, status):
    akad = make_akad(status)
    with refused(services.CANNOT_REPORT_COLLECTIBILITY, akad=akad):
        services.akad_report_collectibility(
            akad=akad, collectibility=1, as_of=REPORTED, actor=officer
        )


@pytest.mark.parametrize("grade", [0, 6, -1, None])
def test_collectibility_is_a_grade_from_1_to_5(make_akad, officer, grade):
    akad = make_akad(S.DISBURSED)
    with refused(services.COLLECTIBILITY_INVALID, "collectibility", akad=akad):
        services.akad_report_collectibility(
            akad=akad, collectibility=grade, as_of=REPORTED, actor=officer
        )


def test_collectibility_not_before_the_first_disbursement(make_akad, officer):
    akad = make_akad(S.DISBURSED)  # first tranche on DISBURSED
    second = datetime.date(2024, 3, 1)
    services.akad_disburse(akad=akad, amount=JUTA, disbursed_on=second, actor=officer)
    params = {"what": gettext("the first disbursement"), "date": day(DISBURSED)}
    with refused(services.DATE_BEFORE, "as_of", akad=akad, params=params):
        services.akad_report_collectibility(
            akad=akad,
            collectibility=1,
            as_of=DISBURSED - datetime.timedelta(days=1),
            actor=officer,
        )

    # Between the first and the last tranche is fine.
    services.akad_report_collectibility(
        akad=akad, collectibility=1, as_of=second - datetime.timedelta(days=1), actor=officer
    )
    assert reload(akad).status == S.REPAYING


def test_collectibility_not_in_the_future(make_akad, officer):
    akad = make_akad(S.DISBURSED)
    with refused(services.DATE_IN_FUTURE, "as_of", akad=akad):
        services.akad_report_collectibility(
            akad=akad, collectibility=1, as_of=tomorrow(), actor=officer
        )


def test_collectibility_not_before_the_last_report(make_akad, officer):
    """A report dated before the one on record would overwrite a newer grade."""
    akad = make_akad(S.REPAYING)  # reported on REPORTED
    params = {"what": gettext("the last report"), "date": day(REPORTED)}
    with refused(services.DATE_BEFORE, "as_of", akad=akad, params=params):
        services.akad_report_collectibility(
            akad=akad,
            collectibility=5,
            as_of=REPORTED - datetime.timedelta(days=1),
            actor=officer,
        )


# --- Pay off ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.DISBURSED, S.REPAYING])
def test_pay_off_closes_a_disbursed_or_repaying_akad(make_akad, officer, status):
    akad = make_akad(status)
    services.akad_pay_off(akad=akad, paid_off_on=PAID_OFF, actor=officer)
    akad = reload(akad)
    assert (akad.status, akad.closed_on) == (S.PAID_OFF, PAID_OFF)


@pytest.mark.parametrize("status", others(S.DISBURSED, S.REPAYING))
def test_pay_off_only_a_disbursed_or_repaying_akad(make_akad, officer, status):
    akad = make_akad(status)
    with refused(services.CANNOT_PAY_OFF, akad=akad):
        services.akad_pay_off(akad=akad, paid_off_on=PAID_OFF, actor=officer)


def test_pay_off_not_before_the_last_tranche(make_akad, officer):
    akad = make_akad(S.DISBURSED)
    last = datetime.date(2024, 9, 1)
    services.akad_disburse(akad=akad, amount=JUTA, disbursed_on=last, actor=officer)
    params = {"what": gettext("the last disbursement"), "date": day(last)}
    with refused(services.DATE_BEFORE, "paid_off_on", akad=akad, params=params):
        services.akad_pay_off(
            akad=akad, paid_off_on=last - datetime.timedelta(days=1), actor=officer
        )

    services.akad_pay_off(akad=akad, paid_off_on=last, actor=officer)
    assert reload(akad).status == S.PAID_OFF


def test_pay_off_not_before_the_last_collectibility_report(make_akad, officer):
    akad = make_akad(S.REPAYING)
    params = {"what": gettext("the last collectibility report"), "date": day(REPORTED)}
    with refused(services.DATE_BEFORE, "paid_off_on", akad=akad, params=params):
        services.akad_pay_off(
            akad=akad, paid_off_on=REPORTED - datetime.timedelta(days=1), actor=officer
        )


def test_an_unknown_purchase_order_id_is_refused_not_dropped(lender, borrower, officer):
    akad = build(lender, borrower)
    missing = PurchaseOrder.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with refused(services.PO_UNKNOWN, "purchase_orders", params={"ids": missing + 1}):
        services.akad_apply(akad=akad, purchase_orders=[missing + 1], actor=officer)


def test_an_edit_cannot_rewrite_who_recorded_the_application(make_akad, officer, other_officer):
    akad = services.akad_apply(
        akad=build(officer.organisation.lender_profile, make_akad(S.PIPELINE).borrower),
        actor=officer,
    )
    akad.created_by = other_officer
    akad.is_demo = True
    services.akad_update(akad=akad, actor=officer)
    akad = reload(akad)
    assert (akad.created_by, akad.is_demo) == (officer, False)


def test_pay_off_not_in_the_future(make_akad, officer):
    akad = make_akad(S.REPAYING)
    with refused(services.DATE_IN_FUTURE, "paid_off_on", akad=akad):
        services.akad_pay_off(akad=akad, paid_off_on=tomorrow(), actor=officer)


# --- Reject and cancel -----------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.PIPELINE, S.APPROVED])
def test_reject_an_application_with_its_reason(make_akad, officer, status):
    akad = make_akad(status)
    services.akad_reject(akad=akad, reason="  Usaha belum layak  ", actor=officer)
    akad = reload(akad)
    assert (akad.status, akad.status_reason) == (S.REJECTED, "Usaha belum layak")
    assert akad.closed_on == timezone.localdate()


@pytest.mark.parametrize("status", others(S.PIPELINE, S.APPROVED))
def test_reject_only_an_application_not_yet_signed(make_akad, officer, status):
    akad = make_akad(status)
    with refused(services.CANNOT_REJECT, akad=akad):
        services.akad_reject(akad=akad, reason="Terlambat", actor=officer)


@pytest.mark.parametrize("operation", ["reject", "cancel"])
@pytest.mark.parametrize("reason", ["", "   \n\t ", None])
def test_reject_and_cancel_need_a_reason(make_akad, officer, operation, reason):
    akad = make_akad(S.APPROVED)
    service = services.akad_reject if operation == "reject" else services.akad_cancel
    with refused(services.REASON_REQUIRED, "reason", akad=akad):
        service(akad=akad, reason=reason, actor=officer)


@pytest.mark.parametrize("status", [S.PIPELINE, S.APPROVED, S.SIGNED])
def test_cancel_an_application_or_an_undisbursed_akad(make_akad, officer, status):
    akad = make_akad(status)
    services.akad_cancel(akad=akad, reason="Debitur mundur", actor=officer)
    akad = reload(akad)
    assert (akad.status, akad.status_reason) == (S.CANCELLED, "Debitur mundur")
    assert akad.closed_on == timezone.localdate()


@pytest.mark.parametrize("status", others(S.PIPELINE, S.APPROVED, S.SIGNED))
def test_cancel_refused_after_a_disbursement_or_once_closed(make_akad, officer, status):
    akad = make_akad(status)
    with refused(services.CANNOT_CANCEL, akad=akad):
        services.akad_cancel(akad=akad, reason="Debitur mundur", actor=officer)


# --- Update ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.PIPELINE, S.APPROVED])
def test_update_changes_the_terms_before_signing(make_akad, colleague, status):
    akad = make_akad(status)
    akad.plafon = 120 * JUTA
    akad.tenor_months = 24
    services.akad_update(
        akad=akad,
        collaterals=[{"kind": Collateral.Kind.INVENTORY, "value": 60 * JUTA}],
        actor=colleague,
    )
    akad = reload(akad)
    assert (akad.status, akad.plafon, akad.tenor_months) == (status, 120 * JUTA, 24)
    assert list(akad.collaterals.values_list("kind", "value")) == [("inventory", 60 * JUTA)]
    latest = akad.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (colleague, "edited")


def test_update_without_collateral_keeps_the_collateral(lender, borrower, officer):
    akad = services.akad_apply(
        akad=build(lender, borrower),
        collaterals=[{"kind": Collateral.Kind.VEHICLE, "value": 80 * JUTA}],
        actor=officer,
    )
    akad.purpose = "Modal kerja pesanan bracket"
    services.akad_update(akad=akad, actor=officer)
    assert list(reload(akad).collaterals.values_list("kind", flat=True)) == ["vehicle"]


@pytest.mark.parametrize("status", others(S.PIPELINE, S.APPROVED))
def test_update_refused_once_signed_or_closed(make_akad, officer, status):
    akad = make_akad(status)
    akad.plafon = 90 * JUTA
    with refused(services.NOT_EDITABLE, akad=akad):
        services.akad_update(akad=akad, collaterals=[], actor=officer)


def test_update_cannot_change_the_status_fields_nor_the_lender(
    make_akad, officer, other_lender, other_officer
):
    akad = make_akad(S.APPROVED)
    stored = {name: getattr(akad, name) for name in (*services._STATUS_FIELDS, "lender_id")}
    akad.status = S.PAID_OFF
    akad.status_changed_at = timezone.now() - datetime.timedelta(days=100)
    akad.status_changed_by = other_officer
    akad.status_reason = "Diubah lewat formulir"
    akad.approved_on = APPLIED
    akad.signed_on = SIGNED
    akad.akad_number = "AK/PALSU/1"
    akad.closed_on = PAID_OFF
    akad.collectibility = 5
    akad.collectibility_as_of = REPORTED
    akad.lender = other_lender
    akad.plafon = 90 * JUTA

    services.akad_update(akad=akad, actor=officer)

    akad = reload(akad)
    assert {name: getattr(akad, name) for name in stored} == stored
    assert akad.plafon == 90 * JUTA  # the terms did change


def test_update_re_checks_the_scheme_limits(make_akad, officer):
    akad = make_akad(S.PIPELINE, code="kur-mikro", plafon=50 * JUTA, interest_rate=Decimal("6"))
    akad.plafon = 100 * JUTA + 1
    params = {"scheme": "KUR Mikro", "maximum": rp(100 * JUTA)}
    with refused(services.PLAFON_ABOVE_SCHEME, "plafon", akad=akad, params=params):
        services.akad_update(akad=akad, actor=officer)


def test_update_refuses_a_switch_to_an_inactive_scheme_but_keeps_an_existing_one(
    make_akad, officer
):
    akad = make_akad(S.PIPELINE, code="kmk")
    CreditScheme.objects.filter(code__in=["kmk", "ki"]).update(is_active=False)
    akad.purpose = "Mesin press"
    services.akad_update(akad=akad, actor=officer)  # still on kmk: fine

    akad.scheme = scheme("ki")
    with refused(services.SCHEME_INACTIVE, "scheme", akad=akad):
        services.akad_update(akad=akad, actor=officer)


def test_update_refuses_a_future_application_date(make_akad, officer):
    akad = make_akad(S.PIPELINE)
    akad.applied_on = tomorrow()
    with refused(services.DATE_IN_FUTURE, "applied_on", akad=akad):
        services.akad_update(akad=akad, actor=officer)


def test_update_refuses_an_application_date_after_the_approval(make_akad, officer):
    akad = make_akad(S.APPROVED)
    akad.applied_on = APPROVED  # the approval day itself is fine
    services.akad_update(akad=akad, actor=officer)
    assert reload(akad).applied_on == APPROVED

    akad.applied_on = APPROVED + datetime.timedelta(days=1)
    params = {"date": day(APPROVED)}
    with refused(services.APPLIED_AFTER_APPROVAL, "applied_on", akad=akad, params=params):
        services.akad_update(akad=akad, actor=officer)


@pytest.mark.parametrize("operation", ["apply", "update"])
def test_the_grace_period_is_shorter_than_the_tenor(lender, borrower, officer, operation):
    akad = build(lender, borrower, tenor_months=12, grace_period_months=11)
    services.akad_apply(akad=akad, actor=officer)
    assert reload(akad).grace_period_months == 11

    if operation == "apply":
        akad = build(lender, borrower, tenor_months=12, grace_period_months=12)
        with refused(services.GRACE_NOT_WITHIN_TENOR, "grace_period_months"):
            services.akad_apply(akad=akad, actor=officer)
    else:
        akad.tenor_months = 11
        with refused(services.GRACE_NOT_WITHIN_TENOR, "grace_period_months", akad=akad):
            services.akad_update(akad=akad, actor=officer)


# --- KUR limits (Permenko 1/2023) ------------------------------------------------------------

BELOW, ABOVE = services.PLAFON_BELOW_SCHEME, services.PLAFON_ABOVE_SCHEME


@pytest.mark.parametrize(
    ("code", "plafon", "message", "shown"),
    [
        ("kur-super-mikro", 1, None, None),
        ("kur-super-mikro", 10 * JUTA, None, None),
        ("kur-super-mikro", 10 * JUTA + 1, ABOVE, 10 * JUTA),
        ("kur-mikro", 10 * JUTA, BELOW, 10 * JUTA),
        ("kur-mikro", 10 * JUTA + 1, None, None),
        ("kur-mikro", 100 * JUTA, None, None),
        ("kur-mikro", 100 * JUTA + 1, ABOVE, 100 * JUTA),
        ("kur-kecil", 100 * JUTA, BELOW, 100 * JUTA),
        ("kur-kecil", 100 * JUTA + 1, None, None),
        ("kur-kecil", 500 * JUTA, None, None),
        ("kur-kecil", 500 * JUTA + 1, ABOVE, 500 * JUTA),
    ],
)
def test_kur_plafon_limits(lender, borrower, officer, code, plafon, message, shown):
    rate = Decimal("3") if code == "kur-super-mikro" else Decimal("6")
    akad = build(lender, borrower, code=code, plafon=plafon, interest_rate=rate)
    if message is None:
        services.akad_apply(akad=akad, actor=officer)
        assert reload(akad).plafon == plafon
        return
    name = scheme(code).name
    params = {"scheme": name, "minimum" if message is BELOW else "maximum": rp(shown)}
    with refused(message, "plafon", params=params):
        services.akad_apply(akad=akad, actor=officer)


@pytest.mark.parametrize("code", ["kur-mikro", "kur-kecil"])
@pytest.mark.parametrize(("rate", "ok"), [("6.00", True), ("6.01", False)])
def test_kur_rate_on_first_access(lender, borrower, officer, code, rate, ok):
    plafon = 50 * JUTA if code == "kur-mikro" else 200 * JUTA
    akad = build(lender, borrower, code=code, plafon=plafon, interest_rate=Decimal(rate))
    if ok:
        services.akad_apply(akad=akad, actor=officer)
        assert reload(akad).interest_rate == Decimal(rate)
        return
    params = {"scheme": scheme(code).name, "rate": "6", "access": str(services.ACCESS_FIRST)}
    with refused(services.RATE_ABOVE_SCHEME, "interest_rate", params=params):
        services.akad_apply(akad=akad, actor=officer)


@pytest.mark.parametrize(
    ("earlier", "maximum"),
    [(1, "7"), (2, "8"), (3, "9"), (4, "9")],
    ids=["2nd-access", "3rd-access", "4th-access", "5th-access"],
)
@pytest.mark.parametrize("above", [False, True], ids=["at-max", "above-max"])
def test_kur_rate_on_later_accesses(
    lender, other_lender, borrower, officer, earlier, maximum, above
):
    """Earlier KUR akad, with either lender (and any KUR tier), raise the allowed rate."""
    for n in range(earlier):
        signed_kur(
            borrower,
            other_lender if n % 2 == 0 else lender,
            datetime.date(2023, 1 + n, 15),
            code="kur-kecil" if n == 1 else "kur-mikro",
            status=S.REPAYING if n == 2 else S.SIGNED,
        )
    rate = Decimal(maximum) + (Decimal("0.01") if above else 0)
    akad = build(lender, borrower, code="kur-mikro", plafon=50 * JUTA, interest_rate=rate)
    if not above:
        services.akad_apply(akad=akad, actor=officer)
        assert reload(akad).interest_rate == rate
        return
    access = str(services.ACCESS_LATER % {"number": earlier + 1})
    params = {"scheme": "KUR Mikro", "rate": maximum, "access": access}
    with refused(services.RATE_ABOVE_SCHEME, "interest_rate", params=params):
        services.akad_apply(akad=akad, actor=officer)


@pytest.mark.parametrize(
    "status", [S.PIPELINE, S.APPROVED, S.REJECTED, S.CANCELLED], ids=lambda s: f"earlier-{s}"
)
def test_kur_access_counts_only_signed_kur_akad(lender, other_lender, borrower, officer, status):
    """Unsigned or refused KUR akad, and signed non-KUR akad, are not an access."""
    AkadKreditFactory(
        lender=other_lender,
        borrower=borrower,
        scheme=scheme("kur-mikro"),
        plafon=50 * JUTA,
        interest_rate=Decimal("6"),
        status=status,
        applied_on=datetime.date(2023, 1, 5),
    )
    AkadKreditFactory(
        lender=other_lender,
        borrower=borrower,
        scheme=scheme("kmk"),
        status=S.SIGNED,
        applied_on=datetime.date(2023, 1, 5),
        approved_on=datetime.date(2023, 1, 6),
        signed_on=datetime.date(2023, 1, 7),
        akad_number="KMK/1",
    )
    signed_kur(IkmFactory(), other_lender, datetime.date(2023, 2, 1))  # another borrower's
    akad = build(lender, borrower, code="kur-mikro", plafon=50 * JUTA, interest_rate=Decimal(7))
    params = {"scheme": "KUR Mikro", "rate": "6", "access": str(services.ACCESS_FIRST)}
    with refused(services.RATE_ABOVE_SCHEME, "interest_rate", params=params):
        services.akad_apply(akad=akad, actor=officer)


@pytest.mark.parametrize("earlier", [0, 1, 3])
@pytest.mark.parametrize(("rate", "ok"), [("3.00", True), ("3.01", False)])
def test_kur_super_mikro_is_3_percent_whatever_the_access(
    lender, other_lender, borrower, officer, earlier, rate, ok
):
    for n in range(earlier):
        signed_kur(borrower, other_lender, datetime.date(2023, 1 + n, 15))
    akad = build(
        lender, borrower, code="kur-super-mikro", plafon=8 * JUTA, interest_rate=Decimal(rate)
    )
    if ok:
        services.akad_apply(akad=akad, actor=officer)
        assert reload(akad).status == S.PIPELINE
        return
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        services.akad_apply(akad=akad, actor=officer)
    assert list(caught.value.error_dict) == ["interest_rate"]
    (error,) = caught.value.error_dict["interest_rate"]
    assert error.message == services.RATE_ABOVE_SCHEME
    assert (error.params["scheme"], error.params["rate"]) == ("KUR Super Mikro", "3")
    assert snapshot() == before


def test_kur_super_mikro_refusal_does_not_call_a_repeat_access_the_first(
    lender, other_lender, borrower, officer
):
    for n in range(3):
        signed_kur(borrower, other_lender, datetime.date(2023, 1 + n, 15))
    akad = build(lender, borrower, code="kur-super-mikro", plafon=8 * JUTA, interest_rate=4)
    with pytest.raises(ValidationError) as caught:
        services.akad_apply(akad=akad, actor=officer)
    (message,) = caught.value.message_dict["interest_rate"]
    assert str(services.ACCESS_FIRST) not in message


@pytest.mark.parametrize("code", ["kur-super-mikro", "kur-mikro", "kur-kecil"])
def test_kur_with_a_flat_rate_is_refused(lender, borrower, officer, code):
    plafon = {"kur-super-mikro": 5 * JUTA, "kur-mikro": 50 * JUTA, "kur-kecil": 200 * JUTA}[code]
    akad = build(
        lender,
        borrower,
        code=code,
        plafon=plafon,
        interest_rate=Decimal("3"),
        rate_type=AkadKredit.RateType.FLAT,
    )
    with refused(services.KUR_RATE_NOT_EFFECTIVE, "rate_type"):
        services.akad_apply(akad=akad, actor=officer)


@pytest.mark.parametrize("code", ["kmk", "ki", "leasing", "modal-ventura"])
def test_non_kur_schemes_have_no_limits(lender, borrower, officer, code):
    akad = build(
        lender,
        borrower,
        code=code,
        plafon=50_000 * JUTA,
        interest_rate=Decimal("28.50"),
        rate_type=AkadKredit.RateType.FLAT,
    )
    services.akad_apply(akad=akad, actor=officer)
    assert reload(akad).plafon == 50_000 * JUTA


def test_an_inactive_scheme_is_refused_for_a_new_application(lender, borrower, officer):
    CreditScheme.objects.filter(code="kur-mikro").update(is_active=False)
    akad = build(lender, borrower, code="kur-mikro", plafon=50 * JUTA, interest_rate=6)
    with refused(services.SCHEME_INACTIVE, "scheme"):
        services.akad_apply(akad=akad, actor=officer)


def test_an_application_on_a_scheme_withdrawn_since_can_still_go_ahead(make_akad, officer):
    akad = make_akad(S.PIPELINE, code="kur-mikro", plafon=50 * JUTA, interest_rate=Decimal(6))
    CreditScheme.objects.filter(code="kur-mikro").update(is_active=False)
    services.akad_approve(akad=akad, approved_on=APPROVED, actor=officer)
    services.akad_sign(akad=akad, akad_number="AK/1", signed_on=SIGNED, actor=officer)
    assert reload(akad).status == S.SIGNED


def test_scheme_limits_are_editable_reference_data(lender, borrower, officer):
    mikro = scheme("kur-mikro")
    too_big = build(lender, borrower, code="kur-mikro", plafon=150 * JUTA, interest_rate=6)
    params = {"scheme": "KUR Mikro", "maximum": rp(100 * JUTA)}
    with refused(services.PLAFON_ABOVE_SCHEME, "plafon", params=params):
        services.akad_apply(akad=too_big, actor=officer)

    mikro.max_plafon = 150 * JUTA
    mikro.max_rate = Decimal("5")
    mikro.save()

    ok = build(lender, borrower, code="kur-mikro", plafon=150 * JUTA, interest_rate=5)
    services.akad_apply(akad=ok, actor=officer)
    assert reload(ok).plafon == 150 * JUTA
    too_dear = build(lender, borrower, code="kur-mikro", plafon=150 * JUTA, interest_rate=6)
    params = {"scheme": "KUR Mikro", "rate": "5", "access": str(services.ACCESS_FIRST)}
    with refused(services.RATE_ABOVE_SCHEME, "interest_rate", params=params):
        services.akad_apply(akad=too_dear, actor=officer)


# --- What the credit rests on ----------------------------------------------------------------


@pytest.fixture
def mou(borrower):
    """An active MoU with the borrower among its participants."""
    participant = MouParticipantFactory(ikm=borrower)
    return participant.mou


def purchase_order(mou: MoU, ikm, number: str) -> PurchaseOrder:
    participant = mou.participants.filter(ikm=ikm).first() or MouParticipantFactory(
        mou=mou, ikm=ikm
    )
    return PurchaseOrder.objects.create(
        participant=participant,
        buyer=mou.buyer,
        number=number,
        order_date=datetime.date(2023, 11, 1),
        value=300 * JUTA,
    )


@pytest.mark.parametrize("status", [MoU.Status.SIGNED, MoU.Status.ACTIVE, MoU.Status.EXPIRED])
def test_credit_rests_on_a_signed_active_or_expired_mou(lender, borrower, officer, mou, status):
    MoU.objects.filter(pk=mou.pk).update(status=status)
    po = purchase_order(mou, borrower, "PO/2023/001")
    akad = build(lender, borrower, mou=mou)
    services.akad_apply(akad=akad, purchase_orders=[po.pk], actor=officer)
    akad = reload(akad)
    assert akad.mou == mou
    assert list(akad.purchase_orders.all()) == [po]


@pytest.mark.parametrize("status", [MoU.Status.DRAFT, MoU.Status.TERMINATED])
def test_credit_cannot_rest_on_a_draft_or_terminated_mou(lender, borrower, officer, mou, status):
    MoU.objects.filter(pk=mou.pk).update(status=status, termination_reason="Putus kontrak")
    with refused(services.MOU_NOT_SECURING, "mou"):
        services.akad_apply(akad=build(lender, borrower, mou=mou), actor=officer)


def test_the_borrower_must_take_part_in_the_mou(lender, borrower, officer):
    strangers_mou = MouParticipantFactory().mou
    with refused(services.BORROWER_NOT_IN_MOU, "mou"):
        services.akad_apply(akad=build(lender, borrower, mou=strangers_mou), actor=officer)


def test_purchase_orders_must_be_the_borrowers(lender, borrower, officer, mou):
    someone_elses = purchase_order(mou, IkmFactory(), "PO/LAIN/7")
    with refused(services.PO_NOT_BORROWERS, "purchase_orders", params={"number": "PO/LAIN/7"}):
        services.akad_apply(
            akad=build(lender, borrower, mou=mou), purchase_orders=[someone_elses], actor=officer
        )


def test_purchase_orders_must_be_under_the_chosen_mou(lender, borrower, officer, mou):
    other_mou = MouParticipantFactory(ikm=borrower).mou
    elsewhere = purchase_order(other_mou, borrower, "PO/MOU2/3")
    with refused(services.PO_NOT_UNDER_MOU, "purchase_orders", params={"number": "PO/MOU2/3"}):
        services.akad_apply(
            akad=build(lender, borrower, mou=mou), purchase_orders=[elsewhere], actor=officer
        )


def test_without_an_mou_any_of_the_borrowers_purchase_orders_will_do(
    lender, borrower, officer, mou
):
    other_mou = MouParticipantFactory(ikm=borrower).mou
    pos = [purchase_order(mou, borrower, "PO/A/1"), purchase_order(other_mou, borrower, "PO/B/1")]
    akad = services.akad_apply(akad=build(lender, borrower), purchase_orders=pos, actor=officer)
    assert set(reload(akad).purchase_orders.all()) == set(pos)


def test_update_re_checks_the_purchase_orders_kept(lender, borrower, officer, mou):
    po = purchase_order(mou, borrower, "PO/2023/9")
    akad = services.akad_apply(
        akad=build(lender, borrower, mou=mou), purchase_orders=[po], actor=officer
    )
    newcomer = IkmFactory()
    MouParticipantFactory(mou=mou, ikm=newcomer)
    akad.borrower = newcomer  # the PO stays the former borrower's
    with refused(
        services.PO_NOT_BORROWERS, "purchase_orders", akad=akad, params={"number": "PO/2023/9"}
    ):
        services.akad_update(akad=akad, actor=officer)


def test_update_checks_new_purchase_orders(lender, borrower, officer, mou):
    akad = services.akad_apply(akad=build(lender, borrower, mou=mou), actor=officer)
    someone_elses = purchase_order(mou, IkmFactory(), "PO/LAIN/8")
    with refused(
        services.PO_NOT_BORROWERS, "purchase_orders", akad=akad, params={"number": "PO/LAIN/8"}
    ):
        services.akad_update(akad=akad, purchase_orders=[someone_elses.pk], actor=officer)


# --- Who -------------------------------------------------------------------------------------

# (status the akad needs, the call) for every service acting on an existing akad.
OPERATIONS = {
    "update": (S.PIPELINE, lambda akad, actor: services.akad_update(akad=akad, actor=actor)),
    "approve": (
        S.PIPELINE,
        lambda akad, actor: services.akad_approve(akad=akad, approved_on=APPROVED, actor=actor),
    ),
    "sign": (
        S.APPROVED,
        lambda akad, actor: services.akad_sign(
            akad=akad, akad_number="AK/WHO/1", signed_on=SIGNED, actor=actor
        ),
    ),
    "disburse": (
        S.SIGNED,
        lambda akad, actor: services.akad_disburse(
            akad=akad, amount=JUTA, disbursed_on=DISBURSED, actor=actor
        ),
    ),
    "collectibility": (
        S.DISBURSED,
        lambda akad, actor: services.akad_report_collectibility(
            akad=akad, collectibility=2, as_of=REPORTED, actor=actor
        ),
    ),
    "pay_off": (
        S.REPAYING,
        lambda akad, actor: services.akad_pay_off(akad=akad, paid_off_on=PAID_OFF, actor=actor),
    ),
    "reject": (
        S.APPROVED,
        lambda akad, actor: services.akad_reject(akad=akad, reason="Tidak layak", actor=actor),
    ),
    "cancel": (
        S.SIGNED,
        lambda akad, actor: services.akad_cancel(akad=akad, reason="Mundur", actor=actor),
    ),
}
# The status each operation leads to.
OUTCOME = {
    "update": S.PIPELINE,
    "approve": S.APPROVED,
    "sign": S.SIGNED,
    "disburse": S.DISBURSED,
    "collectibility": S.REPAYING,
    "pay_off": S.PAID_OFF,
    "reject": S.REJECTED,
    "cancel": S.CANCELLED,
}


@pytest.mark.parametrize("operation", OPERATIONS)
def test_an_officer_of_another_lender_is_refused(make_akad, other_officer, operation):
    status, call = OPERATIONS[operation]
    akad = make_akad(status)
    with refused(services.LENDER_MISMATCH, "lender", akad=akad):
        call(akad, other_officer)


@pytest.mark.parametrize("who", ["kemenperin_user", "kadin_user", "pengadaan_user"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_other_roles_do_not_record_credit(make_akad, request, operation, who):
    status, call = OPERATIONS[operation]
    akad = make_akad(status)
    with refused(services.NOT_ALLOWED, akad=akad):
        call(akad, request.getfixturevalue(who))


def test_a_lender_officer_without_an_organisation_is_refused(make_akad):
    akad = make_akad(S.PIPELINE)
    loose = UserFactory(role=Role.PEMBIAYAAN, organisation=None)
    with refused(services.LENDER_MISMATCH, "lender", akad=akad):
        services.akad_approve(akad=akad, approved_on=APPROVED, actor=loose)


def test_an_officer_cannot_take_over_an_application_by_changing_its_lender(
    make_akad, other_officer, other_lender
):
    akad = make_akad(S.PIPELINE)
    akad.lender = other_lender
    with refused(services.LENDER_MISMATCH, "lender", akad=akad):
        services.akad_update(akad=akad, actor=other_officer)


@pytest.mark.parametrize(
    ("who", "message", "field"),
    [
        ("other_officer", services.LENDER_MISMATCH, "lender"),
        ("kemenperin_user", services.NOT_ALLOWED, None),
    ],
)
def test_apply_is_refused_to_others(lender, borrower, request, who, message, field):
    with refused(message, field):
        services.akad_apply(akad=build(lender, borrower), actor=request.getfixturevalue(who))


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_officer_who_acts_is_recorded(make_akad, colleague, operation):
    status, call = OPERATIONS[operation]
    akad = make_akad(status)
    if operation == "update":
        akad.plafon = 90 * JUTA
    history = akad.history.count()
    started = timezone.now()

    call(akad, colleague)

    akad = reload(akad)
    assert akad.status == OUTCOME[operation]
    latest = akad.history.latest()
    assert latest.history_user == colleague
    assert akad.history.count() == history + 1
    if operation == "update":
        assert akad.status_changed_by is None  # set up by the system; an edit is no transition
    else:
        assert akad.status_changed_by == colleague
        assert started <= akad.status_changed_at <= timezone.now()


@pytest.mark.parametrize("actor", ["superuser", None])
def test_a_superuser_or_the_system_acts_for_any_lender(make_akad, request, actor):
    akad = make_akad(S.PIPELINE)
    user = request.getfixturevalue(actor) if actor else None
    services.akad_approve(akad=akad, approved_on=APPROVED, actor=user)
    akad = reload(akad)
    assert (akad.status, akad.status_changed_by) == (S.APPROVED, user)


# --- Concurrency -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_tranches_never_exceed_the_plafon():
    org = OrganisationFactory(kind="bank", name="PT Bank Paralel")
    lender = org.lender_profile
    akad = services.akad_apply(akad=build(lender, IkmFactory(), plafon=100 * JUTA), actor=None)
    services.akad_approve(akad=akad, approved_on=APPROVED, actor=None)
    services.akad_sign(akad=akad, akad_number="AK/PARALEL/1", signed_on=SIGNED, actor=None)

    barrier = threading.Barrier(2)
    won, refused_, errors = [], [], []

    def disburse():
        try:
            barrier.wait(timeout=10)
            tranche = services.akad_disburse(
                akad=reload(akad), amount=60 * JUTA, disbursed_on=DISBURSED, actor=None
            )
            won.append(tranche.pk)
        except ValidationError as error:
            refused_.append(error)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=disburse) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(won) == 1
    assert len(refused_) == 1
    with translation.override("id"):
        assert_message(refused_[0], services.OVER_PLAFON, "amount", {"remaining": "Rp40.000.000"})
    assert services.disbursed_total(akad) == 60 * JUTA
    assert reload(akad).status == S.DISBURSED


# --- Rupiah in messages ----------------------------------------------------------------------


@pytest.mark.parametrize(("language", "amount"), [("id", "Rp40.000.000"), ("en", "IDR 40,000,000")])
def test_the_remaining_amount_is_written_the_readers_way(make_akad, officer, language, amount):
    akad = make_akad(S.SIGNED, plafon=100 * JUTA)
    services.akad_disburse(akad=akad, amount=60 * JUTA, disbursed_on=DISBURSED, actor=officer)
    with translation.override(language):
        with pytest.raises(ValidationError) as caught:
            services.akad_disburse(
                akad=akad, amount=40 * JUTA + 1, disbursed_on=DISBURSED, actor=officer
            )
        (message,) = caught.value.message_dict["amount"]
    assert amount in message


@pytest.mark.parametrize(
    ("language", "amount"), [("id", "Rp100.000.000"), ("en", "IDR 100,000,000")]
)
def test_the_scheme_maximum_is_written_the_readers_way(lender, borrower, officer, language, amount):
    akad = build(lender, borrower, code="kur-mikro", plafon=100 * JUTA + 1, interest_rate=6)
    with translation.override(language):
        with pytest.raises(ValidationError) as caught:
            services.akad_apply(akad=akad, actor=officer)
        (message,) = caught.value.message_dict["plafon"]
    assert amount in message
