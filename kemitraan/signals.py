"""Signal handlers: derived data only (see docs/architecture.md)."""


def ensure_buyer_profile(sender, instance, raw=False, **kwargs):
    """Give every buyer-kind organisation its BuyerProfile."""
    if raw or not instance.is_buyer:
        return
    from .models import BuyerProfile

    BuyerProfile.objects.get_or_create(organisation=instance)
