from django.urls import path

from . import event_views, mou_views, po_import_views, realisation_views, views

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
    path("mou/cari-ikm/", mou_views.MouIkmSearchView.as_view(), name="mou-ikm-search"),
    path("mou/<int:pk>/", mou_views.MouDetailView.as_view(), name="mou-detail"),
    path("mou/<int:pk>/ubah/", mou_views.MouUpdateView.as_view(), name="mou-update"),
    path("mou/<int:pk>/dokumen/", mou_views.MouDocumentView.as_view(), name="mou-document"),
    path("mou/<int:pk>/tandatangani/", mou_views.MouSignView.as_view(), name="mou-sign"),
    path("mou/<int:pk>/aktifkan/", mou_views.MouActivateView.as_view(), name="mou-activate"),
    path("mou/<int:pk>/akhiri/", mou_views.MouTerminateView.as_view(), name="mou-terminate"),
    # Realisation ledger (kemitraan.realisation_views)
    path(
        "mou/<int:pk>/realisasi/",
        realisation_views.MouLedgerView.as_view(),
        name="mou-realisation",
    ),
    path(
        "mou/<int:pk>/realisasi/<int:participant_pk>/",
        realisation_views.ParticipantLedgerView.as_view(),
        name="participant-realisation",
    ),
    path(
        "mou/<int:pk>/realisasi/<int:participant_pk>/po/",
        realisation_views.PurchaseOrderCreateView.as_view(),
        name="po-create",
    ),
    path(
        "realisasi/po/<int:pk>/pengiriman/",
        realisation_views.DeliveryCreateView.as_view(),
        name="delivery-create",
    ),
    path(
        "realisasi/po/<int:pk>/pembayaran/",
        realisation_views.PaymentCreateView.as_view(),
        name="payment-create",
    ),
    path(
        "realisasi/pengiriman/<int:pk>/hapus/",
        realisation_views.DeliveryDeleteView.as_view(),
        name="delivery-delete",
    ),
    path(
        "realisasi/pembayaran/<int:pk>/hapus/",
        realisation_views.PaymentDeleteView.as_view(),
        name="payment-delete",
    ),
    # Importing POs, deliveries and payments (kemitraan.po_import_views)
    path(
        "mou/<int:pk>/realisasi/impor/",
        po_import_views.PoImportUploadView.as_view(),
        name="po-import",
    ),
    path(
        "mou/<int:pk>/realisasi/impor/pratinjau/",
        po_import_views.PoImportPreviewView.as_view(),
        name="po-import-preview",
    ),
    path(
        "mou/<int:pk>/realisasi/impor/terapkan/",
        po_import_views.PoImportApplyView.as_view(),
        name="po-import-apply",
    ),
    path(
        "mou/<int:pk>/realisasi/impor/kesalahan/",
        po_import_views.PoImportErrorsView.as_view(),
        name="po-import-errors",
    ),
    path(
        "mou/<int:pk>/realisasi/impor/templat/",
        po_import_views.PoImportTemplateView.as_view(),
        name="po-import-template",
    ),
    # Link & Match events (kemitraan.event_views; tests/kemitraan/test_events.py)
    path("acara/", event_views.EventListView.as_view(), name="event-list"),
    path("acara/baru/", event_views.EventCreateView.as_view(), name="event-create"),
    path("acara/<int:pk>/", event_views.EventDetailView.as_view(), name="event-detail"),
    path("acara/<int:pk>/ubah/", event_views.EventUpdateView.as_view(), name="event-update"),
    path("acara/<int:pk>/daftar/", event_views.EventRegisterView.as_view(), name="event-register"),
    path(
        "acara/peserta/<int:pk>/setujui/",
        event_views.ParticipantApproveView.as_view(),
        name="participant-approve",
    ),
    path(
        "acara/peserta/<int:pk>/tolak/",
        event_views.ParticipantRejectView.as_view(),
        name="participant-reject",
    ),
    path(
        "acara/<int:pk>/sesi/baru/", event_views.SessionCreateView.as_view(), name="session-create"
    ),
    path(
        "acara/sesi/<int:pk>/ubah/", event_views.SessionUpdateView.as_view(), name="session-update"
    ),
    path(
        "acara/<int:pk>/pertemuan/", event_views.EventMeetingsView.as_view(), name="event-meetings"
    ),
    path(
        "acara/<int:pk>/pertemuan/baru/",
        event_views.MeetingRequestView.as_view(),
        name="meeting-request",
    ),
    # A buyer's officer picks the event for a meeting with an IKM (from a suggestion or
    # the IKM page): tests/kemitraan/test_meeting_from_suggestion.py
    path(
        "pertemuan/ajukan/",
        event_views.MeetingRequestForView.as_view(),
        name="meeting-request-for",
    ),
    path(
        "pertemuan/<int:pk>/konfirmasi/",
        event_views.MeetingConfirmView.as_view(),
        name="meeting-confirm",
    ),
    path("pertemuan/<int:pk>/pindah/", event_views.MeetingMoveView.as_view(), name="meeting-move"),
    path(
        "pertemuan/<int:pk>/batalkan/",
        event_views.MeetingCancelView.as_view(),
        name="meeting-cancel",
    ),
    path(
        "pertemuan/<int:pk>/hasil/",
        event_views.MeetingOutcomeView.as_view(),
        name="meeting-outcome",
    ),
    path("acara/<int:pk>/jadwal/", event_views.EventScheduleView.as_view(), name="event-schedule"),
    path(
        "acara/<int:pk>/jadwal.xlsx",
        event_views.EventScheduleExportView.as_view(),
        name="event-schedule-xlsx",
    ),
]
