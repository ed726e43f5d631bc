"""Importing signed akad kredit (credit agreements) from an .xlsx workbook, for a lender's
officer: the lender is always the officer's own.

One row per akad: the borrower's NIB, the akad number and date, the scheme and the terms;
optionally the MoU it rests on, the application and approval dates, one collateral, the
guarantor, one disbursed tranche and a collectibility report.

Guarantees (those of the IKM registry import and of the PO import, whose reader, parsers
and messages are reused from :mod:`ikm.importing` and :mod:`kemitraan.po_import`):

* dry run first (:func:`preview`): every non-empty row gets an outcome (``new`` with what
  it records, ``unchanged`` when the akad number is already recorded for this lender,
  ``invalid`` with its errors per column); nothing is written;
* the writes are the credit services, in their order (:func:`pembiayaan.services.akad_apply`,
  ``akad_approve``, ``akad_sign``, then ``akad_disburse`` and
  ``akad_report_collectibility`` when the row has them), so every rule (KUR limits and
  rates, dates, MoU, unique akad number) is the one applied on screen; in the dry run each
  row runs them in a savepoint, so their refusals are reported per row and column;
* :func:`apply` checks every row again against the current database and writes the valid
  rows in one transaction. Given the row numbers the preview promised to record
  (``expected``), it writes exactly those or nothing: when a row the preview accepted is
  refused now (or the other way round), everything is rolled back and
  :class:`OutcomeChanged` carries the fresh outcome. An unexpected database error rolls
  everything back too;
* idempotent by akad number (same lender, case and spaces ignored): an akad already
  recorded is ``unchanged`` when the row agrees with it, and ``invalid`` when the row names
  another borrower, date, scheme, plafon, tenor, rate or MoU, or a tranche or collectibility
  report not recorded on it (an import never changes a recorded akad, and never drops
  what a row says without saying so). Re-importing the same file changes nothing.

Rows are checked in the order of their akad date (then of the file), so that the KUR
access number (first KUR akad of a borrower: at most 6%, later ones more) follows the
history whatever the order of the file. Rows whose template cells are all empty are
ignored and counted (``counts["empty"]``), together with the blank rows between the first
and the last data row, as in the PO import.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from ikm.importing import (
    FILE_UNREADABLE,
    FILE_XLS,
    ImportFileError,
    header_key,
)
from ikm.importing import map_columns as map_ikm_columns
from ikm.importing.reading import (
    FILE_MACROS,
    find_formula,
    formula_error,
    read_xlsx,
    source_bytes,
)
from ikm.importing.workbooks import (
    add_guide_sheet,
    add_header_sheet,
    append_block,
    error_rows_workbook,
    xlsx_bytes,
)
from ikm.models import IKM
from ikm.parsing import (
    ParseError,
    PercentNumber,
    cell_text,
    clean_text,
    is_blank,
    parse_int,
    parse_percent,
    parse_text,
)
from kemitraan import po_import
from kemitraan.models import MoU
from kemitraan.po_import import (
    ENTRY_INCOMPLETE,
    FILE_TOO_LARGE,
    FILE_TOO_MANY_ROWS,
    REQUIRED_EVERY_ROW,
    Column,
    parse_date,
)

from . import services
from .models import AkadKredit, Collateral, CreditScheme, LenderProfile

logger = logging.getLogger("pembiayaan.akad_import")

MAX_FILE_BYTES = po_import.MAX_FILE_BYTES
# Each row runs up to five services, whose full_clean() validates every constraint of the
# akad with a query: about 0.1-0.3 s a row. The work is synchronous (like the PO import):
# a preview must end well within the web server's timeout (gunicorn: 30 s).
MAX_ROWS = 100
# A workbook of a few thousand akad unpacks to a few MB; far more is a zip bomb.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
DATA_SHEET = "Akad"

__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "FILE_MACROS",
    "FILE_TOO_LARGE",
    "FILE_TOO_MANY_ROWS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "OutcomeChanged",
    "apply",
    "error_workbook",
    "map_columns",
    "parse_date",
    "preview",
    "read",
    "template_workbook",
]

# --- Messages ----------------------------------------------------------------------------

FILE_TYPE = _(
    "Only .xlsx workbooks can be imported: in Excel, use Save As, Excel Workbook (.xlsx)."
)
FILE_UNPACKS_TOO_LARGE = _(
    "The workbook unpacks to far more data than a list of akad holds, so it is not read: "
    "copy the akad into a new workbook made from the template and upload that."
)
IKM_NOT_VISIBLE = _("No submitted or verified IKM with this NIB is in the registry.")
AKAD_NUMBER_TOO_LONG = _("An akad number has at most 100 characters.")
AKAD_IN_FILE = _("This akad number already appears in row %(row)s of the file.")
AKAD_RECORDED_DIFFERS = _(
    "Akad %(number)s is already recorded with %(value)s; a recorded akad cannot be changed by "
    "an import."
)
AKAD_RECORDED_TRANCHE = _(
    "Akad %(number)s is already recorded without this disbursement: an import records a "
    "tranche only with a new akad. Record it on the akad's page."
)
AKAD_RECORDED_COLLECTIBILITY = _(
    "Akad %(number)s is already recorded without a collectibility report: an import reports "
    "collectibility only with a new akad. Report it on the akad's page."
)
NO_MOU = _("no MoU")
SCHEME_UNKNOWN = _('Scheme "%(value)s" not recognised: write its code or its name (%(known)s).')
SCHEME_AMBIGUOUS = _('Scheme "%(value)s" is ambiguous: write %(options)s.')
TENOR_INVALID = _("Write the tenor in months, such as 36 (or 3 tahun).")
TENOR_RANGE = _("The tenor lies between 1 and 360 months.")
RATE_FRACTION = _(
    "The rate %(value)s looks like a fraction from a cell not formatted as a percentage: "
    "write the rate a year as 6,5 or 6,5%%."
)
CHOICE_UNKNOWN = _('"%(value)s" not recognised: write %(options)s.')
COLLECTIBILITY_UNKNOWN = _(
    'Collectibility "%(value)s" not recognised: write a grade from 1 (lancar) to 5 (macet).'
)
MOU_NOT_FOUND = _("No MoU with this number has the borrower among its participants.")
COLLATERAL_INCOMPLETE = _(
    "Fill in both the collateral type and its value, or leave the collateral columns empty."
)
COLLECTIBILITY_DATE_ALONE = _("Fill in the collectibility too, or leave this date empty.")
TEXT_TOO_LONG = _("At most %(max)s characters.")
OUTCOME_CHANGED = _(
    "Since the file was checked, the outcome of some rows has changed (an akad may have been "
    "recorded meanwhile, or a rule now refuses a row), so nothing was written. Check the rows "
    "again below, then confirm."
)

# --- Columns -----------------------------------------------------------------------------

COLUMNS = (
    Column(
        "nib_peminjam",
        True,
        "NIB (13 digit) IKM peminjam, yang sudah diajukan atau terverifikasi di registri. "
        "Format kolom sebagai Teks.",
        "9120001234567",
    ),
    Column(
        "nomor_akad",
        True,
        "Nomor akad kredit, unik per lembaga pembiayaan (huruf besar/kecil dan spasi tidak "
        "dibedakan). Akad yang sudah tercatat dengan isi yang sama dilewati.",
        "AK/2026/0001",
    ),
    Column(
        "tanggal_akad",
        True,
        "Tanggal penandatanganan akad: 17/08/2026, 2026-08-17 atau 17 Agustus 2026. Tidak "
        "boleh di masa depan.",
        "17/08/2026",
    ),
    Column(
        "skema",
        True,
        "Kode atau nama skema kredit (lihat lembar Referensi): kur-mikro, KUR Mikro, KMK...",
        "KUR Mikro",
    ),
    Column(
        "plafon",
        True,
        'Plafon dalam rupiah: 75000000, 75.000.000, "Rp75.000.000", "75 juta", "1,5 miliar".',
        "Rp75.000.000",
    ),
    Column("tenor_bulan", True, "Jangka waktu dalam bulan, 1-360 (atau 3 tahun).", "36"),
    Column(
        "suku_bunga",
        True,
        "Suku bunga per tahun dalam persen: 6, 6,5 atau 6,5%. KUR: bunga efektif, paling "
        "tinggi sesuai akses KUR peminjam.",
        "6",
    ),
    Column("jenis_bunga", False, "efektif atau flat. Kosong = efektif.", "efektif"),
    Column("basis_bunga", False, "tetap atau mengambang. Kosong = tetap.", "tetap"),
    Column(
        "nomor_mou",
        False,
        "Nomor MoU yang menjadi dasar kredit (boleh kosong). Peminjam harus peserta MoU itu; "
        "MoU harus sudah ditandatangani, aktif atau berakhir.",
        "001/APM/MoU/XI/2025",
    ),
    Column(
        "tanggal_pengajuan",
        False,
        "Tanggal pengajuan kredit. Kosong = tanggal persetujuan, atau tanggal akad.",
        "01/08/2026",
    ),
    Column(
        "tanggal_persetujuan",
        False,
        "Tanggal persetujuan: tidak sebelum pengajuan dan tidak sesudah tanggal akad. "
        "Kosong = tanggal pengajuan.",
        "10/08/2026",
    ),
    Column("tujuan", False, "Tujuan penggunaan kredit.", "Modal kerja pesanan bracket"),
    Column(
        "jenis_agunan",
        False,
        "Satu agunan (boleh kosong): tanah dan bangunan, kendaraan, mesin, persediaan, "
        "piutang, deposito atau lainnya. Isi bersama nilai_agunan.",
        "mesin",
    ),
    Column("nilai_agunan", False, "Nilai agunan dalam rupiah.", "50 juta"),
    Column(
        "pengikatan_agunan",
        False,
        "fidusia, hak tanggungan, gadai, cessie atau belum diikat. Kosong = belum diikat.",
        "fidusia",
    ),
    Column(
        "penjamin",
        False,
        "Penjaminan kredit: Jamkrindo, Askrindo, lainnya, atau kosong (tanpa penjamin).",
        "Jamkrindo",
    ),
    Column(
        "nilai_pencairan",
        False,
        "Satu pencairan (boleh kosong), dalam rupiah; isi bersama tanggal_pencairan. "
        "Tidak melebihi plafon.",
        "75 juta",
    ),
    Column(
        "tanggal_pencairan",
        False,
        "Tanggal pencairan: tidak sebelum tanggal akad.",
        "20/08/2026",
    ),
    Column(
        "kolektibilitas",
        False,
        "Kolektibilitas 1-5 (1 lancar, 2 dalam perhatian khusus, 3 kurang lancar, "
        "4 diragukan, 5 macet). Hanya bila ada pencairan.",
        "1",
    ),
    Column(
        "tanggal_kolektibilitas",
        False,
        "Posisi kolektibilitas: tidak sebelum pencairan. Kosong = hari ini.",
        "30/09/2026",
    ),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS = tuple(c.name for c in COLUMNS if c.required)
_ALIASES = {
    # Indonesian spellings
    "nib": "nib_peminjam",
    "nib_ikm": "nib_peminjam",
    "nib_debitur": "nib_peminjam",
    "no_akad": "nomor_akad",
    "nomor_akad_kredit": "nomor_akad",
    "no_akad_kredit": "nomor_akad",
    "tgl_akad": "tanggal_akad",
    "tanggal_tanda_tangan": "tanggal_akad",
    "skema_kredit": "skema",
    "plafond": "plafon",
    "plafon_kredit": "plafon",
    "tenor": "tenor_bulan",
    "jangka_waktu": "tenor_bulan",
    "jangka_waktu_bulan": "tenor_bulan",
    "bunga": "suku_bunga",
    "suku_bunga_per_tahun": "suku_bunga",
    "no_mou": "nomor_mou",
    "mou": "nomor_mou",
    "tgl_pengajuan": "tanggal_pengajuan",
    "tgl_persetujuan": "tanggal_persetujuan",
    "tujuan_kredit": "tujuan",
    "tujuan_penggunaan": "tujuan",
    "agunan": "jenis_agunan",
    "jenis_jaminan": "jenis_agunan",
    "nilai_jaminan": "nilai_agunan",
    "pengikatan": "pengikatan_agunan",
    "pengikatan_jaminan": "pengikatan_agunan",
    "penjaminan": "penjamin",
    "lembaga_penjamin": "penjamin",
    "pencairan": "nilai_pencairan",
    "jumlah_pencairan": "nilai_pencairan",
    "tgl_pencairan": "tanggal_pencairan",
    "kol": "kolektibilitas",
    "kolektibilitas_kredit": "kolektibilitas",
    "posisi_kolektibilitas": "tanggal_kolektibilitas",
    # English
    "borrower_nib": "nib_peminjam",
    "akad_number": "nomor_akad",
    "agreement_number": "nomor_akad",
    "akad_date": "tanggal_akad",
    "signing_date": "tanggal_akad",
    "signed_on": "tanggal_akad",
    "scheme": "skema",
    "credit_scheme": "skema",
    "credit_limit": "plafon",
    "limit": "plafon",
    "tenor_months": "tenor_bulan",
    "interest_rate": "suku_bunga",
    "rate": "suku_bunga",
    "rate_type": "jenis_bunga",
    "interest_type": "jenis_bunga",
    "rate_basis": "basis_bunga",
    "mou_number": "nomor_mou",
    "application_date": "tanggal_pengajuan",
    "applied_on": "tanggal_pengajuan",
    "approval_date": "tanggal_persetujuan",
    "approved_on": "tanggal_persetujuan",
    "purpose": "tujuan",
    "collateral_type": "jenis_agunan",
    "collateral": "jenis_agunan",
    "collateral_value": "nilai_agunan",
    "collateral_binding": "pengikatan_agunan",
    "guarantor": "penjamin",
    "guarantee": "penjamin",
    "disbursement_amount": "nilai_pencairan",
    "disbursed_amount": "nilai_pencairan",
    "disbursement": "nilai_pencairan",
    "disbursement_date": "tanggal_pencairan",
    "disbursed_on": "tanggal_pencairan",
    "collectibility": "kolektibilitas",
    "collectibility_date": "tanggal_kolektibilitas",
    "collectibility_as_of": "tanggal_kolektibilitas",
}
_TEXT_COLUMNS = ("nib_peminjam", "nomor_akad", "nomor_mou")
_UNIT = re.compile(r"\s*\([^)]*\)\s*")  # "Plafon (Rp)", "Suku bunga (% p.a.)"


def _header(header: str) -> str:
    """A header without its unit in brackets: "Tenor (bulan)" is "Tenor"."""
    return _UNIT.sub(" ", header or "").strip()


def _header_key(header: str) -> str:
    return header_key(_header(header), _ALIASES)


def map_columns(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    """Template column → position, and warnings for ignored columns (the registry's header
    mapping with this template's columns and aliases; a unit in brackets is ignored)."""
    return map_ikm_columns(
        [_header(h) for h in headers],
        known=COLUMN_NAMES,
        required=REQUIRED_COLUMNS,
        aliases=_ALIASES,
    )


# --- Reading -------------------------------------------------------------------------------


def read(source, file_name: str):
    """The workbook's first sheet as a ``ikm.importing.Table``, read as the PO import reads
    it (the registry's safe reader: formulas are never evaluated; any failure of the
    spreadsheet library is an :class:`ImportFileError`), after checking the package (.xlsx
    only, no zip bomb, no macros, no DTD). Text that a spreadsheet would run as a formula
    refuses the whole file (CSV injection); a formula cell, and the neutralised "'=..." that
    error workbooks write, are refused on their row. Raises :class:`ImportFileError`."""
    name = Path(file_name or "").name.lower()
    if name.endswith(".xls"):
        raise ImportFileError(FILE_XLS)
    if not name.endswith(".xlsx"):
        raise ImportFileError(FILE_TYPE)
    data = source_bytes(source)
    try:
        # Without the registry's and the PO import's limits: this import's own.
        table = read_xlsx(
            data,
            max_rows=MAX_ROWS,
            max_unpacked_bytes=MAX_UNPACKED_BYTES,
            too_large=FILE_UNPACKS_TOO_LARGE,
        )
        found = find_formula(data, name, formula_cells=False, quoted=False)
    except ImportFileError as exc:
        if exc.message is FILE_UNPACKS_TOO_LARGE:
            logger.warning("Akad import refused: the package unpacks to too much data")
        raise
    except Exception as exc:  # a malformed workbook can break openpyxl in many ways
        # Never the file's name: it may hold personal data.
        logger.warning("Unreadable akad import file (%d bytes)", len(data), exc_info=True)
        raise ImportFileError(FILE_UNREADABLE) from exc
    if found is not None:
        raise formula_error(found)
    return table


# --- Cell parsers --------------------------------------------------------------------------


def _key(value) -> str:
    """A choice as typed, compared: lower case, "&" read as "dan", punctuation as spaces."""
    text = clean_text(cell_text(value)).lower().replace("&", " dan ")
    return " ".join(re.sub(r"[-_/.,;:()'\"]", " ", text).split())


def check_formula(value) -> None:
    po_import.check_formula(value)


def _text(limit: int, *, multiline: bool = False):
    def parse(value) -> str:
        check_formula(value)
        text = parse_text(value, multiline=multiline)
        if len(text) > limit:
            raise ParseError(TEXT_TOO_LONG % {"max": limit})
        return text

    return parse


def _akad_number(value) -> str:
    check_formula(value)
    number = parse_text(value)
    if len(number) > 100:
        raise ParseError(AKAD_NUMBER_TOO_LONG)
    return number


def _positive_money(value) -> int | None:
    amount = po_import.money_cell(value)
    if amount is not None and amount <= 0:
        raise ParseError(services.AMOUNT_NOT_POSITIVE)
    return amount


_MONTHS = re.compile(r"(\d+)\s*(?:bulan|bln|bl|months?|mos?)?")
_YEARS = re.compile(r"(\d+)\s*(?:tahun|thn|th|years?|yrs?)")


def _tenor(value) -> int | None:
    check_formula(value)
    if is_blank(value):
        return None
    if isinstance(value, str):
        text = clean_text(value).lower()
        if match := _MONTHS.fullmatch(text):
            months = int(match[1])
        elif match := _YEARS.fullmatch(text):
            months = int(match[1]) * 12
        else:
            raise ParseError(TENOR_INVALID)
    else:
        try:
            months = parse_int(value)
        except ParseError as exc:
            raise ParseError(TENOR_INVALID) from exc
    if not 1 <= months <= 360:
        raise ParseError(TENOR_RANGE)
    return months


_PER_YEAR = re.compile(r"\s*(?:p\.?\s*a\.?|per\s*tahun|/\s*(?:tahun|thn|th))\s*$", re.IGNORECASE)


def _rate(value) -> Decimal | None:
    """A rate a year in percent: 6, "6,5", "6.5%", "6,5% p.a.", a percentage cell (0.065
    shown as 6.5%). A plain number cell between 0 and 1 is refused: it is almost always a
    fraction typed into a cell that is not formatted as a percentage."""
    check_formula(value)
    if is_blank(value):
        return None
    if isinstance(value, str):
        return parse_percent(_PER_YEAR.sub("", clean_text(value)))
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and not isinstance(value, PercentNumber) and 0 < value < 1:
        raise ParseError(RATE_FRACTION % {"value": cell_text(value)})
    return parse_percent(value)


def _choice(mapping: dict[str, str], options: str):
    def parse(value):
        check_formula(value)
        key = _key(value)
        if not key:  # empty, or only punctuation such as "-"
            return None
        try:
            return mapping[key]
        except KeyError:
            raise ParseError(
                CHOICE_UNKNOWN % {"value": clean_text(cell_text(value))[:60], "options": options}
            ) from None

    return parse


_EFFECTIVE, _FLAT = AkadKredit.RateType.EFFECTIVE, AkadKredit.RateType.FLAT
_RATE_TYPES = {
    **dict.fromkeys(
        ["efektif", "effective", "eff", "bunga efektif", "anuitas", "efektif anuitas",
         "annuity", "efektif menurun"],
        _EFFECTIVE,
    ),
    **dict.fromkeys(["flat", "flat rate", "bunga flat", "tetap flat"], _FLAT),
}  # fmt: skip
_FIXED, _FLOATING = AkadKredit.RateBasis.FIXED, AkadKredit.RateBasis.FLOATING
_RATE_BASES = {
    **dict.fromkeys(["tetap", "fixed", "fix", "bunga tetap", "fixed rate"], _FIXED),
    **dict.fromkeys(
        ["mengambang", "floating", "float", "bunga mengambang", "floating rate"], _FLOATING
    ),
}
_G = AkadKredit.Guarantor
_GUARANTORS = {
    **dict.fromkeys(["", "tidak ada", "tanpa", "tanpa penjamin", "tidak", "none", "no"], _G.NONE),
    **dict.fromkeys(["jamkrindo", "pt jamkrindo", "perum jamkrindo"], _G.JAMKRINDO),
    **dict.fromkeys(["askrindo", "pt askrindo", "pt asuransi kredit indonesia"], _G.ASKRINDO),
    **dict.fromkeys(
        ["lainnya", "lain lain", "lain", "other", "penjamin lain", "jamkrida"], _G.OTHER
    ),
}
_K = Collateral.Kind
_COLLATERAL_KINDS = {
    **dict.fromkeys(
        ["tanah dan bangunan", "tanah", "bangunan", "tanah bangunan", "shm", "shgb",
         "sertifikat tanah", "rumah", "ruko", "properti", "land building",
         "land and buildings"],
        _K.LAND_BUILDING,
    ),
    **dict.fromkeys(
        ["kendaraan", "kendaraan bermotor", "bpkb", "mobil", "motor", "vehicle"], _K.VEHICLE
    ),
    **dict.fromkeys(
        ["mesin", "mesin dan peralatan", "peralatan", "alat", "machinery",
         "machinery and equipment"],
        _K.MACHINERY,
    ),
    **dict.fromkeys(["persediaan", "stok", "stock", "barang dagangan", "inventory"], _K.INVENTORY),
    **dict.fromkeys(["piutang", "tagihan", "piutang usaha", "receivables"], _K.RECEIVABLES),
    **dict.fromkeys(
        ["deposito", "tabungan", "deposito atau tabungan", "deposito tabungan", "deposit",
         "savings"],
        _K.DEPOSIT,
    ),
    **dict.fromkeys(["lainnya", "lain lain", "lain", "other"], _K.OTHER),
}  # fmt: skip
_B = Collateral.Binding
_BINDINGS = {
    **dict.fromkeys(["fidusia", "jaminan fidusia", "fiducia", "fiduciary"], _B.FIDUSIA),
    **dict.fromkeys(["hak tanggungan", "ht", "apht", "mortgage"], _B.HAK_TANGGUNGAN),
    **dict.fromkeys(["gadai", "pledge"], _B.GADAI),
    **dict.fromkeys(["cessie", "cesi", "cesie", "assignment of receivables"], _B.CESSIE),
    **dict.fromkeys(
        ["belum diikat", "tidak diikat", "belum", "not bound", "not yet bound", "not bound"],
        _B.NOT_BOUND,
    ),
}
_COLLECTIBILITY_WORDS = {
    "lancar": 1,
    "current": 1,
    "dalam perhatian khusus": 2,
    "dpk": 2,
    "special mention": 2,
    "kurang lancar": 3,
    "substandard": 3,
    "diragukan": 4,
    "doubtful": 4,
    "macet": 5,
    "loss": 5,
}
_GRADE = re.compile(r"(?:kol(?:ektibilitas)?\s*)?([1-5])(?:\s+.*)?")


def _collectibility(value) -> int | None:
    """A grade 1-5: 2, "2", "Kol 2", "2 - DPK", "dalam perhatian khusus", "macet"."""
    check_formula(value)
    if is_blank(value):
        return None
    text = _key(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 1 <= value <= 5:
            return int(value)
    elif text in _COLLECTIBILITY_WORDS:
        return _COLLECTIBILITY_WORDS[text]
    elif match := _GRADE.fullmatch(text):
        return int(match[1])
    raise ParseError(COLLECTIBILITY_UNKNOWN % {"value": clean_text(cell_text(value))[:40]})


class _Schemes:
    """The credit schemes by the ways a file names them: code, name, the abbreviation in
    brackets ("KMK" of "Kredit Modal Kerja (KMK)"), the name without it; then the kind
    ("KUR" names three schemes: ambiguous)."""

    def __init__(self):
        self.by_key: dict[str, dict[int, CreditScheme]] = {}
        self.by_kind: dict[str, dict[int, CreditScheme]] = {}
        self.active_codes = []
        for scheme in CreditScheme.objects.order_by("kind", "min_plafon", "code"):
            keys = {_key(scheme.code), _key(scheme.name), _key(_UNIT.sub(" ", scheme.name))}
            keys |= {_key(a) for a in re.findall(r"\(([^)]*)\)", scheme.name)}
            for key in keys - {""}:
                self.by_key.setdefault(key, {})[scheme.pk] = scheme
            self.by_kind.setdefault(_key(scheme.kind), {})[scheme.pk] = scheme
            if scheme.is_active:
                self.active_codes.append(scheme.code)

    def resolve(self, value) -> CreditScheme | None:
        check_formula(value)
        if is_blank(value):
            return None
        key = _key(value)
        found = self.by_key.get(key) or self.by_kind.get(key) or {}
        if len(found) > 1:  # prefer the one still offered
            found = {pk: s for pk, s in found.items() if s.is_active} or found
        if len(found) == 1:
            return next(iter(found.values()))
        text = clean_text(cell_text(value))[:60]
        if found:
            options = ", ".join(s.name for s in found.values())
            raise ParseError(SCHEME_AMBIGUOUS % {"value": text, "options": options})
        raise ParseError(SCHEME_UNKNOWN % {"value": text, "known": ", ".join(self.active_codes)})


_PARSERS = {
    "nib_peminjam": po_import.nib_cell,
    "nomor_akad": _akad_number,
    "tanggal_akad": parse_date,
    "plafon": _positive_money,
    "tenor_bulan": _tenor,
    "suku_bunga": _rate,
    "jenis_bunga": _choice(_RATE_TYPES, "efektif, flat"),
    "basis_bunga": _choice(_RATE_BASES, "tetap, mengambang"),
    "nomor_mou": _text(100),
    "tanggal_pengajuan": parse_date,
    "tanggal_persetujuan": parse_date,
    "tujuan": _text(5000, multiline=True),
    "jenis_agunan": _choice(
        _COLLATERAL_KINDS,
        "tanah dan bangunan, kendaraan, mesin, persediaan, piutang, deposito, lainnya",
    ),
    "nilai_agunan": _positive_money,
    "pengikatan_agunan": _choice(_BINDINGS, "fidusia, hak tanggungan, gadai, cessie, belum diikat"),
    "penjamin": _choice(_GUARANTORS, "Jamkrindo, Askrindo, lainnya, tidak ada"),
    "nilai_pencairan": _positive_money,
    "tanggal_pencairan": parse_date,
    "kolektibilitas": _collectibility,
    "tanggal_kolektibilitas": parse_date,
}

# --- Rows ----------------------------------------------------------------------------------


def _number_key(number: str) -> str:
    """How akad numbers are compared (the signing service's: spaces folded, any case)."""
    return " ".join((number or "").split()).lower()


@dataclass
class Row:
    number: int
    values: dict = field(default_factory=dict)  # column → parsed value (None when empty)
    errors: list[dict] = field(default_factory=list)
    outcome: str = ""  # "new" | "unchanged" | "invalid"
    actions: list[str] = field(default_factory=list)  # "akad", "disbursement", "collectibility"
    borrower: IKM | None = None
    ikm_name: str = ""

    def error(self, column: str, message) -> None:
        entry = {"column": column, "message": str(message)}
        if entry not in self.errors:
            self.errors.append(entry)

    @property
    def akad_number(self) -> str:
        return self.values.get("nomor_akad") or ""

    # The dates the services need, and the column each one comes from.

    @property
    def applied_column(self) -> str:
        for column in ("tanggal_pengajuan", "tanggal_persetujuan", "tanggal_akad"):
            if self.values.get(column):
                return column
        return "tanggal_akad"

    @property
    def approved_column(self) -> str:
        if self.values.get("tanggal_persetujuan"):
            return "tanggal_persetujuan"
        return self.applied_column

    def result(self) -> dict:
        scheme = self.values.get("skema")
        return {
            "row": self.number,
            "nomor_akad": self.akad_number,
            "nib": self.values.get("nib_peminjam") or "",
            "ikm_name": self.ikm_name,
            "skema": scheme.name if scheme else "",
            "plafon": self.values.get("plafon"),
            "outcome": self.outcome,
            "actions": self.actions,
            "errors": self.errors,
        }


def parse_row(number: int, values: list, index: dict[str, int], schemes: _Schemes) -> Row | None:
    """A row's cells parsed (schemes are resolved against those loaded, no other database);
    None for a row without any template value."""
    raw = {
        name: values[position] if position < len(values) else None
        for name, position in index.items()
    }
    if all(is_blank(v) for v in raw.values()):
        return None
    row = Row(number=number)
    for name in COLUMN_NAMES:
        value = raw.get(name)
        if is_blank(value):
            row.values[name] = None
            if name in REQUIRED_COLUMNS:
                row.error(name, REQUIRED_EVERY_ROW)
            continue
        try:
            parsed = schemes.resolve(value) if name == "skema" else _PARSERS[name](value)
        except ParseError as exc:
            row.error(name, exc.message)
            row.values[name] = None
            if name in ("nib_peminjam", "nomor_akad"):  # shown in the preview as written
                row.values[name] = clean_text(cell_text(value))[:100]
            continue
        row.values[name] = parsed if parsed != "" else None
        if name in REQUIRED_COLUMNS and row.values[name] is None:
            row.error(name, REQUIRED_EVERY_ROW)
    _check_together(row)
    return row


def _check_together(row: Row) -> None:
    """Columns that go in pairs: the collateral, the tranche, the collectibility's date."""
    failed = {e["column"] for e in row.errors}  # filled in, but wrongly: already reported

    def given(column: str) -> bool:
        return row.values.get(column) is not None or column in failed

    has_kind, has_value = given("jenis_agunan"), given("nilai_agunan")
    if has_kind != has_value or (given("pengikatan_agunan") and not has_kind):
        row.error("nilai_agunan" if has_kind else "jenis_agunan", COLLATERAL_INCOMPLETE)
    has_amount, has_date = given("nilai_pencairan"), given("tanggal_pencairan")
    if has_amount != has_date:
        row.error("tanggal_pencairan" if has_amount else "nilai_pencairan", ENTRY_INCOMPLETE)
    if given("tanggal_kolektibilitas") and not given("kolektibilitas"):
        row.error("tanggal_kolektibilitas", COLLECTIBILITY_DATE_ALONE)


# --- Checking and writing ------------------------------------------------------------------

# Service (model) field → template column; the dates are the row's (see Row.*_column).
_FIELD_COLUMNS = {
    "borrower": "nib_peminjam",
    "scheme": "skema",
    "mou": "nomor_mou",
    "plafon": "plafon",
    "tenor_months": "tenor_bulan",
    "interest_rate": "suku_bunga",
    "rate_type": "jenis_bunga",
    "rate_basis": "basis_bunga",
    "purpose": "tujuan",
    "guarantor": "penjamin",
    "akad_number": "nomor_akad",
    "signed_on": "tanggal_akad",
    # The collateral (its own full_clean, inside akad_apply)
    "kind": "jenis_agunan",
    "value": "nilai_agunan",
    "binding": "pengikatan_agunan",
    "description": "jenis_agunan",
    # The tranche and the collectibility report
    "amount": "nilai_pencairan",
    "disbursed_on": "tanggal_pencairan",
    "collectibility": "kolektibilitas",
    "as_of": "tanggal_kolektibilitas",
}


def _add_service_errors(row: Row, exc: ValidationError, default: str) -> None:
    """A service's refusal as row errors, each next to the column it is about (``default``
    for the step's non-field errors)."""
    columns = {
        **_FIELD_COLUMNS,
        "applied_on": row.applied_column,
        "approved_on": row.approved_column,
    }
    if not row.values.get("tanggal_kolektibilitas"):
        columns["as_of"] = "kolektibilitas"
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            column = default if name == NON_FIELD_ERRORS else columns.get(name, default)
            for error in errors:
                for message in error.messages:
                    row.error(column, message)
    else:
        for message in exc.messages:
            row.error(default, message)


def _shown(column: str, value) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if column == "plafon":
        return services.rupiah(value)
    if column == "suku_bunga":
        return f"{services.percent_text(Decimal(value))}%"
    if isinstance(value, CreditScheme):
        return value.name
    return str(value)


class _Run:
    """Goes through the rows (in the order of their akad date), each in a savepoint,
    recording through the credit services. The caller's transaction decides whether the
    writes are kept."""

    def __init__(self, table, lender: LenderProfile, actor):
        self.table = table
        self.lender = lender
        self.actor = actor
        self.index, self.warnings = map_columns(table.headers)
        self.counts = {
            "rows": 0,
            "new": 0,
            "unchanged": 0,
            "invalid": 0,
            "empty": 0,
            "disbursement": 0,
            "collectibility": 0,
            "plafon": 0,
        }

    def run(self) -> dict:
        schemes = _Schemes()
        parsed = []
        for number, values in self.table.rows:
            row = parse_row(number, values, self.index, schemes)
            if row is None:
                self.counts["empty"] += 1
            else:
                parsed.append(row)
        if self.table.rows:
            first, last = self.table.rows[0][0], self.table.rows[-1][0]
            self.counts["empty"] += (last - first + 1) - len(self.table.rows)
        first_row: dict[str, int] = {}
        for row in parsed:
            if key := _number_key(row.akad_number):
                first = first_row.setdefault(key, row.number)
                if first != row.number:
                    row.error("nomor_akad", AKAD_IN_FILE % {"row": first})
        self._load(parsed)
        todo = []
        for row in parsed:
            existing = self.existing.get(_number_key(row.akad_number))
            if existing is not None and not any(e["column"] == "nomor_akad" for e in row.errors):
                self._compare(row, existing)
                if not row.errors:
                    row.outcome = "unchanged"
                continue
            self._resolve(row)
            if not row.errors:
                todo.append(row)
        for row in sorted(todo, key=lambda r: (r.values["tanggal_akad"], r.number)):
            self._record(row)
        for row in parsed:
            if row.errors:
                row.outcome, row.actions = "invalid", []
            elif not row.outcome:
                row.outcome = "new"
            self.counts["rows"] += 1
            self.counts[row.outcome] += 1
            if row.outcome == "new":
                self.counts["plafon"] += row.values["plafon"]
                for action in ("disbursement", "collectibility"):
                    self.counts[action] += action in row.actions
        return {
            "rows": [r.result() for r in parsed],
            "counts": self.counts,
            "warnings": self.warnings,
        }

    def _load(self, rows: list[Row]) -> None:
        nibs = {r.values["nib_peminjam"] for r in rows if r.values.get("nib_peminjam")}
        self.borrowers = {
            ikm.nib: ikm
            for ikm in IKM.objects.visible_to(self.actor)
            .filter(nib__in=nibs)
            .only("pk", "nib", "name")
        }
        keys = {_number_key(r.akad_number) for r in rows if r.akad_number}
        numbers = AkadKredit.objects.filter(lender=self.lender).exclude(akad_number="")
        found = {}  # number key → pk (the first recorded)
        for pk, number in numbers.order_by("pk").values_list("pk", "akad_number"):
            if (key := _number_key(number)) in keys:
                found.setdefault(key, pk)
        recorded = (
            AkadKredit.objects.filter(pk__in=found.values())
            .select_related("borrower", "scheme", "mou")
            .prefetch_related("disbursements")
            .in_bulk()
        )
        self.existing = {key: recorded[pk] for key, pk in found.items()}

    def _resolve(self, row: Row) -> None:
        """The borrower (an IKM the officer can see) and the MoU (one the borrower is a
        participant of: the service then checks its status)."""
        nib = row.values.get("nib_peminjam")
        if nib and not any(e["column"] == "nib_peminjam" for e in row.errors):
            row.borrower = self.borrowers.get(nib)
            if row.borrower is None:
                row.error("nib_peminjam", IKM_NOT_VISIBLE)
            else:
                row.ikm_name = row.borrower.name
        number = row.values.get("nomor_mou")
        if number and row.borrower is not None:
            mou = (
                MoU.objects.filter(number__iexact=number, participants__ikm=row.borrower)
                .order_by("pk")
                .first()
            )
            if mou is None:
                row.error("nomor_mou", MOU_NOT_FOUND)
            row.values["mou"] = mou

    def _compare(self, row: Row, akad: AkadKredit) -> None:
        """A row about an akad already recorded: it must agree with the record."""
        if row.values.get("nib_peminjam") in (None, akad.borrower.nib):
            row.ikm_name = akad.borrower.name
        number = akad.akad_number
        stored = {
            "nib_peminjam": akad.borrower.nib,
            "tanggal_akad": akad.signed_on,
            "skema": akad.scheme,
            "plafon": akad.plafon,
            "tenor_bulan": akad.tenor_months,
            "suku_bunga": akad.interest_rate,
        }
        for column, value in stored.items():
            given = row.values.get(column)
            if given is None or value is None or given == value:
                continue
            if any(e["column"] == column for e in row.errors):
                continue
            shown = _shown(column, value)
            row.error(column, AKAD_RECORDED_DIFFERS % {"number": number, "value": shown})
        mou_number = row.values.get("nomor_mou")
        if mou_number and not (akad.mou and akad.mou.number.lower() == mou_number.lower()):
            shown = akad.mou.number if akad.mou else str(NO_MOU)
            row.error("nomor_mou", AKAD_RECORDED_DIFFERS % {"number": number, "value": shown})
        tranche = (row.values.get("tanggal_pencairan"), row.values.get("nilai_pencairan"))
        if None not in tranche:
            recorded = {(d.disbursed_on, d.amount) for d in akad.disbursements.all()}
            if tranche not in recorded:
                row.error("nilai_pencairan", AKAD_RECORDED_TRANCHE % {"number": number})
        if row.values.get("kolektibilitas") is not None and akad.collectibility is None:
            row.error("kolektibilitas", AKAD_RECORDED_COLLECTIBILITY % {"number": number})

    def _record(self, row: Row) -> None:
        """The row through the services, in a savepoint: a refused row is undone alone."""
        v = row.values
        collaterals = []
        if v["jenis_agunan"]:
            collaterals.append(
                {
                    "kind": v["jenis_agunan"],
                    "value": v["nilai_agunan"],
                    "binding": v["pengikatan_agunan"] or Collateral.Binding.NOT_BOUND,
                }
            )
        akad_date = v["tanggal_akad"]
        applied_on = v["tanggal_pengajuan"] or v["tanggal_persetujuan"] or akad_date
        approved_on = v["tanggal_persetujuan"] or applied_on
        step = ""  # the column of the step's own refusals ("" for the application's)
        try:
            with transaction.atomic():
                akad = AkadKredit(
                    lender=self.lender,
                    borrower=row.borrower,
                    scheme=v["skema"],
                    mou=v.get("mou"),
                    plafon=v["plafon"],
                    tenor_months=v["tenor_bulan"],
                    interest_rate=v["suku_bunga"],
                    rate_type=v["jenis_bunga"] or AkadKredit.RateType.EFFECTIVE,
                    rate_basis=v["basis_bunga"] or AkadKredit.RateBasis.FIXED,
                    guarantor=v["penjamin"] or AkadKredit.Guarantor.NONE,
                    purpose=v["tujuan"] or "",
                    applied_on=applied_on,
                )
                services.akad_apply(akad=akad, collaterals=collaterals, actor=self.actor)
                step = row.approved_column
                services.akad_approve(akad=akad, approved_on=approved_on, actor=self.actor)
                step = "tanggal_akad"
                services.akad_sign(
                    akad=akad, akad_number=row.akad_number, signed_on=akad_date, actor=self.actor
                )
                actions = ["akad"]
                if v["nilai_pencairan"] is not None:
                    step = "nilai_pencairan"
                    services.akad_disburse(
                        akad=akad,
                        amount=v["nilai_pencairan"],
                        disbursed_on=v["tanggal_pencairan"],
                        actor=self.actor,
                    )
                    actions.append("disbursement")
                if v["kolektibilitas"] is not None:
                    step = "kolektibilitas"
                    services.akad_report_collectibility(
                        akad=akad,
                        collectibility=v["kolektibilitas"],
                        as_of=v["tanggal_kolektibilitas"],
                        actor=self.actor,
                    )
                    actions.append("collectibility")
        except ValidationError as exc:
            _add_service_errors(row, exc, step)
            return
        row.actions = actions


class OutcomeChanged(Exception):
    """:func:`apply` found another outcome than the preview promised; nothing was written.
    ``result`` is the outcome as of now (a fresh preview)."""

    def __init__(self, result: dict):
        super().__init__("The outcome of the import changed since its preview.")
        self.result = result


def planned_rows(result: dict) -> list[int]:
    """The rows a result records (what :func:`apply` is given as ``expected``)."""
    return [r["row"] for r in result["rows"] if r["outcome"] == "new"]


def preview(source, file_name: str, *, lender: LenderProfile, actor) -> dict:
    """Check every row as :func:`apply` would, and write nothing (the writes are made in a
    transaction that is rolled back). Returns ``{"rows", "counts", "warnings"}``. Raises
    :class:`ImportFileError` for a file that cannot be imported at all."""
    table = read(source, file_name)
    with transaction.atomic():
        result = _Run(table, lender, actor).run()
        transaction.set_rollback(True)
    return result


def apply(source, file_name: str, *, lender: LenderProfile, actor, expected=None) -> dict:
    """Check every row against the current database and record the valid ones, in one
    transaction (invalid rows are skipped and reported). With ``expected`` (the row numbers
    the preview would record, :func:`planned_rows`), any other outcome rolls everything
    back and raises :class:`OutcomeChanged`. Any unexpected error rolls back everything and
    propagates."""
    table = read(source, file_name)
    with transaction.atomic():
        LenderProfile.objects.select_for_update().filter(pk=lender.pk).first()  # one at a time
        result = _Run(table, lender, actor).run()
        if expected is not None and sorted(set(expected)) != planned_rows(result):
            raise OutcomeChanged(result)  # leaving the block rolls everything back
    return result


# --- Workbooks -------------------------------------------------------------------------------


def template_workbook() -> bytes:
    """Sheet "Akad" (the header row, required columns shaded; identifier columns formatted
    as text), "Petunjuk" (instructions in Indonesian, each column with an example) and
    "Referensi" (the schemes and the accepted words)."""
    workbook = Workbook()
    add_header_sheet(workbook, title=DATA_SHEET, columns=COLUMNS, text_columns=_TEXT_COLUMNS)
    lines = [
        "Petunjuk impor akad kredit",
        "",
        "1. Isi lembar Akad mulai baris 2, satu akad per baris. Baris 1 berisi nama kolom "
        "(urutan bebas; kolom lain diabaikan).",
        "2. Kolom berwarna kuning (bertanda * di bawah) wajib ada dan wajib diisi di setiap "
        "baris. Akad dicatat atas nama lembaga Anda.",
        "3. Setiap baris dicatat seperti di layar: pengajuan, persetujuan, penandatanganan "
        "akad, lalu (bila diisi) satu pencairan dan laporan kolektibilitas. Batas skema "
        "(plafon dan suku bunga KUR menurut akses ke berapa) dan urutan tanggal diperiksa.",
        "4. Akad yang sudah tercatat untuk lembaga Anda dengan isi yang sama dilewati; bila isinya "
        "berbeda, baris ditolak (impor tidak pernah mengubah akad yang sudah tercatat). "
        "Mengunggah berkas yang sama dua kali tidak mengubah apa pun.",
        "5. Berkas diperiksa dulu tanpa menyimpan apa pun. Baris yang salah tidak diimpor: "
        "unduh berkas kesalahan (kolom kesalahan), perbaiki, lalu unggah lagi.",
        "6. Rumus tidak dihitung: tulis nilainya. Berkas dengan makro ditolak.",
    ]
    add_guide_sheet(workbook, lines=lines, columns=COLUMNS, example_width=24)

    reference = workbook.create_sheet("Referensi")

    def block(header, rows):
        append_block(reference, header, rows)

    block(
        ["Skema (kode)", "Nama", "Plafon minimum (Rp)", "Plafon maksimum (Rp)", "Bunga maks. (%)"],
        CreditScheme.objects.filter(is_active=True)
        .order_by("kind", "min_plafon", "code")
        .values_list("code", "name", "min_plafon", "max_plafon", "max_rate"),
    )
    block(
        ["Jenis agunan"],
        [["tanah dan bangunan"], ["kendaraan"], ["mesin"], ["persediaan"], ["piutang"],
         ["deposito"], ["lainnya"]],
    )  # fmt: skip
    block(
        ["Pengikatan agunan"],
        [["fidusia"], ["hak tanggungan"], ["gadai"], ["cessie"], ["belum diikat"]],
    )
    block(["Penjamin"], [["Jamkrindo"], ["Askrindo"], ["lainnya"], ["(kosong: tanpa penjamin)"]])
    block(["Jenis bunga"], [["efektif"], ["flat"]])
    block(["Basis bunga"], [["tetap"], ["mengambang"]])
    block(
        ["Kolektibilitas", "Arti"],
        [[1, "lancar"], [2, "dalam perhatian khusus"], [3, "kurang lancar"], [4, "diragukan"],
         [5, "macet"]],
    )  # fmt: skip
    for letter, width in (("A", 22), ("B", 40), ("C", 20), ("D", 20), ("E", 16)):
        reference.column_dimensions[letter].width = width
    return xlsx_bytes(workbook)


def error_workbook(source, file_name: str, results: list[dict]) -> bytes:
    """The invalid rows with the file's own columns plus ``kesalahan`` (each error:
    "column: message"), to fix and upload again
    (:func:`ikm.importing.workbooks.error_rows_workbook`)."""
    try:
        table = read(source, file_name)
    except ImportFileError:
        table = None
    invalid = {r["row"]: r for r in results if r.get("outcome") == "invalid"}
    return error_rows_workbook(sheet_name=DATA_SHEET, table=table, results=invalid)
