"""Seed the 32 demo IKM (idempotent: an IKM whose NIB exists is left as it is)."""

import datetime

from .demo_data import DEMO_IKM
from .models import IKM, Certificate, CertificationType, Kbli, ProcessCapability, Regency

VERIFIED_AT = datetime.datetime(2022, 10, 20, 10, 0, tzinfo=datetime.UTC)


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def seed_ikm(*, verifier=None) -> dict[str, IKM]:
    """Create the demo IKM that do not exist yet; return all of them by NIB."""
    existing = IKM.objects.in_bulk([row["nib"] for row in DEMO_IKM], field_name="nib")
    cert_types = {c.code: c for c in CertificationType.objects.all()}
    for row in DEMO_IKM:
        if row["nib"] in existing:
            continue
        regency = Regency.objects.get(code=row["regency"])
        status = row["verification_status"]
        ikm = IKM(
            name=row["name"],
            legal_form=row["legal_form"],
            nib=row["nib"],
            npwp=row["npwp"],
            year_founded=row["year_founded"],
            address=row["address"],
            province_id=regency.province_id,
            regency=regency,
            workforce=row["workforce"],
            investment_value=row["investment_value"],
            annual_revenue=row["annual_revenue"],
            tkdn=row["tkdn"],
            products=row["products"],
            materials=row["materials"],
            monthly_capacity=row["monthly_capacity"],
            capacity_unit=row["capacity_unit"],
            verification_status=status,
            submitted_at=VERIFIED_AT - datetime.timedelta(days=10),
            verified_at=VERIFIED_AT if status == IKM.Status.VERIFIED else None,
            verified_by=verifier if status == IKM.Status.VERIFIED else None,
            contact_name=row["contact_name"],
            contact_phone=row["contact_phone"],
            contact_email=row["contact_email"],
            is_demo=True,
        )
        ikm.full_clean()
        ikm.save()
        ikm.kbli.set(Kbli.objects.filter(code__in=row["kbli"]))
        ikm.processes.set(ProcessCapability.objects.filter(slug__in=row["processes"]))
        for code, number, valid_from, valid_until in row["certifications"]:
            certificate = Certificate(
                ikm=ikm,
                certification_type=cert_types[code],
                number=number,
                valid_from=_date(valid_from),
                valid_until=_date(valid_until),
            )
            certificate.full_clean()
            certificate.save()
        existing[ikm.nib] = ikm
    return existing
