"""API of partnerships: procurement needs (``/api/v1/demands/``) and their suggestions.

A procurement officer posts and edits their own organisation's needs (the buyer is always
the officer's organisation's); Kemenperin and KADIN read every need; lenders have no
access. Needs outside the user's scope are 404. No deletion: a need is closed through its
status.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import DjangoModelPermissions, IsAuthenticated
from rest_framework.response import Response

from .models import BuyerProfile, Demand, MatchSuggestion
from .serializers import M2M_FIELDS, DemandSerializer, MatchSuggestionSerializer

NO_BUYER_PROFILE = _(
    "Your organisation has no buyer profile, so it cannot post procurement needs. "
    "Ask a Kemenperin administrator to set it up."
)


class DemandFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Demand.Status.choices)
    search = filters.CharFilter(
        method="filter_search", help_text=_("Words in the title or description.")
    )

    class Meta:
        model = Demand
        fields = ["status", "search"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))


class DemandPermission(DjangoModelPermissions):
    """Reading needs ``kemitraan.view_demand`` (Kemenperin, KADIN, procurement officers);
    creating ``add_demand`` and editing ``change_demand`` (procurement officers)."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        # No DELETE: 405 for everyone (close a need through its status).
    }


class KemitraanPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class DemandViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Procurement needs in the user's scope (``visible_to``: others are 404), newest
    first. A procurement officer posts needs for their own organisation; their suggestions
    are computed in the background once the need is saved. No deletion: close a need by
    setting its status."""

    serializer_class = DemandSerializer
    filterset_class = DemandFilter
    permission_classes = [IsAuthenticated, DemandPermission]
    pagination_class = KemitraanPagination

    def get_queryset(self):
        return (
            Demand.objects.visible_to(self.request.user)
            .select_related("buyer__organisation", "province", "regency")
            .prefetch_related(*M2M_FIELDS)
            .order_by("-created_at", "-pk")
        )

    def _own_buyer(self) -> BuyerProfile:
        user = self.request.user
        buyer = None
        if user.organisation_id:
            buyer = BuyerProfile.objects.filter(organisation_id=user.organisation_id).first()
        if buyer is None:
            raise PermissionDenied(NO_BUYER_PROFILE)
        return buyer

    def create(self, request, *args, **kwargs):
        buyer = self._own_buyer()  # before validation: no point correcting the payload
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save(buyer=buyer)
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses=MatchSuggestionSerializer(many=True),
        summary="Suppliers suggested for a need, best first.",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def suggestions(self, request, pk=None):
        """The need's suggestions ordered by rank (dismissed ones included, with their
        reason). Needs ``kemitraan.view_matchsuggestion`` on top of reading the need."""
        if not request.user.has_perm("kemitraan.view_matchsuggestion"):
            raise PermissionDenied()
        demand = get_object_or_404(Demand.objects.visible_to(request.user), pk=pk)
        self.check_object_permissions(request, demand)
        suggestions = (
            MatchSuggestion.objects.filter(demand=demand)
            .select_related("ikm")
            .order_by("rank", "pk")
        )
        page = self.paginate_queryset(suggestions)
        serializer = MatchSuggestionSerializer(
            page, many=True, context=self.get_serializer_context()
        )
        return self.get_paginated_response(serializer.data)
