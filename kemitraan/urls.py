from django.urls import path

from . import views

app_name = "kemitraan"
urlpatterns = [
    path("kebutuhan/", views.DemandListView.as_view(), name="demand-list"),
    path("kebutuhan/baru/", views.DemandCreateView.as_view(), name="demand-create"),
    path("kebutuhan/<int:pk>/", views.DemandDetailView.as_view(), name="demand-detail"),
    path("kebutuhan/<int:pk>/ubah/", views.DemandUpdateView.as_view(), name="demand-update"),
    path(
        "kebutuhan/<int:pk>/saran/",
        views.DemandSuggestionsView.as_view(),
        name="demand-suggestions",
    ),
    path("kebutuhan/<int:pk>/mengapa-tidak/", views.WhyNotView.as_view(), name="demand-why-not"),
    path(
        "saran/<int:pk>/daftar-pendek/",
        views.SuggestionShortlistView.as_view(),
        name="suggestion-shortlist",
    ),
    path(
        "saran/<int:pk>/dihubungi/",
        views.SuggestionContactedView.as_view(),
        name="suggestion-contacted",
    ),
    path(
        "saran/<int:pk>/abaikan/", views.SuggestionDismissView.as_view(), name="suggestion-dismiss"
    ),
    path(
        "saran/<int:pk>/pulihkan/", views.SuggestionRestoreView.as_view(), name="suggestion-restore"
    ),
    path("pembeli/", views.BuyerListView.as_view(), name="buyer-list"),
    path("pembeli/profil/", views.BuyerProfileView.as_view(), name="buyer-profile"),
    path(
        "pembeli/profil/ubah/", views.BuyerProfileUpdateView.as_view(), name="buyer-profile-update"
    ),
    path("pembeli/<int:pk>/", views.BuyerDetailView.as_view(), name="buyer-detail"),
    path("mou/", views.MouListView.as_view(), name="mou-list"),
]
