"""The database itself rejects rows that break each invariant, not only the forms.

Each case writes through ``QuerySet.update`` or ``bulk_create``, which skip model
validation, so only the named database constraint stands in the way.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction

from accounts.models import Organisation
from ikm.models import IKM, Kbli, Province, Regency
from kemitraan.models import MatchSuggestion, MouParticipant
from pembiayaan.models import AkadKredit, CreditScheme

from .factories import (
    AkadKreditFactory,
    CertificateFactory,
    DemandFactory,
    IkmFactory,
    LinkMatchEventFactory,
    MatchSuggestionFactory,
    MouFactory,
    MouParticipantFactory,
)

pytestmark = pytest.mark.django_db


def assert_rejected(constraint: str, write):
    """``write`` must fail with an IntegrityError naming ``constraint``; nothing is written."""
    with pytest.raises(IntegrityError) as excinfo, transaction.atomic():
        write()
    assert constraint in str(excinfo.value)


def update(instance, **values):
    return lambda: type(instance).objects.filter(pk=instance.pk).update(**values)


# --- ikm ---------------------------------------------------------------------------


@pytest.mark.parametrize("nib", ["123456789012", "12345678901a3", "1234567890 12", ""])
def test_nib_must_be_13_digits(nib):
    ikm = IkmFactory()
    assert_rejected("ikm_nib_13_digits", update(ikm, nib=nib))
    ikm.refresh_from_db()
    assert len(ikm.nib) == 13


def test_overlong_identifiers_do_not_fit_their_columns():
    ikm = IkmFactory()
    for values in ({"nib": "12345678901234"}, {"npwp": "12345678901234567"}):
        with pytest.raises(DataError), transaction.atomic():
            update(ikm, **values)()


def test_nib_is_unique():
    ikm = IkmFactory()
    other = IkmFactory()
    assert_rejected("ikm_nib_key", update(other, nib=ikm.nib))


@pytest.mark.parametrize("npwp", ["012345678901234", "01.234.567.8-901", "123456789012345x"])
def test_npwp_is_stored_as_16_digits(npwp):
    assert_rejected("ikm_npwp_16_digits", update(IkmFactory(), npwp=npwp))


def test_npwp_may_be_blank_or_16_digits():
    ikm = IkmFactory()
    IKM.objects.filter(pk=ikm.pk).update(npwp="0123456789012345")
    IKM.objects.filter(pk=ikm.pk).update(npwp="")


def test_regency_must_lie_in_the_province():
    ikm = IkmFactory()  # Kabupaten Bekasi, Jawa Barat
    assert_rejected("ikm_regency_in_province", update(ikm, province_id="33"))
    assert_rejected("ikm_regency_in_province", update(ikm, regency_id="33.28"))


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("investment_value", -1, "ikm_investment_not_negative"),
        ("annual_revenue", -1, "ikm_revenue_not_negative"),
        ("tkdn", Decimal("100.01"), "ikm_tkdn_0_100"),
        ("tkdn", Decimal("-0.01"), "ikm_tkdn_0_100"),
        ("latitude", Decimal("91"), "ikm_latitude_range"),
        ("longitude", Decimal("-181"), "ikm_longitude_range"),
        ("verification_status", "approved", "ikm_status_valid"),
    ],
)
def test_ikm_values_in_range(field, value, constraint):
    assert_rejected(constraint, update(IkmFactory(), **{field: value}))


def test_rejection_needs_a_reason():
    ikm = IkmFactory()
    assert_rejected("ikm_rejection_has_reason", update(ikm, verification_status="rejected"))
    IKM.objects.filter(pk=ikm.pk).update(
        verification_status="rejected", rejection_reason="NIB palsu"
    )


def test_certificate_dates_in_order():
    certificate = CertificateFactory()
    assert_rejected(
        "certificate_dates_in_order",
        update(
            certificate, valid_from=datetime.date(2025, 1, 2), valid_until=datetime.date(2025, 1, 1)
        ),
    )


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("tkdn_value", Decimal("101"), "certificate_tkdn_0_100"),
        ("bmp_value", Decimal("15.01"), "certificate_bmp_0_15"),
    ],
)
def test_certificate_percentages(field, value, constraint):
    assert_rejected(constraint, update(CertificateFactory(), **{field: value}))


def test_region_and_kbli_codes():
    assert_rejected(
        "province_code_two_digits",
        lambda: Province.objects.bulk_create([Province(code="3", name="X", island_group="jawa")]),
    )
    assert_rejected(
        "regency_code_format",
        lambda: Regency.objects.bulk_create([Regency(code="32.1", province_id="32", name="X")]),
    )
    assert_rejected(
        "regency_code_in_province",
        lambda: Regency.objects.bulk_create([Regency(code="33.99", province_id="32", name="X")]),
    )
    assert_rejected(
        "kbli_code_five_digits",
        lambda: Kbli.objects.bulk_create([Kbli(code="2930", title="X")]),
    )


def test_organisation_kind_is_known():
    organisation = Organisation.objects.create(name="PT Contoh", kind="apm")
    assert_rejected("organisation_kind_valid", update(organisation, kind="koperasi"))


# --- kemitraan ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("annual_value", 0, "demand_annual_value_positive"),
        ("quantity_per_month", 0, "demand_quantity_positive"),
        ("min_tkdn", Decimal("120"), "demand_min_tkdn_0_100"),
        ("status", "draft", "demand_status_valid"),
    ],
)
def test_demand_values(field, value, constraint):
    assert_rejected(constraint, update(DemandFactory(), **{field: value}))


def test_suggestion_invariants():
    suggestion = MatchSuggestionFactory()
    assert_rejected("suggestion_score_0_100", update(suggestion, score=Decimal("100.5")))
    assert_rejected("suggestion_rank_positive", update(suggestion, rank=0))
    assert_rejected("suggestion_dismissal_has_reason", update(suggestion, status="dismissed"))
    assert_rejected(
        "suggestion_one_per_ikm_per_demand",
        lambda: MatchSuggestion.objects.bulk_create(
            [
                MatchSuggestion(
                    demand=suggestion.demand,
                    ikm=suggestion.ikm,
                    rank=2,
                    score=Decimal("10"),
                    engine_version="test",
                )
            ]
        ),
    )


def test_event_end_not_before_start():
    event = LinkMatchEventFactory()
    assert_rejected(
        "event_end_not_before_start", update(event, end_date=datetime.date(2022, 10, 31))
    )


def test_mou_invariants():
    mou = MouFactory()
    assert_rejected("mou_end_after_start", update(mou, valid_until=mou.valid_from))
    assert_rejected("mou_signed_has_date", update(mou, signing_date=None))
    assert_rejected("mou_termination_has_reason", update(mou, status="terminated"))
    assert_rejected("mou_status_valid", update(mou, status="cancelled"))
    assert_rejected("kemitraan_mou_number_key", update(MouFactory(), number=mou.number))


def test_mou_participant_once_and_amount_positive():
    participant = MouParticipantFactory()
    assert_rejected(
        "mou_participant_amount_positive", update(participant, committed_market_access=0)
    )
    assert_rejected(
        "mou_participant_once",
        lambda: MouParticipant.objects.bulk_create(
            [MouParticipant(mou=participant.mou, ikm=participant.ikm, committed_market_access=1)]
        ),
    )


# --- pembiayaan --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"plafon": 0}, "akad_plafon_positive"),
        ({"plafon": -5}, "akad_plafon_positive"),
        ({"tenor_months": 0}, "akad_tenor_1_360"),
        ({"tenor_months": 361}, "akad_tenor_1_360"),
        ({"interest_rate": Decimal("100.01")}, "akad_rate_0_100"),
        ({"status": "approved_maybe"}, "akad_status_valid"),
        ({"grace_period_months": 36}, "akad_grace_within_tenor"),  # the factory's tenor
        ({"provision_fee": -1}, "akad_fees_not_negative"),
        ({"collectibility": 6}, "akad_collectibility_1_5"),
        ({"guarantee_coverage": Decimal("100.5")}, "akad_guarantee_coverage_0_100"),
        ({"status": "signed"}, "akad_signed_has_number_and_date"),
        (
            {"status": "signed", "akad_number": "AK/1", "signed_on": datetime.date(2022, 9, 1)},
            "akad_signed_after_applied",
        ),
    ],
)
def test_akad_invariants(values, constraint):
    assert_rejected(constraint, update(AkadKreditFactory(), **values))


def test_akad_number_unique_per_lender_but_not_across_lenders():
    first = AkadKreditFactory(akad_number="AK/2022/1")
    same_lender = AkadKreditFactory(lender=first.lender)
    assert_rejected("akad_number_unique_per_lender", update(same_lender, akad_number="AK/2022/1"))
    other_lender = AkadKreditFactory()
    AkadKredit.objects.filter(pk=other_lender.pk).update(akad_number="AK/2022/1")
    # Applications without a number yet do not collide.
    AkadKredit.objects.filter(pk=same_lender.pk).update(akad_number="")
    assert AkadKreditFactory(lender=first.lender, akad_number="").pk


def test_scheme_limits_in_order():
    scheme = CreditScheme.objects.get(code="kur-kecil")
    assert_rejected("scheme_plafon_range_in_order", update(scheme, max_plafon=1))
    assert_rejected("scheme_rate_0_100", update(scheme, max_rate=Decimal("101")))


def test_model_validation_reports_the_constraint_message_in_indonesian():
    """full_clean() turns the same constraints into messages users can read."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    mou = MouFactory.build(valid_until=datetime.date(2022, 1, 1))
    with translation.override("id"), pytest.raises(ValidationError) as excinfo:
        mou.full_clean()
    assert "MoU harus berakhir setelah dimulai." in str(excinfo.value)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: IkmFactory.build(tkdn=Decimal("120")), "TKDN must be between 0 and 100%."),
        (lambda: AkadKreditFactory.build(interest_rate=Decimal("101")), "0 and 100% a year"),
    ],
)
def test_constraint_messages_with_a_percent_sign_validate_cleanly(build, message):
    """Django %-formats constraint messages: a bare % would raise ValueError (a 500)."""
    from django.core.exceptions import ValidationError
    from django.utils import translation

    instance = build()
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        instance.validate_constraints()
    assert message in str(excinfo.value)
