from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class KemitraanConfig(AppConfig):
    name = "kemitraan"
    verbose_name = _("Partnerships")

    def ready(self):
        from accounts.models import Organisation
        from ikm.contacts import register_contact_rule
        from ikm.detail_sections import register_section
        from ikm.models import IKM, Certificate
        from ikm.signals import registry_bulk_changed as ikm_registry_bulk_changed

        from . import signals
        from .event_views import ikm_meeting_request_section
        from .signals import buyer_has_shortlisted, ensure_buyer_profile
        from .views import ikm_matching_needs_section

        # Derived data: every buyer-kind organisation has its BuyerProfile, however it
        # was created (add_org, the admin, seed_demo). accounts cannot import kemitraan.
        post_save.connect(ensure_buyer_profile, sender=Organisation, dispatch_uid="buyer_profile")
        # A buyer sees an IKM's contacts once they shortlisted it (the higher app calls down).
        register_contact_rule(buyer_has_shortlisted)
        # The IKM page lists the open needs the IKM is suggested for (Kemenperin, KADIN).
        register_section(ikm_matching_needs_section)
        # ... and, for a buyer's officer, a button to request a Link & Match meeting.
        register_section(ikm_meeting_request_section)
        # Suggestions are derived data: a changed supplier is rescored (on commit, one
        # Celery task per transaction); an import triggers a full recompute.
        post_save.connect(signals.ikm_saved, sender=IKM, dispatch_uid="match_ikm_saved")
        for model in (Certificate,):
            post_save.connect(signals.certificate_changed, sender=model, dispatch_uid="match_cert")
            post_delete.connect(
                signals.certificate_changed, sender=model, dispatch_uid="match_cert_deleted"
            )
        for through in (IKM.kbli.through, IKM.processes.through):
            m2m_changed.connect(
                signals.ikm_capabilities_changed,
                sender=through,
                dispatch_uid=f"match_{through.__name__}",
            )
        ikm_registry_bulk_changed.connect(
            signals.registry_bulk_changed, dispatch_uid="match_registry_bulk_changed"
        )
