"""/api/v1/lenders/ and /api/v1/akad/: the permission matrix and scoping per role (another
lender's akad is 404), applications and edits through the services, every life-cycle action
with its refusals (field-keyed, in the request's language), tranche sums, coverage, related
records out of scope answered as unknown, filters and the schema."""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from kemitraan import realisation
from pembiayaan import services
from pembiayaan.models import AkadKredit, CreditScheme
from tests.factories import (
    AkadKreditFactory,
    IkmFactory,
    LenderProfileFactory,
    MouFactory,
    MouParticipantFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
JUTA = 1_000_000
LIST = "/api/v1/akad/"
LENDERS = "/api/v1/lenders/"


def detail(akad) -> str:
    return f"{LIST}{akad.pk}/"


def act(akad, name) -> str:
    return f"{LIST}{akad.pk}/{name}/"


def api(user=None, language="en") -> APIClient:
    """English through the language cookie (the user's choice); Indonesian is the default,
    asked for here with ``Accept-Language: id`` (the platform ignores the header itself:
    ``accounts.middleware.IgnoreAcceptLanguageMiddleware``)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    if language == "en":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    elif language is not None:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def scheme(code):
    return CreditScheme.objects.get(code=code)


# --- Fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def lender(lender_org):
    lender = LenderProfileFactory(organisation=lender_org)  # made by the signal already
    lender.short_name, lender.ojk_license = "BU", "OJK-1"
    lender.save()
    return lender


@pytest.fixture
def other_lender(other_lender_org):
    return LenderProfileFactory(organisation=other_lender_org)


@pytest.fixture
def other_officer(other_lender_org):
    return UserFactory(role=Role.PEMBIAYAAN, organisation=other_lender_org)


@pytest.fixture
def borrower(db):
    return IkmFactory(name="CV Peminjam", nib="9120000000001")


@pytest.fixture
def mou(buyer_org, borrower):
    """An active MoU in which the borrower committed Rp3 miliar a year."""
    mou = MouFactory(buyer=buyer_org.buyer_profile, number="001/UJI/MoU", status="active")
    mou.borrower_participant = MouParticipantFactory(
        mou=mou, ikm=borrower, committed_market_access=3000 * JUTA
    )
    return mou


@pytest.fixture
def po(mou, kemenperin_user):
    return realisation.purchase_order_record(
        participant=mou.borrower_participant,
        number="PO/UJI/1",
        order_date=D(2024, 1, 2),
        value=500 * JUTA,
        payment_terms_days=30,
        actor=kemenperin_user,
    )


@pytest.fixture
def own_akad(lender, borrower):
    return AkadKreditFactory(
        lender=lender, borrower=borrower, plafon=1000 * JUTA, applied_on=D(2025, 1, 10)
    )


@pytest.fixture
def other_akad(other_lender):
    return AkadKreditFactory(lender=other_lender, plafon=400 * JUTA)


def approved(akad, user):
    return services.akad_approve(akad=akad, approved_on=D(2025, 1, 20), actor=user)


def signed(akad, user, number="AK/001"):
    approved(akad, user)
    return services.akad_sign(akad=akad, akad_number=number, signed_on=D(2025, 2, 1), actor=user)


def disbursed(akad, user, amount=300 * JUTA):
    signed(akad, user)
    services.akad_disburse(akad=akad, amount=amount, disbursed_on=D(2025, 2, 5), actor=user)
    akad.refresh_from_db()
    return akad


def payload(borrower, **overrides) -> dict:
    data = {
        "borrower": borrower.nib,
        "scheme": "kmk",
        "application_number": "APP/2025/0001",
        "plafon": 1000 * JUTA,
        "tenor_months": 36,
        "interest_rate": "9.50",
        "rate_type": "effective",
        "rate_basis": "fixed",
        "provision_fee": 5 * JUTA,
        "admin_fee": 1 * JUTA,
        "grace_period_months": 3,
        "guarantor": "askrindo",
        "guarantee_coverage": "70.00",
        "purpose": "Modal kerja pesanan bracket",
        "applied_on": "2025-01-10",
        "collaterals": [
            {"kind": "machinery", "description": "Mesin press 80 ton", "value": 600 * JUTA},
            {"kind": "receivables", "value": 300 * JUTA, "binding": "cessie"},
        ],
    }
    data.update(overrides)
    return data


# --- Permission matrix ---------------------------------------------------------------------------

ACTORS = ["kemenperin", "kadin", "own", "other", "pengadaan", "anonymous"]
OPERATIONS = ["list", "retrieve", "create", "update", "approve"]
EXPECTED = {
    #             list retrieve create update approve
    "kemenperin": (200, 200, 403, 403, 403),
    "kadin": (200, 200, 403, 403, 403),
    "own": (200, 200, 201, 200, 200),
    "other": (200, 404, 201, 404, 404),
    "pengadaan": (403, 403, 403, 403, 403),
    "anonymous": (401, 401, 401, 401, 401),
}


@pytest.fixture
def actors(kemenperin_user, kadin_user, pembiayaan_user, other_officer, pengadaan_user):
    return {
        "kemenperin": kemenperin_user,
        "kadin": kadin_user,
        "own": pembiayaan_user,
        "other": other_officer,
        "pengadaan": pengadaan_user,
        "anonymous": None,
    }


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix(actors, lender, other_lender, own_akad, borrower, actor, operation):
    client = api(actors[actor])
    response = {
        "list": lambda: client.get(LIST),
        "retrieve": lambda: client.get(detail(own_akad)),
        "create": lambda: client.post(LIST, payload(borrower), format="json"),
        "update": lambda: client.patch(detail(own_akad), {"tenor_months": 24}, format="json"),
        "approve": lambda: client.post(
            act(own_akad, "approve"), {"approved_on": "2025-01-20"}, format="json"
        ),
    }[operation]()
    expected = EXPECTED[actor][OPERATIONS.index(operation)]
    assert response.status_code == expected, response.content
    own_akad.refresh_from_db()
    if operation == "update" and expected != 200:
        assert own_akad.tenor_months == 36
    if operation == "approve" and expected != 200:
        assert own_akad.status == "pipeline"
    if operation == "create":
        assert AkadKredit.objects.count() == (2 if expected == 201 else 1)
        if expected == 201:  # always the caller's own lender
            created = AkadKredit.objects.exclude(pk=own_akad.pk).get()
            assert created.lender.organisation_id == actors[actor].organisation_id


ACTIONS = {
    "approve": {"approved_on": "2025-01-20"},
    "sign": {"akad_number": "AK/9", "signed_on": "2025-02-01"},
    "disburse": {"amount": 100 * JUTA, "disbursed_on": "2025-02-05"},
    "collectibility": {"collectibility": 1, "as_of": "2025-03-01"},
    "pay-off": {"paid_off_on": "2025-03-01"},
    "reject": {"reason": "Arus kas tidak cukup"},
    "cancel": {"reason": "Dibatalkan pemohon"},
}


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize(
    ("actor", "expected"), [("other", 404), ("kadin", 403), ("pengadaan", 403)]
)
def test_actions_outside_scope_or_permission(actors, own_akad, name, actor, expected):
    response = api(actors[actor]).post(act(own_akad, name), ACTIONS[name], format="json")
    assert response.status_code == expected, response.content
    own_akad.refresh_from_db()
    assert own_akad.status == "pipeline" and not own_akad.disbursements.exists()


@pytest.mark.parametrize(
    ("actor", "visible"),
    [
        ("kemenperin", {"own", "other"}),
        ("kadin", {"own", "other"}),
        ("own", {"own"}),
        ("other", {"other"}),
    ],
)
def test_each_role_lists_its_scope(actors, own_akad, other_akad, actor, visible):
    rows = api(actors[actor]).get(LIST).json()["results"]
    akad = {"own": own_akad, "other": other_akad}
    assert {row["id"] for row in rows} == {akad[key].pk for key in visible}


@pytest.mark.parametrize("actor", ["kemenperin", "own"])
def test_there_is_no_delete(actors, own_akad, actor):
    assert api(actors[actor]).delete(detail(own_akad)).status_code == 405
    assert AkadKredit.objects.filter(pk=own_akad.pk).exists()


def test_a_missing_akad_is_404(pembiayaan_user, lender):
    client = api(pembiayaan_user)
    assert client.get(f"{LIST}999999/").status_code == 404
    assert client.post(f"{LIST}999999/approve/", {}, format="json").status_code == 404


def test_an_officer_of_an_organisation_without_lender_profile(db):
    organisation = OrganisationFactory(kind="bank", name="PT Bank Tanpa Profil")
    organisation.lender_profile.delete()
    officer = UserFactory(role=Role.PEMBIAYAAN, organisation=organisation)
    response = api(officer).post(LIST, payload(IkmFactory()), format="json")
    assert response.status_code == 403
    assert "no lender profile" in response.json()["detail"]
    assert not AkadKredit.objects.exists()


# --- Retrieve ----------------------------------------------------------------------------------


def test_detail_fields(pembiayaan_user, lender, own_akad, mou, po):
    own_akad.mou = mou
    own_akad.save()
    own_akad.purchase_orders.set([po])
    pembiayaan_user.first_name, pembiayaan_user.email = "Siti", "siti@bank-uji.example"
    pembiayaan_user.save()
    disbursed(own_akad, pembiayaan_user, amount=250 * JUTA)
    response = api(pembiayaan_user).get(detail(own_akad))
    assert response.status_code == 200
    body = response.json()
    assert body["lender"] == {"id": lender.pk, "name": "PT Bank Uji", "short_name": "BU"}
    assert (body["borrower"], body["borrower_id"]) == ("9120000000001", own_akad.borrower_id)
    assert body["borrower_name"] == "CV Peminjam"
    assert (body["scheme"], body["scheme_name"]) == ("kmk", "Kredit Modal Kerja (KMK)")
    assert body["mou"] == {"id": mou.pk, "number": "001/UJI/MoU"}
    assert body["purchase_orders"] == [{"id": po.pk, "number": "PO/UJI/1"}]
    assert (body["status"], body["akad_number"]) == ("disbursed", "AK/001")
    assert (body["approved_on"], body["signed_on"]) == ("2025-01-20", "2025-02-01")
    assert body["status_changed_by"] == pembiayaan_user.pk
    assert body["status_changed_at"] is not None
    assert body["disbursed_total"] == 250 * JUTA
    assert body["remaining_to_disburse"] == 750 * JUTA
    assert body["coverage"] == "3.00"  # Rp3 miliar a year on a plafon of Rp1 miliar
    assert [(d["amount"], d["disbursed_on"]) for d in body["disbursements"]] == [
        (250 * JUTA, "2025-02-05")
    ]
    assert "mou_id" not in body and "purchase_order_ids" not in body
    # Who changed the status is an id, never a person's name or address.
    assert b"Siti" not in response.content and b"siti@" not in response.content
    assert pembiayaan_user.username.encode() not in response.content


@pytest.mark.parametrize(
    ("plafon", "committed", "coverage"),
    [(1200 * JUTA, 2500 * JUTA, "2.08"), (900 * JUTA, 1000 * JUTA, "1.11"), (3 * JUTA, 1, "0.00")],
)
def test_coverage_is_rounded_to_two_places(
    pembiayaan_user, lender, borrower, plafon, committed, coverage
):
    mou = MouFactory(status="active")
    MouParticipantFactory(mou=mou, ikm=borrower, committed_market_access=committed)
    akad = AkadKreditFactory(lender=lender, borrower=borrower, mou=mou, plafon=plafon)
    assert api(pembiayaan_user).get(detail(akad)).json()["coverage"] == coverage


def test_coverage_is_null_without_mou(pembiayaan_user, own_akad):
    body = api(pembiayaan_user).get(detail(own_akad)).json()
    assert body["mou"] is None and body["coverage"] is None
    assert body["remaining_to_disburse"] == 1000 * JUTA


def test_list_query_count_does_not_grow_with_akad(pembiayaan_user, lender, mou, po):
    def add(count):
        for _ in range(count):
            akad = AkadKreditFactory(lender=lender, borrower=mou.borrower_participant.ikm, mou=mou)
            akad.purchase_orders.set([po])
            services.akad_update(akad=akad, collaterals=[{"kind": "other", "value": 1}], actor=None)

    add(2)
    client = api(pembiayaan_user)
    client.get(LIST)  # the user's permissions are cached from then on
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(LIST).json()["results"]) == 2
    add(6)
    with CaptureQueriesContext(connection) as eight:
        results = client.get(LIST).json()["results"]
    assert len(results) == 8
    assert all(row["coverage"] == "3.00" and len(row["collaterals"]) == 1 for row in results)
    assert len(eight) == len(two)


# --- Create ------------------------------------------------------------------------------------


def test_create(pembiayaan_user, lender, other_lender, borrower, mou, po):
    data = payload(
        borrower,
        mou_id=mou.pk,
        purchase_order_ids=[po.pk],
        # Ignored: the lender is the officer's, the status and its dates come from actions.
        lender={"id": other_lender.pk},
        status="signed",
        akad_number="AK/NYELONONG",
        signed_on="2025-02-01",
    )
    response = api(pembiayaan_user).post(LIST, data, format="json")
    assert response.status_code == 201, response.json()
    akad = AkadKredit.objects.get()
    body = response.json()
    assert body["id"] == akad.pk
    assert akad.lender == lender and body["lender"]["id"] == lender.pk
    assert (akad.status, akad.akad_number, akad.signed_on) == ("pipeline", "", None)
    assert (akad.borrower, akad.scheme.code, akad.mou) == (borrower, "kmk", mou)
    assert list(akad.purchase_orders.all()) == [po]
    assert akad.created_by == pembiayaan_user and akad.status_changed_by == pembiayaan_user
    assert (akad.plafon, akad.grace_period_months, str(akad.interest_rate)) == (
        1000 * JUTA,
        3,
        "9.50",
    )
    assert [(c.kind, c.value, c.binding) for c in akad.collaterals.order_by("pk")] == [
        ("machinery", 600 * JUTA, "not_bound"),
        ("receivables", 300 * JUTA, "cessie"),
    ]
    assert body["collaterals"][0] == {
        "kind": "machinery",
        "description": "Mesin press 80 ton",
        "value": 600 * JUTA,
        "binding": "not_bound",
    }
    assert (body["coverage"], body["disbursed_total"], body["status"]) == ("3.00", 0, "pipeline")
    assert body["purchase_orders"] == [{"id": po.pk, "number": "PO/UJI/1"}]


def test_create_requires_the_terms(pembiayaan_user, lender):
    response = api(pembiayaan_user).post(LIST, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"borrower", "scheme", "plafon", "tenor_months", "applied_on"}
    assert response.json()["plafon"] == ["This field is required."]
    assert not AkadKredit.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("plafon", 10**20), ("tenor_months", 0), ("interest_rate", "100.001"), ("scheme", 7)],
)
def test_malformed_terms_are_400_never_500(pembiayaan_user, lender, borrower, field, value):
    response = api(pembiayaan_user).post(LIST, payload(borrower, **{field: value}), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not AkadKredit.objects.exists()


def test_the_grace_period_must_be_shorter_than_the_tenor(pembiayaan_user, lender, borrower):
    data = payload(borrower, tenor_months=12, grace_period_months=12)
    response = api(pembiayaan_user).post(LIST, data, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "grace_period_months": ["The grace period must be shorter than the tenor."]
    }
    assert not AkadKredit.objects.exists()


def create_refusal(user, data, language="en"):
    before = AkadKredit.objects.count()
    response = api(user, language).post(LIST, data, format="json")
    assert response.status_code == 400, response.content
    assert AkadKredit.objects.count() == before
    return response.json()


def test_plafon_above_kur_kecil_maximum(pembiayaan_user, lender, borrower):
    data = payload(borrower, scheme="kur-kecil", plafon=600 * JUTA, interest_rate="6.00")
    assert create_refusal(pembiayaan_user, data) == {
        "plafon": ["KUR Kecil goes up to IDR 500,000,000: the plafon is too large."]
    }
    # The amount is written the Indonesian way for an Indonesian request.
    assert "Rp500.000.000" in create_refusal(pembiayaan_user, data, "id")["plafon"][0]
    data["plafon"] = 500 * JUTA
    assert api(pembiayaan_user).post(LIST, data, format="json").status_code == 201


def test_plafon_below_the_scheme_minimum(pembiayaan_user, lender, borrower):
    data = payload(borrower, scheme="kur-kecil", plafon=100 * JUTA, interest_rate="6.00")
    assert create_refusal(pembiayaan_user, data) == {
        "plafon": ["KUR Kecil starts above IDR 100,000,000: the plafon is too small."]
    }


def test_kur_rate_above_the_first_access_limit(pembiayaan_user, lender, borrower):
    data = payload(borrower, scheme="kur-mikro", plafon=50 * JUTA, interest_rate="6.50")
    assert create_refusal(pembiayaan_user, data) == {
        "interest_rate": [
            "KUR Mikro allows at most 6% a year for this borrower (first KUR access)."
        ]
    }


def test_kur_rate_on_a_second_access(pembiayaan_user, lender, other_lender, borrower):
    # A KUR akad signed with another lender earlier makes this the borrower's 2nd access: 7%.
    AkadKreditFactory(
        lender=other_lender,
        borrower=borrower,
        scheme=scheme("kur-mikro"),
        plafon=50 * JUTA,
        interest_rate="6.00",
        status="signed",
        akad_number="LAIN/1",
        applied_on=D(2024, 1, 2),
        signed_on=D(2024, 1, 10),
    )
    data = payload(borrower, scheme="kur-mikro", plafon=50 * JUTA, interest_rate="7.50")
    assert create_refusal(pembiayaan_user, data) == {
        "interest_rate": [
            "KUR Mikro allows at most 7% a year for this borrower (KUR access no. 2)."
        ]
    }
    data["interest_rate"] = "7.00"
    assert api(pembiayaan_user).post(LIST, data, format="json").status_code == 201


def test_kur_rates_are_effective(pembiayaan_user, lender, borrower):
    data = payload(borrower, scheme="kur-mikro", plafon=50 * JUTA, interest_rate="6.00")
    data["rate_type"] = "flat"
    assert create_refusal(pembiayaan_user, data) == {
        "rate_type": ["KUR rates are effective rates (Permenko 1/2023): record the effective rate."]
    }


def test_an_inactive_scheme_and_an_unknown_one(pembiayaan_user, lender, borrower):
    CreditScheme.objects.filter(code="ki").update(is_active=False)
    body = create_refusal(pembiayaan_user, payload(borrower, scheme="ki"))
    assert body == {"scheme": ["This credit scheme is no longer offered: choose another one."]}
    body = create_refusal(pembiayaan_user, payload(borrower, scheme="tidak-ada"))
    assert body == {"scheme": ["Unknown credit scheme: tidak-ada."]}


def test_an_application_date_in_the_future(pembiayaan_user, lender, borrower):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    data = payload(borrower, applied_on=tomorrow)
    assert create_refusal(pembiayaan_user, data) == {
        "applied_on": ["The date cannot be in the future."]
    }
    assert create_refusal(pembiayaan_user, data, "id") == {
        "applied_on": ["Tanggal tidak boleh melewati hari ini."]
    }


# --- Related records out of scope: answered like records that do not exist ----------------------


def test_an_ikm_the_lender_may_not_see_is_unknown(pembiayaan_user, lender):
    hidden = IkmFactory(nib="9120000000099", verification_status="draft")
    assert create_refusal(pembiayaan_user, payload(hidden)) == {
        "borrower": ["Unknown IKM: 9120000000099."]
    }
    missing = create_refusal(pembiayaan_user, {**payload(hidden), "borrower": "9120000000098"})
    assert missing == {"borrower": ["Unknown IKM: 9120000000098."]}
    # In Indonesian too.
    assert create_refusal(pembiayaan_user, payload(hidden), "id") == {
        "borrower": ["IKM tidak dikenal: 9120000000099."]
    }


def test_an_mou_without_the_borrower_is_unknown(pembiayaan_user, lender, borrower, buyer_org):
    strangers = MouFactory(buyer=buyer_org.buyer_profile, status="active")
    MouParticipantFactory(mou=strangers)  # another IKM only; no akad of this lender on it
    body = create_refusal(pembiayaan_user, payload(borrower, mou_id=strangers.pk))
    assert body == {"mou_id": [f"Unknown MoU: {strangers.pk}."]}
    assert create_refusal(pembiayaan_user, payload(borrower, mou_id=999999)) == {
        "mou_id": ["Unknown MoU: 999999."]
    }


def test_an_mou_the_lender_sees_but_without_the_borrower(pembiayaan_user, lender, borrower):
    other_ikm = IkmFactory()
    mou = MouFactory(status="active")
    MouParticipantFactory(mou=mou, ikm=other_ikm)
    AkadKreditFactory(lender=lender, borrower=other_ikm, mou=mou)  # the lender now sees it
    response = api(pembiayaan_user).post(LIST, payload(borrower, mou_id=mou.pk), format="json")
    assert response.status_code == 400
    assert response.json() == {"mou_id": ["The borrower is not a participant of this MoU."]}


def test_the_borrowers_draft_mou_does_not_secure_credit(pembiayaan_user, lender, borrower):
    draft = MouFactory(status="draft")
    MouParticipantFactory(mou=draft, ikm=borrower)
    assert create_refusal(pembiayaan_user, payload(borrower, mou_id=draft.pk)) == {
        "mou_id": [
            "Credit rests only on a signed, active or expired MoU (not a draft or a "
            "terminated one)."
        ]
    }


def test_purchase_orders_of_another_ikm_are_unknown(
    pembiayaan_user, lender, borrower, mou, po, kemenperin_user
):
    stranger = MouParticipantFactory(mou=mou)
    theirs = realisation.purchase_order_record(
        participant=stranger,
        number="PO/ORANG-LAIN",
        order_date=D(2024, 1, 3),
        value=JUTA,
        payment_terms_days=30,
        actor=kemenperin_user,
    )
    data = payload(borrower, mou_id=mou.pk, purchase_order_ids=[po.pk, theirs.pk, 999999])
    assert create_refusal(pembiayaan_user, data) == {
        "purchase_order_ids": ["Unknown purchase order: 999999."]
    }
    data["purchase_order_ids"] = [po.pk, theirs.pk]
    body = create_refusal(pembiayaan_user, data)
    assert body == {"purchase_order_ids": [f"Unknown purchase order: {theirs.pk}."]}
    assert b"PO/ORANG-LAIN" not in str(body).encode()


def test_a_borrowers_po_under_another_mou(pembiayaan_user, lender, borrower, mou, po):
    other_mou = MouFactory(status="active")
    MouParticipantFactory(mou=other_mou, ikm=borrower)
    data = payload(borrower, mou_id=other_mou.pk, purchase_order_ids=[po.pk])
    assert create_refusal(pembiayaan_user, data) == {
        "purchase_order_ids": ["Purchase order PO/UJI/1 is not under the chosen MoU."]
    }


# --- Update ------------------------------------------------------------------------------------


def test_update_the_terms_and_replace_the_collateral(pembiayaan_user, own_akad, mou, po):
    own_akad.collaterals.create(kind="vehicle", value=100 * JUTA)
    data = {
        "plafon": 800 * JUTA,
        "tenor_months": 24,
        "collaterals": [
            {"kind": "land_building", "value": 900 * JUTA, "binding": "hak_tanggungan"}
        ],
        "mou_id": mou.pk,
        "purchase_order_ids": [po.pk],
        "status": "signed",  # read-only
    }
    response = api(pembiayaan_user).patch(detail(own_akad), data, format="json")
    assert response.status_code == 200, response.json()
    own_akad.refresh_from_db()
    assert (own_akad.plafon, own_akad.tenor_months, own_akad.status) == (800 * JUTA, 24, "pipeline")
    assert [(c.kind, c.binding) for c in own_akad.collaterals.all()] == [
        ("land_building", "hak_tanggungan")
    ]
    assert own_akad.mou == mou and list(own_akad.purchase_orders.all()) == [po]
    body = response.json()
    assert body["coverage"] == "3.75" and body["remaining_to_disburse"] == 800 * JUTA
    # Leaving the collateral out keeps it.
    api(pembiayaan_user).patch(detail(own_akad), {"purpose": "Mesin"}, format="json")
    assert own_akad.collaterals.count() == 1


def test_update_once_signed_is_refused(pembiayaan_user, own_akad):
    signed(own_akad, pembiayaan_user)
    response = api(pembiayaan_user).patch(detail(own_akad), {"plafon": JUTA}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "This akad has been signed or closed: its terms can no longer be changed."
        ]
    }
    own_akad.refresh_from_db()
    assert own_akad.plafon == 1000 * JUTA


def test_update_checks_the_scheme_again(pembiayaan_user, own_akad):
    data = {"scheme": "kur-kecil", "plafon": 600 * JUTA, "interest_rate": "6.00"}
    response = api(pembiayaan_user).patch(detail(own_akad), data, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "plafon": ["KUR Kecil goes up to IDR 500,000,000: the plafon is too large."]
    }
    own_akad.refresh_from_db()
    assert own_akad.scheme.code == "kmk"


# --- Actions -----------------------------------------------------------------------------------


def post(user, akad, name, data=None, language="en"):
    return api(user, language).post(act(akad, name), data or {}, format="json")


def test_the_whole_life_cycle(pembiayaan_user, own_akad):
    user = pembiayaan_user
    body = post(user, own_akad, "approve", {"approved_on": "2025-01-20"}).json()
    assert (body["status"], body["approved_on"]) == ("approved", "2025-01-20")
    assert body["status_changed_by"] == user.pk

    body = post(user, own_akad, "sign", {"akad_number": "  AK/2025/01 ", "signed_on": "2025-02-01"})
    body = body.json()
    assert (body["status"], body["akad_number"], body["signed_on"]) == (
        "signed",
        "AK/2025/01",
        "2025-02-01",
    )
    assert (body["disbursed_total"], body["remaining_to_disburse"]) == (0, 1000 * JUTA)

    response = post(
        user, own_akad, "disburse", {"amount": 300 * JUTA, "disbursed_on": "2025-02-05"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == own_akad.pk and body["status"] == "disbursed"
    body = post(
        user,
        own_akad,
        "disburse",
        {"amount": 200 * JUTA, "disbursed_on": "2025-03-01", "note": "Tahap 2"},
    ).json()
    assert body["status"] == "disbursed"
    assert [(d["amount"], d["disbursed_on"], d["note"]) for d in body["disbursements"]] == [
        (300 * JUTA, "2025-02-05", ""),
        (200 * JUTA, "2025-03-01", "Tahap 2"),
    ]
    assert (body["disbursed_total"], body["remaining_to_disburse"]) == (500 * JUTA, 500 * JUTA)

    body = post(user, own_akad, "collectibility", {"collectibility": 2, "as_of": "2025-04-01"})
    body = body.json()
    assert (body["status"], body["collectibility"], body["collectibility_as_of"]) == (
        "repaying",
        2,
        "2025-04-01",
    )

    body = post(user, own_akad, "pay-off", {"paid_off_on": "2025-12-01"}).json()
    assert (body["status"], body["closed_on"]) == ("paid_off", "2025-12-01")
    assert (body["disbursed_total"], body["remaining_to_disburse"]) == (500 * JUTA, 0)
    own_akad.refresh_from_db()
    assert own_akad.status == "paid_off" and own_akad.status_changed_by == user
    assert own_akad.disbursements.count() == 2


def test_reject_with_and_without_reason(pembiayaan_user, own_akad):
    response = post(pembiayaan_user, own_akad, "reject", {"reason": "  "})
    assert response.status_code == 400
    assert response.json() == {"reason": ["Write the reason: it is kept with the record."]}
    body = post(pembiayaan_user, own_akad, "reject", {"reason": "Arus kas tidak cukup"}).json()
    assert (body["status"], body["status_reason"]) == ("rejected", "Arus kas tidak cukup")
    assert body["closed_on"] == timezone.localdate().isoformat()
    assert body["remaining_to_disburse"] == 0
    response = post(pembiayaan_user, own_akad, "approve")
    assert response.json() == {
        "non_field_errors": ["Only an application in the pipeline can be approved."]
    }


def test_cancel_a_signed_akad_with_nothing_disbursed(pembiayaan_user, own_akad):
    signed(own_akad, pembiayaan_user)
    body = post(pembiayaan_user, own_akad, "cancel", {"reason": "Pemohon mundur"}).json()
    assert (body["status"], body["status_reason"]) == ("cancelled", "Pemohon mundur")


def test_cancel_after_a_disbursement_is_refused(pembiayaan_user, own_akad):
    disbursed(own_akad, pembiayaan_user)
    response = post(pembiayaan_user, own_akad, "cancel", {"reason": "Terlambat"})
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "Only an application, or a signed akad with nothing disbursed yet, can be cancelled."
        ]
    }
    own_akad.refresh_from_db()
    assert own_akad.status == "disbursed"


def test_reject_once_signed_is_refused(pembiayaan_user, own_akad):
    signed(own_akad, pembiayaan_user)
    response = post(pembiayaan_user, own_akad, "reject", {"reason": "x"})
    assert response.json() == {
        "non_field_errors": ["Only an application not yet signed can be rejected."]
    }


def test_disburse_before_signing(pembiayaan_user, own_akad):
    approved(own_akad, pembiayaan_user)
    response = post(
        pembiayaan_user, own_akad, "disburse", {"amount": JUTA, "disbursed_on": "2025-02-05"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Nothing can be disbursed before the akad is signed."]
    }
    assert not own_akad.disbursements.exists()


def test_disburse_over_the_plafon(pembiayaan_user, own_akad):
    disbursed(own_akad, pembiayaan_user, amount=600 * JUTA)
    data = {"amount": 400 * JUTA + 1, "disbursed_on": "2025-03-01"}
    response = post(pembiayaan_user, own_akad, "disburse", data)
    assert response.status_code == 400
    assert response.json() == {
        "amount": [
            "Disbursements would exceed the plafon: IDR 400,000,000 is left to disburse on "
            "this akad."
        ]
    }
    indonesian = post(pembiayaan_user, own_akad, "disburse", data, language="id").json()
    assert "Rp400.000.000" in indonesian["amount"][0]
    # Exactly the rest is fine; then nothing is left.
    data["amount"] = 400 * JUTA
    body = post(pembiayaan_user, own_akad, "disburse", data).json()
    assert (body["disbursed_total"], body["remaining_to_disburse"]) == (1000 * JUTA, 0)
    assert sum(d["amount"] for d in body["disbursements"]) == own_akad.plafon
    response = post(
        pembiayaan_user, own_akad, "disburse", {"amount": 1, "disbursed_on": "2025-03-02"}
    )
    assert "IDR 0 is left" in response.json()["amount"][0]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"amount": 0, "disbursed_on": "2025-03-01"},
            {"amount": ["The amount must be greater than zero."]},
        ),
        ({"amount": JUTA}, {"disbursed_on": ["Enter the disbursement date."]}),
        (
            {"amount": JUTA, "disbursed_on": "2025-01-31"},
            {"disbursed_on": ["The date cannot be before the signing (01-02-2025)."]},
        ),
        (
            {"amount": "banyak", "disbursed_on": "2025-03-01"},
            {"amount": ["A valid integer is required."]},
        ),
    ],
)
def test_disburse_refusals(pembiayaan_user, own_akad, data, errors):
    signed(own_akad, pembiayaan_user)
    response = post(pembiayaan_user, own_akad, "disburse", data)
    assert response.status_code == 400
    assert response.json() == errors
    assert not own_akad.disbursements.exists()


def test_sign_with_a_number_the_lender_already_used(
    pembiayaan_user, lender, own_akad, other_akad, other_officer
):
    earlier = AkadKreditFactory(lender=lender, borrower=own_akad.borrower)
    signed(earlier, pembiayaan_user, number="AK/2025/07")
    approved(own_akad, pembiayaan_user)
    data = {"akad_number": " ak/2025/07 ", "signed_on": "2025-02-01"}
    response = post(pembiayaan_user, own_akad, "sign", data)
    assert response.status_code == 400
    assert response.json() == {"akad_number": ["This lender already has an akad with this number."]}
    response = post(pembiayaan_user, own_akad, "sign", data, language="id")
    assert response.json() == {
        "akad_number": ["Lembaga pembiayaan ini sudah memiliki akad dengan nomor ini."]
    }
    own_akad.refresh_from_db()
    assert (own_akad.status, own_akad.akad_number) == ("approved", "")
    # Another lender's numbers are theirs.
    signed(other_akad, other_officer, number="AK/LAIN/1")
    data["akad_number"] = "AK/LAIN/1"
    assert post(pembiayaan_user, own_akad, "sign", data).json()["status"] == "signed"


def test_sign_refusals(pembiayaan_user, own_akad):
    response = post(pembiayaan_user, own_akad, "sign", {"akad_number": "AK/1"})
    assert response.json() == {
        "non_field_errors": ["Only an approved application can be signed as an akad."]
    }
    approved(own_akad, pembiayaan_user)
    response = post(pembiayaan_user, own_akad, "sign", {"akad_number": " "})
    assert response.json() == {
        "akad_number": ["Enter the akad number."],
        "signed_on": ["Enter the signing date."],
    }
    response = post(
        pembiayaan_user, own_akad, "sign", {"akad_number": "AK/1", "signed_on": "2025-01-19"}
    )
    assert response.json() == {
        "signed_on": ["The date cannot be before the approval (20-01-2025)."]
    }
    own_akad.refresh_from_db()
    assert own_akad.status == "approved"


def test_sign_checks_the_kur_rate_again(pembiayaan_user, lender, other_lender, borrower):
    """The scheme's limits are checked again at signing: a rate above the first-access
    maximum that got in behind the API is refused."""
    akad = AkadKreditFactory(
        lender=lender,
        borrower=borrower,
        scheme=scheme("kur-mikro"),
        plafon=50 * JUTA,
        interest_rate="6.00",
        applied_on=D(2025, 1, 2),
    )
    approved(akad, pembiayaan_user)
    AkadKredit.objects.filter(pk=akad.pk).update(interest_rate="8.00")  # changed behind the API
    response = post(
        pembiayaan_user, akad, "sign", {"akad_number": "K/1", "signed_on": "2025-02-01"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "interest_rate": [
            "KUR Mikro allows at most 6% a year for this borrower (first KUR access)."
        ]
    }


def test_approve_in_the_future_in_both_languages(pembiayaan_user, own_akad):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = post(pembiayaan_user, own_akad, "approve", {"approved_on": tomorrow}, "id")
    assert response.status_code == 400
    assert response.json() == {"approved_on": ["Tanggal tidak boleh melewati hari ini."]}
    response = post(pembiayaan_user, own_akad, "approve", {"approved_on": tomorrow}, "en")
    assert response.json() == {"approved_on": ["The date cannot be in the future."]}
    response = post(pembiayaan_user, own_akad, "approve", {"approved_on": "kemarin"}, "en")
    assert response.status_code == 400 and list(response.json()) == ["approved_on"]
    own_akad.refresh_from_db()
    assert own_akad.status == "pipeline"


def test_the_language_is_the_users_choice_not_the_header(pembiayaan_user, own_akad):
    """Indonesian unless the user chose English (the language cookie): an English
    Accept-Language header alone does not switch, as on the pages."""
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    client = api(pembiayaan_user, language=None)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    response = client.post(act(own_akad, "approve"), {"approved_on": tomorrow}, format="json")
    assert response.json() == {"approved_on": ["Tanggal tidak boleh melewati hari ini."]}


def test_approve_without_date_is_today(pembiayaan_user, own_akad):
    body = post(pembiayaan_user, own_akad, "approve").json()
    assert body["approved_on"] == timezone.localdate().isoformat()


def test_collectibility_refusals(pembiayaan_user, own_akad):
    signed(own_akad, pembiayaan_user)
    response = post(pembiayaan_user, own_akad, "collectibility", {"collectibility": 1})
    assert response.json() == {
        "non_field_errors": [
            "Collectibility is reported once the credit has been disbursed, and until it is "
            "paid off."
        ]
    }
    services.akad_disburse(
        akad=own_akad, amount=JUTA, disbursed_on=D(2025, 2, 5), actor=pembiayaan_user
    )
    response = post(pembiayaan_user, own_akad, "collectibility", {"collectibility": 6})
    assert response.json() == {"collectibility": ["Collectibility is a grade from 1 to 5."]}
    response = post(
        pembiayaan_user, own_akad, "collectibility", {"collectibility": 1, "as_of": "2025-02-04"}
    )
    assert response.json() == {
        "as_of": ["The date cannot be before the first disbursement (05-02-2025)."]
    }
    own_akad.refresh_from_db()
    assert (own_akad.status, own_akad.collectibility) == ("disbursed", None)


def test_pay_off_refusals(pembiayaan_user, own_akad):
    signed(own_akad, pembiayaan_user)
    response = post(pembiayaan_user, own_akad, "pay-off", {"paid_off_on": "2025-03-01"})
    assert response.json() == {
        "non_field_errors": ["Only a disbursed or repaying akad can be paid off."]
    }
    services.akad_disburse(
        akad=own_akad, amount=JUTA, disbursed_on=D(2025, 2, 5), actor=pembiayaan_user
    )
    response = post(pembiayaan_user, own_akad, "pay-off", {"paid_off_on": "2025-02-04"})
    assert response.json() == {
        "paid_off_on": ["The date cannot be before the last disbursement (05-02-2025)."]
    }
    own_akad.refresh_from_db()
    assert own_akad.status == "disbursed"


# --- Filters and pagination ----------------------------------------------------------------------


def test_filters(kemenperin_user, lender, other_lender, borrower, mou):
    a = AkadKreditFactory(lender=lender, borrower=borrower, mou=mou)
    b = AkadKreditFactory(lender=lender, scheme=scheme("kur-mikro"), plafon=50 * JUTA)
    c = AkadKreditFactory(lender=other_lender, borrower=borrower)
    services.akad_reject(akad=c, reason="Tidak layak", actor=None)
    client = api(kemenperin_user)

    def ids(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {a.pk, b.pk, c.pk}
    assert ids(status="rejected") == {c.pk}
    assert ids(status="pipeline") == {a.pk, b.pk}
    assert ids(scheme="kur-mikro") == {b.pk}
    assert ids(lender=other_lender.pk) == {c.pk}
    assert ids(borrower=borrower.nib) == {a.pk, c.pk}
    assert ids(mou=mou.pk) == {a.pk}
    assert ids(lender=lender.pk, borrower=borrower.nib) == {a.pk}
    assert client.get(LIST, {"status": "bogus"}).status_code == 400


def test_a_lender_filtering_on_another_lender_gets_nothing(pembiayaan_user, own_akad, other_akad):
    response = api(pembiayaan_user).get(LIST, {"lender": other_akad.lender_id})
    assert response.json()["count"] == 0


def test_pagination(pembiayaan_user, lender):
    AkadKreditFactory.create_batch(3, lender=lender)
    body = api(pembiayaan_user).get(LIST, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


# --- Lenders -----------------------------------------------------------------------------------


@pytest.fixture
def book(lender, other_lender):
    """Own lender: pipeline 100 + approved 200 juta; signed 300 + paid off 400 juta; a
    rejected 500 juta (neither). Other lender: one signed akad of 700 juta."""
    for plafon in (100, 200, 300, 400, 500):
        AkadKreditFactory(lender=lender, plafon=plafon * JUTA)
    by_plafon = {a.plafon // JUTA: a for a in AkadKredit.objects.filter(lender=lender)}
    approved(by_plafon[200], None)
    signed(by_plafon[300], None, number="S/300")
    disbursed(by_plafon[400], None, amount=400 * JUTA)
    services.akad_pay_off(akad=by_plafon[400], paid_off_on=D(2025, 3, 1), actor=None)
    services.akad_reject(akad=by_plafon[500], reason="Tidak layak", actor=None)
    signed(AkadKreditFactory(lender=other_lender, plafon=700 * JUTA), None, number="S/700")


OWN_TOTALS = {
    "signed_count": 2,
    "signed_plafon": 700 * JUTA,
    "pipeline_count": 2,
    "pipeline_plafon": 300 * JUTA,
}
OTHER_TOTALS = {
    "signed_count": 1,
    "signed_plafon": 700 * JUTA,
    "pipeline_count": 0,
    "pipeline_plafon": 0,
}
NONE = {"signed_count": 0, "signed_plafon": 0, "pipeline_count": 0, "pipeline_plafon": 0}


@pytest.mark.parametrize("actor", ["kemenperin", "kadin"])
def test_lenders_with_their_totals(actors, lender, other_lender, book, actor):
    idle = OrganisationFactory(kind="bpr", name="PT BPR Sepi").lender_profile
    response = api(actors[actor]).get(LENDERS)
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {lender.pk, other_lender.pk, idle.pk}
    assert rows[lender.pk] == {
        "id": lender.pk,
        "name": "PT Bank Uji",
        "short_name": "BU",
        "kind": "bank",
        "ojk_license": "OJK-1",
        "akad_totals": OWN_TOTALS,
    }
    assert rows[other_lender.pk]["kind"] == "multifinance"
    assert rows[other_lender.pk]["akad_totals"] == OTHER_TOTALS
    assert rows[idle.pk]["akad_totals"] == NONE
    one = api(actors[actor]).get(f"{LENDERS}{other_lender.pk}/").json()
    assert one["akad_totals"] == OTHER_TOTALS


def test_a_lender_officer_sees_totals_of_their_own_lender_only(
    pembiayaan_user, lender, other_lender, book
):
    rows = {r["id"]: r for r in api(pembiayaan_user).get(LENDERS).json()["results"]}
    assert rows[lender.pk]["akad_totals"] == OWN_TOTALS
    assert rows[other_lender.pk]["akad_totals"] is None  # not zeros: they are not theirs to see
    assert rows[other_lender.pk]["name"] == "PT Pembiayaan Lain"
    one = api(pembiayaan_user).get(f"{LENDERS}{other_lender.pk}/")
    assert one.status_code == 200 and one.json()["akad_totals"] is None


@pytest.mark.parametrize(("actor", "expected"), [("pengadaan", 403), ("anonymous", 401)])
def test_lenders_refused(actors, lender, actor, expected):
    client = api(actors[actor])
    assert client.get(LENDERS).status_code == expected
    assert client.get(f"{LENDERS}{lender.pk}/").status_code == expected


def test_lenders_are_read_only(kemenperin_user, pembiayaan_user, lender):
    for user in (kemenperin_user, pembiayaan_user):
        client = api(user)
        assert client.post(LENDERS, {"short_name": "X"}, format="json").status_code == 405
        response = client.patch(f"{LENDERS}{lender.pk}/", {"short_name": "X"}, format="json")
        assert response.status_code == 405
    lender.refresh_from_db()
    assert lender.short_name == "BU"


# --- Schema ------------------------------------------------------------------------------------


def test_the_schema_lists_the_endpoints(client, kemenperin_user):
    client.force_login(kemenperin_user)
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    endpoints = {"/api/v1/lenders/", "/api/v1/lenders/{id}/", "/api/v1/akad/", "/api/v1/akad/{id}/"}
    assert endpoints <= set(paths)
    for name in ACTIONS:
        assert set(paths[f"/api/v1/akad/{{id}}/{name}/"]) == {"post"}
    assert "delete" not in paths["/api/v1/akad/{id}/"]
