"""Template context: what the navigation shows to the signed-in user's role."""

from .roles import Role
from .two_factor import TWO_FACTOR_ROLES


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = user.role
    return {
        "current_role": role,
        "nav_is_kemenperin": user.is_superuser or role == Role.KEMENPERIN,
        "nav_is_pengadaan": role == Role.PENGADAAN,
        "nav_is_kadin": user.is_superuser or role in (Role.KADIN, Role.KEMENPERIN),
        "nav_is_pembiayaan": role == Role.PEMBIAYAAN,
        "nav_two_factor": role in TWO_FACTOR_ROLES,
    }
