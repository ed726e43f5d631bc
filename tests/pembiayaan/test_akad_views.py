"""The lender screens (pembiayaan.views): the access matrix over every screen of the
``pembiayaan`` namespace (the akad import has its own tests), recording and editing an
application through the form (Indonesian money and rates, collateral rows, PO numbers; a
refusal next to its field and nothing saved), every action of the life cycle through its
POST with the forms the page offers per status, the list with its filters, totals and
coverage, the sections on the MoU and IKM pages, and the demo figures.

Pages are requested in Indonesian (the platform's language, the ``django_language`` cookie);
the service messages are compared with their constants rendered in the active language."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.shortcuts import resolve_url
from django.urls import get_resolver, reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy

from accounts.roles import Role
from kemitraan import realisation
from pembiayaan import forms as akad_forms
from pembiayaan import services
from pembiayaan.models import AkadKredit, Collateral, CreditScheme, Disbursement

from ..factories import (
    AkadKreditFactory,
    IkmFactory,
    MouFactory,
    MouParticipantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
JUTA = 1_000_000
MILIAR = 1_000_000_000
TIMES = "\N{MULTIPLICATION SIGN}"  # after a coverage ratio
K, A, P, F = Role.KEMENPERIN, Role.KADIN, Role.PENGADAAN, Role.PEMBIAYAAN
OTHER = "other lender's officer"
ANON = "anonymous"
WHO = (K, A, P, F, OTHER, ANON)

APPLIED, APPROVED, SIGNED = D(2025, 1, 10), D(2025, 1, 20), D(2025, 2, 1)
DISBURSED, REPORTED, PAID_OFF = D(2025, 2, 5), D(2025, 3, 31), D(2025, 6, 30)


# --- Helpers ---------------------------------------------------------------------------------


def scheme(code: str) -> CreditScheme:
    return CreditScheme.objects.get(code=code)


def url(name: str, akad=None) -> str:
    return reverse(f"pembiayaan:{name}", args=[akad.pk] if akad is not None else [])


def indonesian(client, user=None):
    """The client signed in as ``user`` (when given), asking for Indonesian pages."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    if user is not None:
        client.force_login(user)
    return client


def english(client, user=None):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def text(message, params=None, language="id") -> str:
    """A service/form message as the page shows it (HTML-escaped) in ``language``."""
    with translation.override(language):
        rendered = str(message % params) if params else str(message)
    return escape(rendered)


def rp(amount: int, language="id", short=False) -> str:
    from ikm.money import format_rupiah

    return format_rupiah(amount, language=language, short=short)


def errors(html: str) -> list[tuple[str, str]]:
    """(field id, message) of each field error on a page (for assertion messages)."""
    found = []
    for match in re.finditer(r'class="invalid-feedback"[^>]*>(.*?)</(?:div|span)>', html, re.S):
        ids = re.findall(r'id="(id_[\w-]+)"', html[: match.start()])
        found.append((ids[-1] if ids else "?", re.sub(r"<[^>]+>", "", match.group(1)).strip()))
    return found


def block(html: str, start: str, end: str | None = None, size: int = 4000) -> str:
    """The part of ``html`` from ``start`` up to ``end`` (or ``size`` characters)."""
    assert start in html, start
    rest = html[html.index(start) :]
    if end is not None and end in rest[len(start) :]:
        return rest[: rest.index(end, len(start))]
    return rest[:size]


def field_block(html: str, name: str) -> str:
    """A crispy field's wrapper (label, input, help and errors)."""
    return block(html, f'id="div_id_{name}"', 'id="div_id_')


def action_block(html: str, name: str) -> str:
    return block(html, f'id="action-{name}"', "</form>")


def offered_actions(html: str) -> set[str]:
    return set(re.findall(r'id="action-([a-z_]+)"', html))


def advance(akad: AkadKredit, to: str, *, actor=None, number=None) -> AkadKredit:
    """Move ``akad`` through the services (the system acting) up to status ``to``."""
    order = ["pipeline", "approved", "signed", "disbursed", "repaying", "paid_off"]
    if to in ("rejected", "cancelled"):
        close = services.akad_reject if to == "rejected" else services.akad_cancel
        close(akad=akad, reason="uji", actor=actor)
        akad.refresh_from_db()
        return akad
    steps = order[1 : order.index(to) + 1]
    for step in steps:
        if step == "approved":
            services.akad_approve(akad=akad, approved_on=APPROVED, actor=actor)
        elif step == "signed":
            services.akad_sign(
                akad=akad,
                akad_number=number or f"AK/{akad.pk}/2025",
                signed_on=SIGNED,
                actor=actor,
            )
        elif step == "disbursed":
            services.akad_disburse(
                akad=akad, amount=akad.plafon // 2, disbursed_on=DISBURSED, actor=actor
            )
        elif step == "repaying":
            services.akad_report_collectibility(
                akad=akad, collectibility=1, as_of=REPORTED, actor=actor
            )
        elif step == "paid_off":
            services.akad_pay_off(akad=akad, paid_off_on=PAID_OFF, actor=actor)
    akad.refresh_from_db()
    return akad


def snapshot(akad: AkadKredit) -> tuple:
    """What a refused request must leave as it was."""
    fresh = AkadKredit.objects.get(pk=akad.pk)
    return (
        fresh.status,
        fresh.plafon,
        fresh.interest_rate,
        fresh.akad_number,
        fresh.approved_on,
        fresh.signed_on,
        fresh.closed_on,
        fresh.collectibility,
        fresh.status_reason,
        fresh.history.count(),
        fresh.disbursements.count(),
        fresh.collaterals.count(),
    )


# --- Fixtures --------------------------------------------------------------------------------


@pytest.fixture
def who(users_by_role, other_officer):
    return {**users_by_role, OTHER: other_officer, ANON: None}


@pytest.fixture
def mou(buyer_org, borrower):
    """An active MoU (valid until 2030) in which the borrower committed Rp3 miliar a year."""
    mou = MouFactory(
        buyer=buyer_org.buyer_profile,
        number="001/UJI/MoU/2025",
        status="active",
        valid_until=D(2030, 12, 31),
    )
    mou.borrower_participant = MouParticipantFactory(
        mou=mou, ikm=borrower, committed_market_access=3 * MILIAR
    )
    return mou


@pytest.fixture
def akad(lender, borrower, mou):
    """An application of the officer's lender in the pipeline, resting on the MoU."""
    return AkadKreditFactory(
        lender=lender,
        borrower=borrower,
        mou=mou,
        application_number="APP/UJI/0001",
        plafon=1 * MILIAR,
        applied_on=APPLIED,
    )


@pytest.fixture
def pos(mou, kemenperin_user):
    """Two POs of the borrower under the MoU."""
    return [
        realisation.purchase_order_record(
            participant=mou.borrower_participant,
            number=number,
            order_date=D(2025, 1, 2),
            value=400 * JUTA,
            payment_terms_days=30,
            actor=kemenperin_user,
        )
        for number in ("PO/UJI/001", "PO/UJI/002")
    ]


# --- 1. Access matrix ------------------------------------------------------------------------


def expect(officer, *, readers=403, other=None) -> dict:
    """Expected answer per role: Kemenperin and KADIN get ``readers``, the buyer's officer
    403 (no credit permission), the lender's own officer ``officer``, another lender's
    officer ``other`` (default: the same as the own officer), anonymous a login redirect."""
    return {
        K: readers,
        A: readers,
        P: 403,
        F: officer,
        OTHER: officer if other is None else other,
        ANON: 302,
    }


def unchanged(akad):
    return AkadKredit.objects.get(pk=akad.pk).status == "pipeline"


# name: (method, status the akad is put in first, data, expected, done(akad) after success)
MATRIX = {
    "akad-list": ("get", None, None, expect(200, readers=200), None),
    "candidate-list": ("get", None, None, expect(200, readers=200), None),
    "lender-list": ("get", None, None, expect(200, readers=200), None),
    "lender-profile": ("get", None, None, expect(200), None),
    "lender-profile POST": ("post", None, {"short_name": "Bank Uji"}, expect(302), None),
    "akad-create": ("get", None, None, expect(200), None),
    "akad-create POST": ("post", None, {}, expect(422), None),
    "akad-detail": ("get", "pipeline", None, expect(200, readers=200, other=404), None),
    "akad-update": ("get", "pipeline", None, expect(200, other=404), None),
    "akad-update POST": ("post", "pipeline", {}, expect(422, other=404), None),
    "akad-approve": (
        "post",
        "pipeline",
        {"approve-approved_on": "2025-01-20"},
        expect(302, other=404),
        lambda a: a.status == "approved" and a.approved_on == APPROVED,
    ),
    "akad-sign": (
        "post",
        "approved",
        {"sign-akad_number": "AK/UJI/2025/01", "sign-signed_on": "2025-02-01"},
        expect(302, other=404),
        lambda a: a.status == "signed" and a.akad_number == "AK/UJI/2025/01",
    ),
    "akad-disburse": (
        "post",
        "signed",
        {"disburse-amount": "250.000.000", "disburse-disbursed_on": "2025-02-05"},
        expect(302, other=404),
        lambda a: a.status == "disbursed" and a.disbursements.get().amount == 250 * JUTA,
    ),
    "akad-collectibility": (
        "post",
        "disbursed",
        {"collectibility-collectibility": "2", "collectibility-as_of": "2025-03-31"},
        expect(302, other=404),
        lambda a: a.status == "repaying" and a.collectibility == 2,
    ),
    "akad-pay-off": (
        "post",
        "disbursed",
        {"payoff-paid_off_on": "2025-06-30"},
        expect(302, other=404),
        lambda a: a.status == "paid_off" and a.closed_on == PAID_OFF,
    ),
    "akad-reject": (
        "post",
        "pipeline",
        {"reject-reason": "Omzet tidak mencukupi"},
        expect(302, other=404),
        lambda a: a.status == "rejected" and a.status_reason == "Omzet tidak mencukupi",
    ),
    "akad-cancel": (
        "post",
        "approved",
        {"cancel-reason": "Debitur mundur"},
        expect(302, other=404),
        lambda a: a.status == "cancelled" and a.status_reason == "Debitur mundur",
    ),
}


def test_the_matrix_covers_every_pembiayaan_screen():
    """A new screen of the ``pembiayaan`` namespace must get a row in MATRIX (the akad
    import's screens are tested in their own module)."""
    names = {
        name
        for name in get_resolver().namespace_dict["pembiayaan"][1].reverse_dict
        if isinstance(name, str) and not name.startswith("akad-import")
    }
    covered = {key.split()[0] for key in MATRIX}
    assert names == covered, (names - covered, covered - names)


@pytest.mark.parametrize("role", WHO)
@pytest.mark.parametrize("row", list(MATRIX))
def test_access(client, who, akad, role, row):
    method, status, data, expected, done = MATRIX[row]
    name = row.split()[0]
    if status is not None and status != "pipeline":
        advance(akad, status)
    before = snapshot(akad)
    path = url(name, akad if status is not None else None)
    response = getattr(indonesian(client, who[role]), method)(path, data or {})
    assert response.status_code == expected[role], (role, method, path)
    if role == ANON:
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")
    akad.refresh_from_db()
    if done is not None and role != ANON and expected[role] == 302:
        assert response["Location"] == url("akad-detail", akad)
        assert done(akad), akad.status
    elif method == "post":
        assert snapshot(akad) == before  # refused: nothing changed
        assert AkadKredit.objects.count() == 1


def test_read_pages_show_the_akad_to_those_who_may_see_it(client, who, akad):
    for role in (K, A, F):
        html = indonesian(client, who[role]).get(url("akad-list")).text
        assert "APP/UJI/0001" in html, role
        html = client.get(url("akad-detail", akad)).text
        assert "APP/UJI/0001" in html and rp(1 * MILIAR) in html, role
    html = indonesian(client, who[OTHER]).get(url("akad-list")).text
    assert "APP/UJI/0001" not in html


def test_actions_are_post_only(client, officer, akad):
    indonesian(client, officer)
    for name in (
        "akad-approve",
        "akad-sign",
        "akad-disburse",
        "akad-collectibility",
        "akad-pay-off",
        "akad-reject",
        "akad-cancel",
    ):
        assert client.get(url(name, akad)).status_code == 405, name


def test_a_lender_officer_without_an_organisation_cannot_record(client):
    client.force_login(UserFactory(role=Role.PEMBIAYAAN))
    assert client.get(url("akad-create")).status_code == 403


def test_read_only_roles_see_neither_actions_nor_edit_nor_new(client, who, akad):
    for role in (K, A):
        indonesian(client, who[role])
        html = client.get(url("akad-detail", akad)).text
        assert 'id="akad-actions"' not in html and not offered_actions(html), role
        assert url("akad-update", akad) not in html, role
        assert url("akad-create") not in client.get(url("akad-list")).text, role
    indonesian(client, who[F])
    assert url("akad-create") in client.get(url("akad-list")).text
    html = client.get(url("akad-detail", akad)).text
    assert url("akad-update", akad) in html and offered_actions(html)


# --- 2. Recording an application through the form --------------------------------------------


def application(borrower, mou=None, **overrides) -> dict:
    """The form as an officer fills it in: Indonesian money and rate, two collateral rows,
    an empty third row, and the PO numbers."""
    data = {
        "borrower": borrower.nib,
        "mou": str(mou.pk) if mou is not None else "",
        "purchase_order_numbers": "PO/UJI/001,\npo/uji/002",
        "scheme": str(scheme("kmk").pk),
        "application_number": "APP/2025/0042",
        "applied_on": "2025-03-03",
        "purpose": "Modal kerja pesanan bracket",
        "plafon": "2.500.000.000",
        "tenor_months": "36",
        "grace_period_months": "3",
        "interest_rate": "9,75",
        "rate_type": "effective",
        "rate_basis": "fixed",
        "provision_fee": "Rp 12,5 juta",
        "admin_fee": "",
        "guarantor": "jamkrindo",
        "guarantee_coverage": "70",
        "collaterals-TOTAL_FORMS": "3",
        "collaterals-INITIAL_FORMS": "0",
        "collaterals-MIN_NUM_FORMS": "0",
        "collaterals-MAX_NUM_FORMS": "50",
        "collaterals-0-kind": "land_building",
        "collaterals-0-description": "SHM No. 123 Bekasi",
        "collaterals-0-value": "2,5 miliar",
        "collaterals-0-binding": "hak_tanggungan",
        "collaterals-1-kind": "machinery",
        "collaterals-1-description": "Mesin press 200 ton",
        "collaterals-1-value": "750.000.000",
        "collaterals-1-binding": "fidusia",
        "collaterals-2-kind": "",
        "collaterals-2-description": "",
        "collaterals-2-value": "",
        "collaterals-2-binding": "not_bound",
    }
    data.update(overrides)
    return data


def test_officer_records_an_application_with_indonesian_figures(
    client, officer, lender, borrower, mou, pos
):
    response = indonesian(client, officer).post(url("akad-create"), application(borrower, mou))
    assert response.status_code == 302, errors(response.text)
    akad = AkadKredit.objects.get()
    assert response["Location"] == url("akad-detail", akad)
    assert akad.lender == lender and akad.borrower == borrower and akad.mou == mou
    assert akad.status == "pipeline" and akad.akad_number == ""
    assert akad.plafon == 2_500_000_000
    assert akad.interest_rate == Decimal("9.75")
    assert akad.provision_fee == 12_500_000 and akad.admin_fee == 0
    assert akad.tenor_months == 36 and akad.grace_period_months == 3
    assert akad.guarantor == "jamkrindo" and akad.guarantee_coverage == Decimal("70")
    assert akad.applied_on == D(2025, 3, 3) and akad.application_number == "APP/2025/0042"
    assert akad.created_by == officer and akad.status_changed_by == officer
    assert list(akad.collaterals.order_by("pk").values_list("kind", "value", "binding")) == [
        ("land_building", 2_500_000_000, "hak_tanggungan"),
        ("machinery", 750_000_000, "fidusia"),
    ]
    assert set(akad.purchase_orders.all()) == set(pos)
    page = client.get(response["Location"]).text
    assert rp(2_500_000_000) in page and "9,75%" in page
    assert rp(3_250_000_000) in page  # the collateral total
    assert "PO/UJI/001" in page and "PO/UJI/002" in page
    assert f"1,20{TIMES}" in page  # Rp3 miliar committed a year ÷ Rp2,5 miliar


def test_an_application_without_collateral_or_mou_is_recorded(client, officer, borrower):
    data = application(
        borrower,
        None,
        purchase_order_numbers="",
        scheme=str(scheme("kur-mikro").pk),
        plafon="Rp 75 juta",
        interest_rate="6",
        guarantor="",
        guarantee_coverage="",
        **{
            "collaterals-TOTAL_FORMS": "1",
            "collaterals-0-kind": "",
            "collaterals-0-description": "",
            "collaterals-0-value": "",
            "collaterals-0-binding": "not_bound",
        },
    )
    response = indonesian(client, officer).post(url("akad-create"), data)
    assert response.status_code == 302, errors(response.text)
    akad = AkadKredit.objects.get()
    assert akad.plafon == 75 * JUTA and akad.mou is None and not akad.collaterals.exists()
    page = client.get(response["Location"]).text
    assert 'id="akad-coverage"' not in page  # no MoU: no coverage


def browser_submission(html: str, overrides: dict) -> dict:
    """What a browser sends for the collateral rows of the rendered form when the officer
    leaves them untouched: each select's selected option, or its first one."""
    data = {}
    for name, body in re.findall(
        r'<select name="(collaterals-\d+-[a-z]+)"[^>]*>(.*?)</select>', html, re.S
    ):
        selected = re.search(r'<option value="([^"]*)" selected', body)
        first = re.search(r'<option value="([^"]*)"', body)
        data[name] = (selected or first).group(1)
    for name in re.findall(r'<input type="text" name="(collaterals-\d+-[a-z]+)"', html):
        data[name] = ""
    for name, value in re.findall(
        r'<input type="hidden" name="(collaterals-[A-Z_]+)" value="(\d+)"', html
    ):
        data[name] = value
    data.update(overrides)
    return data


def test_a_browser_leaving_the_empty_collateral_rows_untouched_can_save(client, officer, borrower):
    indonesian(client, officer)
    html = client.get(url("akad-create")).text
    fields = application(
        borrower,
        None,
        purchase_order_numbers="",
        scheme=str(scheme("kur-mikro").pk),
        plafon="75 juta",
        interest_rate="6",
        guarantor="",
        guarantee_coverage="",
    )
    fields = {k: v for k, v in fields.items() if not k.startswith("collaterals-")}
    data = browser_submission(html, fields)
    assert data["collaterals-TOTAL_FORMS"] == "2"  # the page's two empty rows
    response = client.post(url("akad-create"), data)
    assert response.status_code == 302, errors(response.text)
    assert not AkadKredit.objects.get().collaterals.exists()


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("kur mikro plafon too large", "plafon"),
        ("rate above the kur limit", "interest_rate"),
        ("unknown po number", "purchase_order_numbers"),
        ("borrower not in the mou", "mou"),
        ("unreadable amount", "plafon"),
        ("applied in the future", "applied_on"),
    ],
)
def test_a_refused_application_shows_the_message_next_to_its_field_and_saves_nothing(
    client, officer, borrower, mou, pos, case, field
):
    kur_mikro = {
        "scheme": str(scheme("kur-mikro").pk),
        "interest_rate": "6",
        "purchase_order_numbers": "",
        "guarantor": "",
        "guarantee_coverage": "",
    }
    if case == "kur mikro plafon too large":
        data = application(borrower, None, **{**kur_mikro, "plafon": "Rp150.000.000"})
        message = text(
            services.PLAFON_ABOVE_SCHEME, {"scheme": "KUR Mikro", "maximum": "Rp100.000.000"}
        )
    elif case == "rate above the kur limit":
        data = application(
            borrower, None, **{**kur_mikro, "plafon": "50 juta", "interest_rate": "7,5"}
        )
        message = text(
            services.RATE_ABOVE_SCHEME,
            {
                "scheme": "KUR Mikro",
                "rate": "6",
                "access": str(services.ACCESS_FIRST),
            },
        )
    elif case == "unknown po number":
        data = application(borrower, mou, purchase_order_numbers="PO/UJI/001, PO/TIDAK/ADA")
        message = text(akad_forms.PO_UNKNOWN, {"numbers": "PO/TIDAK/ADA"})
    elif case == "borrower not in the mou":
        elsewhere = MouFactory(status="active", valid_until=D(2030, 12, 31))
        MouParticipantFactory(mou=elsewhere)
        data = application(borrower, elsewhere, purchase_order_numbers="")
        message = text(services.BORROWER_NOT_IN_MOU)
    elif case == "applied in the future":
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        data = application(borrower, mou, applied_on=tomorrow.isoformat())
        message = text(services.DATE_IN_FUTURE)
    else:
        data = application(borrower, mou, plafon="dua miliar")
        message = None
    response = indonesian(client, officer).post(url("akad-create"), data)
    assert response.status_code == 422
    html = response.text
    assert 'lang="id"' in html
    assert 'id="form-errors"' in html
    around = field_block(html, field)
    assert "is-invalid" in around and "invalid-feedback" in around, around
    if message is not None:
        assert message in around, around
        # Only next to its field, not elsewhere on the page.
        assert html.count(message) == 1
    # What was typed stays in the form.
    assert escape(data["plafon"]) in html and "SHM No. 123 Bekasi" in html
    assert not AkadKredit.objects.exists() and not Collateral.objects.exists()


def test_a_grace_period_as_long_as_the_tenor_is_refused_next_to_it(
    client, officer, borrower, mou, pos
):
    data = application(borrower, mou, tenor_months="12", grace_period_months="12")
    response = indonesian(client, officer).post(url("akad-create"), data)
    assert response.status_code == 422
    message = text(services.GRACE_NOT_WITHIN_TENOR)
    assert message in response.text
    assert not AkadKredit.objects.exists()
    around = field_block(response.text, "grace_period_months")
    assert "is-invalid" in around and message in around


def test_the_rate_limit_message_in_english_uses_a_decimal_point(client, officer, borrower):
    data = application(
        borrower,
        None,
        scheme=str(scheme("kur-mikro").pk),
        purchase_order_numbers="",
        plafon="50,000,000",
        interest_rate="7.5",
        guarantor="",
        guarantee_coverage="",
    )
    # A repeat KUR borrower: the second access allows 7%; ask 7.5%.
    first = AkadKreditFactory(
        borrower=borrower, scheme=scheme("kur-mikro"), plafon=50 * JUTA, interest_rate=6
    )
    advance(first, "signed")
    response = english(client, officer).post(url("akad-create"), data)
    assert response.status_code == 422
    message = text(
        services.RATE_ABOVE_SCHEME,
        {
            "scheme": "KUR Mikro",
            "rate": "7",
            "access": services.ACCESS_LATER % {"number": 2},
        },
        language="en",
    )
    assert message in field_block(response.text, "interest_rate")
    assert AkadKredit.objects.count() == 1


def test_a_po_under_another_mou_is_refused_next_to_the_po_numbers(
    client, officer, borrower, mou, kemenperin_user
):
    other_mou = MouFactory(status="active", valid_until=D(2030, 12, 31))
    elsewhere = MouParticipantFactory(mou=other_mou, ikm=borrower)
    realisation.purchase_order_record(
        participant=elsewhere,
        number="PO/LAIN/1",
        order_date=D(2025, 1, 2),
        value=100 * JUTA,
        payment_terms_days=30,
        actor=kemenperin_user,
    )
    data = application(borrower, mou, purchase_order_numbers="PO/LAIN/1")
    response = indonesian(client, officer).post(url("akad-create"), data)
    assert response.status_code == 422
    message = text(services.PO_NOT_UNDER_MOU, {"number": "PO/LAIN/1"})
    assert message in response.text
    assert not AkadKredit.objects.exists()
    assert message in field_block(response.text, "purchase_order_numbers")


def test_the_candidates_link_fills_in_the_borrower_and_the_mou(client, officer, borrower, mou):
    indonesian(client, officer)
    html = client.get(f"{url('akad-create')}?ikm={borrower.pk}&mou={mou.pk}").text
    borrower_field = field_block(html, "borrower")
    assert f'value="{escape(f"{borrower.nib} — {borrower.name}")}"' in borrower_field
    mou_field = field_block(html, "mou")
    assert re.search(rf'<option value="{mou.pk}"\s+selected', mou_field), mou_field
    # Without the parameters: nothing chosen.
    html = client.get(url("akad-create")).text
    assert borrower.nib not in field_block(html, "borrower")
    assert not re.search(rf'<option value="{mou.pk}"\s+selected', field_block(html, "mou"))


def test_the_prefill_ignores_an_ikm_the_officer_may_not_see(client, officer, mou):
    hidden = IkmFactory(verification_status="draft")
    html = indonesian(client, officer).get(f"{url('akad-create')}?ikm={hidden.pk}").text
    assert hidden.nib not in field_block(html, "borrower")


# --- 3. Editing --------------------------------------------------------------------------------


def edit_data(akad, **overrides) -> dict:
    data = {
        "borrower": akad.borrower.nib,
        "mou": str(akad.mou_id or ""),
        "purchase_order_numbers": "",
        "scheme": str(akad.scheme_id),
        "application_number": akad.application_number,
        "applied_on": akad.applied_on.isoformat(),
        "purpose": "",
        "plafon": "1.200.000.000",
        "tenor_months": "24",
        "grace_period_months": "0",
        "interest_rate": "10,5",
        "rate_type": "effective",
        "rate_basis": "floating",
        "provision_fee": "",
        "admin_fee": "",
        "guarantor": "",
        "guarantee_coverage": "",
        "collaterals-TOTAL_FORMS": "1",
        "collaterals-INITIAL_FORMS": "0",
        "collaterals-0-kind": "vehicle",
        "collaterals-0-description": "Truk engkel",
        "collaterals-0-value": "300 juta",
        "collaterals-0-binding": "fidusia",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("status", ["pipeline", "approved"])
def test_an_application_is_edited_before_signing(client, officer, akad, status):
    advance(akad, status)
    Collateral.objects.create(akad=akad, kind="inventory", value=100 * JUTA)
    indonesian(client, officer)
    page = client.get(url("akad-update", akad))
    assert page.status_code == 200
    assert 'value="1.000.000.000"' in field_block(page.text, "plafon")
    assert 'value="100.000.000"' in page.text  # the existing collateral row
    response = client.post(url("akad-update", akad), edit_data(akad))
    assert response.status_code == 302, errors(response.text)
    assert response["Location"] == url("akad-detail", akad)
    akad.refresh_from_db()
    assert akad.status == status
    assert akad.plafon == 1_200_000_000 and akad.interest_rate == Decimal("10.5")
    assert akad.tenor_months == 24 and akad.rate_basis == "floating"
    assert list(akad.collaterals.values_list("kind", "value")) == [("vehicle", 300 * JUTA)]


def test_a_signed_akad_cannot_be_edited(client, officer, akad):
    advance(akad, "signed")
    before = snapshot(akad)
    indonesian(client, officer)
    detail = client.get(url("akad-detail", akad)).text
    assert url("akad-update", akad) not in detail
    response = client.get(url("akad-update", akad), follow=True)
    assert response.redirect_chain == [(url("akad-detail", akad), 302)]
    assert text(services.NOT_EDITABLE) in response.text
    response = client.post(url("akad-update", akad), edit_data(akad))
    assert response.status_code == 302 and response["Location"] == url("akad-detail", akad)
    assert snapshot(akad) == before
    assert AkadKredit.objects.get(pk=akad.pk).plafon == 1 * MILIAR


def test_a_refused_edit_keeps_the_stored_terms(client, officer, akad):
    akad.scheme = scheme("kur-kecil")
    akad.plafon = 300 * JUTA
    akad.interest_rate = Decimal("6")
    akad.save()
    before = snapshot(akad)
    response = indonesian(client, officer).post(
        url("akad-update", akad), edit_data(akad, plafon="600 juta", interest_rate="6")
    )
    assert response.status_code == 422
    message = text(
        services.PLAFON_ABOVE_SCHEME, {"scheme": "KUR Kecil", "maximum": "Rp500.000.000"}
    )
    assert message in field_block(response.text, "plafon")
    assert snapshot(akad) == before


def test_the_edit_page_keeps_the_purchase_orders(client, officer, akad, pos):
    akad.purchase_orders.set(pos)
    indonesian(client, officer)
    html = client.get(url("akad-update", akad)).text
    assert "PO/UJI/001, PO/UJI/002" in field_block(html, "purchase_order_numbers")
    data = edit_data(akad, purchase_order_numbers="PO/UJI/002")
    assert client.post(url("akad-update", akad), data).status_code == 302
    assert list(akad.purchase_orders.all()) == [pos[1]]


def test_an_application_date_after_the_approval_names_the_approval(client, officer, akad):
    advance(akad, "approved")  # approved on 20-01-2025
    before = snapshot(akad)
    response = indonesian(client, officer).post(
        url("akad-update", akad), edit_data(akad, applied_on="2025-01-25")
    )
    assert response.status_code == 422
    around = field_block(response.text, "applied_on")
    assert "is-invalid" in around
    assert snapshot(akad) == before
    assert text(services.APPLIED_AFTER_APPROVAL, {"date": "20-01-2025"}) in around, errors(
        response.text
    )


# --- 4. Actions --------------------------------------------------------------------------------


def post_action(client, akad, name, data):
    return client.post(url(f"akad-{name}", akad), data)


def test_the_whole_life_cycle_through_the_page(client, officer, akad):
    indonesian(client, officer)
    steps = [
        ("approve", {"approve-approved_on": "2025-01-20"}, "approved"),
        ("sign", {"sign-akad_number": " AK/2025/  007 ", "sign-signed_on": "2025-02-01"}, "signed"),
        (
            "disburse",
            {
                "disburse-amount": "500.000.000",
                "disburse-disbursed_on": "2025-02-05",
                "disburse-note": "tahap 1",
            },
            "disbursed",
        ),
        (
            "disburse",
            {"disburse-amount": "0,2 miliar", "disburse-disbursed_on": "2025-02-20"},
            "disbursed",
        ),
        (
            "collectibility",
            {"collectibility-collectibility": "2", "collectibility-as_of": "2025-03-31"},
            "repaying",
        ),
        ("pay-off", {"payoff-paid_off_on": "2025-06-30"}, "paid_off"),
    ]
    for name, data, status in steps:
        response = post_action(client, akad, name, data)
        assert response.status_code == 302, (name, errors(response.text))
        assert response["Location"] == url("akad-detail", akad)
        akad.refresh_from_db()
        assert akad.status == status, name
    assert akad.akad_number == "AK/2025/ 007"  # surrounding and repeated spaces dropped
    assert akad.approved_on == APPROVED and akad.signed_on == SIGNED
    assert akad.collectibility == 2 and akad.collectibility_as_of == REPORTED
    assert akad.closed_on == PAID_OFF
    assert list(akad.disbursements.order_by("disbursed_on").values_list("amount", flat=True)) == [
        500 * JUTA,
        200 * JUTA,
    ]
    page = client.get(url("akad-detail", akad)).text
    tranches = block(page, 'id="akad-tranches"', 'id="akad-actions"')
    assert rp(700 * JUTA) in tranches  # disbursed, cumulative
    assert rp(300 * JUTA) in tranches  # left of the plafon
    assert "tahap 1" in tranches
    assert not offered_actions(page)
    history = block(page, 'id="akad-history"', "</ol>")
    # Recorded, approved, signed, two tranches, collectibility, paid off.
    assert history.count("<li") == 7
    assert history.count(str(gettext_lazy("tranche disbursed")).capitalize()) == 2
    assert str(officer) in history


def test_a_tranche_over_the_plafon_is_refused_with_what_is_left(client, officer, akad):
    advance(akad, "signed")
    indonesian(client, officer)
    ok = post_action(
        client,
        akad,
        "disburse",
        {"disburse-amount": "500.000.000", "disburse-disbursed_on": "2025-02-05"},
    )
    assert ok.status_code == 302
    before = snapshot(akad)
    response = post_action(
        client,
        akad,
        "disburse",
        {"disburse-amount": "600.000.000", "disburse-disbursed_on": "2025-02-06"},
    )
    assert response.status_code == 422
    form = action_block(response.text, "disburse")
    message = text(services.OVER_PLAFON, {"remaining": "Rp500.000.000"})
    assert "Rp500.000.000" in form and message in form
    around = block(form, 'name="disburse-amount"', "<label")
    assert "is-invalid" in around and message in around
    assert 'value="600.000.000"' in form  # what was typed stays
    assert snapshot(akad) == before
    assert Disbursement.objects.filter(akad=akad).count() == 1


def test_the_remaining_amount_in_english(client, officer, akad):
    advance(akad, "disbursed")  # half the plafon: Rp500 juta left
    response = post_action(
        english(client, officer),
        akad,
        "disburse",
        {"disburse-amount": "600,000,000", "disburse-disbursed_on": "2025-02-06"},
    )
    assert response.status_code == 422
    assert "IDR 500,000,000" in action_block(response.text, "disburse")


@pytest.mark.parametrize(
    ("status", "name", "data", "field", "message", "params"),
    [
        (
            "pipeline",
            "approve",
            {"approve-approved_on": "2025-01-05"},
            "approve-approved_on",
            services.DATE_BEFORE,
            {"what": gettext_lazy("the application"), "date": "10-01-2025"},
        ),
        (
            "approved",
            "sign",
            {"sign-akad_number": "AK/TAKEN", "sign-signed_on": "2025-02-01"},
            "sign-akad_number",
            services.AKAD_NUMBER_TAKEN,
            None,
        ),
        (
            "disbursed",
            "pay-off",
            {"payoff-paid_off_on": "2025-02-01"},
            "payoff-paid_off_on",
            services.DATE_BEFORE,
            {"what": gettext_lazy("the last disbursement"), "date": "05-02-2025"},
        ),
        ("pipeline", "reject", {"reject-reason": ""}, "reject-reason", None, None),
        ("approved", "cancel", {"cancel-reason": "   "}, "cancel-reason", None, None),
    ],
)
def test_a_refused_action_is_shown_next_to_its_field(
    client, officer, lender, akad, status, name, data, field, message, params
):
    if name == "sign":
        taken = AkadKreditFactory(lender=lender, applied_on=APPLIED)
        advance(taken, "signed", number="ak/taken")
    advance(akad, status)
    before = snapshot(akad)
    response = post_action(indonesian(client, officer), akad, name, data)
    assert response.status_code == 422
    form = action_block(response.text, name.replace("-", "_"))
    around = block(form, f'name="{field}"', "<label")
    assert "is-invalid" in around and "invalid-feedback" in around, around
    if message is not None:
        assert text(message, params) in around
    assert snapshot(akad) == before


def test_an_action_no_longer_offered_still_says_why_it_was_refused(client, officer, akad):
    advance(akad, "cancelled")
    response = post_action(
        indonesian(client, officer),
        akad,
        "disburse",
        {"disburse-amount": "100.000.000", "disburse-disbursed_on": "2025-02-05"},
    )
    assert response.status_code == 422
    assert text(services.CANNOT_DISBURSE_CLOSED) in response.text


OFFERED = {
    "pipeline": {"approve", "reject", "cancel"},
    "approved": {"sign", "reject", "cancel"},
    "signed": {"disburse", "cancel"},
    "disbursed": {"disburse", "collectibility", "pay_off"},
    "repaying": {"disburse", "collectibility", "pay_off"},
    "paid_off": set(),
    "rejected": set(),
    "cancelled": set(),
}


@pytest.mark.parametrize("status", list(OFFERED))
def test_the_page_offers_the_actions_of_the_status(client, officer, kadin_user, akad, status):
    advance(akad, status)
    html = indonesian(client, officer).get(url("akad-detail", akad)).text
    assert offered_actions(html) == OFFERED[status]
    assert ('id="akad-actions"' in html) == bool(OFFERED[status])
    assert (url("akad-update", akad) in html) == (status in ("pipeline", "approved"))
    for name in OFFERED[status]:
        action = "pay-off" if name == "pay_off" else name
        assert f'action="{url(f"akad-{action}", akad)}"' in action_block(html, name)
    html = indonesian(client, kadin_user).get(url("akad-detail", akad)).text
    assert not offered_actions(html)


def test_a_signed_akad_shows_its_number_dates_and_coverage(client, kadin_user, akad):
    advance(akad, "disbursed", number="AK/UJI/77")
    html = indonesian(client, kadin_user).get(url("akad-detail", akad)).text
    assert "AK/UJI/77" in html
    assert "1 Februari 2025" in html  # signed, Indonesian month
    assert block(html, 'id="akad-coverage"', "</span>").endswith(f"3,00{TIMES}")
    tranches = block(html, 'id="akad-tranches"', 'id="akad-history"')
    assert rp(500 * JUTA) in tranches


# --- 5. The list ---------------------------------------------------------------------------


@pytest.fixture
def portfolio(lender, other_lender, borrower, mou):
    """Own lender: signed Rp10 miliar, disbursed Rp14 miliar (Rp2,5 miliar paid out), in the
    pipeline Rp1,5 miliar + approved Rp500 juta, rejected Rp7 miliar, cancelled Rp9
    miliar. The other lender: signed Rp50 miliar."""

    def make(number, plafon, status, lender=lender, scheme_code="kmk", borrower=borrower):
        akad = AkadKreditFactory(
            lender=lender,
            borrower=borrower,
            scheme=scheme(scheme_code),
            application_number=number,
            plafon=plafon,
            interest_rate=Decimal("6") if scheme_code.startswith("kur") else Decimal("9.5"),
            applied_on=APPLIED,
        )
        return advance(akad, status, number=f"AK-{number}")

    second = IkmFactory(name="CV Kedua Uji", nib="9199999999999")
    akads = {
        "signed": make("SIGNED-A", 10 * MILIAR, "signed"),
        "disbursed": make("DISB-B", 14 * MILIAR, "signed"),
        "pipeline": make("PIPE-C", 1_500 * JUTA, "pipeline", borrower=second),
        "approved": make("APPR-D", 50 * JUTA, "approved", scheme_code="kur-mikro"),
        "rejected": make("REJ-E", 7 * MILIAR, "rejected"),
        "cancelled": make("CANC-F", 9 * MILIAR, "cancelled"),
        "other": make("OTHER-G", 50 * MILIAR, "signed", lender=other_lender),
    }
    services.akad_disburse(
        akad=akads["disbursed"], amount=2_500 * JUTA, disbursed_on=DISBURSED, actor=None
    )
    return akads


def listed(html: str, portfolio: dict) -> set[str]:
    table = block(html, 'id="akad-table"', "</table>", size=100_000)
    return {key for key, akad in portfolio.items() if f">{akad}<" in table}


def totals_card(html: str) -> str:
    return block(html, 'id="akad-totals"', "<form")


def test_the_totals_card_for_the_lender(client, officer, portfolio):
    html = indonesian(client, officer).get(url("akad-list")).text
    cards = totals_card(html)
    signed, pipeline, disbursed = re.findall(
        r'<div class="fs-4 fw-semibold" title="([^"]+)">([^<]+)</div>', cards
    )
    # Signed: Rp10 + Rp14 miliar; the other lender's Rp50 miliar is not theirs.
    assert signed == ("Rp24.000.000.000", "Rp24 miliar")
    assert pipeline == ("Rp1.550.000.000", "Rp1,55 miliar")
    assert disbursed == ("Rp2.500.000.000", "Rp2,5 miliar")
    assert listed(html, portfolio) == set(portfolio) - {"other"}


def test_the_totals_card_for_kadin_counts_every_lender(client, kadin_user, portfolio):
    html = indonesian(client, kadin_user).get(url("akad-list")).text
    assert 'title="Rp74.000.000.000">Rp74 miliar<' in totals_card(html)
    assert listed(html, portfolio) == set(portfolio)


def test_the_totals_follow_the_filters(client, kadin_user, portfolio, other_lender):
    indonesian(client, kadin_user)
    html = client.get(url("akad-list"), {"lender": other_lender.pk}).text
    assert listed(html, portfolio) == {"other"}
    cards = totals_card(html)
    assert ">Rp50 miliar<" in cards and 'title="Rp0">Rp0<' in cards


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "approved"}, {"approved"}),
        ({"status": "rejected"}, {"rejected"}),
        ({"scheme": "kur-mikro"}, {"approved"}),
        ({"status": "signed"}, {"signed"}),  # not the other lender's
        ({"scheme": "kmk", "status": "disbursed"}, {"disbursed"}),
        ({"q": "9199999999999"}, {"pipeline"}),
        ({"q": "9199 9999 99999"}, {"pipeline"}),  # NIB typed with spaces
        ({"q": "ak-disb"}, {"disbursed"}),  # akad number, any case, part of it
        ({"q": "CV Kedua"}, {"pipeline"}),
        ({"q": "tidak-ada-yang-cocok"}, set()),
    ],
)
def test_list_filters(client, officer, portfolio, query, expected):
    html = indonesian(client, officer).get(url("akad-list"), query).text
    assert listed(html, portfolio) == expected


def test_the_lender_filter_is_for_kemenperin_and_kadin_only(
    client, officer, kemenperin_user, portfolio, lender, other_lender
):
    html = indonesian(client, kemenperin_user).get(url("akad-list"), {"lender": lender.pk}).text
    assert 'name="lender"' in html
    assert listed(html, portfolio) == set(portfolio) - {"other"}
    html = indonesian(client, officer).get(url("akad-list")).text
    assert 'name="lender"' not in html
    # The officer cannot look at another lender's akad through the query string.
    html = client.get(url("akad-list"), {"lender": other_lender.pk}).text
    assert listed(html, portfolio) == set(portfolio) - {"other"}


def test_the_lenders_page_counts_what_the_viewer_may_see(
    client, officer, kadin_user, portfolio, lender, other_lender
):
    def lender_row(html, lender):
        table = block(html, 'id="lender-table"', "</table>", size=100_000)
        return block(table, f"?lender={lender.pk}", "</tr>")

    html = indonesian(client, kadin_user).get(url("lender-list")).text
    assert ">Rp24 miliar<" in lender_row(html, lender)
    assert ">Rp2,05 miliar<" not in lender_row(html, lender)
    assert ">Rp1,55 miliar<" in lender_row(html, lender)
    assert ">Rp50 miliar<" in lender_row(html, other_lender)
    html = indonesian(client, officer).get(url("lender-list")).text
    assert ">Rp24 miliar<" in lender_row(html, lender)
    # Another lender is listed, but its akad are not the officer's to count.
    assert ">Rp50 miliar<" not in lender_row(html, other_lender)
    assert re.findall(r"<td class=\"text-end\">(\d+)</td>", lender_row(html, other_lender)) == [
        "0",
        "0",
    ]


def test_coverage_in_the_list_per_language(client, officer, lender, borrower, mou):
    AkadKreditFactory(lender=lender, borrower=borrower, mou=mou, plafon=2_100 * JUTA)
    AkadKreditFactory(lender=lender, borrower=borrower, mou=None, plafon=2_100 * JUTA)
    table = block(
        indonesian(client, officer).get(url("akad-list")).text, 'id="akad-table"', "</table>"
    )
    assert f"1,43{TIMES}" in table  # Rp3 miliar a year ÷ Rp2,1 miliar
    assert re.search(r'<td class="text-end text-nowrap">—</td>', table)  # no MoU
    table = block(english(client).get(url("akad-list")).text, 'id="akad-table"', "</table>")
    assert f"1.43{TIMES}" in table and "IDR 2,100,000,000" in table


def test_the_list_queries_do_not_grow_with_rows(client, kadin_user, lender, mou):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def make(count):
        for _ in range(count):
            ikm = IkmFactory()
            MouParticipantFactory(mou=mou, ikm=ikm, committed_market_access=2 * MILIAR)
            AkadKreditFactory(lender=lender, borrower=ikm, mou=mou)

    indonesian(client, kadin_user)
    make(3)
    client.get(url("akad-list"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url("akad-list")).status_code == 200
    make(12)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url("akad-list")).text
    assert html.count(f"2,00{TIMES}") == 15
    assert len(many) == len(few)


# --- 8. The sections on the MoU and IKM pages ---------------------------------------------------


@pytest.fixture
def shared_mou(mou, borrower, lender, other_lender):
    """The borrower's credit with both lenders on the same MoU."""
    own = AkadKreditFactory(
        lender=lender, borrower=borrower, mou=mou, application_number="OWN/1", plafon=MILIAR
    )
    theirs = AkadKreditFactory(
        lender=other_lender,
        borrower=borrower,
        mou=mou,
        application_number="THEIRS/1",
        plafon=2 * MILIAR,
    )
    return own, theirs


def test_the_mou_page_shows_only_the_credit_the_viewer_may_see(
    client, officer, other_officer, kemenperin_user, pengadaan_user, mou, shared_mou
):
    own, theirs = shared_mou
    page = f"/kemitraan/mou/{mou.pk}/"
    section = block(indonesian(client, officer).get(page).text, 'id="mou-akad"', "</table>")
    assert "OWN/1" in section and "THEIRS/1" not in section
    assert url("akad-detail", own) in section and url("akad-detail", theirs) not in section
    assert f"3,00{TIMES}" in section  # Rp3 miliar ÷ Rp1 miliar
    assert "Rp1 miliar" in section and "Rp3 miliar" not in section  # pipeline: theirs hidden
    section = block(indonesian(client, other_officer).get(page).text, 'id="mou-akad"', "</table>")
    assert "THEIRS/1" in section and "OWN/1" not in section
    section = block(indonesian(client, kemenperin_user).get(page).text, 'id="mou-akad"', "</table>")
    assert "OWN/1" in section and "THEIRS/1" in section and "Rp3 miliar" in section
    # The buyer's officer reads the MoU but not the credit on it.
    response = indonesian(client, pengadaan_user).get(page)
    assert response.status_code == 200 and 'id="mou-akad"' not in response.text


def test_the_mou_section_sums_signed_and_pipeline(client, kadin_user, mou, shared_mou):
    own, _theirs = shared_mou
    advance(own, "signed")
    html = indonesian(client, kadin_user).get(f"/kemitraan/mou/{mou.pk}/").text
    summary = block(html, 'id="mou-akad"', "<table")
    assert "Rp1 miliar" in summary and "Rp2 miliar" in summary


def test_the_ikm_page_shows_only_the_credit_the_viewer_may_see(
    client, officer, kadin_user, borrower, shared_mou
):
    page = f"/ikm/{borrower.pk}/"
    html = indonesian(client, officer).get(page).text
    section = block(html, 'id="ikm-akad"', "</section>")
    assert "OWN/1" in section and "THEIRS/1" not in section
    html = indonesian(client, kadin_user).get(page).text
    section = block(html, 'id="ikm-akad"', "</section>")
    assert "OWN/1" in section and "THEIRS/1" in section


def test_the_ikm_page_offers_the_open_mous_to_a_lender(client, officer, kadin_user, borrower, mou):
    link = f"{url('akad-create')}?ikm={borrower.pk}&amp;mou={mou.pk}"
    section = block(
        indonesian(client, officer).get(f"/ikm/{borrower.pk}/").text,
        'id="ikm-akad"',
        "</section>",
    )
    assert mou.number in section and rp(3 * MILIAR) in section and link in section
    section = block(
        indonesian(client, kadin_user).get(f"/ikm/{borrower.pk}/").text,
        'id="ikm-akad"',
        "</section>",
    )
    assert mou.number in section and link not in section
    # Once an application rests on it, the MoU is no longer open for that IKM.
    AkadKreditFactory(borrower=borrower, mou=mou)
    html = indonesian(client, officer).get(f"/ikm/{borrower.pk}/").text
    assert 'id="ikm-akad"' not in html  # nothing of theirs, nothing open


# --- 9. The demo -------------------------------------------------------------------------------


def test_the_demo_totals_for_kadin(client):
    from django.contrib.auth import get_user_model

    call_command("seed_demo", verbosity=0)
    kadin = get_user_model().objects.get(username="admin.kadin")
    html = indonesian(client, kadin).get(url("akad-list")).text
    signed, pipeline, _disbursed = re.findall(
        r'<div class="fs-4 fw-semibold" title="([^"]+)">([^<]+)</div>', totals_card(html)
    )
    assert signed == ("Rp24.000.000.000", "Rp24 miliar")
    assert pipeline == ("Rp82.000.000.000", "Rp82 miliar")
    counts = re.findall(r'<div class="small">(\d+) ', totals_card(html))
    assert counts == ["10", "24"]


def test_the_admin_shows_an_akad_with_its_collateral_and_tranches_read_only(client, db):
    """Kemenperin's administrators open an akad in the admin; collateral and tranches are
    shown there but change only through the lender's screens."""
    admin_user = UserFactory(username="admin.uji", is_staff=True, is_superuser=True)
    akad = AkadKreditFactory(plafon=200 * JUTA)
    services.akad_update(
        akad=akad,
        collaterals=[{"kind": "vehicle", "value": 150 * JUTA, "binding": "fidusia"}],
        actor=None,
    )
    services.akad_approve(akad=akad, approved_on=datetime.date(2022, 10, 5), actor=None)
    services.akad_sign(
        akad=akad, akad_number="AK/ADMIN/1", signed_on=datetime.date(2022, 10, 6), actor=None
    )
    services.akad_disburse(
        akad=akad, amount=50 * JUTA, disbursed_on=datetime.date(2022, 10, 7), actor=None
    )
    client.force_login(admin_user)
    response = client.get(f"/admin/pembiayaan/akadkredit/{akad.pk}/change/")
    assert response.status_code == 200
    html = response.text
    assert "150000000" in html.replace(".", "").replace(",", "")
    assert "50000000" in html.replace(".", "").replace(",", "")
    assert 'name="collaterals-0-value"' not in html  # read only
    assert 'name="disbursements-0-amount"' not in html


def test_an_officer_edits_their_own_lenders_details(client, officer, lender, other_lender):
    """Only the officer's own lender changes; the change is in its history with the
    officer; a blank licence is allowed, an over-long one is refused next to its field."""
    client.force_login(officer)
    response = client.post(
        url("lender-profile"),
        {"short_name": "Bank Uji", "ojk_license": "KEP-123/D.03/2026", "address": "Jakarta"},
    )
    assert response.status_code == 302
    lender.refresh_from_db()
    other_lender.refresh_from_db()
    assert (lender.short_name, lender.ojk_license) == ("Bank Uji", "KEP-123/D.03/2026")
    assert other_lender.ojk_license == ""
    assert lender.history.first().history_user == officer
    response = client.post(url("lender-profile"), {"short_name": "x" * 51})
    assert response.status_code == 422
    assert 'id="id_short_name"' in response.text and "is-invalid" in response.text
    lender.refresh_from_db()
    assert lender.short_name == "Bank Uji"
    assert "Bank Uji" in client.get(url("lender-list")).text


def test_the_page_offers_what_the_akad_still_allows(client, officer, akad):
    """The grade form starts at the grade on record, and once the whole plafon is out the
    disbursement form is no longer offered."""
    advance(akad, "repaying")
    services.akad_report_collectibility(
        akad=akad, collectibility=3, as_of=REPORTED + datetime.timedelta(days=1), actor=None
    )
    client.force_login(officer)
    page = client.get(url("akad-detail", akad)).text
    assert '<option value="3" selected>' in page
    assert "disburse" in offered_actions(page)
    services.akad_disburse(
        akad=akad, amount=akad.plafon - akad.plafon // 2, disbursed_on=DISBURSED, actor=None
    )
    page = client.get(url("akad-detail", akad)).text
    assert "disburse" not in offered_actions(page)
    assert {"collectibility", "pay_off"} <= offered_actions(page)


def test_a_refused_role_gets_the_sites_own_page_in_indonesian(client, pengadaan_user):
    client.force_login(pengadaan_user)
    response = indonesian(client).get(url("akad-list"))
    assert response.status_code == 403
    assert "Akses ditolak" in response.text
    assert "Kembali ke halaman awal" in response.text
