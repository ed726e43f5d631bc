"""``/api/v1/dashboard/summary/``: the headline figures of the caller's scope, from the
latest snapshot (amounts in whole rupiah)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import NOT_ALLOWED

from . import services
from .figures import PROGRAM
from .views import dashboard_scope

SUMMARY_FIELDS = (
    "ikm_total",
    "ikm_verified",
    "buyers_total",
    "demands_open",
    "suggestions_made",
    "suggestions_shortlisted",
    "suggestions_contacted",
    "meetings_held",
    "mou_signed",
    "mou_active",
    "mou_ikm",
    "market_access_per_year",
    "po_count",
    "po_value",
    "akad_signed_count",
    "akad_signed_amount",
    "akad_pipeline_count",
    "akad_pipeline_amount",
    "akad_disbursed_count",
    "akad_disbursed_amount",
    "closed_loop_ikm",
    "mou_without_credit_ikm",
    "tkdn_known",
    "tkdn_40_plus",
)


class DashboardSummarySerializer(serializers.Serializer):
    scope = serializers.ChoiceField(
        choices=["program", "buyer", "lender"],
        help_text="program: the whole program; buyer or lender: the caller's organisation.",
    )
    organisation = serializers.IntegerField(allow_null=True)
    computed_at = serializers.DateTimeField(allow_null=True)
    realisation_pct = serializers.FloatField(allow_null=True)
    tkdn_average = serializers.FloatField(allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        for name in SUMMARY_FIELDS:
            # None where a figure does not apply to the scope (a lender has no needs).
            fields[name] = serializers.IntegerField(allow_null=True, min_value=0)
        return fields


class DashboardSummaryView(APIView):
    """The dashboard's headline figures: the program's for Kemenperin and KADIN, the
    caller's organisation's for buyer and lender officers (403 for anyone else).
    ``computed_at`` is when the figures were computed; null while the first snapshot is
    being computed (the figures are null then)."""

    @extend_schema(responses={200: DashboardSummarySerializer, 403: NOT_ALLOWED})
    def get(self, request):
        try:
            scope = dashboard_scope(request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied from exc
        organisation = request.user.organisation if scope.kind != PROGRAM else None
        row = services.latest(organisation)
        figures = row.figures if row else {}
        data = {
            "scope": scope.kind,
            "organisation": organisation.pk if organisation else None,
            "computed_at": row.snapshot.computed_at if row else None,
            "realisation_pct": figures.get("realisation_pct"),
            "tkdn_average": figures.get("tkdn_average"),
        }
        data.update({name: figures.get(name) for name in SUMMARY_FIELDS})
        return Response(DashboardSummarySerializer(data).data)
