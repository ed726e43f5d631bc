"""Seed the five demo lenders and the 34 akad of the 2022 Link & Match.

10 signed akad sum to exactly Rp24 miliar and 24 pipeline akad to exactly Rp82 miliar
(KADIN release, 10 Nov 2022). Idempotent: an akad is found by its lender and application
number and left as it is when it exists.
"""

import datetime

from accounts.demo import seed_organisation
from ikm.models import IKM
from kemitraan.models import MoU

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


def seed_akad(*, lenders: dict[str, LenderProfile], mou: MoU) -> None:
    schemes = {s.code: s for s in CreditScheme.objects.all()}
    rows = [(row, AkadKredit.Status.SIGNED) for row in SIGNED_AKAD] + [
        (row, AkadKredit.Status.PIPELINE) for row in PIPELINE_AKAD
    ]
    nibs = {row["borrower_nib"] for row, _ in rows}
    borrowers = IKM.objects.in_bulk(nibs, field_name="nib")
    for row, status in rows:
        lender = lenders[row["lender"]]
        if AkadKredit.objects.filter(
            lender=lender, application_number=row["application_number"]
        ).exists():
            continue
        akad = AkadKredit(
            lender=lender,
            borrower=borrowers[row["borrower_nib"]],
            scheme=schemes[row["scheme"]],
            mou=mou,
            application_number=row["application_number"],
            akad_number=row.get("akad_number", ""),
            plafon=row["plafon"],
            tenor_months=row["tenor_months"],
            interest_rate=row["interest_rate"],
            rate_type=row["rate_type"],
            rate_basis=row["rate_basis"],
            purpose=row["purpose"],
            status=status,
            applied_on=datetime.date.fromisoformat(row["applied_on"]),
            signed_on=(
                datetime.date.fromisoformat(row["signed_on"]) if row.get("signed_on") else None
            ),
            is_demo=True,
        )
        akad.full_clean()
        akad.save()
