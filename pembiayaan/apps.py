from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class PembiayaanConfig(AppConfig):
    name = "pembiayaan"
    verbose_name = _("Financing")

    def ready(self):
        from accounts.models import Organisation
        from ikm.detail_sections import register_section as register_ikm_section
        from kemitraan.mou_sections import register_section as register_mou_section

        from .signals import ensure_lender_profile
        from .views import ikm_akad_section, mou_akad_section

        # Derived data: every lender-kind organisation has its LenderProfile.
        post_save.connect(ensure_lender_profile, sender=Organisation, dispatch_uid="lender_profile")
        register_ikm_section(ikm_akad_section)
        register_mou_section(mou_akad_section)
