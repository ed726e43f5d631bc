"""Registering and editing an IKM through the form: every rule gives its message next to
its field, the input stays in the form, and nothing is saved until all is well."""

import pytest
from django.utils import timezone, translation

from ikm import forms as ikm_forms
from ikm import parsing
from ikm.models import IKM, Certificate

from ..factories import IkmFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def valid_data(**overrides):
    data = {
        "name": "CV Baru Presisi Bekasi",
        "legal_form": "cv",
        "nib": "9130000000001",
        "npwp": "01.234.567.8-901.000",
        "year_founded": "2012",
        "address": "Jl. Industri 7, Cikarang",
        "province": "32",
        "regency": "32.16",
        "workforce": "18",
        "investment_value": "850.000.000",
        "annual_revenue": "Rp 3,2 miliar",
        "kbli": ["29300"],
        "processes": ["stamping"],
        "products": "bracket knalpot, dudukan aki",
        "materials": "plat SPCC",
        "monthly_capacity": "20000",
        "capacity_unit": "pcs",
        "tkdn": "45,5",
        "contact_name": "Budi Santoso",
        "contact_phone": "0812-3456-7890",
        "contact_email": "budi@baru.example",
        "cert-TOTAL_FORMS": "1",
        "cert-INITIAL_FORMS": "0",
        "cert-MIN_NUM_FORMS": "0",
        "cert-MAX_NUM_FORMS": "1000",
        "cert-0-certification_type": "",
    }
    data.update(overrides)
    return data


def post_form(client, user, data, files=None):
    from ikm.models import ProcessCapability

    client.force_login(user)
    payload = dict(data)
    payload["processes"] = [
        ProcessCapability.objects.get(slug=s).pk for s in payload.get("processes", [])
    ]
    if files:
        payload.update(files)
    return client.post("/ikm/baru/", payload)


def test_register_and_send_for_verification(client, kemenperin_user):
    response = post_form(client, kemenperin_user, valid_data(submit="1"))
    assert response.status_code == 302, response.content.decode()[:2000]
    ikm = IKM.objects.get(nib="9130000000001")
    assert response["Location"] == f"/ikm/{ikm.pk}/"
    assert ikm.npwp == "0012345678901000"  # 15 digits with punctuation -> 16 digits
    assert ikm.contact_phone == "+6281234567890"
    assert ikm.investment_value == 850_000_000
    assert ikm.annual_revenue == 3_200_000_000
    assert str(ikm.tkdn) == "45.50"
    assert ikm.verification_status == IKM.Status.SUBMITTED
    assert ikm.created_by == kemenperin_user
    assert list(ikm.processes.values_list("slug", flat=True)) == ["stamping"]
    assert ikm.history.first().history_user == kemenperin_user


def test_save_as_draft(client, kemenperin_user):
    post_form(client, kemenperin_user, valid_data())
    assert IKM.objects.get(nib="9130000000001").verification_status == IKM.Status.DRAFT


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nib", "12345", parsing.NIB_INVALID),
        ("nib", "91300000000ab", parsing.NIB_INVALID),
        ("npwp", "1234", parsing.NPWP_INVALID),
        ("contact_phone", "+1 202 555 0101", parsing.PHONE_INVALID),
        ("year_founded", str(timezone.localdate().year + 1), ikm_forms.YEAR_IN_FUTURE),
        ("regency", "33.28", ikm_forms.REGENCY_NOT_IN_PROVINCE),
    ],
)
def test_each_rule_has_its_message_and_nothing_is_saved(
    client, kemenperin_user, field, value, message
):
    with translation.override("id"):
        response = post_form(client, kemenperin_user, valid_data(**{field: value}))
        assert response.status_code == 422
        form = response.context["form"]
        assert str(message) in [str(e) for e in form.errors[field]]
        # The user's input stays in the form.
        assert f'value="{value}"' in response.text or value in response.text
    assert not IKM.objects.filter(name="CV Baru Presisi Bekasi").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("contact_email", "budi-at-baru"),
        ("investment_value", "-5"),
        ("investment_value", "banyak"),
        ("tkdn", "120"),
        ("workforce", "-1"),
    ],
)
def test_other_invalid_values_are_refused_next_to_their_field(
    client, kemenperin_user, field, value
):
    response = post_form(client, kemenperin_user, valid_data(**{field: value}))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not IKM.objects.filter(name="CV Baru Presisi Bekasi").exists()


def test_messages_are_indonesian(client, kemenperin_user):
    with translation.override("id"):
        response = post_form(client, kemenperin_user, valid_data(nib="123"))
    assert "NIB harus tepat 13 digit." in response.text


def test_duplicate_nib_links_to_the_existing_ikm(client, kemenperin_user):
    existing = IkmFactory(nib="9130000000001")
    response = post_form(client, kemenperin_user, valid_data())
    assert response.status_code == 422
    assert f'href="/ikm/{existing.pk}/"' in response.text
    assert IKM.objects.filter(nib="9130000000001").count() == 1


def test_possible_duplicate_by_npwp_must_be_confirmed(client, kemenperin_user):
    IkmFactory(npwp="0012345678901000", name="PT Lain Sama Sekali")
    response = post_form(client, kemenperin_user, valid_data())
    assert response.status_code == 422
    assert "PT Lain Sama Sekali" in response.text
    assert not IKM.objects.filter(nib="9130000000001").exists()
    confirmed = post_form(
        client, kemenperin_user, valid_data(confirm_not_duplicate="on", duplicates_shown="1")
    )
    assert confirmed.status_code == 302
    assert IKM.objects.filter(nib="9130000000001").exists()


def test_possible_duplicate_by_similar_name_in_the_same_regency(client, kemenperin_user):
    IkmFactory(name="CV Baru Presisi Bekasi Jaya", regency_id="32.16", province_id="32")
    response = post_form(client, kemenperin_user, valid_data(npwp=""))
    assert response.status_code == 422
    assert "CV Baru Presisi Bekasi Jaya" in response.text


def test_a_similar_name_elsewhere_is_not_a_duplicate(client, kemenperin_user):
    IkmFactory(name="CV Baru Presisi Bekasi", regency_id="33.28", province_id="33")
    response = post_form(client, kemenperin_user, valid_data(npwp=""))
    assert response.status_code == 302


def test_certificate_with_document_and_dates(client, kemenperin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ikm.models import CertificationType

    iso = CertificationType.objects.get(code="ISO9001")
    data = valid_data(
        **{
            "cert-0-certification_type": str(iso.pk),
            "cert-0-number": "QMS-001",
            "cert-0-valid_from": "2024-01-01",
            "cert-0-valid_until": "2027-01-01",
        }
    )
    upload = SimpleUploadedFile("iso.pdf", PDF, content_type="application/pdf")
    response = post_form(client, kemenperin_user, data, files={"cert-0-document": upload})
    assert response.status_code == 302
    certificate = Certificate.objects.get(number="QMS-001")
    assert certificate.document.name.startswith("certificates/")
    assert certificate.document.name.endswith(".pdf")
    assert "iso" not in certificate.document.name  # never the uploader's file name


def test_certificate_dates_out_of_order(client, kemenperin_user):
    from ikm.models import CertificationType

    iso = CertificationType.objects.get(code="ISO9001")
    data = valid_data(
        **{
            "cert-0-certification_type": str(iso.pk),
            "cert-0-valid_from": "2025-01-01",
            "cert-0-valid_until": "2024-01-01",
        }
    )
    response = post_form(client, kemenperin_user, data)
    assert response.status_code == 422
    assert ikm_forms.CERTIFICATE_DATES in response.context["formset"].forms[0].errors["valid_until"]
    assert not IKM.objects.filter(nib="9130000000001").exists()


def test_regency_options_follow_the_province(client, kemenperin_user):
    client.force_login(kemenperin_user)
    html = client.get("/ikm/wilayah/kabupaten/", {"province": "32"}).text
    assert 'value="32.16"' in html
    assert 'value="33.28"' not in html
    assert html.count("<option") == 28  # 27 regencies/cities of Jawa Barat + the blank


def test_size_class_preview_while_typing(client, kemenperin_user):
    client.force_login(kemenperin_user)
    with translation.override("id"):
        html = client.get(
            "/ikm/skala/", {"workforce": "19", "investment_value": "1.000.000.000"}
        ).text
        assert "Industri menengah" in html
        html = client.get("/ikm/skala/", {"workforce": "19", "investment_value": "999 juta"}).text
        assert "Industri kecil" in html


def test_edit_keeps_history(client, kemenperin_user):
    ikm = IkmFactory()
    client.force_login(kemenperin_user)
    data = valid_data(nib=ikm.nib, name=ikm.name, npwp="", confirm_not_duplicate="on")
    from ikm.models import ProcessCapability

    data["processes"] = [ProcessCapability.objects.get(slug="pemesinan").pk]
    response = client.post(f"/ikm/{ikm.pk}/ubah/", data)
    assert response.status_code == 302, response.content.decode()[:1500]
    ikm.refresh_from_db()
    assert ikm.workforce == 18
    assert list(ikm.processes.values_list("slug", flat=True)) == ["pemesinan"]
    assert ikm.history.first().history_change_reason == "edited"
    assert ikm.history.first().history_user == kemenperin_user
    page = client.get(f"/ikm/{ikm.pk}/").text
    with translation.override("en"):
        assert kemenperin_user.username in page


@pytest.mark.parametrize("role_user", ["pengadaan_user", "pembiayaan_user", "kadin_user"])
def test_only_kemenperin_registers_and_edits(request, client, role_user):
    user = request.getfixturevalue(role_user)
    ikm = IkmFactory()
    client.force_login(user)
    assert client.get("/ikm/baru/").status_code == 403
    assert client.post("/ikm/baru/", valid_data()).status_code == 403
    assert client.get(f"/ikm/{ikm.pk}/ubah/").status_code == 403
    assert not IKM.objects.filter(nib="9130000000001").exists()


def test_size_preview_replaces_itself_rather_than_nesting(client, kemenperin_user):
    client.force_login(kemenperin_user)
    html = client.get("/ikm/baru/").text
    assert 'hx-target="#size-class-preview"' in html
    assert 'hx-swap="outerHTML"' in html
    fragment = client.get("/ikm/skala/", {"workforce": "5", "investment_value": "1"}).text
    assert fragment.count('id="size-class-preview"') == 1
