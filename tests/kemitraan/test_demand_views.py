"""The buyer screens: posting and editing a need, its page with the ranked suggestions and
the buyer's actions (htmx and plain POST), the "why not this supplier?" look-up, the IKM
page's "matching needs" section and the buyer profile.

Access: a role without the permission gets 403 whatever the object; with it, an object
outside the user's scope gets 404 (another buyer's need is the same as a missing one)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.html import escape

from accounts.roles import Role
from ikm.forms import REGENCY_NOT_IN_PROVINCE
from ikm.models import CertificationType, ProcessCapability
from kemitraan import forms as kemitraan_forms
from kemitraan.models import BuyerProfile, Demand, MatchSuggestion
from kemitraan.services import DISMISSAL_NEEDS_REASON, SUGGESTION_NOT_ELIGIBLE

from ..factories import (
    CertificateFactory,
    DemandFactory,
    IkmFactory,
    MatchSuggestionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

K, P, A, F = Role.KEMENPERIN, Role.PENGADAAN, Role.KADIN, Role.PEMBIAYAAN
OTHER = "other buyer"  # a procurement officer of another buyer
ANON = "anonymous"
WHO = (K, P, A, F, OTHER, ANON)

REASONS = [["process", {"matched": ["stamping"], "total": 1}], ["verified", {}]]
BREAKDOWN = {"process": 30.0, "text": 20.5, "kbli": 10.0, "quality": 9.5}


def expect(ok, roles, otherwise=403, other=None) -> dict:
    """``ok`` for ``roles``, ``otherwise`` for the other roles; the other buyer's officer
    gets ``other`` (404: the permission, but not the object); anonymous is sent to log in."""
    answers = {who: (ok if who in roles else otherwise) for who in (K, P, A, F)}
    answers[OTHER] = other if other is not None else answers[P]
    answers[ANON] = 302
    return answers


def buyer_profile(org) -> BuyerProfile:
    return BuyerProfile.objects.get(organisation=org)


@pytest.fixture
def other_officer(other_buyer_org):
    return UserFactory(role=Role.PENGADAAN, organisation=other_buyer_org)


@pytest.fixture
def who(users_by_role, other_officer):
    return {**users_by_role, OTHER: other_officer, ANON: None}


def matched(demand: Demand) -> Demand:
    """As the match job leaves a need: ``matched_at`` after its last change."""
    Demand.objects.filter(pk=demand.pk).update(matched_at=timezone.now())
    demand.refresh_from_db()
    return demand


@pytest.fixture
def demand(buyer_org):
    return matched(DemandFactory(buyer=buyer_profile(buyer_org), title="Bracket knalpot tahap uji"))


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def row_of(html: str, suggestion) -> str:
    """The ``<tr>`` of a suggestion (its breakdown holds a table of its own)."""
    start = html.index(f'<tr id="suggestion-{suggestion.pk}"')
    depth, position = 0, start
    for match in re.finditer(r"<tr[\s>]|</tr>", html[start:]):
        depth += -1 if match.group() == "</tr>" else 1
        if depth == 0:
            position = start + match.end()
            break
    return html[start:position]


def suggest(demand, ikm=None, **kwargs) -> MatchSuggestion:
    kwargs.setdefault("reasons", REASONS)
    kwargs.setdefault("breakdown", BREAKDOWN)
    return MatchSuggestionFactory(demand=demand, ikm=ikm or IkmFactory(), **kwargs)


@pytest.fixture
def suggestion(demand):
    return suggest(demand, rank=1, score=Decimal("82.500"))


# --- The access matrix ------------------------------------------------------------------

# (method, url template, data, expected). {demand}, {suggestion}, {buyer}: the buyer's own.
MATRIX = [
    ("get", "/kemitraan/kebutuhan/", None, expect(200, (K, P, A))),
    ("get", "/kemitraan/kebutuhan/baru/", None, expect(200, (P,))),
    ("post", "/kemitraan/kebutuhan/baru/", {}, expect(422, (P,))),  # empty: refused, allowed
    ("get", "/kemitraan/kebutuhan/{demand}/", None, expect(200, (K, P, A), other=404)),
    ("get", "/kemitraan/kebutuhan/{demand}/ubah/", None, expect(200, (P,), other=404)),
    ("post", "/kemitraan/kebutuhan/{demand}/ubah/", {}, expect(422, (P,), other=404)),
    ("get", "/kemitraan/kebutuhan/{demand}/saran/", None, expect(200, (K, P, A), other=404)),
    (
        "get",
        "/kemitraan/kebutuhan/{demand}/mengapa-tidak/?q=Logam",
        None,
        expect(200, (K, P, A), other=404),
    ),
    ("post", "/kemitraan/saran/{suggestion}/daftar-pendek/", {}, expect(302, (P,), other=404)),
    ("post", "/kemitraan/saran/{suggestion}/dihubungi/", {}, expect(302, (P,), other=404)),
    (
        "post",
        "/kemitraan/saran/{suggestion}/abaikan/",
        {"reason": "Terlalu jauh"},
        expect(302, (P,), other=404),
    ),
    ("post", "/kemitraan/saran/{suggestion}/pulihkan/", {}, expect(302, (P,), other=404)),
    ("get", "/kemitraan/pembeli/", None, expect(200, (K, P, A))),
    # Kemenperin and KADIN have no buyer profile of their own: sent to the list of buyers.
    ("get", "/kemitraan/pembeli/profil/", None, {**expect(200, (P,)), K: 302, A: 302}),
    ("get", "/kemitraan/pembeli/profil/ubah/", None, expect(200, (P,))),
    ("post", "/kemitraan/pembeli/profil/ubah/", {"nib": "x"}, expect(422, (P,))),
    ("get", "/kemitraan/pembeli/{buyer}/", None, expect(200, (K, P, A))),  # buyers are public
]


def test_the_matrix_covers_every_kemitraan_screen():
    from django.urls import get_resolver

    names = {
        n for n in get_resolver().namespace_dict["kemitraan"][1].reverse_dict if isinstance(n, str)
    }
    covered = {
        "demand-list", "demand-create", "demand-detail", "demand-update", "demand-suggestions",
        "demand-why-not", "suggestion-shortlist", "suggestion-contacted", "suggestion-dismiss",
        "suggestion-restore", "buyer-list", "buyer-profile", "buyer-profile-update",
        "buyer-detail",
        "mou-list",  # tests/test_views.py
        # tests/kemitraan/test_mou_views.py
        "mou-create", "mou-detail", "mou-update", "mou-document", "mou-sign", "mou-activate",
        "mou-terminate",
        "mou-ikm-search",  # the MoU form's IKM picker: tests/kemitraan/test_mou_views.py
        # tests/kemitraan/test_realisation_views.py
        "mou-realisation", "participant-realisation", "po-create", "delivery-create",
        "delivery-delete", "payment-create", "payment-delete",
        # tests/kemitraan/test_po_import.py
        "po-import", "po-import-preview", "po-import-apply", "po-import-errors",
        "po-import-template",
        # tests/kemitraan/test_events.py (Link & Match events)
        "event-list", "event-create", "event-detail", "event-update", "event-register",
        "participant-approve", "participant-reject", "session-create", "session-update",
        "event-meetings", "meeting-request", "meeting-confirm", "meeting-move", "meeting-cancel",
        "meeting-outcome", "event-schedule", "event-schedule-xlsx",
        # Requesting a meeting from a suggestion or the IKM page (choosing the event):
        # tests/kemitraan/test_meeting_from_suggestion.py
        "meeting-request-for",
    }  # fmt: skip
    assert names <= covered


@pytest.mark.parametrize("role", WHO)
@pytest.mark.parametrize(
    ("method", "url", "data", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, _d, _e in MATRIX]
)
def test_access(client, who, demand, suggestion, buyer_org, role, method, url, data, expected):
    if who[role] is not None:
        client.force_login(who[role])
    path = url.format(demand=demand.pk, suggestion=suggestion.pk, buyer=buyer_profile(buyer_org).pk)
    response = getattr(client, method)(path, data or {})
    assert response.status_code == expected[role], (role, method, path)
    if role == ANON:
        assert "/masuk/" in response["Location"]


# --- Posting and editing a need ---------------------------------------------------------


def valid_data(**overrides) -> dict:
    data = {
        "title": "Bracket knalpot NMAX",
        "description": "Plat baja SPCC 2 mm, dicat hitam.",
        "kbli": ["29300", "25920"],
        "processes": [ProcessCapability.objects.get(slug="stamping").pk],
        "required_certifications": [CertificationType.objects.get(code="ISO9001").pk],
        "preferred_certifications": [CertificationType.objects.get(code="IATF16949").pk],
        "quantity_per_month": "20000",
        "unit": "pcs",
        "annual_value": "Rp 2,4 miliar",
        "province": "32",
        "regency": "32.16",
        "latitude": "",
        "longitude": "",
        "min_tkdn": "40,5",
        "verified_only": "on",
        "status": "open",
        "valid_until": "2027-12-31",
    }
    data.update(overrides)
    return data


def test_the_form_offers_every_field(client, pengadaan_user):
    client.force_login(pengadaan_user)
    response = client.get("/kemitraan/kebutuhan/baru/")
    for name in valid_data():
        assert f'name="{name}"' in response.text, name
    # The province reloads the regency options (the IKM form's endpoint).
    assert 'hx-get="/ikm/wilayah/kabupaten/"' in response.text
    assert "29300" in response.text  # KBLI codes with their labels


def test_post_a_need(client, pengadaan_user, buyer_org, django_capture_on_commit_callbacks):
    client.force_login(pengadaan_user)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/kemitraan/kebutuhan/baru/", valid_data())
    assert response.status_code == 302, response.content.decode()[:3000]
    demand = Demand.objects.get(title="Bracket knalpot NMAX")
    assert response["Location"] == f"/kemitraan/kebutuhan/{demand.pk}/"
    assert len(callbacks) == 1  # the match job, enqueued once the need is committed
    assert demand.buyer == buyer_profile(buyer_org)
    assert demand.created_by == pengadaan_user
    assert sorted(demand.kbli.values_list("code", flat=True)) == ["25920", "29300"]
    assert list(demand.processes.values_list("slug", flat=True)) == ["stamping"]
    assert list(demand.required_certifications.values_list("code", flat=True)) == ["ISO9001"]
    assert list(demand.preferred_certifications.values_list("code", flat=True)) == ["IATF16949"]
    assert demand.annual_value == 2_400_000_000
    assert demand.min_tkdn == Decimal("40.50")
    assert demand.regency_id == "32.16" and demand.verified_only
    assert demand.valid_until == datetime.date(2027, 12, 31)
    assert demand.matched_at is None  # the job has not run: the page says so and polls
    page = client.get(response["Location"])
    assert "Bracket knalpot NMAX" in page.text
    assert 'hx-trigger="every 3s"' in page.text
    assert f"/kemitraan/kebutuhan/{demand.pk}/saran/?wait=1" in page.text


def test_a_posted_need_gets_its_suggestions(
    client, pengadaan_user, django_capture_on_commit_callbacks
):
    IkmFactory(name="CV Stamping Bekasi Uji")
    client.force_login(pengadaan_user)
    # The tests run Celery eagerly: the job runs when the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/kemitraan/kebutuhan/baru/",
            valid_data(required_certifications=[], verified_only="", min_tkdn=""),
        )
    demand = Demand.objects.get(title="Bracket knalpot NMAX")
    assert demand.matched_at is not None
    page = client.get(response["Location"])
    assert "CV Stamping Bekasi Uji" in page.text
    assert "every 3s" not in page.text
    poll = client.get(f"/kemitraan/kebutuhan/{demand.pk}/saran/?wait=1", HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "CV Stamping Bekasi Uji" in poll.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("regency", "33.28", REGENCY_NOT_IN_PROVINCE),  # Kabupaten in Jawa Tengah
        ("quantity_per_month", "-5", kemitraan_forms.QUANTITY_NOT_POSITIVE),
        ("quantity_per_month", "0", kemitraan_forms.QUANTITY_NOT_POSITIVE),
        ("annual_value", "0", kemitraan_forms.ANNUAL_VALUE_NOT_POSITIVE),
        ("province", "", kemitraan_forms.REGENCY_WITHOUT_PROVINCE),
    ],
)
def test_each_mistake_has_its_message_and_nothing_is_written(
    client, pengadaan_user, field, value, message, django_capture_on_commit_callbacks
):
    client.force_login(pengadaan_user)
    with translation.override("id"), django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/kemitraan/kebutuhan/baru/", valid_data(**{field: value}))
        assert response.status_code == 422
        form = response.context["form"]
        assert str(message) in [str(e) for e in form.errors[field]]
        # The input stays in the form.
        assert 'value="Bracket knalpot NMAX"' in response.text
        if value:
            assert value in response.text
        assert "is-invalid" in response.text
    assert not Demand.objects.filter(title="Bracket knalpot NMAX").exists()
    assert callbacks == []


@pytest.mark.parametrize(
    ("field", "value", "overrides"),
    [
        ("annual_value", "banyak", {}),
        ("annual_value", "-5", {}),
        ("min_tkdn", "120", {}),
        ("latitude", "95", {"longitude": "107"}),
        ("longitude", "", {"latitude": "-6.3"}),  # only one coordinate
        ("title", "", {}),
        ("regency", "99.99", {}),  # no such regency
    ],
)
def test_other_invalid_values_are_refused_next_to_their_field(
    client, pengadaan_user, field, value, overrides
):
    client.force_login(pengadaan_user)
    response = client.post("/kemitraan/kebutuhan/baru/", valid_data(**{field: value}, **overrides))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Demand.objects.filter(title="Bracket knalpot NMAX").exists()


def test_messages_are_indonesian(client, pengadaan_user):
    client.force_login(pengadaan_user)
    response = client.post(
        "/kemitraan/kebutuhan/baru/", valid_data(title="", quantity_per_month="abc")
    )
    assert "Bidang ini harus diisi." in response.text
    assert "Masukkan keseluruhan angka bilangan." in response.text


def test_edit_a_need(client, pengadaan_user, demand, django_capture_on_commit_callbacks):
    demand.kbli.set(["29300"])
    client.force_login(pengadaan_user)
    form = client.get(f"/kemitraan/kebutuhan/{demand.pk}/ubah/")
    assert 'value="Bracket knalpot tahap uji"' in form.text
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"/kemitraan/kebutuhan/{demand.pk}/ubah/",
            valid_data(title="Bracket knalpot tahap dua", kbli=["25920"], status="closed"),
        )
    assert response.status_code == 302
    assert response["Location"] == f"/kemitraan/kebutuhan/{demand.pk}/"
    assert len(callbacks) == 1
    demand.refresh_from_db()
    assert demand.title == "Bracket knalpot tahap dua"
    assert demand.status == Demand.Status.CLOSED
    assert list(demand.kbli.values_list("code", flat=True)) == ["25920"]
    assert demand.history.first().history_user == pengadaan_user


def test_a_changed_need_says_its_suggestions_are_recomputed(client, pengadaan_user, demand):
    suggest(demand, rank=1)
    Demand.objects.filter(pk=demand.pk).update(
        matched_at=demand.updated_at - datetime.timedelta(minutes=1)
    )
    client.force_login(pengadaan_user)
    page = client.get(f"/kemitraan/kebutuhan/{demand.pk}/")
    assert "?wait=1" in page.text  # still polling, the old list shown meanwhile
    assert 'id="suggestion-' in page.text
    poll = client.get(f"/kemitraan/kebutuhan/{demand.pk}/saran/?wait=1", HTTP_HX_REQUEST="true")
    assert poll.status_code == 204  # nothing to swap yet


# --- The need's page --------------------------------------------------------------------


def test_the_page_shows_the_need_and_its_ranked_suggestions(english, pengadaan_user, demand):
    client = english
    second = suggest(demand, IkmFactory(name="CV Kedua Uji"), rank=2, score=Decimal("61.250"))
    first = suggest(demand, IkmFactory(name="CV Pertama Uji"), rank=1, score=Decimal("80.000"))
    kept = suggest(
        demand, IkmFactory(name="CV Lama Uji"), rank=3, status="shortlisted", eligible=False
    )
    gone = suggest(
        demand,
        IkmFactory(name="CV Ditolak Uji"),
        rank=4,
        status="dismissed",
        dismissed_reason="Kapasitas terlalu kecil",
    )
    client.force_login(pengadaan_user)
    response = client.get(f"/kemitraan/kebutuhan/{demand.pk}/")
    html = response.text
    assert response.status_code == 200
    assert html.index("CV Pertama Uji") < html.index("CV Kedua Uji") < html.index("CV Lama Uji")
    assert f'href="/ikm/{first.ikm.pk}/"' in html
    assert 'style="width: 80%"' in html and 'style="width: 61%"' in html
    assert "Kabupaten Bekasi" in html
    # The stored reasons, rendered; the breakdown with its labels.
    assert "Score breakdown" in html
    for label in ("Process fit", "Text similarity", "KBLI fit", "Quality signals"):
        assert label in html
    # A kept supplier that no longer passes the filters is flagged, and cannot be shortlisted.
    kept_row = row_of(html, kept)
    assert "no longer passes the filters" in kept_row
    assert "daftar-pendek" not in kept_row
    # Dismissed ones are listed apart, collapsed, with their reason.
    assert html.index('id="dismissed-suggestions"') < html.index(f'id="suggestion-{gone.pk}"')
    assert "Kapasitas terlalu kecil" in html
    assert second.pk and "engine test" in html  # the engine version of the suggestions


def test_the_reasons_are_rendered_as_sentences(english, pengadaan_user, demand):
    suggest(demand, rank=1)
    english.force_login(pengadaan_user)
    html = english.get(f"/kemitraan/kebutuhan/{demand.pk}/").text
    assert "Verified by Kemenperin." in html
    assert "Has the process Stamping / pressing (1 of 1 requested)." in html


def test_kemenperin_reads_the_page_without_actions(client, kemenperin_user, demand, suggestion):
    client.force_login(kemenperin_user)
    response = client.get(f"/kemitraan/kebutuhan/{demand.pk}/")
    assert response.status_code == 200
    assert "CV Logam Uji" in response.text
    for action in ("daftar-pendek", "dihubungi", "abaikan", "pulihkan", "/ubah/"):
        assert f"/{action}" not in response.text.replace("/ikm/", ""), action
    assert 'name="reason"' not in response.text
    response = client.post(f"/kemitraan/saran/{suggestion.pk}/daftar-pendek/")
    assert response.status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == MatchSuggestion.Status.SUGGESTED


def test_the_page_says_when_no_supplier_passes(english, pengadaan_user, demand):
    english.force_login(pengadaan_user)
    response = english.get(f"/kemitraan/kebutuhan/{demand.pk}/")
    assert "No supplier passes this need" in response.text
    assert "?wait=1" not in response.text


def test_the_page_query_count_does_not_grow_with_the_suggestions(client, pengadaan_user, demand):
    def add(ranks):
        for rank in ranks:
            dismissed = rank % 4 == 0
            suggest(
                demand,
                rank=rank,
                status="dismissed" if dismissed else "suggested",
                dismissed_reason="Terlalu jauh" if dismissed else "",
                actioned_by=pengadaan_user if dismissed else None,
                eligible=rank % 5 != 0,
            )

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/kemitraan/kebutuhan/{demand.pk}/")
        assert response.status_code == 200
        return len(queries), response.text.count('class="suggestion-row')

    client.force_login(pengadaan_user)
    add(range(1, 6))
    count_queries()  # warms the process names of the reasons (cached per process)
    at_five, rows = count_queries()
    assert rows == 5
    add(range(6, 21))
    at_twenty, rows = count_queries()
    assert rows == 20
    assert at_five == at_twenty
    # Session, user and groups; the need and its four code lists; its suggestions.
    assert at_twenty <= 16


# --- The buyer's actions ------------------------------------------------------------------


def action_url(suggestion, action) -> str:
    return f"/kemitraan/saran/{suggestion.pk}/{action}/"


def post(client, url, data=None, *, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url, data or {}, **headers)


def assert_answer(response, suggestion, *, htmx, status=200):
    if htmx:
        assert response.status_code == status
        assert f'id="suggestion-{suggestion.pk}"' in response.text
        assert "<html" not in response.text  # only that suggestion's row
    else:
        assert response.status_code == 302
        assert response["Location"] == (
            f"/kemitraan/kebutuhan/{suggestion.demand_id}/#suggestion-{suggestion.pk}"
        )


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_shortlist_contact_and_restore(english, pengadaan_user, suggestion, htmx):
    client = english
    client.force_login(pengadaan_user)
    response = post(client, action_url(suggestion, "daftar-pendek"), htmx=htmx)
    assert_answer(response, suggestion, htmx=htmx)
    suggestion.refresh_from_db()
    assert suggestion.status == MatchSuggestion.Status.SHORTLISTED
    assert suggestion.actioned_by == pengadaan_user
    if htmx:
        assert "Shortlisted" in response.text
        assert "pulihkan" in response.text  # the row now offers undo

    response = post(client, action_url(suggestion, "dihubungi"), htmx=htmx)
    assert_answer(response, suggestion, htmx=htmx)
    suggestion.refresh_from_db()
    assert suggestion.status == MatchSuggestion.Status.CONTACTED

    response = post(client, action_url(suggestion, "pulihkan"), htmx=htmx)
    assert_answer(response, suggestion, htmx=htmx)
    suggestion.refresh_from_db()
    assert suggestion.status == MatchSuggestion.Status.SUGGESTED


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_dismissing_needs_a_reason(client, pengadaan_user, suggestion, htmx):
    client.force_login(pengadaan_user)
    with translation.override("id"):
        response = post(client, action_url(suggestion, "abaikan"), {"reason": "  "}, htmx=htmx)
        assert response.status_code == 422
        html = response.text
        # The message stands next to the reason field of that suggestion's row.
        row = row_of(html, suggestion)
        assert escape(str(DISMISSAL_NEEDS_REASON)) in row
        assert "is-invalid" in row
        assert ("<html" in html) is (not htmx)
    suggestion.refresh_from_db()
    assert suggestion.status == MatchSuggestion.Status.SUGGESTED
    assert suggestion.actioned_by is None

    response = post(
        client, action_url(suggestion, "abaikan"), {"reason": "Di luar Jawa"}, htmx=htmx
    )
    assert_answer(response, suggestion, htmx=htmx)
    suggestion.refresh_from_db()
    assert suggestion.status == MatchSuggestion.Status.DISMISSED
    assert suggestion.dismissed_reason == "Di luar Jawa"
    if htmx:
        assert "Di luar Jawa" in response.text

    response = post(client, action_url(suggestion, "pulihkan"), htmx=htmx)
    assert_answer(response, suggestion, htmx=htmx)
    suggestion.refresh_from_db()
    assert suggestion.status == MatchSuggestion.Status.SUGGESTED
    assert suggestion.dismissed_reason == ""


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_a_supplier_that_no_longer_passes_cannot_be_shortlisted(
    client, pengadaan_user, demand, htmx
):
    stale = suggest(demand, rank=1, eligible=False)
    client.force_login(pengadaan_user)
    with translation.override("id"):
        response = post(client, action_url(stale, "daftar-pendek"), htmx=htmx)
    assert response.status_code == 422
    assert escape(str(SUGGESTION_NOT_ELIGIBLE)) in row_of(response.text, stale)
    stale.refresh_from_db()
    assert stale.status == MatchSuggestion.Status.SUGGESTED


def test_plain_post_success_shows_a_message(client, pengadaan_user, suggestion):
    client.force_login(pengadaan_user)
    response = client.post(action_url(suggestion, "daftar-pendek"), follow=True)
    assert response.status_code == 200
    assert suggestion.ikm.name in "".join(str(m) for m in response.context["messages"])


def test_another_buyers_suggestion_is_a_404(client, other_officer, suggestion):
    client.force_login(other_officer)
    for action in ("daftar-pendek", "dihubungi", "pulihkan"):
        assert client.post(action_url(suggestion, action)).status_code == 404
    assert client.post(action_url(suggestion, "abaikan"), {"reason": "x"}).status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.status == MatchSuggestion.Status.SUGGESTED


# --- "Why not this supplier?" -------------------------------------------------------------


def why_not(client, demand, **params):
    return client.get(
        f"/kemitraan/kebutuhan/{demand.pk}/mengapa-tidak/", params, HTTP_HX_REQUEST="true"
    )


def test_why_not_finds_suppliers_by_name_or_nib(client, pengadaan_user, demand):
    wanted = IkmFactory(name="CV Presisi Cikarang", nib="9199000000001")
    IkmFactory(name="CV Presisi Draf", verification_status="draft")  # not visible to buyers
    client.force_login(pengadaan_user)
    response = why_not(client, demand, q="presisi")
    assert response.status_code == 200
    assert "CV Presisi Cikarang" in response.text
    assert "CV Presisi Draf" not in response.text
    assert "<html" not in response.text
    response = why_not(client, demand, q="9199000000001")
    assert f"ikm={wanted.pk}" in response.text
    response = why_not(client, demand, q="pr")
    assert str(kemitraan_forms.WHY_NOT_QUERY_TOO_SHORT) in response.text


def test_why_not_explains_a_supplier_kept_out_by_a_filter(english, pengadaan_user, demand):
    client = english
    demand.required_certifications.set(CertificationType.objects.filter(code="IATF16949"))
    ikm = IkmFactory(name="CV Tanpa IATF")
    CertificateFactory(ikm=ikm)  # ISO 9001 only
    client.force_login(pengadaan_user)
    response = why_not(client, demand, ikm=ikm.pk)
    assert response.status_code == 200
    assert "CV Tanpa IATF" in response.text
    assert "IATF16949" in response.text  # the missing certificate is named
    assert "alert-warning" in response.text


def test_why_not_explains_the_score_of_a_passing_supplier(english, pengadaan_user, demand):
    demand.processes.set(ProcessCapability.objects.filter(slug="stamping"))
    ikm = IkmFactory(name="CV Lolos Filter")
    suggest(demand, ikm, rank=1)
    english.force_login(pengadaan_user)
    response = why_not(english, demand, ikm=ikm.pk)
    assert response.status_code == 200
    html = response.text
    assert 'id="why-not-result"' in html and "<html" not in html
    assert "rank 1 among the suppliers that pass the filters" in html
    assert "It is in the suggestions above: rank 1 when they were computed" in html
    assert "why-not-components" in html
    for label in ("Process fit", "Text similarity", "KBLI fit", "Quality signals"):
        assert label in html
    assert "Has the process Stamping / pressing (1 of 1 requested)." in html


def test_why_not_compares_with_the_20th_suggestion(english, pengadaan_user, demand):
    for rank in range(1, 21):
        suggest(demand, rank=rank, score=Decimal(100 - rank), breakdown={"process": 40.0})
    outsider = IkmFactory(name="CV Di Luar Daftar")
    english.force_login(pengadaan_user)
    html = why_not(english, demand, ikm=outsider.pk).text
    assert "The 20th suggestion scores 80.0" in html
    assert "points short" in html
    assert "No. 20" in html  # its points per component, next to the supplier's


def test_why_not_without_javascript_renders_the_page(client, pengadaan_user, demand):
    ikm = IkmFactory(name="CV Tanpa JS")
    client.force_login(pengadaan_user)
    response = client.get(f"/kemitraan/kebutuhan/{demand.pk}/mengapa-tidak/", {"ikm": ikm.pk})
    assert response.status_code == 200
    assert "<html" in response.text and "CV Tanpa JS" in response.text


def test_why_not_only_explains_suppliers_the_user_can_see(client, pengadaan_user, demand):
    draft = IkmFactory(verification_status="draft")
    client.force_login(pengadaan_user)
    assert why_not(client, demand, ikm=draft.pk).status_code == 404
    assert why_not(client, demand, ikm="abc").status_code == 404


# --- The IKM page's "matching needs" ------------------------------------------------------


def test_the_ikm_page_lists_matching_needs_to_kemenperin_only(
    client, kemenperin_user, kadin_user, pengadaan_user, demand
):
    ikm = IkmFactory()
    suggest(demand, ikm, rank=3, score=Decimal("71.000"))
    closed = DemandFactory(buyer=demand.buyer, title="Kebutuhan tertutup", status="closed")
    suggest(closed, ikm, rank=1)
    for user in (kemenperin_user, kadin_user):
        client.force_login(user)
        html = client.get(f"/ikm/{ikm.pk}/").text
        assert 'id="matching-needs"' in html
        assert f'href="/kemitraan/kebutuhan/{demand.pk}/' in html
        assert "Bracket knalpot tahap uji" in html
        assert "Kebutuhan tertutup" not in html  # open needs only
    client.force_login(pengadaan_user)
    html = client.get(f"/ikm/{ikm.pk}/").text
    assert 'id="matching-needs"' not in html
    assert "Bracket knalpot tahap uji" not in html


def test_ikm_does_not_import_kemitraan():
    import ast
    from pathlib import Path

    import ikm

    for path in Path(ikm.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("kemitraan"), path
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("kemitraan") for a in node.names), path


# --- The list of needs ----------------------------------------------------------------------


def test_the_list_links_needs_and_counts_suggestions(client, pengadaan_user, demand):
    suggest(demand, rank=1)
    suggest(demand, rank=2, status="shortlisted")
    suggest(demand, rank=3, status="contacted")
    suggest(demand, rank=4, status="dismissed", dismissed_reason="x")
    client.force_login(pengadaan_user)
    response = client.get("/kemitraan/kebutuhan/")
    row = response.context["object_list"][0]
    assert (row.suggestion_count, row.kept_count) == (3, 2)
    assert f'href="/kemitraan/kebutuhan/{demand.pk}/"' in response.text
    assert 'href="/kemitraan/kebutuhan/baru/"' in response.text


def test_kemenperin_gets_no_new_need_button(client, kemenperin_user, demand):
    client.force_login(kemenperin_user)
    response = client.get("/kemitraan/kebutuhan/")
    assert "Bracket knalpot tahap uji" in response.text
    assert 'href="/kemitraan/kebutuhan/baru/"' not in response.text


# --- Buyer profile ----------------------------------------------------------------------------


def test_the_officer_sees_and_edits_their_buyer_profile(client, pengadaan_user, buyer_org):
    pengadaan_user.first_name, pengadaan_user.last_name = "Sari", "Wulandari"
    pengadaan_user.email = "sari@uji.example"
    pengadaan_user.save()
    client.force_login(pengadaan_user)
    page = client.get("/kemitraan/pembeli/profil/")
    assert "PT Uji Motor Indonesia" in page.text
    assert "Sari Wulandari" in page.text  # officers, by name only
    assert "sari@uji.example" not in page.text
    assert 'href="/kemitraan/pembeli/profil/ubah/"' in page.text
    response = client.post(
        "/kemitraan/pembeli/profil/ubah/",
        {
            "group_name": "Grup Uji",
            "brands": "Uji",
            "nib": "8120000000001",
            "address": "Jl. Uji 1",
            "province": "32",
            "regency": "32.16",
            "description": "Pembeli uji",
        },
    )
    assert response.status_code == 302
    profile = buyer_profile(buyer_org)
    assert (profile.nib, profile.regency_id, profile.group_name) == (
        "8120000000001",
        "32.16",
        "Grup Uji",
    )
    assert profile.history.first().history_user == pengadaan_user


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nib", "123", None),
        ("regency", "33.28", REGENCY_NOT_IN_PROVINCE),
    ],
)
def test_buyer_profile_mistakes_are_shown_next_to_the_field(
    client, pengadaan_user, buyer_org, field, value, message
):
    client.force_login(pengadaan_user)
    data = {"province": "32", "regency": "32.16", "nib": "", field: value}
    response = client.post("/kemitraan/pembeli/profil/ubah/", data)
    assert response.status_code == 422
    errors = response.context["form"].errors[field]
    if message:
        assert str(message) in errors
    assert buyer_profile(buyer_org).nib == ""


def test_kemenperin_reads_buyers_with_their_officers(
    client, kemenperin_user, pengadaan_user, buyer_org, demand
):
    client.force_login(kemenperin_user)
    listing = client.get("/kemitraan/pembeli/")
    buyer = buyer_profile(buyer_org)
    assert f'href="/kemitraan/pembeli/{buyer.pk}/"' in listing.text
    page = client.get(f"/kemitraan/pembeli/{buyer.pk}/")
    assert str(pengadaan_user) in page.text
    assert "Bracket knalpot tahap uji" in page.text  # its needs
    assert "/kemitraan/pembeli/profil/ubah/" not in page.text


def test_another_buyer_page_hides_its_officers(client, other_officer, pengadaan_user, buyer_org):
    client.force_login(other_officer)
    page = client.get(f"/kemitraan/pembeli/{buyer_profile(buyer_org).pk}/")
    assert page.status_code == 200
    assert str(pengadaan_user) not in page.text
    assert "/kemitraan/pembeli/profil/ubah/" not in page.text


# --- Navigation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        (P, ["/kemitraan/kebutuhan/", "/kemitraan/pembeli/profil/"], ['/kemitraan/pembeli/"']),
        (K, ["/kemitraan/kebutuhan/", '/kemitraan/pembeli/"'], ["/kemitraan/pembeli/profil/"]),
        (A, ["/kemitraan/kebutuhan/", '/kemitraan/pembeli/"'], ["/kemitraan/pembeli/profil/"]),
        (F, [], ["/kemitraan/kebutuhan/", "/kemitraan/pembeli/"]),
    ],
)
def test_the_navbar_links_where_permitted(client, users_by_role, role, present, absent):
    client.force_login(users_by_role[role])
    html = client.get("/ikm/direktori/").text
    nav = html[html.index("<nav") : html.index("</nav>")]
    for href in present:
        assert href in nav, href
    for href in absent:
        assert href not in nav, href
