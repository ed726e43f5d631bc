"""/api/v1/: token and session authentication, reference data, the schema and its docs."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_client(pengadaan_user):
    client = APIClient()
    token = Token.objects.create(user=pengadaan_user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_token_authentication(token_client, pengadaan_user):
    response = token_client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "id": pengadaan_user.pk,
        "username": pengadaan_user.username,
        "role": "pengadaan",
        "organisation": {
            "id": pengadaan_user.organisation_id,
            "name": "PT Uji Motor Indonesia",
            "kind": "apm",
        },
    }


def test_a_wrong_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token salah")
    assert client.get("/api/v1/me/").status_code == 401


def test_session_authentication(client, kadin_user):
    client.force_login(kadin_user)
    assert client.get("/api/v1/me/").json()["role"] == "kadin"


def test_regions_reference_data(token_client):
    provinces = token_client.get("/api/v1/provinces/").json()
    assert len(provinces) == 38
    assert {"code": "32", "name": "JAWA BARAT", "island_group": "jawa"} in provinces
    assert {p["island_group"] for p in provinces if p["code"].startswith("9")} == {"papua"}
    regencies = token_client.get("/api/v1/regencies/", {"province": "32"}).json()
    assert len(regencies) == 27
    assert all(r["province"] == "32" for r in regencies)
    assert token_client.get("/api/v1/regencies/32.16/").json()["name"] == "KABUPATEN BEKASI"
    assert len(token_client.get("/api/v1/regencies/").json()) == 514


def test_process_and_certification_codes_are_stable(token_client):
    slugs = {p["slug"] for p in token_client.get("/api/v1/processes/").json()}
    assert slugs == {
        "pemesinan", "stamping", "pengecoran", "tempa", "injeksi-plastik", "cetak-karet",
        "pengelasan-fabrikasi", "pengecatan", "pelapisan-logam", "perlakuan-panas", "perakitan",
        "wire-harness", "jahit-jok", "pembuatan-cetakan", "komposit", "karoseri", "elektronik",
    }  # fmt: skip
    codes = {c["code"] for c in token_client.get("/api/v1/certification-types/").json()}
    assert codes == {"ISO9001", "IATF16949", "ISO14001", "ISO45001", "SNI", "SMK3", "TKDN"}
    kbli = {k["code"] for k in token_client.get("/api/v1/kbli/").json()}
    assert {"29300", "30912", "29100", "29200", "30911"} <= kbli


def test_openapi_schema_and_docs_for_signed_in_users(client, kemenperin_user):
    assert client.get("/api/schema/").status_code in (401, 403)
    client.force_login(kemenperin_user)
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/v1/regencies/" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # Swagger UI from local static files (closed government networks have no CDN).
    assert "drf_spectacular_sidecar" in docs.text
    assert "cdn." not in docs.text
