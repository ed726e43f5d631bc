"""Documents: checked by content, stored privately, served only through a permission check.
Contacts: personal data, shown per role, every reveal recorded."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ikm.models import ContactReveal
from ikm.uploads import (
    DOCUMENT_EMPTY,
    DOCUMENT_TOO_LARGE,
    DOCUMENT_WRONG_TYPE,
    MAX_DOCUMENT_BYTES,
    validate_document,
)
from kemitraan.models import MatchSuggestion

from ..factories import CertificateFactory, DemandFactory, IkmFactory, MatchSuggestionFactory

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.mark.parametrize(
    ("content", "name"), [(PDF, "scan.pdf"), (PNG, "foto.png"), (JPEG, "x.jpeg")]
)
def test_real_documents_pass_and_get_an_extension_from_their_content(content, name):
    upload = SimpleUploadedFile(name, content)
    kind = validate_document(upload)
    assert upload.name == f"document.{kind[1]}"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00 this is an exe", "sertifikat.pdf", DOCUMENT_WRONG_TYPE),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "x.png",
            DOCUMENT_WRONG_TYPE,
        ),
        (b"PK\x03\x04 zip", "arsip.pdf", DOCUMENT_WRONG_TYPE),
        (b"", "kosong.pdf", DOCUMENT_EMPTY),
        (b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES, "besar.pdf", DOCUMENT_TOO_LARGE),
    ],
)
def test_hostile_or_oversized_files_are_refused(content, name, message):
    with pytest.raises(ValidationError) as excinfo:
        validate_document(SimpleUploadedFile(name, content))
    assert excinfo.value.messages == [str(message)]


@pytest.mark.django_db
def test_documents_are_served_only_to_users_who_may_see_the_ikm(
    client, pengadaan_user, kemenperin_user
):
    from django.core.files.base import ContentFile

    hidden = CertificateFactory(ikm=IkmFactory(verification_status="draft"))
    hidden.document.save("x.pdf", ContentFile(PDF))
    shown = CertificateFactory()
    shown.document.save("y.pdf", ContentFile(PDF))
    client.force_login(pengadaan_user)
    assert client.get(f"/ikm/sertifikat/{hidden.pk}/dokumen/").status_code == 404
    response = client.get(f"/ikm/sertifikat/{shown.pk}/dokumen/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
    client.force_login(kemenperin_user)
    assert client.get(f"/ikm/sertifikat/{hidden.pk}/dokumen/").status_code == 200
    # Not reachable as a static or media URL.
    assert client.get(f"/media/{shown.document.name}").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role_user", "sees"),
    [
        ("kemenperin_user", True),
        ("kadin_user", True),
        ("pengadaan_user", False),
        ("pembiayaan_user", False),
    ],
)
def test_contact_visibility_per_role(request, client, role_user, sees):
    user = request.getfixturevalue(role_user)
    ikm = IkmFactory(
        contact_name="Siti Aminah", contact_phone="+6281234500011", contact_email="siti@x.example"
    )
    client.force_login(user)
    page = client.get(f"/ikm/{ikm.pk}/").text
    assert "+6281234500011" not in page  # never on the page until asked for
    response = client.post(f"/ikm/{ikm.pk}/kontak/")
    if sees:
        assert response.status_code == 200
        assert "+6281234500011" in response.text and "Siti Aminah" in response.text
        reveal = ContactReveal.objects.get(ikm=ikm)
        assert reveal.user == user and reveal.ip_address == "127.0.0.1"
    else:
        assert response.status_code == 404
        assert not ContactReveal.objects.exists()


@pytest.mark.django_db
def test_a_buyer_sees_contacts_after_shortlisting(client, pengadaan_user, buyer_org):
    from kemitraan.models import BuyerProfile

    ikm = IkmFactory(contact_phone="+6281234500022")
    demand = DemandFactory(buyer=BuyerProfile.objects.get(organisation=buyer_org))
    suggestion = MatchSuggestionFactory(demand=demand, ikm=ikm)
    client.force_login(pengadaan_user)
    assert client.post(f"/ikm/{ikm.pk}/kontak/").status_code == 404
    suggestion.status = MatchSuggestion.Status.SHORTLISTED
    suggestion.save()
    response = client.post(f"/ikm/{ikm.pk}/kontak/")
    assert response.status_code == 200 and "+6281234500022" in response.text
    assert ContactReveal.objects.filter(user=pengadaan_user, ikm=ikm).count() == 1


@pytest.mark.django_db
def test_another_buyers_shortlist_does_not_count(client, pengadaan_user, other_buyer_org):
    from kemitraan.models import BuyerProfile

    ikm = IkmFactory()
    demand = DemandFactory(buyer=BuyerProfile.objects.get(organisation=other_buyer_org))
    MatchSuggestionFactory(demand=demand, ikm=ikm, status="shortlisted")
    client.force_login(pengadaan_user)
    assert client.post(f"/ikm/{ikm.pk}/kontak/").status_code == 404
