"""Sign-in landing (each role lands where its work is) and the notification inbox."""

from django.shortcuts import redirect, render
from django.views.generic import ListView

from .models import Notification
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


class NotificationListView(ListView):
    """The signed-in user's own notifications, newest first."""

    template_name = "accounts/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 25

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user).order_by("-created_at", "-pk")
