"""Signal handlers: derived data only (see docs/architecture.md)."""

import threading

from django.db import transaction


def ensure_buyer_profile(sender, instance, raw=False, **kwargs):
    """Give every buyer-kind organisation its BuyerProfile."""
    if raw or not instance.is_buyer:
        return
    from .models import BuyerProfile

    BuyerProfile.objects.get_or_create(organisation=instance)


def buyer_has_shortlisted(user, ikm) -> bool:
    """Contact rule for ikm.contacts: a procurement officer sees an IKM's contacts once
    their organisation has shortlisted (or contacted) it for one of its needs."""
    from accounts.roles import Role

    from .models import MatchSuggestion

    if user.role != Role.PENGADAAN or not user.organisation_id:
        return False
    return MatchSuggestion.objects.filter(
        ikm=ikm,
        demand__buyer__organisation_id=user.organisation_id,
        status__in=[MatchSuggestion.Status.SHORTLISTED, MatchSuggestion.Status.CONTACTED],
    ).exists()


# Suggestions are derived data: a changed supplier is rescored against the open needs.
# Ids changed in one transaction are collected and sent as one task when it commits.
_changed = threading.local()


def _flush_changed_ikm():
    ids = getattr(_changed, "ids", None)
    if not ids:
        return
    _changed.ids = set()
    from .tasks import ikm_rescore_task

    ikm_rescore_task.delay(sorted(ids))


def _queue_rescore(ikm_id):
    if ikm_id is None:
        return
    if not getattr(_changed, "ids", None):
        _changed.ids = set()
    _changed.ids.add(ikm_id)
    transaction.on_commit(_flush_changed_ikm)


def ikm_saved(sender, instance, raw=False, **kwargs):
    """IKM saved (verified, edited, deactivated...): rescore it."""
    if not raw:
        _queue_rescore(instance.pk)


def certificate_changed(sender, instance, raw=False, **kwargs):
    """A certificate added, changed or removed: rescore its IKM."""
    if not raw:
        _queue_rescore(instance.ikm_id)


def ikm_capabilities_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    """KBLI codes or processes of an IKM changed: rescore it."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _queue_rescore(instance.pk)
    else:
        for pk in pk_set or ():
            _queue_rescore(pk)


def registry_bulk_changed(sender, created=0, updated=0, **kwargs):
    """An import changed many IKM with bulk queries: recompute all open needs."""
    from .tasks import matches_recompute_all_task

    matches_recompute_all_task.delay()
