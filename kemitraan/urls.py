from django.urls import path

from . import views

app_name = "kemitraan"
urlpatterns = [
    path("kebutuhan/", views.DemandListView.as_view(), name="demand-list"),
    path("mou/", views.MouListView.as_view(), name="mou-list"),
]
