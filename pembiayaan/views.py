"""Lender screens. The akad lifecycle arrives with the financing issue."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.views.generic import ListView

from .models import AkadKredit


class AkadListView(PermissionRequiredMixin, ListView):
    """Akad kredit in the user's scope (a lender officer: their lender's only)."""

    permission_required = "pembiayaan.view_akadkredit"
    template_name = "pembiayaan/akad_list.html"
    paginate_by = 25

    def get_status(self):
        status = self.request.GET.get("status", "")
        return status if status in AkadKredit.Status.values else ""

    def get_queryset(self):
        qs = AkadKredit.objects.visible_to(self.request.user).select_related(
            "lender__organisation", "borrower", "scheme", "mou"
        )
        if status := self.get_status():
            qs = qs.filter(status=status)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["status"] = self.get_status()
        context["statuses"] = AkadKredit.Status.choices
        return context
