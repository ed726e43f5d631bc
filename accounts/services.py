"""Writes with rules for accounts: provisioning organisations and users."""

import difflib

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Organisation, User
from .roles import ROLE_ORGANISATION_KINDS, ROLES_REQUIRING_ORGANISATION, Role


def closest_organisation_names(name: str, kinds=None, limit: int = 5) -> list[str]:
    names = Organisation.objects.all()
    if kinds:
        names = names.filter(kind__in=kinds)
    names = list(names.values_list("name", flat=True))
    lowered = {n.lower(): n for n in names}
    close = difflib.get_close_matches(name.lower(), lowered, n=limit, cutoff=0.4)
    contains = [n for n in names if name.lower() in n.lower() and n.lower() not in close]
    return [lowered[c] for c in close] + contains[: max(0, limit - len(close))]


@transaction.atomic
def organisation_create(*, name: str, kind: str) -> Organisation:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("The organisation needs a name.")})
    if kind not in Organisation.Kind.values:
        raise ValidationError(
            {
                "kind": _("Unknown kind %(kind)s. Choose one of: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(Organisation.Kind.values)}
            }
        )
    existing = Organisation.objects.filter(name__iexact=name).first()
    if existing is not None:
        raise ValidationError(
            {"name": _("An organisation named %(name)s already exists.") % {"name": existing.name}}
        )
    organisation = Organisation(name=name, kind=kind)
    organisation.full_clean()
    organisation.save()
    return organisation


def _organisation_for_role(role: Role, org_name: str | None) -> Organisation | None:
    kinds = ROLE_ORGANISATION_KINDS[role]
    if not org_name:
        if role in ROLES_REQUIRING_ORGANISATION:
            raise ValidationError(
                {
                    "org": _("The role %(role)s needs --org: the organisation the user works for.")
                    % {"role": role.value}
                }
            )
        return None
    organisation = Organisation.objects.filter(name__iexact=" ".join(org_name.split())).first()
    if organisation is None:
        suggestions = closest_organisation_names(org_name, kinds)
        message = _("No organisation named %(name)s.") % {"name": org_name}
        if suggestions:
            message += " " + _("Closest names: %(names)s.") % {"names": "; ".join(suggestions)}
        else:
            message += " " + _("Create it first with add_org.")
        raise ValidationError({"org": message})
    if organisation.kind not in kinds:
        raise ValidationError(
            {
                "org": _(
                    "%(name)s is of kind %(kind)s; the role %(role)s needs an organisation "
                    "of kind %(kinds)s."
                )
                % {
                    "name": organisation.name,
                    "kind": organisation.kind,
                    "role": role.value,
                    "kinds": ", ".join(sorted(kinds)),
                }
            }
        )
    return organisation


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    password: str,
    org_name: str | None = None,
    email: str = "",
    validate: bool = True,
) -> User:
    """Create a user with one role, in a fitting organisation. Nothing is written on error."""
    if role not in Role.values:
        raise ValidationError(
            {
                "role": _("Unknown role %(role)s. Choose one of: %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)}
            }
        )
    role = Role(role)
    taken = User.objects.filter(username__iexact=username).first()
    if taken is not None:
        raise ValidationError(
            {"username": _("The username %(username)s is taken.") % {"username": taken.username}}
        )
    organisation = _organisation_for_role(role, org_name)
    # Kemenperin staff curate reference data (KBLI, processes, schemes) in the admin.
    user = User(
        username=username,
        email=email,
        organisation=organisation,
        is_staff=role == Role.KEMENPERIN,
    )
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.add(Group.objects.get(name=role.value))
    return user
