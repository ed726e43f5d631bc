"""Signal handlers: derived data only (see docs/architecture.md)."""


def ensure_lender_profile(sender, instance, raw=False, **kwargs):
    """Give every lender-kind organisation its LenderProfile."""
    if raw or not instance.is_lender:
        return
    from .models import LenderProfile

    LenderProfile.objects.get_or_create(organisation=instance)
