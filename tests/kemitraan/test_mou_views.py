"""MoU screens and API: the access matrix, recording an MoU through the form (a mistake is
shown next to its field and nothing is written), the page with its actions, the scanned
document behind a permission check, and API scoping per role."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from kemitraan import mou_services
from kemitraan.models import MoU, MouParticipant

from ..factories import (
    AkadKreditFactory,
    DemandFactory,
    IkmFactory,
    LenderProfileFactory,
    LinkMatchEventFactory,
    MatchSuggestionFactory,
    MouFactory,
    MouParticipantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

K, P, A, F = Role.KEMENPERIN, Role.PENGADAAN, Role.KADIN, Role.PEMBIAYAAN
OTHER = "other buyer"
ANON = "anonymous"
WHO = (K, P, A, F, OTHER, ANON)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def expect(ok, roles, otherwise=403, other=None, lender=None) -> dict:
    answers = {who: (ok if who in roles else otherwise) for who in (K, P, A, F)}
    answers[OTHER] = other if other is not None else answers[P]
    if lender is not None:
        answers[F] = lender
    answers[ANON] = 302
    return answers


@pytest.fixture
def other_officer(other_buyer_org):
    return UserFactory(role=Role.PENGADAAN, organisation=other_buyer_org)


@pytest.fixture
def who(users_by_role, other_officer):
    return {**users_by_role, OTHER: other_officer, ANON: None}


@pytest.fixture
def mou(buyer_org, lender_org):
    """A draft MoU of the buyer, with a document, behind an akad of the lender."""
    mou = MouFactory(
        buyer=buyer_org.buyer_profile,
        status="draft",
        signing_date=None,
        document=SimpleUploadedFile("scan.pdf", PDF),
        valid_until=datetime.date(2030, 12, 31),
    )
    MouParticipantFactory(mou=mou, committed_market_access=60_000_000_000)
    MouParticipantFactory(mou=mou, committed_market_access=40_000_000_000)
    AkadKreditFactory(lender=LenderProfileFactory(organisation=lender_org), mou=mou)
    return mou


# (method, url, data, expected). The lender officer sees the MoU behind their akad (200
# on reads) but may not change it (403).
MATRIX = [
    ("get", "/kemitraan/mou/", None, expect(200, (K, P, A, F))),
    ("get", "/kemitraan/mou/baru/", None, expect(200, (K, P))),
    ("post", "/kemitraan/mou/baru/", {}, expect(422, (K, P))),
    ("get", "/kemitraan/mou/{mou}/", None, expect(200, (K, P, A, F), other=404)),
    ("get", "/kemitraan/mou/{mou}/dokumen/", None, expect(200, (K, P, A, F), other=404)),
    ("get", "/kemitraan/mou/{mou}/ubah/", None, expect(200, (K, P), other=404)),
    ("post", "/kemitraan/mou/{mou}/ubah/", {}, expect(422, (K, P), other=404)),
    ("post", "/kemitraan/mou/{mou}/tandatangani/", {}, expect(422, (K, P), other=404)),
    ("post", "/kemitraan/mou/{mou}/aktifkan/", {}, expect(422, (K, P), other=404)),  # a draft
    ("post", "/kemitraan/mou/{mou}/akhiri/", {}, expect(422, (K, P), other=404)),
    # The form's IKM picker: those who record MoUs; editing, the MoU must be in scope.
    ("get", "/kemitraan/mou/cari-ikm/?q=Logam", None, expect(200, (K, P))),
    ("get", "/kemitraan/mou/cari-ikm/?mou={mou}&q=Logam", None, expect(200, (K, P), other=404)),
]


@pytest.mark.parametrize("role", WHO)
@pytest.mark.parametrize(
    ("method", "url", "data", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, _d, _e in MATRIX]
)
def test_access(client, who, mou, role, method, url, data, expected):
    if who[role] is not None:
        client.force_login(who[role])
    path = url.format(mou=mou.pk)
    response = getattr(client, method)(path, data or {})
    assert response.status_code == expected[role], (role, method, path)
    if role == ANON:
        assert "/masuk/" in response["Location"]


def test_a_lender_without_an_akad_behind_the_mou_gets_404(client, mou, other_lender_org):
    client.force_login(UserFactory(role=Role.PEMBIAYAAN, organisation=other_lender_org))
    assert client.get(f"/kemitraan/mou/{mou.pk}/").status_code == 404
    assert client.get(f"/kemitraan/mou/{mou.pk}/dokumen/").status_code == 404


def test_a_buyer_officer_without_a_buyer_profile_cannot_record(client):
    officer = UserFactory(role=Role.PENGADAAN)  # no organisation
    client.force_login(officer)
    assert client.get("/kemitraan/mou/baru/").status_code == 404


# --- Recording through the form ------------------------------------------------------------


def form_data(ikms, **overrides) -> dict:
    data = {
        "number": "007/APM/MoU/2025",
        "title": "Pemasokan komponen rangka",
        "partnership_pattern": "subkontrak",
        "event": "",
        "purpose": "Pasokan bracket",
        "valid_from": "2025-01-01",
        "valid_until": "2027-12-31",
        "participants-TOTAL_FORMS": "3",
        "participants-INITIAL_FORMS": "0",
        "participants-0-ikm": f"{ikms[0].nib} — {ikms[0].name}",
        "participants-0-committed_market_access": "Rp 1,5 miliar",
        "participants-0-committed_parts": "bracket",
        "participants-1-ikm": ikms[1].nib,
        "participants-1-committed_market_access": "2.500.000.000",
        "participants-2-ikm": "",
        "participants-2-committed_market_access": "",
        "support-technology_transfer": "on",
        "support-technology_transfer_notes": "Pelatihan stamping",
        "witnesses-TOTAL_FORMS": "1",
        "witnesses-INITIAL_FORMS": "0",
        "witnesses-0-name": "Siti Rahma",
        "witnesses-0-position": "Kepala Dinas",
    }
    data.update(overrides)
    return data


def test_officer_records_an_mou_for_their_organisation(client, pengadaan_user, buyer_org):
    ikms = [IkmFactory(), IkmFactory()]
    client.force_login(pengadaan_user)
    document = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
    response = client.post("/kemitraan/mou/baru/", {**form_data(ikms), "document": document})
    assert response.status_code == 302, response.content.decode()[:3000]
    mou = MoU.objects.get(number="007/APM/MoU/2025")
    assert response["Location"] == f"/kemitraan/mou/{mou.pk}/"
    assert mou.buyer == buyer_org.buyer_profile
    assert mou.status == "draft" and mou.market_access == 4_000_000_000
    assert list(mou.supports.values_list("pillar", "notes")) == [
        ("technology_transfer", "Pelatihan stamping")
    ]
    assert mou.witnesses.get().name == "Siti Rahma"
    assert mou.document.name.endswith(".pdf")
    page = client.get(response["Location"]).text
    assert "Rp4 miliar" in page
    assert ikms[0].name in page


def test_kemenperin_chooses_the_buyer(client, kemenperin_user, other_buyer_org):
    ikms = [IkmFactory(), IkmFactory()]
    client.force_login(kemenperin_user)
    data = form_data(ikms, buyer=str(other_buyer_org.buyer_profile.pk))
    assert client.post("/kemitraan/mou/baru/", data).status_code == 302
    assert MoU.objects.get().buyer == other_buyer_org.buyer_profile


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        (
            {"valid_until": "2024-12-31"},
            "id_valid_until",
            mou_services.VALIDITY_END_NOT_AFTER_START,
        ),
        (
            {"participants-1-committed_market_access": "0"},
            "id_participants-1-committed_market_access",
            mou_services.PARTICIPANT_AMOUNT_NOT_POSITIVE,
        ),
        ({"participants-1-ikm": "9999999999999"}, "id_participants-1-ikm", None),
    ],
)
def test_a_mistake_is_shown_next_to_its_field_and_nothing_is_written(
    client, pengadaan_user, overrides, field_id, message
):
    from kemitraan.mou_forms import IKM_NOT_FOUND

    ikms = [IkmFactory(), IkmFactory()]
    client.force_login(pengadaan_user)
    response = client.post("/kemitraan/mou/baru/", form_data(ikms, **overrides))
    assert response.status_code == 422
    html = response.content.decode()
    field_html = html[html.index(f'id="{field_id}"') :][:2000]
    assert "is-invalid" in html[html.rindex("<input", 0, html.index(f'id="{field_id}"')) :][:400]
    assert str(message or IKM_NOT_FOUND) in field_html
    assert not MoU.objects.exists() and not MouParticipant.objects.exists()


def test_duplicate_ikm_and_taken_number_are_refused(client, pengadaan_user, buyer_org):
    ikms = [IkmFactory(), IkmFactory()]
    client.force_login(pengadaan_user)
    data = form_data(ikms, **{"participants-1-ikm": ikms[0].nib})
    response = client.post("/kemitraan/mou/baru/", data)
    assert response.status_code == 422
    assert str(mou_services.PARTICIPANT_TWICE) in response.content.decode()
    MouFactory(number="007/APM/MoU/2025")
    response = client.post("/kemitraan/mou/baru/", form_data(ikms))
    assert response.status_code == 422
    assert str(mou_services.NUMBER_TAKEN) in response.content.decode()
    assert MoU.objects.count() == 1


def test_no_participant_is_refused(client, pengadaan_user):
    client.force_login(pengadaan_user)
    data = form_data([IkmFactory(), IkmFactory()])
    data.update({"participants-0-ikm": "", "participants-0-committed_market_access": ""})
    data.update({"participants-0-committed_parts": ""})
    data.update({"participants-1-ikm": "", "participants-1-committed_market_access": ""})
    response = client.post("/kemitraan/mou/baru/", data)
    assert response.status_code == 422
    assert str(mou_services.MOU_NEEDS_PARTICIPANT) in response.content.decode()
    assert not MoU.objects.exists()


def test_editing_a_draft_keeps_existing_participants(client, pengadaan_user, mou):
    client.force_login(pengadaan_user)
    page = client.get(f"/kemitraan/mou/{mou.pk}/ubah/")
    assert page.status_code == 200
    rows = list(mou.participants.select_related("ikm").order_by("ikm__name"))
    data = {
        "number": mou.number,
        "title": "Judul diperbarui",
        "partnership_pattern": mou.partnership_pattern,
        "valid_from": mou.valid_from.isoformat(),
        "valid_until": mou.valid_until.isoformat(),
        "participants-TOTAL_FORMS": "2",
        "participants-INITIAL_FORMS": "2",
        "participants-0-ikm": rows[0].ikm.nib,
        "participants-0-committed_market_access": "70 miliar",
        "participants-1-ikm": rows[1].ikm.nib,
        "participants-1-committed_market_access": "1",
        "participants-1-DELETE": "on",
        "witnesses-TOTAL_FORMS": "0",
        "witnesses-INITIAL_FORMS": "0",
    }
    response = client.post(f"/kemitraan/mou/{mou.pk}/ubah/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    mou.refresh_from_db()
    assert mou.title == "Judul diperbarui"
    assert mou.market_access == 70_000_000_000
    assert mou.participants.get().pk == rows[0].pk


# --- The page and its actions ------------------------------------------------------------


def test_the_page_shows_participants_total_and_history(client, kadin_user, mou):
    client.force_login(kadin_user)
    html = client.get(f"/kemitraan/mou/{mou.pk}/").content.decode()
    assert "Rp100 miliar" in html
    assert mou.number in html
    assert 'id="mou-history"' in html
    assert 'id="mou-actions"' not in html  # KADIN reads only
    assert f"/kemitraan/mou/{mou.pk}/dokumen/" in html
    assert "/media/" not in html and mou.document.name not in html


def test_sign_activate_terminate_through_the_page(client, pengadaan_user, mou):
    client.force_login(pengadaan_user)
    url = f"/kemitraan/mou/{mou.pk}/"
    assert 'id="mou-actions"' in client.get(url).text
    response = client.post(url + "tandatangani/", {"signing_date": "", "signing_place": ""})
    assert response.status_code == 422
    assert str(mou_services.SIGNING_DATE_REQUIRED) in response.content.decode()
    response = client.post(
        url + "tandatangani/", {"signing_date": "2025-01-02", "signing_place": "Jakarta"}
    )
    assert response.status_code == 302
    assert client.post(url + "aktifkan/").status_code == 302
    response = client.post(url + "akhiri/", {"reason": ""})
    assert response.status_code == 422
    assert str(mou_services.TERMINATION_NEEDS_REASON) in response.content.decode()
    assert client.post(url + "akhiri/", {"reason": "IKM tutup"}).status_code == 302
    mou.refresh_from_db()
    assert mou.status == "terminated"
    html = client.get(url).content.decode()
    assert "IKM tutup" in html
    assert 'id="mou-actions"' not in html


def test_a_signed_mou_edit_changes_only_the_document(client, kemenperin_user, mou):
    MoU.objects.filter(pk=mou.pk).update(status="signed", signing_date=datetime.date(2025, 1, 2))
    client.force_login(kemenperin_user)
    response = client.post(
        f"/kemitraan/mou/{mou.pk}/ubah/",
        {
            "title": "Diubah diam-diam",
            "document": SimpleUploadedFile("b.png", b"\x89PNG\r\n\x1a\n123"),
        },
    )
    assert response.status_code == 302
    mou.refresh_from_db()
    assert mou.title != "Diubah diam-diam"
    assert mou.document.name.endswith(".png")


def test_document_download_is_streamed_privately(client, pembiayaan_user, mou):
    client.force_login(pembiayaan_user)
    response = client.get(f"/kemitraan/mou/{mou.pk}/dokumen/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_no_document_is_404(client, kemenperin_user):
    client.force_login(kemenperin_user)
    mou = MouFactory()
    assert client.get(f"/kemitraan/mou/{mou.pk}/dokumen/").status_code == 404


def test_list_links_rows_and_offers_new_mou_to_those_who_may(client, who, mou):
    client.force_login(who[P])
    html = client.get("/kemitraan/mou/").text
    assert f"/kemitraan/mou/{mou.pk}/" in html and "/kemitraan/mou/baru/" in html
    client.force_login(who[A])
    assert "/kemitraan/mou/baru/" not in client.get("/kemitraan/mou/").text


# --- API ------------------------------------------------------------------------------------


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_api_lists_mous_in_scope_per_role(client, who, mou, other_buyer_org):
    other = MouFactory(buyer=other_buyer_org.buyer_profile)
    expected = {
        K: {mou.pk, other.pk},
        A: {mou.pk, other.pk},
        P: {mou.pk},
        F: {mou.pk},  # only the MoU behind their lender's akad
        OTHER: {other.pk},
    }
    for role, wanted in expected.items():
        client.force_login(who[role])
        assert ids(client.get("/api/v1/mous/")) == wanted, role
    client.force_login(who[OTHER])
    assert client.get(f"/api/v1/mous/{mou.pk}/").status_code == 404


def test_api_mou_has_nested_participants_and_total(client, kadin_user, mou):
    client.force_login(kadin_user)
    body = client.get(f"/api/v1/mous/{mou.pk}/").json()
    assert body["market_access"] == 100_000_000_000
    assert body["status"] == "draft" and body["has_document"] is True
    assert {p["committed_market_access"] for p in body["participants"]} == {
        60_000_000_000,
        40_000_000_000,
    }
    assert set(body["participants"][0]) >= {"ikm", "ikm_nib", "ikm_name", "committed_parts"}


def api_payload(ikms, **overrides):
    payload = {
        "number": "API/001/2025",
        "title": "MoU lewat API",
        "partnership_pattern": "rantai_pasok",
        "valid_from": "2025-01-01",
        "valid_until": "2026-12-31",
        "participants": [{"ikm": ikm.pk, "committed_market_access": 1_000_000_000} for ikm in ikms],
        "supports": [{"pillar": "quality", "notes": "Audit"}],
    }
    payload.update(overrides)
    return payload


def test_api_create_per_role(client, who, buyer_org, other_buyer_org):
    ikms = [IkmFactory(), IkmFactory()]
    for role, code in [(A, 403), (F, 403)]:
        client.force_login(who[role])
        response = client.post("/api/v1/mous/", api_payload(ikms), content_type="application/json")
        assert response.status_code == code, role
    client.force_login(who[P])
    payload = api_payload(ikms, buyer_id=other_buyer_org.buyer_profile.pk)
    response = client.post("/api/v1/mous/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["buyer"]["id"] == buyer_org.buyer_profile.pk  # always their own
    assert body["market_access"] == 2_000_000_000 and body["status"] == "draft"
    client.force_login(who[K])
    payload = api_payload(ikms, number="API/002/2025", buyer_id=other_buyer_org.buyer_profile.pk)
    response = client.post("/api/v1/mous/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["buyer"]["id"] == other_buyer_org.buyer_profile.pk


def test_api_refusals_are_field_errors_and_write_nothing(client, pengadaan_user):
    ikm = IkmFactory()
    client.force_login(pengadaan_user)
    for payload, field in [
        (api_payload([ikm, ikm]), "participants"),
        (api_payload([], participants=[]), "participants"),
        (api_payload([ikm], valid_until="2024-01-01"), "valid_until"),
    ]:
        response = client.post("/api/v1/mous/", payload, content_type="application/json")
        assert response.status_code == 400, response.content
        assert field in response.json()
    hidden = IkmFactory(verification_status="draft")
    response = client.post("/api/v1/mous/", api_payload([hidden]), content_type="application/json")
    assert response.status_code == 400 and "participants" in response.json()
    assert not MoU.objects.exists()


def test_api_update_in_scope(client, who, mou):
    client.force_login(who[OTHER])
    url = f"/api/v1/mous/{mou.pk}/"
    patch = {"title": "Baru"}
    assert client.patch(url, patch, content_type="application/json").status_code == 404
    client.force_login(who[F])
    assert client.patch(url, patch, content_type="application/json").status_code == 403
    client.force_login(who[P])
    response = client.patch(url, patch, content_type="application/json")
    assert response.status_code == 200 and response.json()["title"] == "Baru"
    assert client.delete(url).status_code == 405


def test_api_events_are_read_only_for_every_role(client, who):
    event = LinkMatchEventFactory(city="Jakarta")
    for role in (K, P, A, F):
        client.force_login(who[role])
        assert ids(client.get("/api/v1/events/")) == {event.pk}
        body = client.get(f"/api/v1/events/{event.pk}/").json()
        assert body["city"] == "Jakarta" and body["organiser"] == "Kemenperin Uji"
        response = client.post("/api/v1/events/", {}, content_type="application/json")
        assert response.status_code in (403, 405)  # no writes, whoever asks
    client.logout()
    assert client.get("/api/v1/events/").status_code in (401, 403)


# --- The IKM picker (htmx search) ---------------------------------------------------------


def test_the_form_has_the_search_picker_and_no_list_of_every_ikm(client, pengadaan_user):
    IkmFactory(name="CV Tidak Perlu Dimuat")
    client.force_login(pengadaan_user)
    html = client.get("/kemitraan/mou/baru/").content.decode()
    assert "<datalist" not in html and "CV Tidak Perlu Dimuat" not in html
    assert 'data-ikm-search="/kemitraan/mou/cari-ikm/"' in html
    assert 'name="participants-0-ikm_id"' in html  # the hidden id the picker sets


def test_the_search_finds_ten_by_name_or_one_by_nib_without_contact_data(
    client, pengadaan_user, kemenperin_user
):
    ikms = [
        IkmFactory(
            name=f"CV Presisi Baja {n:02d}",
            contact_name="Budi Rahasia",
            contact_phone="081299990000",
            contact_email="rahasia@contoh.id",
            address="Jl. Tersembunyi 9",
        )
        for n in range(12)
    ]
    hidden = IkmFactory(name="CV Presisi Draf", verification_status="draft")
    client.force_login(pengadaan_user)
    response = client.get("/kemitraan/mou/cari-ikm/", {"q": "presisi"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("data-ikm-choice") == 10
    assert "CV Presisi Baja 00" in html and "CV Presisi Baja 11" not in html
    assert "CV Presisi Draf" not in html  # not visible to a buyer
    for secret in ("Budi Rahasia", "081299990000", "rahasia@contoh.id", "Tersembunyi"):
        assert secret not in html
    assert response["Cache-Control"] == "private, no-store"
    html = client.get("/kemitraan/mou/cari-ikm/", {"q": ikms[3].nib}).content.decode()
    assert html.count("data-ikm-choice") == 1
    assert f'data-ikm-id="{ikms[3].pk}"' in html
    assert f'data-ikm-label="{ikms[3].nib} — {ikms[3].name}"' in html
    html = client.get("/kemitraan/mou/cari-ikm/", {"q": "pr"}).content.decode()
    assert "data-ikm-choice" not in html and "3" in html  # "type at least 3 letters"
    client.force_login(kemenperin_user)
    html = client.get("/kemitraan/mou/cari-ikm/", {"q": hidden.nib}).content.decode()
    assert f'data-ikm-id="{hidden.pk}"' in html  # Kemenperin sees every IKM


def test_editing_the_search_also_offers_the_mous_own_participants(client, pengadaan_user, mou):
    own = mou.participants.first().ikm
    type(own).objects.filter(pk=own.pk).update(verification_status="draft")
    client.force_login(pengadaan_user)
    plain = client.get("/kemitraan/mou/cari-ikm/", {"q": own.nib}).content.decode()
    assert "data-ikm-choice" not in plain
    html = client.get("/kemitraan/mou/cari-ikm/", {"q": own.nib, "mou": mou.pk}).text
    assert f'data-ikm-id="{own.pk}"' in html
    assert client.get("/kemitraan/mou/cari-ikm/", {"q": "x", "mou": "abc"}).status_code == 404


def test_a_picked_ikm_id_wins_and_one_outside_the_scope_is_refused(
    client, pengadaan_user, buyer_org
):
    ikms = [IkmFactory(), IkmFactory()]
    hidden = IkmFactory(verification_status="draft")
    client.force_login(pengadaan_user)
    data = form_data(
        ikms,
        **{
            "participants-0-ikm_id": str(hidden.pk),
            "participants-0-ikm": f"{ikms[0].nib} — {ikms[0].name}",
        },
    )
    response = client.post("/kemitraan/mou/baru/", data)
    assert response.status_code == 422
    assert "participants-0-ikm-error" in response.content.decode()
    assert not MoU.objects.exists()
    data["participants-0-ikm_id"] = str(ikms[0].pk)
    data["participants-0-ikm"] = "teks yang diketik lalu dipilih"  # the id decides
    response = client.post("/kemitraan/mou/baru/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    mou = MoU.objects.get()
    assert set(mou.participants.values_list("ikm_id", flat=True)) == {ikms[0].pk, ikms[1].pk}


# --- Adding rows ------------------------------------------------------------------------


def test_the_form_offers_add_row_buttons_with_empty_form_templates(client, pengadaan_user):
    client.force_login(pengadaan_user)
    html = client.get("/kemitraan/mou/baru/").content.decode()
    for prefix in ("participants", "witnesses"):
        assert f'data-formset-add="{prefix}"' in html
        assert f'<template id="{prefix}-empty">' in html
        assert f'id="{prefix}-rows"' in html
        assert f'id="id_{prefix}-TOTAL_FORMS"' in html
    assert 'name="participants-__prefix__-ikm"' in html
    assert 'name="witnesses-__prefix__-name"' in html


def test_seven_participants_and_three_witnesses_save_in_one_post(client, pengadaan_user):
    ikms = [IkmFactory() for _ in range(7)]
    data = form_data(ikms)
    data["participants-TOTAL_FORMS"] = "7"  # as the "add participant" button counts them
    for index, ikm in enumerate(ikms):
        data[f"participants-{index}-ikm"] = ikm.nib
        data[f"participants-{index}-committed_market_access"] = f"{index + 1} miliar"
    data["witnesses-TOTAL_FORMS"] = "3"
    for index in range(3):
        data[f"witnesses-{index}-name"] = f"Saksi {index}"
    client.force_login(pengadaan_user)
    response = client.post("/kemitraan/mou/baru/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    mou = MoU.objects.get()
    assert mou.participants.count() == 7
    assert mou.market_access == 28_000_000_000
    assert mou.witnesses.count() == 3


# --- API transitions --------------------------------------------------------------------


def test_api_transitions_follow_the_pages_permissions(client, who, mou):
    url = f"/api/v1/mous/{mou.pk}/"
    sign = {"signing_date": "2025-01-02", "signing_place": "Jakarta"}
    for role, code in [(A, 403), (F, 403), (OTHER, 404)]:
        client.force_login(who[role])
        for action, body in [("sign", sign), ("activate", {}), ("terminate", {"reason": "x"})]:
            response = client.post(url + f"{action}/", body, content_type="application/json")
            assert response.status_code == code, (role, action)
    client.logout()
    assert client.post(url + "sign/", sign, content_type="application/json").status_code in (
        401,
        403,
    )
    mou.refresh_from_db()
    assert mou.status == "draft"


def test_api_sign_activate_terminate(client, pengadaan_user, mou):
    client.force_login(pengadaan_user)
    url = f"/api/v1/mous/{mou.pk}/"
    post = lambda action, body=None: client.post(  # noqa: E731
        url + f"{action}/", body or {}, content_type="application/json"
    )
    response = post("activate")  # a draft
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [str(mou_services.CANNOT_ACTIVATE)]
    response = post("sign", {"signing_date": "2999-01-01", "signing_place": ""})
    assert response.status_code == 400
    assert response.json() == {
        "signing_date": [str(mou_services.SIGNING_DATE_IN_FUTURE)],
        "signing_place": [str(mou_services.SIGNING_PLACE_REQUIRED)],
    }
    assert post("sign", {"signing_date": "kemarin"}).status_code == 400
    response = post("sign", {"signing_date": "2025-01-02", "signing_place": "Jakarta"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "signed" and body["signing_place"] == "Jakarta"
    assert body["market_access"] == 100_000_000_000
    assert post("sign", {"signing_date": "2025-01-02", "signing_place": "X"}).json() == {
        "non_field_errors": [str(mou_services.CANNOT_SIGN)]
    }
    assert post("activate").json()["status"] == "active"
    response = post("terminate", {"reason": " "})
    assert response.status_code == 400
    assert response.json() == {"reason": [str(mou_services.TERMINATION_NEEDS_REASON)]}
    response = post("terminate", {"reason": "IKM tutup"})
    assert response.status_code == 200 and response.json()["status"] == "terminated"
    mou.refresh_from_db()
    assert mou.termination_reason == "IKM tutup"
    reasons = list(
        mou.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons[-3:] == ["signed", "activated", "terminated"]


# --- The chain on the MoU's page --------------------------------------------------------


def signed_mou(buyer_org, participants: int) -> MoU:
    mou = MouFactory(
        buyer=buyer_org.buyer_profile,
        status="active",
        signing_date=datetime.date(2025, 1, 2),
        valid_until=datetime.date(2030, 12, 31),
    )
    for _ in range(participants):
        MouParticipantFactory(mou=mou, committed_market_access=10_000_000_000)
    return mou


def record_po(participant, actor, *, value, paid, order_date=datetime.date(2025, 1, 2)):
    """A PO delivered in full 2 days after it was placed, ``paid`` 5 days after (30 days'
    terms: overdue once 32 days have passed unpaid)."""
    from kemitraan import realisation

    po = realisation.purchase_order_record(
        participant=participant,
        number=f"PO/{participant.pk}/{value}",
        order_date=order_date,
        value=value,
        payment_terms_days=30,
        actor=actor,
    )
    day = datetime.timedelta(days=1)
    realisation.delivery_record(
        purchase_order=po, date=order_date + 2 * day, value=value, actor=actor
    )
    if paid:
        realisation.payment_record(
            purchase_order=po, date=order_date + 5 * day, value=paid, actor=actor
        )
    return po


def test_the_page_shows_each_participants_realisation_with_a_ledger_link(
    client, kemenperin_user, buyer_org
):
    mou = signed_mou(buyer_org, 2)
    first, second = mou.participants.order_by("ikm__name")
    recent = timezone.localdate() - datetime.timedelta(days=10)
    record_po(first, kemenperin_user, value=4_000_000_000, paid=1_000_000_000, order_date=recent)
    record_po(second, kemenperin_user, value=1_000_000_000, paid=0)  # delivered, long overdue
    client.force_login(kemenperin_user)
    html = client.get(f"/kemitraan/mou/{mou.pk}/").content.decode()
    row = html.split(f'id="participant-{first.pk}"')[1].split("</tr>")[0]
    assert f'href="/kemitraan/mou/{mou.pk}/realisasi/{first.pk}/"' in row
    assert "40,0% / 10,0%" in row, row  # ordered / paid of the commitment
    overdue_row = html.split(f'id="participant-{second.pk}"')[1].split("</tr>")[0]
    assert "text-danger" in overdue_row  # overdue
    assert "text-danger" not in row


def test_a_draft_shows_no_realisation_columns(client, kemenperin_user, mou):
    client.force_login(kemenperin_user)
    html = client.get(f"/kemitraan/mou/{mou.pk}/").content.decode()
    assert "/realisasi/" not in html  # a draft: nothing ordered yet


def test_the_page_makes_the_same_number_of_queries_at_3_and_30_participants(
    client, kemenperin_user, buyer_org
):
    counts = []
    for size in (3, 30):
        mou = signed_mou(buyer_org, size)
        demand = DemandFactory(buyer=buyer_org.buyer_profile)
        for index, participant in enumerate(mou.participants.all()):
            record_po(participant, kemenperin_user, value=1_000_000_000, paid=500_000_000)
            MouParticipant.objects.filter(pk=participant.pk).update(
                suggestion=MatchSuggestionFactory(
                    demand=demand, ikm=participant.ikm, rank=index + 1
                )
            )
        client.force_login(kemenperin_user)
        client.get(f"/kemitraan/mou/{mou.pk}/")  # warm up (session, content types)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/kemitraan/mou/{mou.pk}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('class="participant-row"') == size
        assert html.count(f'href="/kemitraan/kebutuhan/{demand.pk}/"') == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_suggestion_links_to_the_need_only_for_who_may_see_it(
    client, kemenperin_user, pembiayaan_user, buyer_org, lender_org
):
    mou = signed_mou(buyer_org, 1)
    AkadKreditFactory(lender=LenderProfileFactory(organisation=lender_org), mou=mou)
    participant = mou.participants.get()
    demand = DemandFactory(buyer=buyer_org.buyer_profile, title="Bracket knalpot Uji Rantai")
    suggestion = MatchSuggestionFactory(demand=demand, ikm=participant.ikm)
    MouParticipant.objects.filter(pk=participant.pk).update(suggestion=suggestion)
    client.force_login(kemenperin_user)
    html = client.get(f"/kemitraan/mou/{mou.pk}/").content.decode()
    assert f'href="/kemitraan/kebutuhan/{demand.pk}/"' in html
    assert "Bracket knalpot Uji Rantai" in html
    client.force_login(pembiayaan_user)  # reads the MoU behind its akad, not the need
    html = client.get(f"/kemitraan/mou/{mou.pk}/").content.decode()
    assert "Bracket knalpot Uji Rantai" in html
    assert f"/kemitraan/kebutuhan/{demand.pk}/" not in html


def test_the_meeting_is_shown_to_who_may_see_it(
    client, kemenperin_user, pembiayaan_user, buyer_org, lender_org
):
    from kemitraan.models import EventSession, Meeting

    mou = signed_mou(buyer_org, 1)
    AkadKreditFactory(lender=LenderProfileFactory(organisation=lender_org), mou=mou)
    participant = mou.participants.get()
    event = LinkMatchEventFactory(name="Temu Bisnis Uji Rantai")
    session = EventSession.objects.create(
        event=event,
        date=event.start_date,
        start_time=datetime.time(9),
        end_time=datetime.time(12),
    )
    meeting = Meeting.objects.create(
        event=event,
        session=session,
        starts_at=timezone.make_aware(
            datetime.datetime.combine(event.start_date, session.start_time)
        ),
        table=1,
        buyer=buyer_org.buyer_profile,
        ikm=participant.ikm,
    )
    MouParticipant.objects.filter(pk=participant.pk).update(meeting=meeting)
    client.force_login(kemenperin_user)
    html = client.get(f"/kemitraan/mou/{mou.pk}/").content.decode()
    assert "Temu Bisnis Uji Rantai" in html
    assert f'href="/kemitraan/acara/{event.pk}/"' in html  # the event's page
    client.force_login(pembiayaan_user)  # lenders see no meetings
    assert "Temu Bisnis Uji Rantai" not in client.get(f"/kemitraan/mou/{mou.pk}/").text
