from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class PembiayaanConfig(AppConfig):
    name = "pembiayaan"
    verbose_name = _("Financing")

    def ready(self):
        from accounts.models import Organisation

        from .signals import ensure_lender_profile

        # Derived data: every lender-kind organisation has its LenderProfile.
        post_save.connect(ensure_lender_profile, sender=Organisation, dispatch_uid="lender_profile")
