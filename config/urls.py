"""URL wiring. Every page needs a signed-in user except those marked login_not_required."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.health import health_view

urlpatterns = [
    path("", include("accounts.urls")),
    path("ikm/", include("ikm.urls")),
    path("kemitraan/", include("kemitraan.urls")),
    path("pembiayaan/", include("pembiayaan.urls")),
    path("dasbor/", include("dasbor.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("health/", health_view, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
