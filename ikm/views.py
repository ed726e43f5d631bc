"""Registry screens. The full directory and registration arrive with the registry issue."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count
from django.views.generic import ListView

from .models import IKM


class WorklistView(PermissionRequiredMixin, ListView):
    """Kemenperin's work queue: IKM by verification status, submitted ones first."""

    permission_required = "ikm.view_ikm"
    template_name = "ikm/worklist.html"
    paginate_by = 25

    def get_status(self):
        status = self.request.GET.get("status", IKM.Status.SUBMITTED)
        return status if status in IKM.Status.values else IKM.Status.SUBMITTED

    def get_queryset(self):
        return (
            IKM.objects.visible_to(self.request.user)
            .filter(verification_status=self.get_status())
            .select_related("province", "regency")
            .order_by("-updated_at", "name")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = dict(
            IKM.objects.visible_to(self.request.user)
            .values_list("verification_status")
            .annotate(n=Count("id"))
        )
        context["status"] = self.get_status()
        context["tabs"] = [
            (value, label, counts.get(value, 0)) for value, label in IKM.Status.choices
        ]
        return context
