"""The four roles of the platform and the model permissions each holds.

Roles are Django Groups. They are created and kept in step with ``ROLE_PERMISSIONS``
by :func:`sync_roles`, which runs after every ``migrate`` (see ``AccountsConfig``),
so a new model's permissions reach the roles with the migration that adds it.
Nobody edits role permissions by hand in the admin: change this table instead.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    KEMENPERIN = "kemenperin", _("Kemenperin staff")
    PENGADAAN = "pengadaan", _("Procurement officer")
    KADIN = "kadin", _("KADIN admin")
    PEMBIAYAAN = "pembiayaan", _("Lender officer")


# Which organisation kinds a role's user may belong to (None: any or none).
ROLE_ORGANISATION_KINDS = {
    Role.KEMENPERIN: {"kemenperin"},
    Role.KADIN: {"kadin"},
    Role.PENGADAAN: {"apm", "tier1", "tier2", "industri_besar", "yayasan", "bumn"},
    Role.PEMBIAYAAN: {"bank", "multifinance", "modal_ventura", "bpr", "fintech"},
}
# Roles whose users must belong to an organisation: their records are scoped to it.
ROLES_REQUIRING_ORGANISATION = {Role.PENGADAAN, Role.PEMBIAYAAN}

_REFERENCE = [
    "ikm.view_province",
    "ikm.view_regency",
    "ikm.view_kbli",
    "ikm.view_processcapability",
    "ikm.view_certificationtype",
    "pembiayaan.view_creditscheme",
]
_READ_ALL = [
    *_REFERENCE,
    "accounts.view_organisation",
    "ikm.view_ikm",
    "ikm.view_certificate",
    "kemitraan.view_buyerprofile",
    "kemitraan.view_demand",
    "kemitraan.view_matchsuggestion",
    "kemitraan.view_linkmatchevent",
    "kemitraan.view_eventparticipant",
    "kemitraan.view_eventsession",
    "kemitraan.view_meeting",
    "kemitraan.view_mou",
    "kemitraan.view_mouparticipant",
    "kemitraan.view_mousupport",
    "kemitraan.view_mouwitness",
    "kemitraan.view_purchaseorder",
    "kemitraan.view_delivery",
    "kemitraan.view_payment",
    "pembiayaan.view_lenderprofile",
    "pembiayaan.view_akadkredit",
]
# Recording an MoU's details and its realisation (Kemenperin for any MoU, a procurement
# officer for their organisation's).
_MOU_RECORDS = [
    f"kemitraan.{action}_{model}"
    for model in ("mousupport", "mouwitness", "purchaseorder", "delivery", "payment")
    for action in ("view", "add", "change", "delete")
]

# "app_label.codename" per role. Object scoping (own organisation only) is applied
# on top of these by each model's ``QuerySet.visible_to(user)``.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.KEMENPERIN: [
        *_READ_ALL,
        "ikm.add_ikm",
        "ikm.change_ikm",
        "ikm.verify_ikm",
        "ikm.add_certificate",
        "ikm.change_certificate",
        "ikm.delete_certificate",
        "ikm.add_kbli",
        "ikm.change_kbli",
        "ikm.add_processcapability",
        "ikm.change_processcapability",
        "ikm.add_certificationtype",
        "ikm.change_certificationtype",
        "kemitraan.add_linkmatchevent",
        "kemitraan.change_linkmatchevent",
        # Link & Match: registrations and their approval, sessions, meetings
        "kemitraan.add_eventparticipant",
        "kemitraan.change_eventparticipant",
        "kemitraan.add_eventsession",
        "kemitraan.change_eventsession",
        "kemitraan.add_meeting",
        "kemitraan.change_meeting",
        "kemitraan.record_outcome_meeting",
        "kemitraan.add_mou",
        "kemitraan.change_mou",
        "kemitraan.add_mouparticipant",
        "kemitraan.change_mouparticipant",
        "kemitraan.delete_mouparticipant",
        *_MOU_RECORDS,
        "pembiayaan.add_creditscheme",
        "pembiayaan.change_creditscheme",
    ],
    Role.KADIN: [*_READ_ALL],
    Role.PENGADAAN: [
        *_REFERENCE,
        "ikm.view_ikm",
        "ikm.view_certificate",
        "kemitraan.view_buyerprofile",
        "kemitraan.change_buyerprofile",
        "kemitraan.view_demand",
        "kemitraan.add_demand",
        "kemitraan.change_demand",
        "kemitraan.view_matchsuggestion",
        "kemitraan.change_matchsuggestion",
        "kemitraan.view_linkmatchevent",
        # Link & Match: register their organisation, request meetings, record outcomes
        "kemitraan.view_eventparticipant",
        "kemitraan.add_eventparticipant",
        "kemitraan.view_eventsession",
        "kemitraan.view_meeting",
        "kemitraan.add_meeting",
        "kemitraan.record_outcome_meeting",
        "kemitraan.view_mou",
        "kemitraan.add_mou",
        "kemitraan.change_mou",
        "kemitraan.view_mouparticipant",
        "kemitraan.add_mouparticipant",
        "kemitraan.change_mouparticipant",
        "kemitraan.delete_mouparticipant",
        *_MOU_RECORDS,
    ],
    Role.PEMBIAYAAN: [
        *_REFERENCE,
        "ikm.view_ikm",
        "ikm.view_certificate",
        "kemitraan.view_linkmatchevent",
        "kemitraan.view_mou",
        "kemitraan.view_mouparticipant",
        "kemitraan.view_mousupport",
        "kemitraan.view_mouwitness",
        "kemitraan.view_purchaseorder",
        "kemitraan.view_delivery",
        "kemitraan.view_payment",
        "pembiayaan.view_lenderprofile",
        "pembiayaan.change_lenderprofile",
        "pembiayaan.view_akadkredit",
        "pembiayaan.add_akadkredit",
        "pembiayaan.change_akadkredit",
    ],
}


def sync_roles(*, verbosity: int = 0, **kwargs) -> None:
    """Create the role Groups and set exactly the permissions in ROLE_PERMISSIONS.

    Idempotent. A permission whose model does not exist yet is skipped; it is
    picked up by the ``migrate`` that creates it.
    """
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                wanted.append(perm)
            elif verbosity >= 2:
                print(f"sync_roles: {dotted} does not exist yet")
        group.permissions.set(wanted)
