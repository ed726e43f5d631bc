"""/api/v1/ikm/: the permission matrix, scoping (404), contact rules and reveals, validation
on create and update, the directory's filters, and a query count independent of the page."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from ikm import contacts, search
from ikm.api import NIB_ALREADY_REGISTERED, IkmSerializer
from ikm.forms import REGENCY_NOT_IN_PROVINCE
from ikm.models import IKM, CertificationType, ContactReveal, Regency
from ikm.parsing import NIB_INVALID, NPWP_INVALID
from tests.factories import CertificateFactory, IkmFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_search_caches():
    search.clear_caches()


LIST = "/api/v1/ikm/"
ALL_ROLES = [Role.KEMENPERIN, Role.KADIN, Role.PENGADAAN, Role.PEMBIAYAAN]


def detail(ikm) -> str:
    return f"/api/v1/ikm/{ikm.pk}/"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def payload(**overrides) -> dict:
    data = {
        "nib": "9130000000001",
        "name": "CV Baru Presisi",
        "legal_form": "cv",
        "npwp": "01.234.567.8-901.000",
        "regency": "32.16",
        "kbli": ["25920", "29300"],
        "processes": ["pemesinan", "stamping"],
        "products": "poros roda, bushing",
        "materials": "baja S45C",
        "monthly_capacity": 20000,
        "capacity_unit": "pcs",
        "workforce": 15,
        "investment_value": 750_000_000,
        "annual_revenue": 3_000_000_000,
        "tkdn": "45.50",
        "contact": {"name": "Rina", "phone": "0812-3456-7890", "email": "rina@baru.example"},
    }
    data.update(overrides)
    return data


@pytest.fixture
def ikm(db):
    return IkmFactory(
        name="CV Terbuka",
        contact_name="Agus Wicaksono",
        contact_phone="+628127310458",
        contact_email="agus@terbuka.example",
    )


@pytest.fixture
def draft(db):
    return IkmFactory(name="CV Draf", verification_status=IKM.Status.DRAFT)


# --- Permission matrix -----------------------------------------------------------------


def test_anonymous_gets_401(ikm):
    assert api().get(LIST).status_code == 401
    assert api().get(detail(ikm)).status_code == 401
    assert api().post(LIST, payload(), format="json").status_code == 401


def test_a_user_without_a_role_gets_403(ikm):
    assert api(UserFactory()).get(LIST).status_code == 403


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_lists_and_retrieves(users_by_role, ikm, role):
    client = api(users_by_role[role])
    response = client.get(LIST)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [ikm.pk]
    assert client.get(detail(ikm)).status_code == 200


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_kemenperin_creates(users_by_role, role):
    response = api(users_by_role[role]).post(LIST, payload(), format="json")
    if role == Role.KEMENPERIN:
        assert response.status_code == 201, response.json()
    else:
        assert response.status_code == 403
        assert not IKM.objects.exists()


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_only_kemenperin_updates(users_by_role, ikm, role, method):
    client = api(users_by_role[role])
    data = payload(nib=ikm.nib, name="CV Terbuka Baru") if method == "put" else {"name": "Baru"}
    response = getattr(client, method)(detail(ikm), data, format="json")
    ikm.refresh_from_db()
    if role == Role.KEMENPERIN:
        assert response.status_code == 200, response.json()
        assert ikm.name == data["name"]
    else:
        assert response.status_code == 403
        assert ikm.name == "CV Terbuka"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_there_is_no_delete(users_by_role, ikm, role):
    assert api(users_by_role[role]).delete(detail(ikm)).status_code == 405
    assert IKM.objects.filter(pk=ikm.pk).exists()


@pytest.mark.parametrize("role", [Role.PENGADAAN, Role.PEMBIAYAAN])
@pytest.mark.parametrize(
    "hidden",
    [
        {"verification_status": IKM.Status.DRAFT},
        {"verification_status": IKM.Status.REJECTED, "rejection_reason": "NIB salah"},
        {"is_active": False},
    ],
)
def test_hidden_ikm_are_404_for_buyers_and_lenders(users_by_role, role, hidden):
    other = IkmFactory(**hidden)
    client = api(users_by_role[role])
    assert client.get(detail(other)).status_code == 404
    assert client.get(LIST).json()["count"] == 0


@pytest.mark.parametrize("role", [Role.KEMENPERIN, Role.KADIN])
def test_kemenperin_and_kadin_see_hidden_ikm(users_by_role, draft, role):
    assert api(users_by_role[role]).get(detail(draft)).status_code == 200


def test_kemenperin_editing_a_missing_ikm_gets_404(kemenperin_user):
    response = api(kemenperin_user).patch("/api/v1/ikm/999999/", {"name": "x"}, format="json")
    assert response.status_code == 404


# --- Fields and contact data -----------------------------------------------------------


def test_the_fields(kemenperin_user):
    ikm = IkmFactory(
        name="CV Lengkap",
        kbli=["25920", "30912"],
        processes=["pemesinan"],
        tkdn=Decimal("47.30"),
        monthly_capacity=45000,
        capacity_unit="pcs",
    )
    today = timezone.localdate()
    CertificateFactory(ikm=ikm)
    CertificateFactory(ikm=ikm, certification_type=CertificationType.objects.get(code="SNI"))
    CertificateFactory(
        ikm=ikm,
        certification_type=CertificationType.objects.get(code="IATF16949"),
        valid_until=today - datetime.timedelta(days=1),
    )
    data = api(kemenperin_user).get(detail(ikm)).json()
    assert data == {
        "id": ikm.pk,
        "nib": ikm.nib,
        "name": "CV Lengkap",
        "legal_form": "cv",
        "npwp": "",
        "province": "32",
        "regency": "32.16",
        "kbli": ["25920", "30912"],
        "processes": ["pemesinan"],
        "certifications": ["ISO9001", "SNI"],
        "products": ikm.products,
        "materials": ikm.materials,
        "monthly_capacity": 45000,
        "capacity_unit": "pcs",
        "workforce": 12,
        "investment_value": 500_000_000,
        "annual_revenue": 1_800_000_000,
        "tkdn": "47.30",
        "size_class": "kecil",
        "verification_status": "verified",
        "is_active": True,
        "contact": {"name": "", "phone": "", "email": ""},
    }


@pytest.mark.parametrize("role", [Role.KEMENPERIN, Role.KADIN])
def test_retrieve_shows_contact_to_kemenperin_and_kadin_and_records_it(users_by_role, ikm, role):
    user = users_by_role[role]
    data = api(user).get(detail(ikm)).json()
    assert data["contact"] == {
        "name": "Agus Wicaksono",
        "phone": "+628127310458",
        "email": "agus@terbuka.example",
    }
    reveal = ContactReveal.objects.get()
    assert (reveal.user, reveal.ikm, reveal.context) == (user, ikm, "api")


@pytest.mark.parametrize("role", [Role.PENGADAAN, Role.PEMBIAYAAN])
def test_retrieve_hides_contact_from_buyers_and_lenders(users_by_role, ikm, role):
    data = api(users_by_role[role]).get(detail(ikm)).json()
    assert "contact" not in data
    assert "Agus" not in str(data)
    assert not ContactReveal.objects.exists()


def test_a_rule_from_a_higher_app_can_grant_contact(monkeypatch, pengadaan_user, ikm):
    monkeypatch.setattr(contacts, "_grant_rules", [lambda user, other: other.pk == ikm.pk])
    data = api(pengadaan_user).get(detail(ikm)).json()
    assert data["contact"]["phone"] == "+628127310458"
    assert ContactReveal.objects.filter(user=pengadaan_user, ikm=ikm).count() == 1


@pytest.mark.parametrize("role", ALL_ROLES)
def test_lists_never_carry_contact_nor_record_reveals(users_by_role, ikm, role):
    rows = api(users_by_role[role]).get(LIST).json()["results"]
    assert rows and all("contact" not in row for row in rows)
    assert "Agus" not in str(rows)
    assert not ContactReveal.objects.exists()


# --- Create and update ---------------------------------------------------------------------


def test_create(kemenperin_user):
    response = api(kemenperin_user).post(LIST, payload(), format="json")
    assert response.status_code == 201, response.json()
    ikm = IKM.objects.get()
    assert response.json()["id"] == ikm.pk
    assert "contact" not in response.json()
    assert ikm.verification_status == IKM.Status.SUBMITTED
    assert ikm.submitted_at is not None
    assert ikm.created_by == kemenperin_user
    assert ikm.province_id == "32"  # taken from the regency
    assert ikm.npwp == "0012345678901000"
    assert ikm.contact_phone == "+6281234567890"
    assert set(ikm.kbli.values_list("code", flat=True)) == {"25920", "29300"}
    assert set(ikm.processes.values_list("slug", flat=True)) == {"pemesinan", "stamping"}
    assert ikm.history.first().history_user == kemenperin_user
    assert response.json()["size_class"] == "kecil"


def test_read_only_fields_are_ignored_on_create(kemenperin_user):
    data = payload(verification_status="verified", is_active=False, size_class="besar")
    response = api(kemenperin_user).post(LIST, data, format="json")
    assert response.status_code == 201
    ikm = IKM.objects.get()
    assert (ikm.verification_status, ikm.is_active) == (IKM.Status.SUBMITTED, True)


def test_duplicate_nib_names_the_existing_ikm(kemenperin_user, ikm):
    response = api(kemenperin_user).post(LIST, payload(nib=ikm.nib), format="json")
    assert response.status_code == 400
    assert response.json()["nib"] == [
        str(NIB_ALREADY_REGISTERED % {"id": ikm.pk, "name": ikm.name})
    ]
    assert str(ikm.pk) in response.json()["nib"][0]
    assert IKM.objects.count() == 1


def test_duplicate_nib_on_update(kemenperin_user, ikm):
    other = IkmFactory()
    response = api(kemenperin_user).patch(detail(other), {"nib": ikm.nib}, format="json")
    assert response.status_code == 400
    assert str(ikm.pk) in response.json()["nib"][0]
    # Its own NIB, punctuated, is fine.
    punctuated = f"{other.nib[:4]}-{other.nib[4:]}"
    assert api(kemenperin_user).patch(detail(other), {"nib": punctuated}).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"nib": "12345"}, "nib", NIB_INVALID),
        ({"npwp": "12-34"}, "npwp", NPWP_INVALID),
        ({"province": "33"}, "regency", REGENCY_NOT_IN_PROVINCE),
        ({"tkdn": "120"}, "tkdn", None),
        ({"investment_value": -1}, "investment_value", None),
        ({"regency": "99.99"}, "regency", None),
        ({"kbli": ["11111"]}, "kbli", None),
        ({"contact": {"phone": "12"}}, "contact", None),
        ({"name": ""}, "name", None),
    ],
)
def test_invalid_input_is_400_and_writes_nothing(kemenperin_user, overrides, field, message):
    response = api(kemenperin_user).post(LIST, payload(**overrides), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert field in errors
    if message is not None:
        assert errors[field] == [str(message)]
    assert not IKM.objects.exists()


def test_model_validation_runs_before_saving(monkeypatch, kemenperin_user):
    # Without the serializer's own check, full_clean() still refuses a regency outside the
    # province (the model's constraint), as a 400 rather than a database error.
    monkeypatch.setattr(IkmSerializer, "validate", lambda self, attrs: attrs)
    data = payload(province="33", regency="32.16")
    client = api(kemenperin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(LIST, data, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["The regency/city must lie in the chosen province."]
    }
    assert not IKM.objects.exists()


def test_update_keeps_status_and_updates_capabilities_and_search(kemenperin_user, ikm):
    client = api(kemenperin_user)
    response = client.patch(
        detail(ikm),
        {"products": "jasa pengecoran aluminium", "processes": ["pengecoran"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    ikm.refresh_from_db()
    assert ikm.verification_status == IKM.Status.VERIFIED
    assert list(ikm.processes.values_list("slug", flat=True)) == ["pengecoran"]
    assert list(ikm.kbli.values_list("code", flat=True)) == ["29300"]  # untouched
    found = client.get(LIST, {"search": "cor"}).json()["results"]
    assert [row["id"] for row in found] == [ikm.pk]


def test_put_moves_the_regency_within_a_new_province(kemenperin_user, ikm):
    data = payload(nib=ikm.nib, regency="33.76", province="33")
    response = api(kemenperin_user).put(detail(ikm), data, format="json")
    assert response.status_code == 200, response.json()
    ikm.refresh_from_db()
    assert (ikm.province_id, ikm.regency_id) == ("33", "33.76")
    client = api(kemenperin_user)
    bad = client.patch(detail(ikm), {"regency": "32.16", "province": "33"}, format="json")
    assert bad.status_code == 400
    # A regency alone brings its province along.
    assert client.patch(detail(ikm), {"regency": "32.16"}, format="json").status_code == 200
    ikm.refresh_from_db()
    assert (ikm.province_id, ikm.regency_id) == ("32", "32.16")


# --- Filters and paging -------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    today = timezone.localdate()
    tegal = IkmFactory(
        name="CV Bubut Tegal",
        regency=Regency.objects.get(code="33.76"),
        kbli=["25920"],
        processes=["pemesinan"],
        products="jasa pembubutan poros",
        monthly_capacity=50_000,
        tkdn=Decimal("60.00"),
        verification_status=IKM.Status.SUBMITTED,
    )
    bekasi = IkmFactory(
        name="PT Press Bekasi",
        kbli=["29300"],
        processes=["stamping"],
        products="bracket knalpot",
        monthly_capacity=5_000,
        tkdn=Decimal("30.00"),
        workforce=80,
        investment_value=20_000_000_000,
    )
    CertificateFactory(ikm=tegal, valid_from=None, valid_until=None)
    CertificateFactory(ikm=bekasi, valid_until=today - datetime.timedelta(days=1))
    return {"tegal": tegal, "bekasi": bekasi}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"search": "bubut"}, {"tegal"}),
        ({"search": "pengepresan Presss"}, set()),
        ({"search": "Presss"}, {"bekasi"}),
        ({"province": "33"}, {"tegal"}),
        ({"regency": "32.16"}, {"bekasi"}),
        ({"kbli": "29300"}, {"bekasi"}),
        ({"process": "pemesinan"}, {"tegal"}),
        ({"certification": "ISO9001"}, {"tegal"}),
        ({"size_class": "besar"}, {"bekasi"}),
        ({"min_capacity": 10000}, {"tegal"}),
        ({"min_tkdn": 50}, {"tegal"}),
        ({"verification_status": "verified"}, {"bekasi"}),
        ({"province": "32", "process": "stamping", "search": "knalpot"}, {"bekasi"}),
    ],
)
def test_filters(pengadaan_user, catalogue, params, expected):
    response = api(pengadaan_user).get(LIST, params)
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {
        catalogue[key].pk for key in expected
    }


def test_an_invalid_filter_is_400(pengadaan_user):
    assert api(pengadaan_user).get(LIST, {"province": "99"}).status_code == 400
    assert api(pengadaan_user).get(LIST, {"min_tkdn": "banyak"}).status_code == 400
    assert api(pengadaan_user).get(LIST, {"size_class": "raksasa"}).status_code == 400


def test_the_list_query_count_does_not_grow_with_the_page(kadin_user):
    for _n in range(60):
        ikm = IkmFactory(kbli=["25920", "29300"], processes=["pemesinan", "stamping"])
        CertificateFactory(ikm=ikm)
    client = api(kadin_user)
    client.get(LIST)  # the user's groups and permissions, cached on the user from now on
    counts = {}
    for size in (10, 50):
        search.clear_caches()  # the same work for both page sizes
        with CaptureQueriesContext(connection) as context:
            response = client.get(LIST, {"page_size": size, "search": "bracket"})
        assert len(response.json()["results"]) == size
        counts[size] = len(context.captured_queries)
    assert counts[10] == counts[50]
    assert client.get(LIST, {"page_size": 1000}).json()["results"].__len__() == 60
