from django.urls import path

from . import audit_views, views

app_name = "dasbor"
urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("ekspor/", views.ExportView.as_view(), name="export"),
    path("hitung-ulang/", views.RefreshView.as_view(), name="refresh"),
    path("audit/", audit_views.AuditView.as_view(), name="audit"),
]
