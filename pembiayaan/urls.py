from django.urls import path

from . import views
from .import_urls import urlpatterns as import_urlpatterns

app_name = "pembiayaan"
urlpatterns = [
    path("akad/", views.AkadListView.as_view(), name="akad-list"),
    *import_urlpatterns,
]
