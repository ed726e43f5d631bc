from django.urls import path

from . import views
from .import_urls import urlpatterns as import_urlpatterns

app_name = "pembiayaan"
urlpatterns = [
    path("akad/", views.AkadListView.as_view(), name="akad-list"),
    path("akad/baru/", views.AkadCreateView.as_view(), name="akad-create"),
    path("akad/<int:pk>/", views.AkadDetailView.as_view(), name="akad-detail"),
    path("akad/<int:pk>/ubah/", views.AkadUpdateView.as_view(), name="akad-update"),
    path("akad/<int:pk>/setujui/", views.AkadApproveView.as_view(), name="akad-approve"),
    path("akad/<int:pk>/tanda-tangan/", views.AkadSignView.as_view(), name="akad-sign"),
    path("akad/<int:pk>/pencairan/", views.AkadDisburseView.as_view(), name="akad-disburse"),
    path(
        "akad/<int:pk>/kolektibilitas/",
        views.AkadCollectibilityView.as_view(),
        name="akad-collectibility",
    ),
    path("akad/<int:pk>/lunas/", views.AkadPayOffView.as_view(), name="akad-pay-off"),
    path("akad/<int:pk>/tolak/", views.AkadRejectView.as_view(), name="akad-reject"),
    path("akad/<int:pk>/batal/", views.AkadCancelView.as_view(), name="akad-cancel"),
    path("kandidat/", views.CandidateListView.as_view(), name="candidate-list"),
    path("lembaga/", views.LenderListView.as_view(), name="lender-list"),
    path("lembaga/profil/", views.LenderProfileUpdateView.as_view(), name="lender-profile"),
    *import_urlpatterns,
]
