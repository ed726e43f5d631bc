from django.urls import path

from . import mou_views, views

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
    path("mou/baru/", mou_views.MouCreateView.as_view(), name="mou-create"),
    path("mou/<int:pk>/", mou_views.MouDetailView.as_view(), name="mou-detail"),
    path("mou/<int:pk>/ubah/", mou_views.MouUpdateView.as_view(), name="mou-update"),
    path("mou/<int:pk>/dokumen/", mou_views.MouDocumentView.as_view(), name="mou-document"),
    path("mou/<int:pk>/tandatangani/", mou_views.MouSignView.as_view(), name="mou-sign"),
    path("mou/<int:pk>/aktifkan/", mou_views.MouActivateView.as_view(), name="mou-activate"),
    path("mou/<int:pk>/akhiri/", mou_views.MouTerminateView.as_view(), name="mou-terminate"),
]
