"""Seed the five demo lenders and the 34 akad of the 2022 Link & Match, through the
same services a lender officer uses (:mod:`pembiayaan.services`).

10 signed akad sum to exactly Rp24 miliar and 24 pipeline akad to exactly Rp82 miliar
(KADIN release, 10 Nov 2022). Idempotent: an akad is found by its lender and application
number and left as it is when it exists.
"""

import datetime

from accounts.demo import seed_organisation
from ikm.models import IKM
from kemitraan.models import MoU

from . import services
from .demo_data import LENDERS, PIPELINE_AKAD, SIGNED_AKAD
from .models import AkadKredit, CreditScheme, LenderProfile


def seed_lenders() -> dict[str, LenderProfile]:
    lenders = {}
    for row in LENDERS:
        organisation = seed_organisation(row["name"], row["kind"])
        profile = LenderProfile.objects.get(organisation=organisation)
        if not profile.short_name:
            profile.short_name = row["short_name"]
            profile.full_clean()
            profile.save()
        lenders[row["key"]] = profile
    return lenders


# What happened after signing, per signed demo akad (by akad number): tranches as
# (date, share of the plafon in percent), then a collectibility report or a pay-off.
# The ten stay "signed" in the KADIN sense (signed, disbursed, repaying or paid off).
AFTER_SIGNING = {
    "MDR/AK/KMK/2022/1101": {
        "tranches": [("2022-11-14", 60), ("2023-01-16", 40)],
        "collectibility": (1, "2023-06-30"),
    },
    "MDR/AK/KI/2022/1102": {
        "tranches": [("2022-12-01", 50), ("2023-03-01", 30)],
        "collectibility": (1, "2023-06-30"),
    },
    "SMS/AK/KMK/2022/1101": {"tranches": [("2022-11-21", 100)], "paid_off": "2024-11-15"},
    "SMS/AK/KUR/2022/1102": {
        "tranches": [("2022-11-07", 100)],
        "collectibility": (2, "2023-06-30"),
    },
    "SANF/AK/LS/2022/1101": {
        "tranches": [("2022-11-28", 100)],
        "collectibility": (1, "2023-06-30"),
    },
    "SANF/AK/LS/2022/1102": {"tranches": [("2022-12-12", 100)]},
    "AMV/AK/MV/2022/1101": {"tranches": [("2022-12-05", 50)]},
    "BRI/AK/KMK/2022/1101": {"tranches": [("2022-11-10", 100)], "paid_off": "2024-11-08"},
}
# Applications already approved among the pipeline (the rest await the lender's decision).
APPROVED_PIPELINE = 8

GUARANTEE = {"kur-kecil": ("askrindo", "70.00")}


def _collaterals(scheme_code: str, plafon: int) -> list[dict]:
    """Plausible collateral for the demo: about 125% of the plafon, bound as the law asks."""
    value = plafon * 125 // 100
    if scheme_code == "kmk":
        return [
            {"kind": "inventory", "value": value // 2, "binding": "fidusia",
             "description": "Persediaan bahan baku dan barang jadi"},
            {"kind": "receivables", "value": value - value // 2, "binding": "fidusia",
             "description": "Piutang dagang kepada pembeli dalam MoU"},
        ]  # fmt: skip
    if scheme_code == "ki":
        return [
            {"kind": "machinery", "value": value // 2, "binding": "fidusia",
             "description": "Mesin yang dibiayai"},
            {"kind": "land_building", "value": value - value // 2, "binding": "hak_tanggungan",
             "description": "Tanah dan bangunan pabrik (SHGB)"},
        ]  # fmt: skip
    if scheme_code == "leasing":
        return [{"kind": "machinery", "value": plafon, "binding": "fidusia",
                 "description": "Mesin objek sewa guna usaha"}]  # fmt: skip
    if scheme_code.startswith("kur"):
        return [{"kind": "vehicle", "value": value, "binding": "fidusia",
                 "description": "Kendaraan niaga (BPKB)"}]  # fmt: skip
    return []


def seed_akad(*, lenders: dict[str, LenderProfile], mou: MoU) -> None:
    """Every demo akad goes through the same services as a lender officer's: applied,
    approved, signed, disbursed in tranches, collectibility reported, paid off."""
    schemes = {s.code: s for s in CreditScheme.objects.all()}
    rows = [(row, True) for row in SIGNED_AKAD] + [(row, False) for row in PIPELINE_AKAD]
    nibs = {row["borrower_nib"] for row, _ in rows}
    borrowers = IKM.objects.in_bulk(nibs, field_name="nib")
    approved_left = APPROVED_PIPELINE
    for row, signed in rows:
        lender = lenders[row["lender"]]
        if AkadKredit.objects.filter(
            lender=lender, application_number=row["application_number"]
        ).exists():
            continue
        guarantor, coverage = GUARANTEE.get(row["scheme"], ("", None))
        akad = AkadKredit(
            lender=lender,
            borrower=borrowers[row["borrower_nib"]],
            scheme=schemes[row["scheme"]],
            mou=mou,
            application_number=row["application_number"],
            plafon=row["plafon"],
            tenor_months=row["tenor_months"],
            interest_rate=row["interest_rate"],
            rate_type=row["rate_type"],
            rate_basis=row["rate_basis"],
            provision_fee=row["plafon"] // 100,  # 1%
            admin_fee=2_500_000,
            grace_period_months=3 if row["scheme"] == "ki" else 0,
            guarantor=guarantor,
            guarantee_coverage=coverage,
            purpose=row["purpose"],
            applied_on=_day(row["applied_on"]),
            is_demo=True,
        )
        services.akad_apply(
            akad=akad, collaterals=_collaterals(row["scheme"], row["plafon"]), actor=None
        )
        if signed:
            signed_on = _day(row["signed_on"])
            approved_on = max(akad.applied_on, signed_on - datetime.timedelta(days=10))
            services.akad_approve(akad=akad, approved_on=approved_on, actor=None)
            services.akad_sign(
                akad=akad, akad_number=row["akad_number"], signed_on=signed_on, actor=None
            )
            _after_signing(akad, AFTER_SIGNING.get(row["akad_number"], {}))
        elif approved_left:
            approved_left -= 1
            services.akad_approve(
                akad=akad, approved_on=akad.applied_on + datetime.timedelta(days=14), actor=None
            )


def _day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _after_signing(akad: AkadKredit, plan: dict) -> None:
    for day, share in plan.get("tranches", ()):
        services.akad_disburse(
            akad=akad,
            amount=akad.plafon * share // 100,
            disbursed_on=_day(day),
            note=f"Tahap pencairan {share}%",
            actor=None,
        )
    if "collectibility" in plan:
        grade, as_of = plan["collectibility"]
        services.akad_report_collectibility(
            akad=akad, collectibility=grade, as_of=_day(as_of), actor=None
        )
    if "paid_off" in plan:
        services.akad_pay_off(akad=akad, paid_off_on=_day(plan["paid_off"]), actor=None)
