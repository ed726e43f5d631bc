"""Signal handlers: derived data only (see docs/architecture.md)."""


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
