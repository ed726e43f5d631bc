"""The program's headline figures, computed live from the three domain apps.

The dashboard issue replaces the live computation with Celery-computed snapshots;
until then these few aggregate queries are cheap at demo scale.
"""

from django.db.models import Count, Sum

from ikm.models import IKM
from kemitraan.models import Demand, MoU, MouParticipant
from pembiayaan.models import AkadKredit


def program_figures(user) -> dict:
    ikm = IKM.objects.visible_to(user)
    akad = AkadKredit.objects.visible_to(user)
    mous = MoU.objects.visible_to(user)
    participants = MouParticipant.objects.filter(
        mou__in=mous.filter(status__in=["signed", "active"])
    )
    signed = akad.signed().aggregate(n=Count("id"), total=Sum("plafon"))
    pipeline = akad.in_pipeline().aggregate(n=Count("id"), total=Sum("plafon"))
    return {
        "ikm_total": ikm.count(),
        "ikm_verified": ikm.filter(verification_status=IKM.Status.VERIFIED).count(),
        "demands_open": Demand.objects.visible_to(user).filter(status="open").count(),
        "mou_active": mous.filter(status__in=["signed", "active"]).count(),
        "mou_ikm": participants.values("ikm").distinct().count(),
        "market_access_per_year": participants.aggregate(t=Sum("committed_market_access"))["t"]
        or 0,
        "akad_signed_count": signed["n"],
        "akad_signed_amount": signed["total"] or 0,
        "akad_pipeline_count": pipeline["n"],
        "akad_pipeline_amount": pipeline["total"] or 0,
    }
