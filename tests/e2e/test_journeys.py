"""The three journeys of issue 8, in a real browser on the real UI: what each person does
(type, pick, click, press keys) and what they see (messages next to fields, statuses,
suggestions and their reasons, downloaded workbooks, figures that follow the filters).

The demo program is loaded first (`seed_demo`, as `make run` does); each journey signs in
as one of its users (password `kemitraan-demo`)."""

import datetime
import re
from collections import Counter

import pytest
from django.utils import timezone, translation
from django.utils.text import capfirst
from openpyxl import Workbook, load_workbook

from accounts.models import User
from ikm.importing import COLUMN_NAMES
from ikm.models import IKM, ImportJob, Province
from ikm.parsing.errors import NIB_INVALID
from kemitraan.event_services import participant_register
from kemitraan.models import (
    BuyerProfile,
    Demand,
    EventSession,
    LinkMatchEvent,
    MatchSuggestion,
    Meeting,
)
from tests.e2e.helpers import go_to, id_text, sign_in
from tests.factories import LinkMatchEventFactory

# Playwright is a dev requirement; without it the browser tests are skipped, not broken.
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def label(choice) -> str:
    """A choice's label as an Indonesian reader sees it."""
    with translation.override("id"):
        return str(choice.label)


# --- 1. Kemenperin: register, fix, verify; import with bad rows -------------------------

GOOD_ROW = {
    "nama_usaha": "CV Impor Peramban Satu",
    "nib": "9150000000001",
    "provinsi": "Jawa Barat",
    "kabupaten_kota": "Kab. Bekasi",
    "kbli": "29300",
    "proses": "stamping; pengelasan",
    "produk": "bracket knalpot",
    "jumlah_tenaga_kerja": 12,
    "nilai_investasi": "750 juta",
}
BAD_NIB_ROW = {**GOOD_ROW, "nama_usaha": "CV NIB Kurang", "nib": "91500000002"}
BAD_PROVINCE_ROW = {
    **GOOD_ROW,
    "nama_usaha": "CV Provinsi Salah",
    "nib": "9150000000003",
    "provinsi": "Jawa Utara",
}


def import_workbook(path, rows):
    book = Workbook()
    sheet = book.active
    sheet.title = "IKM"
    sheet.append(list(COLUMN_NAMES))
    for row in rows:
        sheet.append([row.get(name) for name in COLUMN_NAMES])
    book.save(path)
    return path


def test_kemenperin_registers_fixes_verifies_and_imports(demo, page, tmp_path):
    sign_in(page, "staf.kemenperin")
    expect(page).to_have_url(re.compile(r"/ikm/$"))

    # Register an IKM, with a NIB one digit short.
    page.get_by_role("link", name=id_text("Register an IKM")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(id_text("Register an IKM"))
    page.get_by_label(capfirst(id_text("business name"))).fill("CV Peramban Presisi Logam")
    page.locator("#id_legal_form").select_option(index=1)
    page.locator("#id_nib").fill("912000777001")  # 12 digits
    page.locator("#id_province").select_option(label="Jawa Barat")
    # The regency list follows the province (htmx).
    regency = page.locator("#id_regency")
    expect(regency.locator("option", has_text="Kabupaten Bekasi")).to_have_count(1)
    regency.select_option(label="Kabupaten Bekasi")
    page.locator("#id_workforce").fill("15")
    page.locator("#id_investment_value").fill("750 juta")
    # The size class is shown while typing.
    expect(page.locator("#size-class-preview")).not_to_be_empty()
    page.locator("#id_kbli_0").check()
    page.get_by_role("checkbox", name="Stamping / press", exact=True).check()
    page.locator("#id_products").fill("Bracket knalpot dan stay lampu")
    page.get_by_role("button", name=id_text("Save and send for verification")).click()

    # Refused: the message stands next to the NIB, the rest of the input is kept.
    nib = page.locator("#id_nib")
    expect(nib).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_nib")).to_contain_text(id_text(str(NIB_INVALID)))
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.locator("#id_name")).to_have_value("CV Peramban Presisi Logam")
    expect(page.locator("#id_investment_value")).to_have_value("750 juta")
    assert not IKM.objects.filter(name="CV Peramban Presisi Logam").exists()

    # Fixed: the thirteenth digit, and sent for verification.
    nib.fill("9120007770011")
    page.get_by_role("button", name=id_text("Save and send for verification")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CV Peramban Presisi Logam")
    expect(page.locator("main")).to_contain_text(
        id_text("%(name)s has been registered.") % {"name": "CV Peramban Presisi Logam"}
    )
    expect(page.locator("main .badge").first).to_have_text(label(IKM.Status.SUBMITTED))
    expect(page.locator("main")).to_contain_text("9120007770011")

    # Verified.
    page.get_by_role("button", name=id_text("Verify"), exact=True).click()
    expect(page.locator("main")).to_contain_text(
        id_text("%(name)s is verified.") % {"name": "CV Peramban Presisi Logam"}
    )
    expect(page.locator("main .badge").first).to_have_text(label(IKM.Status.VERIFIED))
    ikm = IKM.objects.get(nib="9120007770011")
    assert ikm.verification_status == IKM.Status.VERIFIED
    assert ikm.verified_by.username == "staf.kemenperin"

    # Import a workbook with one good row and two bad ones.
    go_to(page, id_text("IKM registry"))
    page.get_by_role("link", name=id_text("Import from a spreadsheet")).click()
    workbook = import_workbook(
        tmp_path / "ikm jabar.xlsx", [GOOD_ROW, BAD_NIB_ROW, BAD_PROVINCE_ROW]
    )
    page.get_by_label(id_text("Workbook (.xlsx) or CSV file")).set_input_files(workbook)
    page.get_by_role("button", name=id_text("Check the file")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("ikm jabar.xlsx")
    expect(page.locator("#import-status")).to_contain_text(label(ImportJob.Status.PREVIEW_READY))
    errors = page.locator("table").filter(has_text="CV NIB Kurang")
    expect(errors).to_contain_text("CV Provinsi Salah")
    expect(errors.locator("tr", has_text="CV NIB Kurang")).to_contain_text("nib")
    expect(errors.locator("tr", has_text="CV Provinsi Salah")).to_contain_text("provinsi")
    assert not IKM.objects.filter(nib="9150000000001").exists()  # a dry run so far

    # The error workbook: the two refused rows with their reasons, to fix and upload again.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=id_text("Download the error workbook")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "kesalahan"
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(values_only=True)][1:]
    assert [r["nama_usaha"] for r in rows] == ["CV NIB Kurang", "CV Provinsi Salah"]
    assert "nib" in rows[0]["kesalahan"]
    assert "provinsi" in rows[1]["kesalahan"]

    # The good row is imported; the refused ones are not.
    page.get_by_role("button", name=re.compile(r"^Impor")).click()
    expect(page.locator("#import-status")).to_contain_text(label(ImportJob.Status.DONE))
    assert IKM.objects.filter(nib="9150000000001").exists()
    assert not IKM.objects.filter(nib="9150000000003").exists()


# --- 2. A buyer's officer: a need, its suggestions, a shortlist, a meeting --------------


@pytest.fixture
def upcoming_event(demo):
    """A Link & Match event next week with a meeting session, where Kemenperin has
    registered PT Garuda Motor Indonesia and every registered IKM."""
    staff = User.objects.get(username="staf.kemenperin")
    day = timezone.localdate() + datetime.timedelta(days=7)
    event = LinkMatchEventFactory(
        name="Business Matching Komponen Otomotif",
        kind=LinkMatchEvent.Kind.BUSINESS_MATCHING,
        start_date=day,
        end_date=day,
    )
    EventSession.objects.create(
        event=event,
        date=day,
        start_time=datetime.time(9, 0),
        end_time=datetime.time(12, 0),
        slot_minutes=30,
        tables=4,
    )
    garuda = BuyerProfile.objects.get(organisation__name="PT Garuda Motor Indonesia")
    participant_register(event=event, actor=staff, buyer=garuda)
    for ikm in IKM.objects.filter(is_active=True, verification_status=IKM.Status.VERIFIED):
        participant_register(event=event, actor=staff, ikm=ikm)
    return event


def test_buyer_posts_a_need_shortlists_a_suggestion_and_requests_a_meeting(upcoming_event, page):
    sign_in(page, "pengadaan.garuda")
    expect(page).to_have_url(re.compile(r"/kemitraan/kebutuhan/$"))

    page.get_by_role("link", name=id_text("New need")).click()
    page.get_by_label(capfirst(id_text("title"))).fill("Tromol rem belakang aluminium cor")
    page.get_by_label(capfirst(id_text("description"))).fill(
        "Tromol rem belakang sepeda motor dari aluminium cor, dibubut CNC; "
        "2.000 pcs per bulan dikirim ke Bekasi."
    )
    page.get_by_role("checkbox", name="Pengecoran logam", exact=True).check()
    page.get_by_role("checkbox", name="Pemesinan (CNC)", exact=True).check()
    page.locator("#id_quantity_per_month").fill("2000")
    page.locator("#id_unit").fill("pcs")
    page.locator("#id_province").select_option(label="Jawa Barat")
    page.get_by_role("button", name=id_text("Post the need")).click()

    # The suggestions, ranked, each with the reasons it was suggested.
    expect(page.get_by_role("heading", level=1)).to_have_text("Tromol rem belakang aluminium cor")
    suggestions = page.locator("#suggestions tbody tr.suggestion-row")
    expect(suggestions.first).to_be_visible()
    demand = Demand.objects.get(title="Tromol rem belakang aluminium cor")
    assert suggestions.count() == demand.suggestions.count() > 0
    first = suggestions.first
    expect(first.locator("td").first).to_have_text("1")
    reasons = first.locator("td.why-cell > ul.reasons > li")
    expect(reasons.first).to_be_visible()
    top = demand.suggestions.select_related("ikm").get(rank=1)
    expect(first).to_contain_text(top.ikm.name)
    sentences = [text.strip() for text in reasons.all_inner_texts()]
    assert 1 <= len(sentences) <= 3 and all(sentences)
    # The best supplier has both processes asked for, and the reasons say so.
    assert any("Pengecoran logam" in s and "Pemesinan (CNC)" in s for s in sentences)

    # Shortlist it: the row changes in place.
    first.get_by_role("button", name=id_text("Shortlist")).click()
    row = page.locator(f"#suggestion-{top.pk}")
    expect(row.locator(".badge").last).to_have_text(label(MatchSuggestion.Status.SHORTLISTED))
    top.refresh_from_db()
    assert top.status == MatchSuggestion.Status.SHORTLISTED

    # Request a meeting with it at the coming event.
    row.get_by_role("link", name=id_text("Request a meeting")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(id_text("Request a meeting"))
    choice = page.locator(".meeting-events .list-group-item", has_text=upcoming_event.name)
    choice.get_by_role("button", name=id_text("Request a meeting")).click()

    expect(page.locator("main")).to_contain_text(id_text("The meeting has been requested."))
    meeting_row = page.locator("main table tbody tr", has_text=top.ikm.name)
    expect(meeting_row).to_contain_text("PT Garuda Motor Indonesia")
    expect(meeting_row).to_contain_text(label(Meeting.Status.REQUESTED))
    meeting = Meeting.objects.get(event=upcoming_event, ikm=top.ikm)
    assert meeting.buyer.organisation.name == "PT Garuda Motor Indonesia"
    assert meeting.status == Meeting.Status.REQUESTED


# --- 3. KADIN: the dashboard, by province, exported -------------------------------------


def shown_number(locator) -> int:
    return int(re.sub(r"\D", "", locator.inner_text()))


def test_kadin_filters_the_dashboard_by_province_and_exports_it(demo, page, tmp_path):
    registered = IKM.objects.filter(is_active=True, verification_status__in=IKM.REGISTERED_STATUSES)
    by_province = Counter(registered.values_list("province_id", flat=True))
    code, in_province = by_province.most_common(1)[0]
    province = Province.objects.get(code=code)
    assert 0 < in_province < registered.count()

    sign_in(page, "admin.kadin")
    expect(page).to_have_url(re.compile(r"/dasbor/$"))
    ikm_total = page.locator("[data-figure=ikm_total]")
    expect(ikm_total).to_be_visible()
    assert shown_number(ikm_total) == registered.count()

    page.get_by_label(id_text("Province"), exact=True).select_option(label=province.name)
    page.get_by_role("button", name=id_text("Apply")).click()
    expect(page).to_have_url(re.compile(rf"province={code}"))
    expect(ikm_total).to_have_text(str(in_province))
    expect(page.get_by_label(id_text("Province"), exact=True)).to_have_value(code)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=id_text("Export .xlsx")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = load_workbook(saved)
    assert book.sheetnames[:2] == ["Ringkasan", "Corong"]
    assert {"IKM per provinsi", "Akses pasar per pembeli", "Akad per lembaga pembiayaan"} <= set(
        book.sheetnames
    )
    summary = book["Ringkasan"]
    cells = [row for row in summary.iter_rows(values_only=True)]
    assert (id_text("Province: %(name)s") % {"name": province.name},) == cells[2][:1]
    values = {row[0]: row[1] for row in cells if row[0]}
    assert values[id_text("IKM registered")] == in_province
