"""The dashboard page, its API, export and refresh button: who sees which figures, the
filters, and the drill-down links (each lists exactly what its figure counts)."""

import html
import io
import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.utils import timezone, translation
from openpyxl import load_workbook

from dasbor import services
from dasbor.figures import Scope, compute
from dasbor.models import Snapshot, SnapshotFigures
from dasbor.tables import summary_rows
from ikm.importing.columns import XLSX_CONTENT_TYPE

from ..factories import UserFactory
from .conftest import JT, M

pytestmark = pytest.mark.django_db

PAGE, EXPORT, REFRESH = "/dasbor/", "/dasbor/ekspor/", "/dasbor/hitung-ulang/"
API = "/api/v1/dashboard/summary/"


@pytest.fixture
def snapshot(program, program_users):
    """A stored snapshot of the program and every slice, written here rather than by
    ``services.refresh()`` so that these tests read the views only (refresh has its own
    tests in test_snapshots.py)."""
    now = timezone.now()
    snap = Snapshot.objects.create(computed_at=now, finished_at=now, trigger="manual")
    rows = [SnapshotFigures(snapshot=snap, organisation=None, figures=compute(Scope(), now=now))]
    for organisation in services.slice_organisations():
        figures = compute(Scope.for_organisation(organisation), now=now)
        rows.append(SnapshotFigures(snapshot=snap, organisation=organisation, figures=figures))
    SnapshotFigures.objects.bulk_create(rows)
    snap.scope_count = len(rows)
    snap.save()
    return snap


def page(client, user, **params):
    client.force_login(user)
    return client.get(PAGE, params)


def figure_text(content: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', content)
    assert match, name
    return html.unescape(match.group(1)).strip()


def figure_link(content: str, name: str) -> str | None:
    match = re.search(rf'<a href="([^"]+)" data-figure="{name}"', content)
    return html.unescape(match.group(1)) if match else None


# --- who sees what -------------------------------------------------------------------------


def test_kadin_and_kemenperin_get_the_program(client, program_users, snapshot):
    for user in (program_users.kadin, program_users.kemenperin):
        response = page(client, user)
        assert response.status_code == 200
        content = response.content.decode()
        assert response.context["scope"].kind == "program"
        assert figure_text(content, "ikm_total") == "5"  # I1..I5
        # A 1,5 M + B 2,35 M per year
        assert figure_text(content, "market_access_per_year") == "Rp3,85 miliar/tahun"
        assert "PT Pembeli Satu" in content and "PT Pembeli Dua" in content

        data = client.get(API).json()
        assert data["scope"] == "program"
        assert data["organisation"] is None
        assert data["computed_at"] is not None
        assert data["market_access_per_year"] == 3_850 * JT
        assert data["akad_signed_count"] == 3  # K1, K2, K5
        assert data["akad_pipeline_amount"] == 650 * JT  # K3 + K4
        assert data["buyers_total"] == 2


def test_a_procurement_officer_gets_their_buyers_slice(client, program, program_users, snapshot):
    response = page(client, program_users.buyer)
    assert response.status_code == 200
    content = response.content.decode()
    assert response.context["scope"].kind == "buyer"
    assert figure_text(content, "market_access_per_year") == "Rp1,5 miliar/tahun"  # MoU A
    # Nothing of B2's: its name, its MoU B's commitments (2.000 + 350 jt), the program total.
    assert "PT Pembeli Dua" not in content
    assert "Rp2.350.000.000" not in content
    assert "Rp2.000.000.000" not in content
    assert "Rp3,85 miliar" not in content

    data = client.get(API).json()
    assert data["scope"] == "buyer"
    assert data["organisation"] == program.b1_org.pk
    assert data["market_access_per_year"] == 1_500 * JT
    assert data["mou_active"] == 1  # A
    assert data["akad_signed_amount"] == 900 * JT  # K1 + K5, financed against A and C
    assert data["buyers_total"] is None


def test_a_lender_officer_gets_their_lenders_slice(client, program, program_users, snapshot):
    response = page(client, program_users.lender)
    assert response.status_code == 200
    content = response.content.decode()
    assert response.context["scope"].kind == "lender"
    assert figure_text(content, "akad_signed") == "2 akad · Rp1,6 miliar"  # K1 + K2
    assert "PT Multi Dua" not in content  # L2 and its akad

    data = client.get(API).json()
    assert data["scope"] == "lender"
    assert data["organisation"] == program.l1_org.pk
    assert data["akad_signed_amount"] == 1_600 * JT
    assert data["akad_pipeline_count"] == 0  # L2's K3 and K4 are not L1's
    assert data["demands_open"] is None
    assert data["market_access_per_year"] == 3 * M  # A-I1 + B-I4


def test_users_without_a_dashboard_are_refused(client, program_users, snapshot):
    no_organisation = UserFactory(role="pengadaan")
    for user in (program_users.nobody, no_organisation):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.get(EXPORT).status_code == 403
        assert client.get(API).status_code == 403


def test_anonymous_visitors_sign_in_first(client, snapshot):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url.startswith(resolve_url(settings.LOGIN_URL))
    assert client.get(API).status_code == 401


def test_buyer_and_lender_officers_cannot_ask_for_new_figures(client, program_users, snapshot):
    for user in (program_users.buyer, program_users.lender):
        client.force_login(user)
        assert client.post(REFRESH).status_code == 403
    assert Snapshot.objects.count() == 1


def test_kadin_can_ask_for_new_figures(client, program_users, snapshot):
    client.force_login(program_users.kadin)
    response = client.post(REFRESH)
    assert response.status_code == 302
    # Tasks run in-process here: the new snapshot is there at once.
    assert Snapshot.objects.count() == 2
    assert Snapshot.objects.first().trigger == Snapshot.Trigger.MANUAL


# --- export ----------------------------------------------------------------------------------


def test_export_is_the_snapshot_as_xlsx(client, program_users, snapshot):
    client.force_login(program_users.kadin)
    response = client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Ringkasan",
        "Corong",
        "IKM per provinsi",
        "IKM per golongan pokok KBLI",
        "IKM per kelas ukuran",
        "Akses pasar per pembeli",
        "Akses pasar per provinsi",
        "Akses pasar per kegiatan",
        "Akad per lembaga pembiayaan",
        "Akad per skema",
        "Akad per provinsi",
        "Tren bulanan",
    ]
    stored = snapshot.figures.get(organisation=None).figures
    with translation.override("id"):
        label = str(summary_rows(stored)[11][0])  # committed market access (Rp per year)
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True)}
    assert summary[label] == stored["market_access_per_year"] == 3_850 * JT
    buyers = list(book["Akses pasar per pembeli"].iter_rows(min_row=2, values_only=True))
    assert buyers == [
        ("PT Pembeli Dua", 1, 2, 2_350 * JT),
        ("PT Pembeli Satu", 1, 2, 1_500 * JT),
    ]


# --- filters ---------------------------------------------------------------------------------


def test_a_province_filter_changes_the_figures_on_the_page(client, program_users, snapshot):
    everything = page(client, program_users.kadin).content.decode()
    response = page(client, program_users.kadin, province="32")

    assert response.status_code == 200
    content = response.content.decode()
    assert figure_text(everything, "ikm_total") == "5"
    assert figure_text(content, "ikm_total") == "2"  # I1, I2
    assert figure_text(content, "market_access_per_year") == "Rp1,5 miliar/tahun"  # A
    assert figure_text(content, "akad_signed") == "1 akad · Rp600 juta"  # K1
    assert response.context["live"] is True


def test_a_sector_filter_on_the_page(client, program_users, snapshot):
    response = page(client, program_users.kadin, sector="25")
    assert response.status_code == 200
    content = response.content.decode()
    assert figure_text(content, "ikm_total") == "2"  # I2, I3
    assert figure_text(content, "market_access_per_year") == "Rp850 juta/tahun"  # A-I2 + B-I3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"province": "99"}, "province"),
        ({"event": "abc"}, "event"),
        ({"date_from": "2025-05-01", "date_to": "2025-04-01"}, "date_to"),
        ({"date_from": "kemarin"}, "date_from"),
    ],
)
def test_a_bad_filter_is_shown_not_a_500(client, program_users, snapshot, params, field):
    response = page(client, program_users.kadin, **params)

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert field in errors
    assert html.escape(errors[field][0]) in response.content.decode()
    # The figures shown are the unfiltered ones, not a guess at the filter.
    assert figure_text(response.content.decode(), "ikm_total") == "5"


# --- drill-down ------------------------------------------------------------------------------


def listed(client, url: str | None) -> int:
    assert url is not None, "no link"
    response = client.get(url)
    assert response.status_code == 200, url
    if "result_count" in response.context:  # the IKM directory
        return response.context["result_count"]
    return response.context["paginator"].count


# (filters, the fixture's counts of IKM registered, MoU in force, akad signed): the counts
# make sure the equalities of the test are not 0 == 0.
DRILL_DOWN = {
    "none": ({}, (5, 2, 3)),
    "province": ({"province": "32"}, (2, 1, 1)),  # I1, I2; A; K1
    "sector": ({"sector": "25"}, (2, 2, 0)),  # I2, I3; A, B; none signed
    "event": ({"event": "E1"}, (2, 1, 1)),  # I1, I3; A; K1
    "period": ({"date_from": "2025-04-01", "date_to": "2025-04-30"}, (1, 1, 2)),  # I5; B; K1, K2
}


@pytest.mark.parametrize("case", DRILL_DOWN)
def test_the_program_links_list_what_their_figures_count(
    client, program, program_users, snapshot, case
):
    params, expected = DRILL_DOWN[case]
    if "event" in params:
        params = {"event": program.e1.pk}
    response = page(client, program_users.kadin, **params)
    assert response.status_code == 200
    content = response.content.decode()
    figures = response.context["figures"]
    assert (figures["ikm_total"], figures["mou_active"], figures["akad_signed_count"]) == expected

    assert listed(client, figure_link(content, "ikm_total")) == figures["ikm_total"]
    assert listed(client, figure_link(content, "market_access_per_year")) == figures["mou_active"]
    assert listed(client, figure_link(content, "akad_signed")) == figures["akad_signed_count"]


def test_the_slice_links_list_the_officers_own_records(client, program_users, snapshot):
    buyer_page = page(client, program_users.buyer).content.decode()
    assert figure_link(buyer_page, "ikm_total") is None  # partners are not the registry
    assert figure_link(buyer_page, "akad_signed") is None  # no access to the akad list
    assert listed(client, figure_link(buyer_page, "market_access_per_year")) == 1  # A

    lender_response = page(client, program_users.lender)
    lender_page = lender_response.content.decode()
    assert listed(client, figure_link(lender_page, "akad_signed")) == 2  # K1, K2
    # L1's MoUs are A and B, those of the participants it finances; its officer also sees C
    # (K7, rejected), and the MoU list cannot leave C out: the MoU figures have no link.
    assert figure_text(lender_page, "mou_signed") == "2"  # A, B
    assert figure_link(lender_page, "mou_signed") is None
    assert figure_link(lender_page, "market_access_per_year") is None
    lender_tables = {table.key: table for table in lender_response.context["tables"]()}
    for key in ("market_access_by_province", "market_access_by_event"):
        assert lender_tables[key].rows, key
        assert all(row.link is None for row in lender_tables[key].rows), key


AKAD_TABLES = ("akad_by_lender", "akad_by_scheme", "akad_by_province")
STAGE_COLUMN = {"pipeline": 1, "signed": 3}  # In process, Signed (counts)


@pytest.mark.parametrize(
    "params",
    [{}, {"date_from": "2025-04-01", "date_to": "2025-04-30"}],
    ids=["no filter", "period"],
)
def test_an_akad_table_row_lists_what_its_column_counts(client, program_users, snapshot, params):
    """A row links to its signed akad (else those in process): with a period the list dates
    each by that stage's date (signing, application), as the column does."""
    response = page(client, program_users.kadin, **params)
    assert response.status_code == 200
    tables = {table.key: table for table in response.context["tables"]()}
    stages = set()
    for key in AKAD_TABLES:
        for row in tables[key].rows:
            stage = re.search(r"[?&]stage=(\w+)", row.link).group(1)
            stages.add(stage)
            assert listed(client, row.link) == row.cells[STAGE_COLUMN[stage]], (key, row.cells)
    assert stages == {"signed", "pipeline"}  # e.g. in April L2 has only K3, in process
    if params:
        by_lender = [row.cells[:4] for row in tables["akad_by_lender"].rows]
        assert by_lender == [["Bank Satu", 0, 0, 2], ["PT Multi Dua", 1, 400 * JT, 0]]


def test_the_history_is_read_only_when_the_page_body_is_not_cached(
    client, program_users, snapshot, monkeypatch
):
    calls = []
    history = services.history
    monkeypatch.setattr(services, "history", lambda limit: calls.append(limit) or history(limit))
    first = page(client, program_users.kadin)
    assert [row.snapshot_id for row in first.context["history"]] == [snapshot.pk]
    page(client, program_users.kadin)
    assert calls == [30]  # the second page's body came from the cache
