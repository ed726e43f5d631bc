from django.urls import path

from . import views

app_name = "ikm"
urlpatterns = [
    path("", views.WorklistView.as_view(), name="worklist"),
]
