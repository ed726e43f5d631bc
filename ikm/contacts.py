"""Who may see an IKM's contact person, phone and e-mail (personal data, UU PDP).

Kemenperin and KADIN see them. Another role sees them only when a rule registered by a
higher app says so: kemitraan registers "the user's buyer organisation has shortlisted
this IKM" (higher apps call down; ikm never imports them). Every reveal is recorded.
"""

from collections.abc import Callable

from accounts.security import client_ip_address

from .models import IKM, ContactReveal

# Callables (user, ikm) -> bool, registered by higher apps in their AppConfig.ready().
_grant_rules: list[Callable] = []


def register_contact_rule(rule: Callable) -> None:
    if rule not in _grant_rules:
        _grant_rules.append(rule)


def can_see_contacts(user, ikm: IKM) -> bool:
    if not user.is_authenticated:
        return False
    if user.sees_everything:
        return True
    return any(rule(user, ikm) for rule in _grant_rules)


def contact_reveal_record(*, user, ikm: IKM, request=None, context: str = "") -> ContactReveal:
    """Record that ``user`` was shown ``ikm``'s contact data (who, what, when, from where)."""
    ip = client_ip_address(request) if request is not None else None
    return ContactReveal.objects.create(user=user, ikm=ikm, ip_address=ip, context=context[:100])


def contacts_for(user, ikm: IKM, *, request=None, context: str = "") -> dict | None:
    """The contact data when ``user`` may see it (recording the reveal), else None."""
    if not can_see_contacts(user, ikm):
        return None
    if not (ikm.contact_name or ikm.contact_phone or ikm.contact_email):
        return {"name": "", "phone": "", "email": ""}
    contact_reveal_record(user=user, ikm=ikm, request=request, context=context)
    return {"name": ikm.contact_name, "phone": ikm.contact_phone, "email": ikm.contact_email}
