"""The akad spreadsheet import's screens (included by ``pembiayaan.urls``)."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("akad/impor/", import_views.AkadImportUploadView.as_view(), name="akad-import"),
    path(
        "akad/impor/pratinjau/",
        import_views.AkadImportPreviewView.as_view(),
        name="akad-import-preview",
    ),
    path(
        "akad/impor/terapkan/",
        import_views.AkadImportApplyView.as_view(),
        name="akad-import-apply",
    ),
    path(
        "akad/impor/kesalahan/",
        import_views.AkadImportErrorsView.as_view(),
        name="akad-import-errors",
    ),
    path(
        "akad/impor/templat/",
        import_views.AkadImportTemplateView.as_view(),
        name="akad-import-template",
    ),
]
