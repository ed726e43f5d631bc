"""Sign-in landing: each role lands where its work is."""

from django.shortcuts import redirect, render

from .roles import Role

ROLE_LANDING = {
    Role.KEMENPERIN: "ikm:worklist",
    Role.PENGADAAN: "kemitraan:demand-list",
    Role.KADIN: "dasbor:overview",
    Role.PEMBIAYAAN: "pembiayaan:akad-list",
}


def home(request):
    """Send a signed-in user to their role's work; a user without a role sees why."""
    user = request.user
    if user.role in ROLE_LANDING:
        return redirect(ROLE_LANDING[user.role])
    if user.is_superuser:
        return redirect(ROLE_LANDING[Role.KEMENPERIN])
    return render(request, "accounts/no_role.html", status=403)
