from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("kata-sandi/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "kata-sandi/selesai/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("verifikasi-dua-langkah/", views.two_factor_setup, name="two-factor-setup"),
    path("verifikasi-dua-langkah/kode/", views.two_factor_verify, name="two-factor-verify"),
    path("pemberitahuan/", views.NotificationListView.as_view(), name="notification-list"),
]
