"""Seed the demo buyers, their needs, the Link & Match event and the YDBA MoU.

Idempotent: records are found by natural keys (organisation name, event name, MoU number,
buyer and need title, MoU and IKM) and left as they are when they exist.
"""

import datetime

from django.utils import timezone

from accounts.demo import seed_organisation
from accounts.models import Organisation
from ikm.demo_data import DEMO_IKM
from ikm.models import IKM, CertificationType, Kbli, ProcessCapability, Regency

from .demo_data import BUYERS, DEMANDS, EVENT, MOU
from .models import BuyerProfile, Demand, LinkMatchEvent, MoU, MouParticipant


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def seed_buyers() -> dict[str, BuyerProfile]:
    buyers = {}
    for row in BUYERS:
        organisation = seed_organisation(row["name"], row["kind"])
        profile = BuyerProfile.objects.get(organisation=organisation)
        if not profile.nib:  # fill the profile once, when it is still empty
            regency = Regency.objects.get(code=row["regency"])
            profile.group_name = row["group_name"]
            profile.brands = row["brands"]
            profile.nib = row["nib"]
            profile.address = row["address"]
            profile.province_id = regency.province_id
            profile.regency = regency
            profile.description = row["description"]
            profile.full_clean()
            profile.save()
        buyers[row["key"]] = profile
    return buyers


def seed_demands(buyers: dict[str, BuyerProfile]) -> None:
    for row in DEMANDS:
        buyer = buyers[row["buyer"]]
        if Demand.objects.filter(buyer=buyer, title=row["title"]).exists():
            continue
        regency = Regency.objects.get(code=row["regency"]) if row["regency"] else None
        demand = Demand(
            buyer=buyer,
            title=row["title"],
            description=row["description"],
            quantity_per_month=row["quantity_per_month"],
            unit=row["unit"],
            annual_value=row["annual_value"],
            province_id=row["province"] or (regency.province_id if regency else None),
            regency=regency,
            min_tkdn=row["min_tkdn"],
            verified_only=row["verified_only"],
            is_demo=True,
        )
        demand.full_clean()
        demand.save()
        demand.kbli.set(Kbli.objects.filter(code__in=row["kbli"]))
        demand.processes.set(ProcessCapability.objects.filter(slug__in=row["processes"]))
        demand.required_certifications.set(
            CertificationType.objects.filter(code__in=row["required_certifications"])
        )
        demand.preferred_certifications.set(
            CertificationType.objects.filter(code__in=row["preferred_certifications"])
        )


def seed_event() -> LinkMatchEvent:
    event = LinkMatchEvent.objects.filter(name=EVENT["name"]).first()
    if event is None:
        event = LinkMatchEvent(
            name=EVENT["name"],
            kind=EVENT["kind"],
            sector=EVENT["sector"],
            start_date=_date(EVENT["start_date"]),
            end_date=_date(EVENT["end_date"]),
            venue=EVENT["venue"],
            city=EVENT["city"],
            organiser=Organisation.objects.get(kind="kemenperin", is_demo=True),
            description=EVENT["description"],
            is_demo=True,
        )
        event.full_clean()
        event.save()
    return event


def seed_mou(*, buyer: BuyerProfile, event: LinkMatchEvent) -> MoU:
    mou = MoU.objects.filter(number=MOU["number"]).first()
    if mou is None:
        mou = MoU(
            number=MOU["number"],
            title=MOU["title"],
            buyer=buyer,
            event=event,
            purpose=MOU["purpose"],
            signing_date=_date(MOU["signing_date"]),
            signing_place=MOU["signing_place"],
            valid_from=_date(MOU["valid_from"]),
            valid_until=_date(MOU["valid_until"]),
            partnership_pattern=MOU["partnership_pattern"],
            status=MoU.Status.ACTIVE,
            is_demo=True,
        )
        mou.full_clean()
        mou.save()
    ikm_by_nib = IKM.objects.in_bulk([row["nib"] for row in DEMO_IKM], field_name="nib")
    present = set(mou.participants.values_list("ikm__nib", flat=True))
    for row in DEMO_IKM:
        if row["nib"] in present:
            continue
        participant = MouParticipant(
            mou=mou,
            ikm=ikm_by_nib[row["nib"]],
            committed_market_access=row["committed_market_access"],
            committed_parts=row["committed_parts"],
        )
        participant.full_clean()
        participant.save()
    return mou


# Demo orders: three per participant, placed 240, 150 and 60 days before the seeding,
# each delivered 20 days after the order. Most are paid within the 30-day terms; every
# fifth participant pays 20 days late (so its latest order is overdue on the seeding day);
# the last order of every eighth is not paid at all (overdue). Values: a quarter of the
# participant's yearly commitment per order.
PO_ORDER_DAYS_AGO = (240, 150, 60)


def seed_purchase_orders(*, mou: MoU, actor, today: datetime.date | None = None) -> int:
    """Record the demo orders, deliveries and payments through the realisation ledger's
    services (as the buyer's officer ``actor``). Skipped when the MoU already has orders."""
    from .models import PurchaseOrder
    from .realisation import delivery_record, payment_record, purchase_order_record

    if PurchaseOrder.objects.filter(participant__mou=mou).exists():
        return 0
    today = today or timezone.localdate()
    participants = mou.participants.select_related("ikm").order_by("ikm__nib")
    count = 0
    for index, participant in enumerate(participants, start=1):
        for sequence, days_ago in enumerate(PO_ORDER_DAYS_AGO, start=1):
            order_date = today - datetime.timedelta(days=days_ago)
            po = purchase_order_record(
                participant=participant,
                number=f"PO/YDBA/{order_date:%Y%m}/{index:03d}",
                order_date=order_date,
                value=participant.committed_market_access // 4,
                payment_terms_days=30,
                description=participant.committed_parts[:200],
                actor=actor,
            )
            delivered_on = order_date + datetime.timedelta(days=20)
            delivery_record(
                purchase_order=po,
                date=delivered_on,
                value=po.value,
                reference=f"SJ/{po.number}",
                actor=actor,
            )
            last = sequence == len(PO_ORDER_DAYS_AGO)
            if last and index % 8 == 0:
                count += 1
                continue  # not paid yet: overdue since the due date
            late = 20 if index % 5 == 0 else 0
            paid_on = delivered_on + datetime.timedelta(days=28 + late)
            if paid_on <= today:
                payment_record(
                    purchase_order=po,
                    date=paid_on,
                    value=po.value,
                    reference=f"TRF/{po.number}",
                    actor=actor,
                )
            count += 1
    return count
