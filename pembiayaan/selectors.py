"""Reads for lenders: each akad's coverage by the market its MoU commits, and the closed-loop
view of candidates (IKM with a committed market and no credit yet against it).

Coverage = the borrower's committed market access per year in the akad's MoU ÷ plafon. Above
1 the buyer's yearly commitment alone exceeds the credit; ``None`` when the akad rests on
no MoU (or the borrower has left it).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from ikm.models import IKM
from kemitraan import realisation
from kemitraan.models import MoU, MouParticipant

from .models import AkadKredit, Disbursement, LenderProfile

TWO_PLACES = Decimal("0.01")


def coverage_ratio(committed: int | None, plafon: int | None) -> Decimal | None:
    if not committed or not plafon:
        return None
    return (Decimal(committed) / Decimal(plafon)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def committed_by_akad(akads) -> dict[int, int]:
    """The borrower's committed market access (Rp/year) in each akad's MoU, by akad id. One
    query whatever the number of akad."""
    akads = [a for a in akads if a.mou_id]
    if not akads:
        return {}
    pairs = {(a.mou_id, a.borrower_id) for a in akads}
    rows = MouParticipant.objects.filter(
        mou_id__in={m for m, _ in pairs}, ikm_id__in={i for _, i in pairs}
    ).values_list("mou_id", "ikm_id", "committed_market_access")
    committed = {(m, i): amount for m, i, amount in rows}
    return {
        a.pk: committed[(a.mou_id, a.borrower_id)]
        for a in akads
        if (a.mou_id, a.borrower_id) in committed
    }


def with_coverage(akads) -> list[AkadKredit]:
    """Set ``committed_market_access`` and ``coverage`` on each akad (a list is returned)."""
    akads = list(akads)
    committed = committed_by_akad(akads)
    for akad in akads:
        akad.committed_market_access = committed.get(akad.pk)
        akad.coverage = coverage_ratio(akad.committed_market_access, akad.plafon)
    return akads


def totals(akads) -> dict:
    """Counts and plafon sums of signed and pipeline akad, and the disbursed total."""
    signed = akads.signed().aggregate(n=Count("id"), total=Sum("plafon"))
    pipeline = akads.in_pipeline().aggregate(n=Count("id"), total=Sum("plafon"))
    disbursed = Disbursement.objects.filter(akad__in=akads).aggregate(total=Sum("amount"))
    return {
        "signed_count": signed["n"],
        "signed_amount": signed["total"] or 0,
        "pipeline_count": pipeline["n"],
        "pipeline_amount": pipeline["total"] or 0,
        "disbursed_amount": disbursed["total"] or 0,
    }


def lenders_with_totals(user):
    """The lenders, each annotated with its akad the user may see: signed count and plafon,
    pipeline count and plafon."""
    visible = AkadKredit.objects.visible_to(user)
    signed = Q(akad__in=visible, akad__status__in=AkadKredit.SIGNED_STATUSES)
    pipeline = Q(akad__in=visible, akad__status__in=AkadKredit.PIPELINE_STATUSES)
    return (
        LenderProfile.objects.visible_to(user)
        .select_related("organisation")
        .annotate(
            signed_count=Count("akad", filter=signed),
            signed_amount=Sum("akad__plafon", filter=signed, default=0),
            pipeline_count=Count("akad", filter=pipeline),
            pipeline_amount=Sum("akad__plafon", filter=pipeline, default=0),
        )
        .order_by("organisation__name")
    )


# --- The closed loop: candidates ------------------------------------------------------------


@dataclass
class BuyerRecord:
    """How a buyer pays its IKM, over all its MoUs' purchase orders."""

    summary: realisation.Summary = field(default_factory=realisation.Summary)

    @property
    def paid_percent_of_delivered(self) -> Decimal | None:
        return realisation.percent(self.summary.paid, self.summary.delivered)


@dataclass
class Candidate:
    participant: MouParticipant
    summary: realisation.Summary
    buyer_record: BuyerRecord
    mou_visible: bool

    @property
    def ikm(self) -> IKM:
        return self.participant.ikm

    @property
    def mou(self) -> MoU:
        return self.participant.mou


def candidate_participants(user, *, today: datetime.date | None = None):
    """MoU participations a lender may lend against: the MoU is signed or in effect and
    still valid, the IKM is one the user may see, and no credit that still runs (any
    lender) rests on that MoU for that IKM."""
    today = today or timezone.localdate()
    live_credit = AkadKredit.objects.live().filter(
        mou_id=OuterRef("mou_id"), borrower_id=OuterRef("ikm_id")
    )
    return (
        MouParticipant.objects.filter(
            # MoUs whose market a lender can lend against: in force.
            mou__status__in=MoU.IN_FORCE_STATUSES,
            mou__valid_until__gte=today,
            ikm__in=IKM.objects.visible_to(user),
        )
        .exclude(Exists(live_credit))
        .select_related("ikm__regency", "ikm__province", "mou__buyer__organisation")
    )


def candidates(participants, user, *, today: datetime.date | None = None) -> list[Candidate]:
    """Each participation with its realisation so far and its buyer's payment record (over
    every MoU of that buyer). A fixed number of queries whatever the number of rows."""
    today = today or timezone.localdate()
    participants = list(participants)
    buyer_ids = {p.mou.buyer_id for p in participants}
    buyer_mous = list(
        MoU.objects.filter(buyer_id__in=buyer_ids)
        .exclude(status=MoU.Status.DRAFT)
        .prefetch_related("participants")
    )
    ledgers = realisation.mou_ledgers(buyer_mous, today=today)
    by_participant = {}
    records: dict[int, BuyerRecord] = {b: BuyerRecord() for b in buyer_ids}
    for mou in buyer_mous:
        ledger = ledgers[mou.pk]
        records[mou.buyer_id].summary.merge(ledger["total"])
        for row in ledger["rows"]:
            by_participant[row["participant"].pk] = row["summary"]
    visible_mous = set(
        MoU.objects.visible_to(user)
        .filter(pk__in={p.mou_id for p in participants})
        .values_list("pk", flat=True)
    )
    return [
        Candidate(
            participant=p,
            summary=by_participant.get(p.pk)
            or realisation.Summary(committed=p.committed_market_access),
            buyer_record=records[p.mou.buyer_id],
            mou_visible=p.mou_id in visible_mous,
        )
        for p in participants
    ]
