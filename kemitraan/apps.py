from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class KemitraanConfig(AppConfig):
    name = "kemitraan"
    verbose_name = _("Partnerships")

    def ready(self):
        from accounts.models import Organisation
        from ikm.contacts import register_contact_rule

        from .signals import buyer_has_shortlisted, ensure_buyer_profile

        # Derived data: every buyer-kind organisation has its BuyerProfile, however it
        # was created (add_org, the admin, seed_demo). accounts cannot import kemitraan.
        post_save.connect(ensure_buyer_profile, sender=Organisation, dispatch_uid="buyer_profile")
        # A buyer sees an IKM's contacts once they shortlisted it (the higher app calls down).
        register_contact_rule(buyer_has_shortlisted)
