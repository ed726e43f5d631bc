from django.urls import path

from . import views

app_name = "pembiayaan"
urlpatterns = [
    path("akad/", views.AkadListView.as_view(), name="akad-list"),
]
