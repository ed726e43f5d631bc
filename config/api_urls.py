"""`/api/v1/`: one router over the apps' viewsets; any other address under it is a JSON 404."""

from django.urls import path, re_path
from rest_framework.routers import DefaultRouter

from accounts.api import ApiNotFoundView, MeView
from dasbor.api import DashboardSummaryView
from ikm.api import (
    CertificationTypeViewSet,
    IkmViewSet,
    KbliViewSet,
    ProcessCapabilityViewSet,
    ProvinceViewSet,
    RegencyViewSet,
)
from kemitraan.api import DemandViewSet
from kemitraan.mou_api import LinkMatchEventViewSet, MouViewSet
from pembiayaan.api import AkadViewSet, LenderViewSet

router = DefaultRouter()
router.register("provinces", ProvinceViewSet, basename="province")
router.register("regencies", RegencyViewSet, basename="regency")
router.register("kbli", KbliViewSet, basename="kbli")
router.register("processes", ProcessCapabilityViewSet, basename="process")
router.register("certification-types", CertificationTypeViewSet, basename="certification-type")
router.register("ikm", IkmViewSet, basename="ikm")
router.register("demands", DemandViewSet, basename="demand")
router.register("mous", MouViewSet, basename="mou")
router.register("events", LinkMatchEventViewSet, basename="event")
router.register("lenders", LenderViewSet, basename="lender")
router.register("akad", AkadViewSet, basename="akad")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("dashboard/summary/", DashboardSummaryView.as_view(), name="api-dashboard-summary"),
    *router.urls,
    # Last. Only addresses ending in "/": others still get CommonMiddleware's redirect.
    re_path(r"^.*/$", ApiNotFoundView.as_view(), name="api-not-found"),
]
