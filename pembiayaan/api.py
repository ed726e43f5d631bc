"""API of financing: lenders (``/api/v1/lenders/``) and akad kredit (``/api/v1/akad/``).

Lenders: read-only, for every role that may view lenders (``pembiayaan.view_lenderprofile``:
Kemenperin, KADIN, lender officers; a procurement officer gets 403). Each carries its akad
totals over the akad the user may see, or ``null`` for a lender whose akad the user may not
see (a lender officer sees their own lender's only).

Akad: the scoping of the akad page (``AkadKredit.objects.visible_to``): a lender officer
reads and records their own lender's akad only (others are 404), Kemenperin and KADIN read
all and write nothing (403), a procurement officer has no access (403). A new application
is always the officer's own lender's. Terms are edited (PATCH) while the application is in
the pipeline or approved; the life cycle moves through POST actions (``approve/``,
``sign/``, ``disburse/``, ``collectibility/``, ``pay-off/``, ``reject/``, ``cancel/``) with
``pembiayaan.change_akadkredit`` and the scope. Every write goes through
:mod:`pembiayaan.services`; a refusal is a 400 with its messages by field, in the request's
language. No deletion: reject or cancel instead.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, DjangoModelPermissions, IsAuthenticated
from rest_framework.response import Response

from kemitraan.api import DemandPermission, KemitraanPagination
from kemitraan.models import MouParticipant, PurchaseOrder

from . import services
from .models import AkadKredit, Collateral, Disbursement, LenderProfile
from .serializers import (
    AkadApproveSerializer,
    AkadCollectibilitySerializer,
    AkadDisburseSerializer,
    AkadPayOffSerializer,
    AkadReasonSerializer,
    AkadSerializer,
    AkadSignSerializer,
    LenderSerializer,
    service_error,
)

NO_LENDER_PROFILE = _(
    "Your organisation has no lender profile, so it cannot record credit. "
    "Ask a Kemenperin administrator to set it up."
)


# --- Lenders --------------------------------------------------------------------------------


class LenderPermission(DjangoModelPermissions):
    """Reading needs ``pembiayaan.view_lenderprofile``; any other method is 405 for all
    (lenders are edited on their pages)."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
    }


class LenderViewSet(viewsets.ReadOnlyModelViewSet):
    """Lenders by name (read-only), each with its akad totals in the user's scope."""

    serializer_class = LenderSerializer
    permission_classes = [IsAuthenticated, LenderPermission]
    pagination_class = KemitraanPagination

    def get_queryset(self):
        return (
            LenderProfile.objects.visible_to(self.request.user)
            .select_related("organisation")
            .order_by("organisation__name", "pk")
        )


# --- Akad kredit ----------------------------------------------------------------------------


class AkadFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=AkadKredit.Status.choices)
    scheme = filters.CharFilter(field_name="scheme__code", help_text=_("Scheme code."))
    lender = filters.NumberFilter(field_name="lender_id", help_text=_("Lender id."))
    borrower = filters.CharFilter(field_name="borrower__nib", help_text=_("Borrower's NIB."))
    mou = filters.NumberFilter(field_name="mou_id", help_text=_("MoU id."))

    class Meta:
        model = AkadKredit
        fields = ["status", "scheme", "lender", "borrower", "mou"]


class ChangeAkadPermission(BasePermission):
    """The actions need ``pembiayaan.change_akadkredit`` (checked before the scope: 403,
    then 404 for an akad outside it)."""

    def has_permission(self, request, view):
        return request.user.has_perm("pembiayaan.change_akadkredit")


TRANSITION_RESPONSES = {
    200: AkadSerializer,
    400: OpenApiResponse(description=_("Refused: the messages by field.")),
}
ACTION_PERMISSIONS = [IsAuthenticated, ChangeAkadPermission]


class AkadViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Akad kredit in the user's scope (others are 404), newest application first. A lender
    officer records applications for their own lender and takes them through their life
    cycle with the actions; the terms can be changed until signing. No deletion."""

    serializer_class = AkadSerializer
    filterset_class = AkadFilter
    permission_classes = [IsAuthenticated, DemandPermission]  # the model's own permissions
    pagination_class = KemitraanPagination

    def get_queryset(self):
        committed = MouParticipant.objects.filter(
            mou_id=OuterRef("mou_id"), ikm_id=OuterRef("borrower_id")
        ).values("committed_market_access")[:1]
        return (
            AkadKredit.objects.visible_to(self.request.user)
            .with_disbursed()
            .annotate(committed_market_access=Subquery(committed))
            .select_related("lender__organisation", "borrower", "scheme", "mou")
            .prefetch_related(
                Prefetch("collaterals", queryset=Collateral.objects.order_by("pk")),
                Prefetch(
                    "disbursements",
                    queryset=Disbursement.objects.order_by("disbursed_on", "pk"),
                ),
                Prefetch(
                    "purchase_orders", queryset=PurchaseOrder.objects.order_by("number", "pk")
                ),
            )
            .order_by("-applied_on", "-pk")
        )

    def _own_lender(self) -> LenderProfile:
        user = self.request.user
        lender = None
        if user.organisation_id:
            lender = LenderProfile.objects.filter(organisation_id=user.organisation_id).first()
        if lender is None:
            raise PermissionDenied(NO_LENDER_PROFILE)
        return lender

    def _fresh(self, pk, status_code=status.HTTP_200_OK):
        akad = self.get_queryset().get(pk=pk)
        return Response(self.get_serializer(akad).data, status=status_code)

    def create(self, request, *args, **kwargs):
        lender = self._own_lender()  # before validation: no point correcting the payload
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        akad = serializer.save(lender=lender)
        return self._fresh(akad.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        super().update(request, *args, **kwargs)
        return self._fresh(kwargs["pk"])

    def _transition(self, request, serializer_class, act):
        akad = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            act(akad, serializer.validated_data)
        except DjangoValidationError as exc:
            raise service_error(exc) from exc
        return self._fresh(akad.pk)

    @extend_schema(request=AkadApproveSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"], permission_classes=ACTION_PERMISSIONS)
    def approve(self, request, pk=None):
        """Approve an application in the pipeline."""
        return self._transition(
            request,
            AkadApproveSerializer,
            lambda akad, data: services.akad_approve(
                akad=akad, approved_on=data.get("approved_on"), actor=request.user
            ),
        )

    @extend_schema(request=AkadSignSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"], permission_classes=ACTION_PERMISSIONS)
    def sign(self, request, pk=None):
        """Record the signing of an approved application: the akad number (unique per
        lender) and the signing date. The scheme's limits are checked again."""
        return self._transition(
            request,
            AkadSignSerializer,
            lambda akad, data: services.akad_sign(
                akad=akad,
                akad_number=data.get("akad_number", ""),
                signed_on=data.get("signed_on"),
                actor=request.user,
            ),
        )

    @extend_schema(request=AkadDisburseSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"], permission_classes=ACTION_PERMISSIONS)
    def disburse(self, request, pk=None):
        """Disburse a tranche of a signed akad (all tranches together never exceed the
        plafon). Answers the akad with its tranches and totals."""
        return self._transition(
            request,
            AkadDisburseSerializer,
            lambda akad, data: services.akad_disburse(
                akad=akad,
                amount=data.get("amount"),
                disbursed_on=data.get("disbursed_on"),
                note=data.get("note", ""),
                actor=request.user,
            ),
        )

    @extend_schema(request=AkadCollectibilitySerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"], permission_classes=ACTION_PERMISSIONS)
    def collectibility(self, request, pk=None):
        """Report the credit's OJK collectibility (1-5) as of a date; a disbursed akad
        becomes repaying."""
        return self._transition(
            request,
            AkadCollectibilitySerializer,
            lambda akad, data: services.akad_report_collectibility(
                akad=akad,
                collectibility=data.get("collectibility"),
                as_of=data.get("as_of"),
                actor=request.user,
            ),
        )

    @extend_schema(request=AkadPayOffSerializer, responses=TRANSITION_RESPONSES)
    @action(
        detail=True, methods=["post"], url_path="pay-off", permission_classes=ACTION_PERMISSIONS
    )
    def pay_off(self, request, pk=None):
        """Record that the borrower has repaid a disbursed or repaying akad in full."""
        return self._transition(
            request,
            AkadPayOffSerializer,
            lambda akad, data: services.akad_pay_off(
                akad=akad, paid_off_on=data.get("paid_off_on"), actor=request.user
            ),
        )

    @extend_schema(request=AkadReasonSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"], permission_classes=ACTION_PERMISSIONS)
    def reject(self, request, pk=None):
        """Turn down an application not yet signed, with the reason."""
        return self._transition(
            request,
            AkadReasonSerializer,
            lambda akad, data: services.akad_reject(
                akad=akad, reason=data.get("reason", ""), actor=request.user
            ),
        )

    @extend_schema(request=AkadReasonSerializer, responses=TRANSITION_RESPONSES)
    @action(detail=True, methods=["post"], permission_classes=ACTION_PERMISSIONS)
    def cancel(self, request, pk=None):
        """Cancel an application, or a signed akad with nothing disbursed, with the reason."""
        return self._transition(
            request,
            AkadReasonSerializer,
            lambda akad, data: services.akad_cancel(
                akad=akad, reason=data.get("reason", ""), actor=request.user
            ),
        )
