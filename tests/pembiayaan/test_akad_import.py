"""Importing akad kredit from a workbook (pembiayaan.akad_import and its screens): a tricky
workbook built here with real date, number, percentage and formula cells, other spellings
of the headers and each row's expected outcome; the credit services' refusals (KUR limits
and rates, dates, MoU) as row errors; re-importing is a no-op; apply is all-or-nothing and
writes what the preview showed or nothing; the access matrix of the import URLs; hostile
files never give a 500; the signed token cannot be reused by another user."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from accounts.roles import Role
from ikm.importing import COLUMNS_MISSING, FILE_UNREADABLE, FILE_XLS, ImportFileError
from ikm.models import IKM
from ikm.parsing import MONEY_INVALID, ParseError
from kemitraan.models import BuyerProfile, MoU
from kemitraan.po_import import ENTRY_INCOMPLETE, FORMULA_NOT_ALLOWED, REQUIRED_EVERY_ROW
from kemitraan.po_import_views import APPLY_FAILED
from pembiayaan import akad_import as ai
from pembiayaan import import_views, services
from pembiayaan.models import AkadKredit, Collateral, CreditScheme, Disbursement

from ..factories import (
    IkmFactory,
    MouFactory,
    MouParticipantFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
JUTA = 1_000_000
K, P, A, F = Role.KEMENPERIN, Role.PENGADAAN, Role.KADIN, Role.PEMBIAYAAN
OTHER, NO_LENDER, ANON = "other lender", "no lender profile", "anonymous"
BASE = "/pembiayaan/akad/impor/"


def at_midnight(date: datetime.date) -> datetime.datetime:
    """A date cell as openpyxl reads it back (a naive datetime)."""
    return datetime.datetime.combine(date, datetime.time())


def serial(date: datetime.date) -> int:
    return (date - D(1899, 12, 30)).days


def record(lender, borrower, number, *, signed_on, plafon=500 * JUTA, tranche=None, actor=None):
    """An akad recorded through the services, as on screen."""
    akad = AkadKredit(
        lender=lender,
        borrower=borrower,
        scheme=CreditScheme.objects.get(code="kmk"),
        plafon=plafon,
        tenor_months=24,
        interest_rate=Decimal("10"),
        applied_on=signed_on,
    )
    services.akad_apply(akad=akad, actor=actor)
    services.akad_approve(akad=akad, approved_on=signed_on, actor=actor)
    services.akad_sign(akad=akad, akad_number=number, signed_on=signed_on, actor=actor)
    if tranche:
        services.akad_disburse(akad=akad, amount=tranche[1], disbursed_on=tranche[0], actor=actor)
    return akad


@pytest.fixture
def setup(lender, other_lender, buyer_org):
    buyer = BuyerProfile.objects.get_or_create(organisation=buyer_org)[0]
    mou = MouFactory(buyer=buyer, number="001/UJI/MoU/2024")
    draft = MouFactory(buyer=buyer, number="002/UJI/MoU/DRAFT", status=MoU.Status.DRAFT)
    a = MouParticipantFactory(mou=mou, ikm=IkmFactory(name="CV Anugerah Logam")).ikm
    MouParticipantFactory(mou=draft, ikm=a)
    b = IkmFactory(name="UD Baja Ringan")
    c = IkmFactory(name="CV Cahaya Teknik")
    hidden = IkmFactory(verification_status=IKM.Status.DRAFT)
    record(lender, a, "AK/2025/001", signed_on=D(2025, 2, 10), tranche=(D(2025, 2, 15), 200 * JUTA))
    record(lender, a, "AK/2025/002", signed_on=D(2025, 2, 11))
    record(lender, a, "AK/2025/003", signed_on=D(2025, 2, 12))
    record(other_lender, b, "AK-LAIN-1", signed_on=D(2025, 1, 5))
    return {"mou": mou, "draft": draft, "a": a.nib, "b": b.nib, "c": c.nib, "hidden": hidden.nib}


# The header: other spellings, English, units in brackets, any order, an unknown column.
HEADERS = [
    "NIB Peminjam*", "Nomor Akad", "Tanggal akad", "Scheme", "Plafon (Rp)", "Tenor (bulan)",
    "Suku bunga (% p.a.)", "jenis_bunga", "Rate basis", "Nomor MoU", "tanggal_pengajuan",
    "Approval date", "Tujuan", "jenis_agunan", "Nilai agunan (Rp)", "pengikatan_agunan",
    "Penjamin", "nilai_pencairan", "tanggal_pencairan", "Kol", "tanggal_kolektibilitas",
    "catatan",
]  # fmt: skip
COLS = [
    "nib_peminjam", "nomor_akad", "tanggal_akad", "skema", "plafon", "tenor_bulan",
    "suku_bunga", "jenis_bunga", "basis_bunga", "nomor_mou", "tanggal_pengajuan",
    "tanggal_persetujuan", "tujuan", "jenis_agunan", "nilai_agunan", "pengikatan_agunan",
    "penjamin", "nilai_pencairan", "tanggal_pencairan", "kolektibilitas",
    "tanggal_kolektibilitas", "catatan",
]  # fmt: skip
PERCENT_CELL = object()  # marks the cell written as 0.105 with a percentage format


def kmk(nib, number, akad_date="01/06/2025", **cells):
    """A valid KMK row, with changes."""
    row = dict(
        nib_peminjam=nib, nomor_akad=number, tanggal_akad=akad_date, skema="KMK",
        plafon="250 juta", tenor_bulan=24, suku_bunga="10",
    )  # fmt: skip
    return {**row, **cells}


def rp(amount):
    return services.rupiah(amount)


def s(message, **params):
    """A message as the import shows it."""
    return lambda: str(message % params) if params else str(message)


# (cells, expected): expected is ("new", [actions]), ("unchanged",) or
# ("invalid", {column: message or callable giving it}). None: a blank row; "empty": a row
# without any template value.
def cases(st):
    a, b, c = st["a"], st["b"], st["c"]
    future = timezone.localdate() + datetime.timedelta(days=10)
    return [
        # 2: every column: a date cell, "1,5 miliar", "9,5%", an Excel serial date,
        # "Tanah & Bangunan", a number cell, "15 Maret 2025", "Kol 1"
        (dict(nib_peminjam=a, nomor_akad="AK/2025/101", tanggal_akad=at_midnight(D(2025, 3, 10)),
              skema="KMK", plafon="1,5 miliar", tenor_bulan="36 bulan", suku_bunga="9,5%",
              jenis_bunga="Efektif", basis_bunga="floating", nomor_mou="001/uji/mou/2024",
              tanggal_pengajuan="01/03/2025", tanggal_persetujuan=serial(D(2025, 3, 5)),
              tujuan="Modal kerja pesanan bracket", jenis_agunan="Tanah & Bangunan",
              nilai_agunan="Rp2.000.000.000", pengikatan_agunan="Hak Tanggungan",
              penjamin="Askrindo", nilai_pencairan=1_000_000_000,
              tanggal_pencairan="15 Maret 2025", kolektibilitas="Kol 1",
              tanggal_kolektibilitas="31/03/2025"),
         ("new", ["akad", "disbursement", "collectibility"])),
        # 3: the borrower's second KUR (7%), listed before its first: dates decide the access
        (dict(nib_peminjam=c, nomor_akad="KUR/2025/002", tanggal_akad="01/09/2025",
              skema="kur-mikro", plafon="Rp50.000.000", tenor_bulan="2 tahun", suku_bunga="7"),
         ("new", ["akad"])),
        # 4: ... and its first (6%, a number cell), with a guarantor
        (dict(nib_peminjam=c, nomor_akad="KUR/2025/001", tanggal_akad="2025-03-01",
              skema="KUR Mikro", plafon=75_000_000, tenor_bulan=36, suku_bunga=6,
              penjamin="Jamkrindo"), ("new", ["akad"])),
        # 5: a first KUR access above 6%
        (dict(nib_peminjam=b, nomor_akad="KUR/B/1", tanggal_akad="01/05/2025",
              skema="kur mikro", plafon="50 juta", tenor_bulan=12, suku_bunga="7,5 % p.a."),
         ("invalid", {"suku_bunga": s(services.RATE_ABOVE_SCHEME, scheme="KUR Mikro", rate="6",
                                      access=services.ACCESS_FIRST)})),
        # 6: KUR Mikro goes up to 100 juta
        (dict(nib_peminjam=b, nomor_akad="KUR/B/2", tanggal_akad="01/05/2025",
              skema="kur-mikro", plafon="150 juta", tenor_bulan=12, suku_bunga=6),
         ("invalid", {"plafon": lambda: str(services.PLAFON_ABOVE_SCHEME % {
             "scheme": "KUR Mikro", "maximum": rp(100 * JUTA)})})),
        # 7: KUR is an effective rate
        (dict(nib_peminjam=b, nomor_akad="KUR/B/3", tanggal_akad="01/05/2025",
              skema="kur-mikro", plafon="50 juta", tenor_bulan=12, suku_bunga=6,
              jenis_bunga="flat"),
         ("invalid", {"jenis_bunga": s(services.KUR_RATE_NOT_EFFECTIVE)})),
        # 8: approved after the akad date
        (kmk(b, "AK/B/8", "01/04/2025", tanggal_persetujuan="10/04/2025"),
         ("invalid", {"tanggal_akad": s(services.DATE_BEFORE, what=gettext_lazy("the approval"),
                                        date="10-04-2025")})),
        # 9: an akad date in the future: refused by the application, shown on its column
        (kmk(b, "AK/B/9", future.strftime("%d/%m/%Y")),
         ("invalid", {"tanggal_akad": s(services.DATE_IN_FUTURE)})),
        # 10: already recorded (other case and spaces), agreeing with the record
        (dict(nib_peminjam=a, nomor_akad="  ak/2025/001 ", tanggal_akad="10/02/2025",
              skema="kmk", plafon="500 juta", nilai_pencairan="200 juta",
              tanggal_pencairan="15/02/2025", tenor_bulan=24, suku_bunga=10), ("unchanged",)),
        # 11: already recorded with another plafon
        (kmk(a, "AK/2025/002", "11/02/2025", plafon="999 juta"),
         ("invalid", {"plafon": s(ai.AKAD_RECORDED_DIFFERS, number="AK/2025/002",
                                  value=rp(500 * JUTA))})),
        # 12: a number another lender uses is free for this one
        (kmk(b, "AK-LAIN-1", jenis_bunga="flat", basis_bunga="Fixed"), ("new", ["akad"])),
        # 13: the number of row 2 again
        (kmk(b, "ak/2025/101"), ("invalid", {"nomor_akad": s(ai.AKAD_IN_FILE, row=2)})),
        # 14: an NIB not in the registry
        (kmk("9999999999999", "AK/X/14"), ("invalid", {"nib_peminjam": s(ai.IKM_NOT_VISIBLE)})),
        # 15: an IKM still in draft is not visible to a lender
        (kmk(st["hidden"], "AK/X/15"), ("invalid", {"nib_peminjam": s(ai.IKM_NOT_VISIBLE)})),
        # 16: an MoU that does not exist
        (kmk(a, "AK/X/16", nomor_mou="999/TIDAK/ADA"),
         ("invalid", {"nomor_mou": s(ai.MOU_NOT_FOUND)})),
        # 17: a draft MoU (the borrower is a participant): the service refuses it
        (kmk(a, "AK/X/17", nomor_mou="002/UJI/MoU/DRAFT"),
         ("invalid", {"nomor_mou": s(services.MOU_NOT_SECURING)})),
        # 18: a blank row: ignored, counted
        None,
        # 19: a formula, a grade that does not exist, a tenor in words, text for money
        (kmk(b, "AK/X/19", plafon="=E2*2", kolektibilitas="7", tenor_bulan="tiga tahun",
             nilai_agunan="banyak", jenis_agunan="mesin"),
         ("invalid", {"plafon": s(FORMULA_NOT_ALLOWED, formula="=E2*2"),
                      "kolektibilitas": s(ai.COLLECTIBILITY_UNKNOWN, value="7"),
                      "tenor_bulan": s(ai.TENOR_INVALID), "nilai_agunan": s(MONEY_INVALID)})),
        # 20: no akad number (as under a merged cell), an unknown scheme
        (kmk(b, None, skema="KUR Ultra"),
         ("invalid", {"nomor_akad": s(REQUIRED_EVERY_ROW),
                      "skema": lambda: str(ai.SCHEME_UNKNOWN % {
                          "value": "KUR Ultra", "known": ", ".join(active_codes())})})),
        # 21: "KUR" names three schemes; a rate typed as a fraction in a plain number cell
        (kmk(b, "AK/X/21", skema="KUR", suku_bunga=0.065),
         ("invalid", {"skema": s(ai.SCHEME_AMBIGUOUS, value="KUR",
                                 options="KUR Super Mikro, KUR Mikro, KUR Kecil"),
                      "suku_bunga": s(ai.RATE_FRACTION, value="0.065")})),
        # 22: a collateral without its value, a tranche without its date
        (kmk(b, "AK/X/22", jenis_agunan="kendaraan", nilai_pencairan="10 juta"),
         ("invalid", {"nilai_agunan": s(ai.COLLATERAL_INCOMPLETE),
                      "tanggal_pencairan": s(ENTRY_INCOMPLETE)})),
        # 23: collectibility without a disbursement
        (kmk(b, "AK/X/23", kolektibilitas=2),
         ("invalid", {"kolektibilitas": s(services.CANNOT_REPORT_COLLECTIBILITY)})),
        # 24: a tranche over the plafon
        (kmk(b, "AK/X/24", plafon="100 juta", nilai_pencairan="150 juta",
             tanggal_pencairan="02/06/2025"),
         ("invalid", {"nilai_pencairan": lambda: str(services.OVER_PLAFON % {
             "remaining": rp(100 * JUTA)})})),
        # 25: a tranche before the signing
        (kmk(b, "AK/X/25", nilai_pencairan="10 juta", tanggal_pencairan="20/05/2025"),
         ("invalid", {"tanggal_pencairan": s(services.DATE_BEFORE,
                                             what=gettext_lazy("the signing"),
                                             date="01-06-2025")})),
        # 26: words that are not in the lists
        (kmk(b, "AK/X/26", penjamin="Jamkrida Jatim", jenis_agunan="emas", nilai_agunan=JUTA),
         ("invalid", {"penjamin": s(ai.CHOICE_UNKNOWN, value="Jamkrida Jatim",
                                    options="Jamkrindo, Askrindo, lainnya, tidak ada"),
                      "jenis_agunan": s(ai.CHOICE_UNKNOWN, value="emas", options=(
                          "tanah dan bangunan, kendaraan, mesin, persediaan, piutang, "
                          "deposito, lainnya"))})),
        # 27: only the unknown column: nothing of the template, ignored
        (dict(catatan="catatan lepas"), "empty"),
        # 28: a percentage cell (0.105 shown as 10.5%), "Kredit Modal Kerja", "-" guarantor
        (kmk(b, "AK/2025/PCT", skema="Kredit Modal Kerja", suku_bunga=PERCENT_CELL,
             penjamin="-"), ("new", ["akad"])),
        # 29: a recorded akad named with another borrower and a tranche it does not have
        (kmk(b, "AK/2025/003", "12/02/2025", plafon="500 juta", nilai_pencairan="10 juta",
             tanggal_pencairan="13/02/2025"),
         ("invalid", {"nib_peminjam": s(ai.AKAD_RECORDED_DIFFERS, number="AK/2025/003",
                                        value=a),
                      "nilai_pencairan": s(ai.AKAD_RECORDED_TRANCHE, number="AK/2025/003")})),
    ]  # fmt: skip


def active_codes():
    return list(
        CreditScheme.objects.filter(is_active=True)
        .order_by("kind", "min_plafon", "code")
        .values_list("code", flat=True)
    )


def build(st, headers=HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Akad"
    sheet.append(headers)
    for case in cases(st):
        if case is None:
            sheet.append([])
            continue
        cells = case[0]
        sheet.append([None if cells.get(c) is PERCENT_CELL else cells.get(c) for c in COLS])
        for position, column in enumerate(COLS, 1):
            if cells.get(column) is PERCENT_CELL:
                cell = sheet.cell(row=sheet.max_row, column=position, value=0.105)
                cell.number_format = "0.00%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def expected_rows(st) -> dict:
    out = {}
    for number, case in enumerate(cases(st), 2):
        if case is not None and case[1] != "empty":
            out[number] = case[1]
    return out


def check(result, st):
    rows = {row["row"]: row for row in result["rows"]}
    expected = expected_rows(st)
    assert set(rows) == set(expected)
    for number, want in expected.items():
        row = rows[number]
        assert row["outcome"] == want[0], (number, row)
        if want[0] == "new":
            assert row["actions"] == want[1], (number, row)
        if want[0] == "invalid":
            got = {}
            for error in row["errors"]:
                got.setdefault(error["column"], []).append(error["message"])
            for column, message in want[1].items():
                text = message() if callable(message) else str(message)
                assert text in got.get(column, []), (number, column, row["errors"])
    return rows


def snapshot():
    return (AkadKredit.objects.count(), Disbursement.objects.count(), Collateral.objects.count())


# --- The engine -----------------------------------------------------------------------------


def test_tricky_workbook_preview_writes_nothing(setup, lender, officer):
    before = snapshot()
    result = ai.preview(build(setup), "akad.xlsx", lender=lender, actor=officer)
    rows = check(result, setup)
    counts = result["counts"]
    assert counts["new"] == 5 and counts["unchanged"] == 1 and counts["empty"] == 2
    assert counts["invalid"] == len(rows) - 6
    assert counts["disbursement"] == 1 and counts["collectibility"] == 1
    assert counts["plafon"] == 1_500_000_000 + 50 * JUTA + 75 * JUTA + 2 * 250 * JUTA
    assert rows[2]["ikm_name"] == "CV Anugerah Logam" and rows[2]["skema"].startswith("Kredit")
    assert rows[10]["ikm_name"] == "CV Anugerah Logam"  # from the record
    assert rows[29]["ikm_name"] == ""  # the row names another borrower than the record's
    assert any("catatan" in w for w in result["warnings"])
    assert ai.planned_rows(result) == [2, 3, 4, 12, 28]
    assert snapshot() == before


def test_apply_records_through_the_services_and_reimport_is_a_no_op(setup, lender, officer):
    data = build(setup)
    before = snapshot()
    result = ai.apply(data, "akad.xlsx", lender=lender, actor=officer, expected=[2, 3, 4, 12, 28])
    check(result, setup)
    assert snapshot() == (before[0] + 5, before[1] + 1, before[2] + 1)

    akad = AkadKredit.objects.get(akad_number="AK/2025/101")
    assert akad.lender == lender and akad.borrower.nib == setup["a"]
    assert akad.status == AkadKredit.Status.REPAYING
    assert (akad.applied_on, akad.approved_on, akad.signed_on) == (
        D(2025, 3, 1),
        D(2025, 3, 5),
        D(2025, 3, 10),
    )
    assert akad.scheme.code == "kmk" and akad.plafon == 1_500_000_000
    assert akad.tenor_months == 36 and akad.interest_rate == Decimal("9.50")
    assert akad.rate_type == "effective" and akad.rate_basis == "floating"
    assert akad.mou == setup["mou"] and akad.guarantor == "askrindo"
    assert akad.purpose == "Modal kerja pesanan bracket"
    assert (akad.collectibility, akad.collectibility_as_of) == (1, D(2025, 3, 31))
    assert list(akad.collaterals.values_list("kind", "value", "binding")) == [
        ("land_building", 2_000_000_000, "hak_tanggungan")
    ]
    assert list(akad.disbursements.values_list("disbursed_on", "amount")) == [
        (D(2025, 3, 15), 1_000_000_000)
    ]
    assert akad.created_by == officer and akad.history.first().history_user == officer
    assert set(akad.history.values_list("history_change_reason", flat=True)) >= {
        "applied",
        "approved",
        "signed",
        "disbursed",
        "collectibility reported",
    }
    first_kur, second_kur = (
        AkadKredit.objects.get(akad_number=n) for n in ("KUR/2025/001", "KUR/2025/002")
    )
    assert services.kur_access_number(first_kur) == 1
    assert services.kur_access_number(second_kur) == 2
    assert second_kur.interest_rate == Decimal("7.00") and second_kur.tenor_months == 24
    assert first_kur.guarantor == "jamkrindo"
    pct = AkadKredit.objects.get(akad_number="AK/2025/PCT")
    assert pct.interest_rate == Decimal("10.50") and pct.guarantor == ""
    assert AkadKredit.objects.get(lender=lender, akad_number="AK-LAIN-1").rate_type == "flat"
    assert not AkadKredit.objects.filter(akad_number__startswith="AK/X/").exists()

    after = snapshot()
    again = ai.apply(data, "akad.xlsx", lender=lender, actor=officer, expected=[])
    assert again["counts"]["new"] == 0 and snapshot() == after
    first = {row["row"]: row for row in result["rows"]}
    for row in again["rows"]:
        if first[row["row"]]["outcome"] == "new":
            assert row["outcome"] == "unchanged", row
        else:
            assert row["outcome"] == first[row["row"]]["outcome"], row


def test_apply_is_all_or_nothing(setup, lender, officer, monkeypatch):
    before = snapshot()

    def broken(**kwargs):
        raise DatabaseError("the connection dropped")

    # Rows go in date order: row 4 (1 March) is written before row 2 (10 March) fails.
    monkeypatch.setattr(services, "akad_report_collectibility", broken)
    with pytest.raises(DatabaseError):
        ai.apply(build(setup), "akad.xlsx", lender=lender, actor=officer)
    assert snapshot() == before


def test_apply_writes_nothing_when_the_outcome_changed_since_the_preview(
    setup, lender, officer, colleague
):
    data = build(setup)
    plan = ai.planned_rows(ai.preview(data, "akad.xlsx", lender=lender, actor=officer))
    # Meanwhile a colleague records row 12's akad on screen.
    b = IKM.objects.get(nib=setup["b"])
    record(lender, b, "AK-LAIN-1", signed_on=D(2025, 6, 1), plafon=250 * JUTA, actor=colleague)
    before = snapshot()
    with pytest.raises(ai.OutcomeChanged) as raised:
        ai.apply(data, "akad.xlsx", lender=lender, actor=officer, expected=plan)
    assert snapshot() == before
    fresh = {row["row"]: row for row in raised.value.result["rows"]}
    assert fresh[12]["outcome"] != "new" and fresh[2]["outcome"] == "new"


def test_a_refusal_at_apply_time_rolls_everything_back(setup, lender, officer, monkeypatch):
    data = build(setup)
    plan = ai.planned_rows(ai.preview(data, "akad.xlsx", lender=lender, actor=officer))

    def refusing(**kwargs):
        raise services.ValidationError({"amount": services.AMOUNT_NOT_POSITIVE})

    monkeypatch.setattr(services, "akad_disburse", refusing)
    before = snapshot()
    with pytest.raises(ai.OutcomeChanged) as raised:
        ai.apply(data, "akad.xlsx", lender=lender, actor=officer, expected=plan)
    assert snapshot() == before
    row = next(r for r in raised.value.result["rows"] if r["row"] == 2)
    assert row["errors"] == [
        {"column": "nilai_pencairan", "message": str(services.AMOUNT_NOT_POSITIVE)}
    ]


@pytest.mark.parametrize(
    ("parser", "value", "expected"),
    [
        (ai._positive_money, "Rp1.500.000", 1_500_000),
        (ai._positive_money, "1.500.000", 1_500_000),
        (ai._positive_money, 1500000, 1_500_000),
        (ai._positive_money, "1,5 miliar", 1_500_000_000),
        (ai._positive_money, "", None),
        (ai._rate, "6", Decimal("6.00")),
        (ai._rate, "6,5", Decimal("6.50")),
        (ai._rate, "6.5%", Decimal("6.50")),
        (ai._rate, "6,5% p.a.", Decimal("6.50")),
        (ai._rate, 9.5, Decimal("9.50")),
        (ai._rate, 0, Decimal("0.00")),
        (ai._tenor, "36", 36),
        (ai._tenor, 36.0, 36),
        (ai._tenor, "36 bulan", 36),
        (ai._tenor, "3 tahun", 36),
        (ai._collectibility, 2, 2),
        (ai._collectibility, "Kol 2", 2),
        (ai._collectibility, "kol-5", 5),
        (ai._collectibility, "3 - Kurang lancar", 3),
        (ai._collectibility, "Dalam Perhatian Khusus", 2),
        (ai._collectibility, "macet", 5),
        (ai._PARSERS["jenis_bunga"], "Effective", "effective"),
        (ai._PARSERS["basis_bunga"], "Mengambang", "floating"),
        (ai._PARSERS["pengikatan_agunan"], "Belum diikat", "not_bound"),
        (ai._PARSERS["jenis_agunan"], "Mesin & Peralatan", "machinery"),
        (ai._PARSERS["penjamin"], "PT. Jamkrindo", "jamkrindo"),
        (ai._PARSERS["penjamin"], "Tidak ada", ""),
    ],
)
def test_cell_parsers_accept(parser, value, expected):
    assert parser(value) == expected


@pytest.mark.parametrize(
    ("parser", "value"),
    [
        (ai._positive_money, "0"),
        (ai._positive_money, "-5 juta"),
        (ai._rate, "enam"),
        (ai._rate, "150"),
        (ai._rate, 0.06),
        (ai._tenor, 0),
        (ai._tenor, "400"),
        (ai._tenor, 12.5),
        (ai._collectibility, 0),
        (ai._collectibility, "Kol 6"),
        (ai._collectibility, True),
        (ai._PARSERS["jenis_bunga"], "tetap"),
        (ai._PARSERS["nomor_akad"], "A" * 101),
        (ai._PARSERS["nomor_akad"], "=HYPERLINK(1)"),
    ],
)
def test_cell_parsers_refuse(parser, value):
    with pytest.raises(ParseError):
        parser(value)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("kur-mikro", "kur-mikro"),
        ("KUR Mikro", "kur-mikro"),
        ("KUR_MIKRO", "kur-mikro"),
        ("KMK", "kmk"),
        ("Kredit Modal Kerja", "kmk"),
        ("Kredit Modal Kerja (KMK)", "kmk"),
        ("KI", "ki"),
        ("leasing", "leasing"),
        ("venture", "modal-ventura"),
    ],
)
def test_schemes_by_code_name_or_abbreviation(written, code):
    assert ai._Schemes().resolve(written).code == code


def test_an_inactive_scheme_is_reported_by_the_service(setup, lender, officer):
    CreditScheme.objects.filter(code="ki").update(is_active=False)
    sheet = [list(ai.COLUMN_NAMES)]
    row = kmk(setup["b"], "AK/KI/1", skema="Kredit Investasi")
    sheet.append([row.get(c) for c in ai.COLUMN_NAMES])
    result = ai.preview(workbook(sheet), "a.xlsx", lender=lender, actor=officer)
    assert result["rows"][0]["errors"] == [
        {"column": "skema", "message": str(services.SCHEME_INACTIVE)}
    ]


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_english_headers_map_and_a_missing_required_column_is_named():
    english = [
        "Borrower NIB", "Akad number", "Signing date", "Scheme", "Credit limit",
        "Tenor (months)", "Interest rate", "Rate type", "Rate basis", "MoU number",
        "Application date", "Approval date", "Purpose", "Collateral type", "Collateral value",
        "Collateral binding", "Guarantor", "Disbursement amount", "Disbursement date",
        "Collectibility", "Collectibility date",
    ]  # fmt: skip
    index, warnings = ai.map_columns(english)
    assert list(index) == list(ai.COLUMN_NAMES) and warnings == []
    with pytest.raises(ImportFileError) as raised:
        ai.map_columns(["nib", "nomor_akad", "tanggal_akad", "skema", "tenor", "bunga"])
    assert raised.value.text == str(COLUMNS_MISSING % {"columns": "plafon"})


def test_template_has_a_guide_and_imports_back_empty(setup, lender, officer):
    data = ai.template_workbook()
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Akad", "Petunjuk", "Referensi"]
    assert [c.value for c in book["Akad"][1]] == list(ai.COLUMN_NAMES)
    guide = [row[0] for row in book["Petunjuk"].iter_rows(values_only=True)]
    for column in ai.COLUMNS:
        assert column.name + ("*" if column.required else "") in guide
    codes = [row[0] for row in book["Referensi"].iter_rows(values_only=True)]
    assert "kur-mikro" in codes and "kmk" in codes
    result = ai.preview(data, "t.xlsx", lender=lender, actor=officer)
    assert result["rows"] == [] and result["warnings"] == []


def test_error_workbook_lists_the_invalid_rows(setup, lender, officer):
    data = build(setup)
    result = ai.apply(data, "akad.xlsx", lender=lender, actor=officer)
    errors = ai.error_workbook(data, "akad.xlsx", result["rows"])
    rows = list(load_workbook(io.BytesIO(errors)).active.iter_rows(values_only=True))
    assert rows[0][0] == "NIB Peminjam*" and rows[0][-1] == "kesalahan"
    invalid = [row for row in result["rows"] if row["outcome"] == "invalid"]
    assert [row[1] for row in rows[1:]] == [row["nomor_akad"] or None for row in invalid]
    formula_row = next(row for row in rows if row[1] == "AK/X/19")
    assert formula_row[4] == "'=E2*2"  # neutralised, never a live formula
    assert "plafon: " in formula_row[-1] and "kolektibilitas: " in formula_row[-1]
    # Uploaded again after the import, the same rows are refused: nothing was dropped.
    again = ai.preview(errors, "kesalahan.xlsx", lender=lender, actor=officer)
    assert again["counts"]["invalid"] == len(invalid) and again["counts"]["new"] == 0


# --- Screens ------------------------------------------------------------------------------


@pytest.fixture
def who(users_by_role, other_officer):
    # A lender officer whose organisation has no lender profile.
    no_lender = UserFactory(role=Role.PEMBIAYAAN, organisation=OrganisationFactory(kind="apm"))
    return {**users_by_role, OTHER: other_officer, NO_LENDER: no_lender, ANON: None}


def upload(client, content, name="akad.xlsx"):
    return client.post(BASE, {"file": SimpleUploadedFile(name, content)})


def token_of(response) -> str:
    return response["Location"].split("berkas=")[1]


GET_ACCESS = {K: 403, P: 403, A: 403, F: 200, OTHER: 200, NO_LENDER: 403, ANON: 302}


@pytest.mark.parametrize("role", [K, P, A, F, OTHER, NO_LENDER, ANON])
def test_access_matrix(client, who, role, setup, officer):
    client.force_login(officer)
    token = token_of(upload(client, build(setup)))
    client.logout()
    if who[role] is not None:
        client.force_login(who[role])
    for url in (BASE, BASE + "templat/"):
        assert client.get(url).status_code == GET_ACCESS[role], (url, role)
    own = role == F
    for url in (f"{BASE}pratinjau/?berkas={token}", f"{BASE}kesalahan/?berkas={token}"):
        expected = 200 if own else GET_ACCESS[role]
        if role == OTHER:
            expected = 302  # another lender's officer: the token is not theirs, start again
        assert client.get(url).status_code == expected, (url, role)
    before = AkadKredit.objects.count()
    response = client.post(BASE + "terapkan/", {"berkas": token, "rencana": "2,3,4,12,28"})
    assert response.status_code == {F: 200, OTHER: 302}.get(role, GET_ACCESS[role]), role
    assert (AkadKredit.objects.count() > before) == own
    response = upload(client, b"x", "akad.pdf")
    assert response.status_code == {F: 422, OTHER: 422}.get(role, GET_ACCESS[role])


def test_the_whole_flow(client, setup, officer, lender):
    client.force_login(officer)
    page = client.get(BASE)
    assert page.status_code == 200 and f'href="{BASE}templat/"' in page.text
    response = upload(client, build(setup))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    html = preview.text
    assert 'id="row-2"' in html and 'id="row-29"' in html and 'id="row-18"' not in html
    assert 'id="row-27"' not in html
    assert "AK/2025/101" in html and "CV Anugerah Logam" in html
    assert str(ai.IKM_NOT_VISIBLE) in html and "<code>nib_peminjam</code>" in html
    assert 'name="rencana" value="2,3,4,12,28"' in html
    assert not AkadKredit.objects.filter(akad_number="AK/2025/101").exists()
    token = token_of(response)
    done = client.post(BASE + "terapkan/", {"berkas": token, "rencana": "2,3,4,12,28"})
    assert done.status_code == 200
    assert 'name="rencana"' not in done.text  # nothing left to confirm
    assert AkadKredit.objects.filter(lender=lender, akad_number__in=["AK/2025/101"]).exists()
    assert AkadKredit.objects.filter(lender=lender, akad_number__startswith="KUR/2025").count() == 2
    errors = client.get(f"{BASE}kesalahan/?berkas={token}")
    assert errors.status_code == 200
    assert errors["Content-Disposition"].startswith("attachment;")
    assert load_workbook(io.BytesIO(errors.content)).active["A1"].value == "NIB Peminjam*"
    template = client.get(BASE + "templat/")
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.content)).sheetnames[1] == "Petunjuk"


def test_confirming_after_the_outcome_changed_writes_nothing_and_says_so(
    client, setup, officer, lender
):
    client.force_login(officer)
    token = token_of(upload(client, build(setup)))
    record(lender, IKM.objects.get(nib=setup["b"]), "AK-LAIN-1", signed_on=D(2025, 6, 1))
    before = snapshot()
    response = client.post(BASE + "terapkan/", {"berkas": token, "rencana": "2,3,4,12,28"})
    assert response.status_code == 409
    assert str(ai.OUTCOME_CHANGED) in response.text
    assert 'name="rencana" value="2,3,4,28"' in response.text  # the fresh plan, to confirm
    assert snapshot() == before
    again = client.post(BASE + "terapkan/", {"berkas": token, "rencana": "2,3,4,28"})
    assert again.status_code == 200
    assert snapshot()[0] == before[0] + 4


def test_apply_with_a_database_error_writes_nothing_and_says_so(
    client, setup, officer, monkeypatch
):
    client.force_login(officer)
    token = token_of(upload(client, build(setup)))

    def broken(**kwargs):
        raise DatabaseError("boom")

    monkeypatch.setattr(services, "akad_report_collectibility", broken)
    before = snapshot()
    response = client.post(BASE + "terapkan/", {"berkas": token, "rencana": "2,3,4,12,28"})
    assert response.status_code == 503
    assert str(APPLY_FAILED) in response.text
    assert snapshot() == before


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("xl/worksheets/sheet1.xml", b"\0" * (ai.MAX_UNPACKED_BYTES + 1))
    return buffer.getvalue()


def with_macros() -> bytes:
    buffer = io.BytesIO(ai.template_workbook())
    with zipfile.ZipFile(buffer, "a") as package:
        package.writestr("xl/vbaProject.bin", b"macro")
    return buffer.getvalue()


def stored_files() -> set[str]:
    from django.core.files.storage import default_storage

    try:
        return set(default_storage.listdir(import_views.UPLOAD_DIR)[1])
    except FileNotFoundError:
        return set()


CSV = ",".join(ai.COLUMN_NAMES).encode() + b"\n"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"PK\x03\x04 this is not a zip", "akad.xlsx", FILE_UNREADABLE),
        (b"\x00\x01\x02" * 100, "akad.xlsx", FILE_UNREADABLE),
        (b"", "akad.xlsx", FILE_UNREADABLE),
        (b"%PDF-1.4", "akad.pdf", ai.FILE_TYPE),
        (b"\xd0\xcf\x11\xe0", "akad.xls", FILE_XLS),
        (CSV, "akad.csv", ai.FILE_TYPE),
        (CSV, "akad.xlsx", FILE_UNREADABLE),
        ("macros", "akad.xlsm", ai.FILE_TYPE),
        ("macros", "akad.xlsx", ai.FILE_MACROS),
        ("bomb", "akad.xlsx", ai.FILE_UNPACKS_TOO_LARGE),
        ("no template column", "akad.xlsx", None),
        ("nib missing", "akad.xlsx", COLUMNS_MISSING % {"columns": "nib_peminjam"}),
    ],
)
def test_hostile_files_are_refused_without_a_500(client, setup, officer, content, name, message):
    content = {
        "macros": with_macros,
        "bomb": zip_bomb,
        "no template column": lambda: workbook([["a", "b"], [1, 2]]),
        "nib missing": lambda: workbook([[c for c in ai.COLUMN_NAMES if c != "nib_peminjam"]]),
    }.get(content, lambda: content)()
    client.force_login(officer)
    stored = stored_files()
    response = upload(client, content, name)
    assert response.status_code == 422
    assert "invalid-feedback" in response.text
    if message is not None:
        assert str(message) in response.text
    assert stored_files() == stored  # a refused file is not kept


def test_an_oversized_file_is_refused(client, setup, officer, monkeypatch):
    monkeypatch.setattr(ai, "MAX_FILE_BYTES", 100)
    client.force_login(officer)
    response = upload(client, build(setup))
    assert response.status_code == 422
    assert str(ai.FILE_TOO_LARGE) in response.text


def test_too_many_rows_are_refused_with_the_limit_named(client, setup, officer):
    rows = [list(ai.COLUMN_NAMES)]
    rows += [list(kmk(setup["b"], f"AK/{n}").values()) for n in range(ai.MAX_ROWS + 1)]
    client.force_login(officer)
    response = upload(client, workbook(rows))
    assert response.status_code == 422
    limit = ai.FILE_TOO_MANY_ROWS % {"rows": ai.MAX_ROWS + 1, "max": ai.MAX_ROWS}
    assert str(limit) in response.text


def test_the_token_cannot_be_forged_or_moved(client, setup, officer, colleague):
    client.force_login(officer)
    token = token_of(upload(client, build(setup)))
    for bad in (token[:-2] + "xx", "", "abc"):
        response = client.get(f"{BASE}pratinjau/?berkas={bad}")
        assert response.status_code == 302 and response["Location"] == BASE
    payload = signing.loads(token, salt=import_views.TOKEN_SALT)
    forged = signing.dumps(
        {**payload, "f": "po-imports/other.xlsx"}, salt=import_views.TOKEN_SALT, compress=True
    )
    assert client.get(f"{BASE}pratinjau/?berkas={forged}").status_code == 302
    # A colleague of the same lender cannot use it either.
    client.force_login(colleague)
    assert client.get(f"{BASE}pratinjau/?berkas={token}").status_code == 302
    client.force_login(officer)
    # The stored file changed after the upload: refused.
    from django.core.files.storage import default_storage

    with default_storage.open(payload["f"], "wb") as handle:
        handle.write(ai.template_workbook())
    assert client.get(f"{BASE}pratinjau/?berkas={token}").status_code == 302


def test_expired_token(client, setup, officer, monkeypatch):
    client.force_login(officer)
    token = token_of(upload(client, build(setup)))
    monkeypatch.setattr(import_views, "TOKEN_MAX_AGE", -1)
    assert client.get(f"{BASE}pratinjau/?berkas={token}").status_code == 302


def test_a_zip_bomb_is_checked_once_and_logged(monkeypatch, caplog):
    from ikm.importing import reading

    calls = []
    check = reading.check_xlsx_package
    monkeypatch.setattr(
        reading, "check_xlsx_package", lambda *a, **k: calls.append(1) or check(*a, **k)
    )
    with (
        caplog.at_level("WARNING", logger="pembiayaan.akad_import"),
        pytest.raises(ImportFileError) as raised,
    ):
        ai.read(zip_bomb(), "akad.xlsx")
    assert raised.value.text == str(ai.FILE_UNPACKS_TOO_LARGE)
    assert len(calls) == 1
    assert [r.getMessage() for r in caplog.records] == [
        "Akad import refused: the package unpacks to too much data"
    ]


def test_an_unreadable_file_is_logged_without_its_name(monkeypatch, caplog):
    """The uploader's file name may hold personal data."""

    def broken(*args, **kwargs):
        raise KeyError("a malformed workbook")

    monkeypatch.setattr(ai, "read_xlsx", broken)
    with (
        caplog.at_level("WARNING", logger="pembiayaan.akad_import"),
        pytest.raises(ImportFileError) as raised,
    ):
        ai.read(b"PK\x03\x04", "akad Budi Santoso.xlsx")
    assert raised.value.text == str(FILE_UNREADABLE)
    (record,) = caplog.records
    assert "Budi" not in record.getMessage()
