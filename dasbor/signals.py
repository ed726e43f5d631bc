"""Changes to the records the figures count ask for a new snapshot (debounced, on commit)."""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save


def _changed(sender, raw=False, **kwargs):
    if raw or not getattr(settings, "DASHBOARD_REFRESH_ON_CHANGE", True):
        return
    from .services import request_refresh

    transaction.on_commit(request_refresh)


def _registry_bulk_changed(sender, **kwargs):
    # Sent after an import has committed (bulk writes send no post_save).
    from .services import request_refresh

    request_refresh()


def connect():
    from ikm.models import IKM
    from ikm.signals import registry_bulk_changed
    from kemitraan.models import (
        BuyerProfile,
        Demand,
        EventParticipant,
        MatchSuggestion,
        Meeting,
        MoU,
        MouParticipant,
        PurchaseOrder,
    )
    from pembiayaan.models import AkadKredit, Disbursement, LenderProfile

    counted = (
        IKM,
        BuyerProfile,
        Demand,
        MatchSuggestion,
        Meeting,
        EventParticipant,
        MoU,
        MouParticipant,
        PurchaseOrder,
        LenderProfile,
        AkadKredit,
        Disbursement,
    )
    for model in counted:
        uid = f"dasbor-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(_changed, sender=IKM.kbli.through, dispatch_uid="dasbor-ikm-kbli")
    registry_bulk_changed.connect(_registry_bulk_changed, dispatch_uid="dasbor-registry-bulk")
