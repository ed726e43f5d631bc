"""Buyer screens. Posting needs and suggestions arrive with the matchmaking issue."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count
from django.views.generic import ListView

from .models import Demand, MoU


class DemandListView(PermissionRequiredMixin, ListView):
    """Procurement needs in the user's scope, with how many suppliers were suggested."""

    permission_required = "kemitraan.view_demand"
    template_name = "kemitraan/demand_list.html"
    paginate_by = 25

    def get_queryset(self):
        return (
            Demand.objects.visible_to(self.request.user)
            .select_related("buyer__organisation", "province", "regency")
            .annotate(suggestion_count=Count("suggestions"))
            .order_by("status", "-created_at")
        )


class MouListView(PermissionRequiredMixin, ListView):
    """MoUs in the user's scope with their committed market access."""

    permission_required = "kemitraan.view_mou"
    template_name = "kemitraan/mou_list.html"
    paginate_by = 25

    def get_queryset(self):
        return (
            MoU.objects.visible_to(self.request.user)
            .with_market_access()
            .annotate(participant_count=Count("participants"))
            .select_related("buyer__organisation", "event")
            .order_by("-valid_from", "number")
        )
