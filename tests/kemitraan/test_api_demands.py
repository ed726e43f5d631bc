"""/api/v1/demands/: the permission matrix, scoping (404), creating and editing through the
services (with field errors, never 500), filters, the suggestions and bounded query counts."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.roles import Role
from ikm.forms import REGENCY_NOT_IN_PROVINCE
from ikm.models import CertificationType, Kbli, ProcessCapability, Regency
from kemitraan.api import NO_BUYER_PROFILE
from kemitraan.matching import explain
from kemitraan.models import BuyerProfile, Demand, MatchSuggestion
from kemitraan.serializers import DemandSerializer
from tests.factories import (
    BuyerProfileFactory,
    DemandFactory,
    IkmFactory,
    MatchSuggestionFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/demands/"


def detail(demand) -> str:
    return f"{LIST}{demand.pk}/"


def suggestions_url(demand) -> str:
    return f"{LIST}{demand.pk}/suggestions/"


def api(user=None, language=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    if language is not None:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def payload(**overrides) -> dict:
    data = {
        "title": "Bracket knalpot NMAX",
        "description": "Plat baja SPCC 2 mm, dicat hitam.",
        "kbli": ["29300", "25920"],
        "processes": ["stamping", "pengelasan-fabrikasi"],
        "required_certifications": ["ISO9001"],
        "preferred_certifications": ["IATF16949"],
        "quantity_per_month": 20000,
        "unit": "pcs",
        "annual_value": 2_400_000_000,
        "regency": "32.16",
        "latitude": "-6.300000",
        "longitude": "107.150000",
        "min_tkdn": "40.00",
        "verified_only": True,
        "valid_until": "2027-06-30",
    }
    data.update(overrides)
    return data


@pytest.fixture
def own_buyer(buyer_org):
    return BuyerProfileFactory(organisation=buyer_org)


@pytest.fixture
def other_buyer(other_buyer_org):
    return BuyerProfileFactory(organisation=other_buyer_org)


@pytest.fixture
def own_demand(own_buyer):
    return DemandFactory(buyer=own_buyer, title="Bracket knalpot milik sendiri")


@pytest.fixture
def other_demand(other_buyer):
    return DemandFactory(buyer=other_buyer, title="Dudukan jok pembeli lain")


@pytest.fixture
def other_officer(other_buyer_org):
    return UserFactory(role=Role.PENGADAAN, organisation=other_buyer_org)


# --- Permission matrix -------------------------------------------------------------------

ACTORS = ["kemenperin", "kadin", "own", "other", "pembiayaan", "anonymous"]
# Every operation is on the need of the "own" officer's organisation.
EXPECTED = {
    #              list  retrieve create update suggestions
    "kemenperin": (200, 200, 403, 403, 200),
    "kadin": (200, 200, 403, 403, 200),
    "own": (200, 200, 201, 200, 200),
    "other": (200, 404, 201, 404, 404),
    "pembiayaan": (403, 403, 403, 403, 403),
    "anonymous": (401, 401, 401, 401, 401),
}
OPERATIONS = ["list", "retrieve", "create", "update", "suggestions"]


@pytest.fixture
def actors(kemenperin_user, kadin_user, pengadaan_user, pembiayaan_user, other_officer):
    return {
        "kemenperin": kemenperin_user,
        "kadin": kadin_user,
        "own": pengadaan_user,
        "other": other_officer,
        "pembiayaan": pembiayaan_user,
        "anonymous": None,
    }


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix(actors, own_demand, other_demand, actor, operation):
    client = api(actors[actor])
    response = {
        "list": lambda: client.get(LIST),
        "retrieve": lambda: client.get(detail(own_demand)),
        "create": lambda: client.post(LIST, payload(), format="json"),
        "update": lambda: client.patch(detail(own_demand), {"title": "Diubah"}, format="json"),
        "suggestions": lambda: client.get(suggestions_url(own_demand)),
    }[operation]()
    expected = EXPECTED[actor][OPERATIONS.index(operation)]
    assert response.status_code == expected, response.content
    own_demand.refresh_from_db()
    if operation == "update" and expected != 200:
        assert own_demand.title == "Bracket knalpot milik sendiri"
    if operation == "create" and expected != 201:
        assert Demand.objects.count() == 2


@pytest.mark.parametrize(
    ("actor", "visible"),
    [
        ("kemenperin", {"own", "other"}),
        ("kadin", {"own", "other"}),
        ("own", {"own"}),
        ("other", {"other"}),
    ],
)
def test_each_role_lists_its_scope(actors, own_demand, other_demand, actor, visible):
    rows = api(actors[actor]).get(LIST).json()["results"]
    demands = {"own": own_demand, "other": other_demand}
    assert {row["id"] for row in rows} == {demands[key].pk for key in visible}


@pytest.mark.parametrize("actor", ["kemenperin", "own", "pembiayaan"])
def test_there_is_no_delete(actors, own_demand, actor):
    assert api(actors[actor]).delete(detail(own_demand)).status_code == 405
    assert Demand.objects.filter(pk=own_demand.pk).exists()


def test_a_missing_need_is_404(pengadaan_user, own_buyer):
    client = api(pengadaan_user)
    assert client.get(f"{LIST}999999/").status_code == 404
    assert client.get(f"{LIST}999999/suggestions/").status_code == 404
    assert client.patch(f"{LIST}999999/", {"title": "x"}, format="json").status_code == 404


def test_an_officer_whose_organisation_has_no_buyer_profile(db):
    organisation = OrganisationFactory(kind="apm", name="PT Tanpa Profil")
    BuyerProfile.objects.filter(organisation=organisation).delete()
    officer = UserFactory(role=Role.PENGADAAN, organisation=organisation)
    client = api(officer)
    response = client.post(LIST, payload(), format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": str(NO_BUYER_PROFILE)}
    assert not Demand.objects.exists()
    assert client.get(LIST).json()["count"] == 0


# --- Create --------------------------------------------------------------------------------


def test_create(pengadaan_user, own_buyer, other_buyer):
    # The buyer is the officer's organisation's, whatever the client sends.
    data = payload(buyer={"id": other_buyer.pk}, matched_at="2026-01-01T00:00:00Z")
    response = api(pengadaan_user).post(LIST, data, format="json")
    assert response.status_code == 201, response.json()
    demand = Demand.objects.get()
    body = response.json()
    assert body["id"] == demand.pk
    assert body["buyer"] == {"id": own_buyer.pk, "name": "PT Uji Motor Indonesia"}
    assert demand.buyer == own_buyer
    assert demand.created_by == pengadaan_user
    assert demand.matched_at is None
    assert demand.history.first().history_user == pengadaan_user
    assert (demand.province_id, demand.regency_id) == ("32", "32.16")  # from the regency
    assert set(demand.kbli.values_list("code", flat=True)) == {"29300", "25920"}
    assert set(demand.processes.values_list("slug", flat=True)) == {
        "stamping",
        "pengelasan-fabrikasi",
    }
    assert list(demand.required_certifications.values_list("code", flat=True)) == ["ISO9001"]
    assert list(demand.preferred_certifications.values_list("code", flat=True)) == ["IATF16949"]
    assert demand.min_tkdn == Decimal("40.00")
    assert demand.valid_until == datetime.date(2027, 6, 30)
    assert demand.status == Demand.Status.OPEN
    assert sorted(body) == sorted(
        [
            "id",
            "buyer",
            "title",
            "description",
            "kbli",
            "processes",
            "required_certifications",
            "preferred_certifications",
            "quantity_per_month",
            "unit",
            "annual_value",
            "province",
            "regency",
            "latitude",
            "longitude",
            "min_tkdn",
            "verified_only",
            "status",
            "valid_until",
            "created_at",
            "updated_at",
            "matched_at",
        ]
    )
    assert sorted(body["kbli"]) == ["25920", "29300"]
    assert (body["province"], body["regency"]) == ("32", "32.16")
    assert body["matched_at"] is None


def test_a_minimal_need(pengadaan_user, own_buyer):
    response = api(pengadaan_user).post(LIST, {"title": "Baut M8"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kbli"] == [] and body["province"] is None and body["regency"] is None
    assert body["latitude"] is None and body["status"] == "open"


def test_creating_a_need_registers_one_matching_callback(
    pengadaan_user, own_buyer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = api(pengadaan_user).post(LIST, payload(), format="json")
    assert response.status_code == 201
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kbli": ["29300", "11111"]}, "kbli"),
        ({"processes": ["terbang"]}, "processes"),
        ({"required_certifications": ["ISO0000"]}, "required_certifications"),
        ({"preferred_certifications": ["XYZ"]}, "preferred_certifications"),
        ({"kbli": "29300"}, "kbli"),  # not a list
        ({"kbli": [{"code": "29300"}]}, "kbli"),
        ({"province": "99"}, "province"),
        ({"regency": "99.99"}, "regency"),
        ({"longitude": None}, "longitude"),
        ({"latitude": None}, "latitude"),
        ({"latitude": "95"}, "latitude"),
        ({"quantity_per_month": 0}, "quantity_per_month"),
        ({"annual_value": 0}, "annual_value"),
        ({"min_tkdn": "120"}, "min_tkdn"),
        ({"status": "deleted"}, "status"),
        ({"title": ""}, "title"),
        ({"valid_until": "besok"}, "valid_until"),
    ],
)
def test_invalid_input_is_400_with_the_field_and_writes_nothing(
    pengadaan_user, own_buyer, django_capture_on_commit_callbacks, overrides, field
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = api(pengadaan_user).post(LIST, payload(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Demand.objects.exists()
    assert callbacks == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"kbli": ["11111"]}, "kbli", "Unknown KBLI code: 11111."),
        ({"processes": ["terbang"]}, "processes", "Unknown process: terbang."),
        (
            {"preferred_certifications": ["XYZ"]},
            "preferred_certifications",
            "Unknown certification type: XYZ.",
        ),
        ({"province": "99"}, "province", "Unknown province code: 99."),
        ({"regency": "99.99"}, "regency", "Unknown regency/city code: 99.99."),
        ({"longitude": None}, "longitude", "Give both latitude and longitude, or neither."),
    ],
)
def test_the_messages_name_the_code(pengadaan_user, own_buyer, overrides, field, message):
    response = api(pengadaan_user, language="en").post(LIST, payload(**overrides), format="json")
    assert response.json()[field] == [message]


def test_a_regency_outside_the_province_is_400(pengadaan_user, own_buyer):
    response = api(pengadaan_user).post(
        LIST, payload(province="33", regency="32.16"), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"regency": [str(REGENCY_NOT_IN_PROVINCE)]}
    assert not Demand.objects.exists()


def test_a_province_alone_is_kept(pengadaan_user, own_buyer):
    response = api(pengadaan_user).post(LIST, payload(province="33", regency=None), format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["province"], response.json()["regency"]) == ("33", None)


def test_model_validation_errors_are_400_not_500(monkeypatch, pengadaan_user, own_buyer):
    # Without the serializer's own checks, full_clean() in the service still refuses a
    # latitude without a longitude (the model's constraint): a 400 naming no field.
    monkeypatch.setattr(DemandSerializer, "validate", lambda self, attrs: attrs)
    client = api(pengadaan_user, language="en")
    response = client.post(LIST, payload(longitude=None), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Give both latitude and longitude, or neither."]
    }
    assert not Demand.objects.exists()


# --- Update ----------------------------------------------------------------------------------


def test_patch_changes_only_what_is_sent(
    pengadaan_user, own_demand, django_capture_on_commit_callbacks
):
    own_demand.kbli.set(Kbli.objects.filter(code="29300"))
    with django_capture_on_commit_callbacks() as callbacks:
        response = api(pengadaan_user).patch(
            detail(own_demand),
            {"processes": ["pemesinan"], "status": "closed", "regency": "33.76"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert len(callbacks) == 1  # rematched
    own_demand.refresh_from_db()
    assert own_demand.status == Demand.Status.CLOSED
    assert list(own_demand.processes.values_list("slug", flat=True)) == ["pemesinan"]
    assert list(own_demand.kbli.values_list("code", flat=True)) == ["29300"]  # untouched
    assert (own_demand.province_id, own_demand.regency_id) == ("33", "33.76")
    assert own_demand.history.first().history_user == pengadaan_user


def test_put_replaces_the_need(pengadaan_user, own_demand, own_buyer):
    response = api(pengadaan_user).put(
        detail(own_demand), payload(title="Baru", kbli=[]), format="json"
    )
    assert response.status_code == 200, response.json()
    own_demand.refresh_from_db()
    assert own_demand.title == "Baru"
    assert not own_demand.kbli.exists()
    assert own_demand.buyer == own_buyer


def test_patch_checks_the_region_against_the_saved_one(pengadaan_user, own_demand):
    client = api(pengadaan_user)
    assert client.patch(detail(own_demand), {"regency": "32.16"}, format="json").status_code == 200
    response = client.patch(detail(own_demand), {"province": "33"}, format="json")
    assert response.status_code == 400
    assert "regency" in response.json()
    # Clearing the province of a need with a regency takes the regency's province again.
    response = client.patch(detail(own_demand), {"province": None}, format="json")
    assert response.json()["province"] == "32"
    # A latitude alone, when the need has no coordinates, is refused.
    response = client.patch(detail(own_demand), {"latitude": "-6.2"}, format="json")
    assert response.status_code == 400
    assert "longitude" in response.json()


def test_another_buyers_officer_cannot_update(other_officer, own_demand):
    response = api(other_officer).put(detail(own_demand), payload(title="Dibajak"), format="json")
    assert response.status_code == 404
    own_demand.refresh_from_db()
    assert own_demand.title == "Bracket knalpot milik sendiri"


def test_model_errors_on_update_are_400(monkeypatch, pengadaan_user, own_demand):
    monkeypatch.setattr(DemandSerializer, "validate", lambda self, attrs: attrs)
    response = api(pengadaan_user).patch(detail(own_demand), {"latitude": "-6.2"}, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    own_demand.refresh_from_db()
    assert own_demand.latitude is None


# --- Filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open"}, {"open"}),
        ({"status": "closed"}, {"closed"}),
        ({"search": "knalpot"}, {"open"}),
        ({"search": "ALUMINIUM"}, {"closed"}),  # in the description
        ({"search": "  "}, {"open", "closed"}),
        ({"search": "jok", "status": "open"}, set()),
    ],
)
def test_filters(pengadaan_user, own_buyer, params, expected):
    demands = {
        "open": DemandFactory(buyer=own_buyer, title="Bracket knalpot"),
        "closed": DemandFactory(
            buyer=own_buyer,
            title="Velg",
            description="Velg aluminium cor",
            status=Demand.Status.CLOSED,
        ),
    }
    response = api(pengadaan_user).get(LIST, params)
    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {
        demands[key].pk for key in expected
    }


def test_an_unknown_status_filter_is_400(pengadaan_user):
    assert api(pengadaan_user).get(LIST, {"status": "deleted"}).status_code == 400


# --- Suggestions ----------------------------------------------------------------------------------


def test_suggestions_ordered_by_rank_with_their_fields(pengadaan_user, own_demand):
    tegal = IkmFactory(name="CV Tegal", regency=Regency.objects.get(code="33.76"))
    bekasi = IkmFactory(name="CV Bekasi")
    dismissed = IkmFactory(name="CV Ditolak")
    MatchSuggestionFactory(
        demand=own_demand,
        ikm=tegal,
        rank=2,
        score=Decimal("61.250"),
        breakdown={"process": 30.0, "location": 5.5},
    )
    MatchSuggestionFactory(
        demand=own_demand,
        ikm=bekasi,
        rank=1,
        score=Decimal("88.500"),
        breakdown={"process": 40, "location": 15},
        status=MatchSuggestion.Status.SHORTLISTED,
    )
    MatchSuggestionFactory(
        demand=own_demand,
        ikm=dismissed,
        rank=3,
        score=Decimal("40"),
        status=MatchSuggestion.Status.DISMISSED,
        dismissed_reason="Terlalu jauh",
        eligible=False,
    )
    MatchSuggestionFactory(ikm=tegal, rank=1)  # another need's
    response = api(pengadaan_user).get(suggestions_url(own_demand))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    rows = body["results"]
    assert [row["rank"] for row in rows] == [1, 2, 3]
    assert rows[0] == {
        "rank": 1,
        "score": 88.5,
        "ikm": {
            "id": bekasi.pk,
            "nib": bekasi.nib,
            "name": "CV Bekasi",
            "province": "32",
            "regency": "32.16",
        },
        "breakdown": {"process": 40.0, "location": 15.0},
        "reasons": [],
        "status": "shortlisted",
        "dismissed_reason": "",
        "eligible": True,
    }
    assert rows[1]["ikm"]["regency"] == "33.76" and rows[1]["score"] == 61.25
    assert (rows[2]["status"], rows[2]["dismissed_reason"], rows[2]["eligible"]) == (
        "dismissed",
        "Terlalu jauh",
        False,
    )


def test_reasons_are_rendered_in_the_request_language(pengadaan_user, own_demand):
    MatchSuggestionFactory(
        demand=own_demand,
        rank=1,
        reasons=[
            ["process", {"matched": ["stamping"], "total": 2}],
            ["kbli_exact", {"code": "29300"}],
            ["location_regency", {}],
        ],
    )
    url = suggestions_url(own_demand)
    english = api(pengadaan_user, language="en").get(url).json()["results"][0]["reasons"]
    assert english == [
        "Has the process Stamping / pressing (1 of 2 requested).",
        "Same KBLI code (29300).",
        "In the preferred regency/city.",
    ]
    indonesian = api(pengadaan_user).get(url).json()["results"][0]["reasons"]
    assert len(indonesian) == 3 and all(isinstance(reason, str) for reason in indonesian)


def test_suggestions_are_paginated(pengadaan_user, own_demand):
    for rank in range(1, 6):
        MatchSuggestionFactory(demand=own_demand, rank=rank)
    body = api(pengadaan_user).get(suggestions_url(own_demand), {"page_size": 2}).json()
    assert body["count"] == 5
    assert [row["rank"] for row in body["results"]] == [1, 2]
    assert body["next"] is not None


def test_suggestions_ignore_the_list_filters(pengadaan_user, own_demand):
    # ?status= filters needs on the list; it does not hide a need's suggestions.
    MatchSuggestionFactory(demand=own_demand, rank=1)
    response = api(pengadaan_user).get(suggestions_url(own_demand), {"status": "closed"})
    assert response.status_code == 200
    assert response.json()["count"] == 1


# --- Query counts ---------------------------------------------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_list_query_count_does_not_grow(kadin_user, own_buyer):
    client = api(kadin_user)
    client.get(LIST)  # the user's groups and permissions, cached on the user from now on
    counts = {}
    for total in (3, 30):
        while Demand.objects.count() < total:
            demand = DemandFactory(buyer=own_buyer, regency=Regency.objects.get(code="32.16"))
            demand.kbli.set(Kbli.objects.filter(code__in=["29300", "25920"]))
            demand.processes.set(ProcessCapability.objects.filter(slug="stamping"))
            demand.required_certifications.set(CertificationType.objects.filter(code="ISO9001"))
        counts[total] = _count_queries(client, LIST)
    assert counts[3] == counts[30]


REASONS = [["process", {"matched": ["stamping"], "total": 1}], ["kbli_exact", {"code": "29300"}]]


def test_the_suggestions_query_count_does_not_grow(pengadaan_user, own_demand):
    client = api(pengadaan_user)
    url = suggestions_url(own_demand)
    client.get(url)
    counts = {}
    for total in (3, 30):
        while own_demand.suggestions.count() < total:
            MatchSuggestionFactory(
                demand=own_demand,
                rank=own_demand.suggestions.count() + 1,
                breakdown={"process": 40.0, "kbli": 10.0},
                reasons=REASONS,
            )
        explain._process_names.clear()  # the same work for both sizes
        counts[total] = _count_queries(client, url)
    assert counts[3] == counts[30]
