from django.urls import path

from . import directory, import_views, views

app_name = "ikm"
urlpatterns = [
    path("", views.WorklistView.as_view(), name="worklist"),
    path("direktori/", directory.DirectoryView.as_view(), name="directory"),
    path("direktori/ekspor/", import_views.DirectoryExportView.as_view(), name="directory-export"),
    path("baru/", views.IkmCreateView.as_view(), name="create"),
    path("<int:pk>/", views.IkmDetailView.as_view(), name="detail"),
    path("<int:pk>/ubah/", views.IkmUpdateView.as_view(), name="update"),
    path("<int:pk>/kontak/", views.IkmContactView.as_view(), name="contact"),
    path("<int:pk>/ajukan/", views.IkmSubmitView.as_view(), name="submit"),
    path("<int:pk>/verifikasi/", views.IkmVerifyView.as_view(), name="verify"),
    path("<int:pk>/tolak/", views.IkmRejectView.as_view(), name="reject"),
    path("<int:pk>/nonaktifkan/", views.IkmDeactivateView.as_view(), name="deactivate"),
    path("<int:pk>/aktifkan/", views.IkmReactivateView.as_view(), name="reactivate"),
    path(
        "sertifikat/<int:pk>/dokumen/",
        views.CertificateDocumentView.as_view(),
        name="certificate-document",
    ),
    path("wilayah/kabupaten/", views.RegencyOptionsView.as_view(), name="regency-options"),
    path("skala/", views.SizeClassPreviewView.as_view(), name="size-class-preview"),
    path("impor/", import_views.ImportUploadView.as_view(), name="import"),
    path("impor/templat/", import_views.ImportTemplateView.as_view(), name="import-template"),
    path("impor/<uuid:pk>/", import_views.ImportJobView.as_view(), name="import-job"),
    path(
        "impor/<uuid:pk>/status/", import_views.ImportJobStatusView.as_view(), name="import-status"
    ),
    path(
        "impor/<uuid:pk>/konfirmasi/",
        import_views.ImportConfirmView.as_view(),
        name="import-confirm",
    ),
    path(
        "impor/<uuid:pk>/kesalahan/", import_views.ImportErrorsView.as_view(), name="import-errors"
    ),
]
