"""Importing purchase orders, their deliveries and their payments from a spreadsheet (.xlsx
or .csv) into an MoU's realisation ledger.

One row per event: a row names a PO (``nomor_po``, ``nib_ikm``) and may carry the PO's own
columns, a delivery, a payment, or several of them. A PO number may repeat on later rows to
add more deliveries and payments; its PO columns there may be left empty (if filled, they
must agree with the first row or with the recorded PO).

Guarantees (those of the IKM registry import, ``ikm.importing``):

* dry run first (:func:`preview`): every row gets an outcome (``record`` with what it
  records, ``unchanged``, ``invalid`` with its errors per column); nothing is written;
* :func:`apply` checks every row again against the current database and writes the valid
  rows in one transaction (each row in a savepoint: an invalid row is rolled back alone and
  reported; an unexpected database error rolls everything back);
* idempotent by PO number: a PO already recorded for this buyer is not recorded again, and a
  delivery or payment identical by (PO, date, value, reference) to one already recorded is
  ``unchanged``; re-importing the same file changes nothing;
* the writes are the ledger's own services (:mod:`kemitraan.realisation`), so the rules
  (who may record, dates, totals ≤ PO value) are the same as on screen.

Rows whose template cells are all empty are ignored and counted (``counts["empty"]``),
together with the blank rows between the first and the last data row.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from ikm.importing import (
    FILE_UNREADABLE,
    ImportFileError,
    header_key,
    read_table,
)
from ikm.importing import map_columns as map_ikm_columns
from ikm.importing.reading import (
    find_formula,
    formula_error,
    looks_like_formula,
    source_bytes,
)
from ikm.importing.workbooks import (
    add_guide_sheet,
    add_header_sheet,
    error_rows_workbook,
    xlsx_bytes,
)
from ikm.models import IKM
from ikm.parsing import (
    ParseError,
    cell_text,
    clean_text,
    is_blank,
    parse_int,
    parse_money,
    parse_nib_cell,
    parse_text,
)

from . import realisation
from .models import Delivery, MoU, MouParticipant, Payment, PurchaseOrder

logger = logging.getLogger("kemitraan.po_import")

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
# What a workbook may unpack to (5 000 rows unpack to a few MB): more is a zip bomb.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
DATA_SHEET = "PO"

# --- Messages ----------------------------------------------------------------------------

FILE_TOO_LARGE = _("The file is larger than 5 MB; split it into smaller files.")
FILE_TOO_MANY_ROWS = _(
    "The file has %(rows)s rows; at most %(max)s can be imported at once: split it."
)
REQUIRED_EVERY_ROW = _(
    "Required on every row (a merged cell is read on its first row only): fill in this column."
)
DATE_INVALID = _("Date not recognised: write it as 17/08/2026, 2026-08-17 or 17 Agustus 2026.")
DATE_TWO_DIGIT_YEAR = _("Write the year with four digits, such as 17/08/2026.")
DATE_DOES_NOT_EXIST = _("This date does not exist (day %(day)s of month %(month)s).")
FORMULA_NOT_ALLOWED = _(
    "The cell holds a formula (%(formula)s), which is not computed: write the value itself."
)
TERMS_RANGE = _("Payment terms must be between 0 and 365 days.")
ENTRY_INCOMPLETE = _("Fill in both the date and the value, or leave both empty.")
IKM_UNKNOWN = _("No IKM with this NIB is in the registry.")
IKM_NOT_PARTICIPANT = _("This IKM is not a participant of this MoU.")
PO_OTHER_MOU = _("This PO number is already recorded under another MoU of this buyer (%(mou)s).")
PO_OTHER_IKM = _("PO %(number)s is recorded for another IKM (NIB %(nib)s).")
PO_FIELD_DIFFERS = _(
    "PO %(number)s is already recorded with %(value)s; a recorded PO cannot be changed by "
    "an import."
)
PO_FIELD_DIFFERS_IN_FILE = _("Differs from row %(row)s, which has %(value)s for the same PO.")
PO_NEEDS_FIELDS = _("Required for a new PO: fill in this column.")
PO_NOT_RECORDED = _("PO %(number)s is not recorded: its first row (%(row)s) has errors.")
ENTRY_REPEATED = _(
    "The same %(kind)s (date, value, reference) is already in row %(row)s of the file."
)
DELIVERY = _("delivery")
PAYMENT = _("payment")

# --- Columns -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str  # Indonesian, for the instructions sheet
    example: str


COLUMNS = (
    Column(
        "nomor_po",
        True,
        "Nomor PO, wajib di setiap baris. Nomor yang sama di beberapa baris = PO yang sama "
        "(baris berikutnya menambah pengiriman/pembayaran).",
        "PO/2026/0001",
    ),
    Column(
        "nib_ikm",
        True,
        "NIB (13 digit) IKM peserta MoU ini, wajib di setiap baris. Format kolom sebagai Teks.",
        "9120001234567",
    ),
    Column(
        "tanggal_po",
        False,
        "Tanggal PO: 17/08/2026, 2026-08-17 atau 17 Agustus 2026. Wajib untuk PO baru.",
        "17/08/2026",
    ),
    Column(
        "nilai_po",
        False,
        'Nilai PO dalam rupiah: 150000000, 150.000.000, "Rp150.000.000", "150 juta", '
        '"1,5 miliar". Wajib untuk PO baru.',
        "Rp150.000.000",
    ),
    Column(
        "termin_hari", False, "Termin pembayaran (hari sejak pengiriman), 0-365. Kosong = 30.", "30"
    ),
    Column("uraian", False, "Uraian barang yang dipesan.", "Bracket knalpot 2.000 pcs"),
    Column(
        "tanggal_kirim",
        False,
        "Tanggal pengiriman (isi bersama nilai_kirim). Tidak boleh sebelum tanggal PO.",
        "24/08/2026",
    ),
    Column("nilai_kirim", False, "Nilai barang yang dikirim, rupiah.", "75 juta"),
    Column("surat_jalan", False, "Nomor surat jalan (boleh kosong).", "SJ-0815"),
    Column(
        "tanggal_bayar",
        False,
        "Tanggal pembayaran (isi bersama nilai_bayar). Tidak boleh sebelum tanggal PO.",
        "20/09/2026",
    ),
    Column("nilai_bayar", False, "Nilai yang dibayar, rupiah.", "75.000.000"),
    Column("referensi_bayar", False, "Referensi pembayaran (boleh kosong).", "TRF-2026-0920"),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED_COLUMNS = tuple(c.name for c in COLUMNS if c.required)
_ALIASES = {
    "no_po": "nomor_po",
    "nomor_purchase_order": "nomor_po",
    "po": "nomor_po",
    "nib": "nib_ikm",
    "nib_peserta": "nib_ikm",
    "termin": "termin_hari",
    "no_surat_jalan": "surat_jalan",
    "referensi_pembayaran": "referensi_bayar",
}

# Service field → template column, per kind of record.
_PO_FIELDS = {
    "number": "nomor_po",
    "order_date": "tanggal_po",
    "value": "nilai_po",
    "payment_terms_days": "termin_hari",
    "description": "uraian",
}
_DELIVERY_FIELDS = {"date": "tanggal_kirim", "value": "nilai_kirim", "reference": "surat_jalan"}
_PAYMENT_FIELDS = {"date": "tanggal_bayar", "value": "nilai_bayar", "reference": "referensi_bayar"}


def _header_key(header: str) -> str:
    return header_key(header, _ALIASES)


def map_columns(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    """Template column → position, and warnings for ignored columns (the registry's
    header mapping with this template's columns and aliases)."""
    return map_ikm_columns(headers, known=COLUMN_NAMES, required=REQUIRED_COLUMNS, aliases=_ALIASES)


def read(source, file_name: str):
    """The file as a ``ikm.importing.Table`` (the registry's safe reader: the file is
    checked first, with :data:`MAX_UNPACKED_BYTES` for a workbook; formulas are never
    evaluated); raises :class:`ImportFileError`, also for more than :data:`MAX_ROWS` rows,
    for text that a spreadsheet would run as a formula (CSV injection: the whole file is
    refused; a formula cell, and the neutralised "'=..." that error workbooks write, are
    refused on their row by :func:`check_formula`), and for any failure of the spreadsheet
    library on a hostile file (which is logged)."""
    try:
        data = source_bytes(source)
        table = read_table(
            data, file_name, max_rows=MAX_ROWS, max_unpacked_bytes=MAX_UNPACKED_BYTES
        )
        found = find_formula(data, file_name, formula_cells=False, quoted=False, table=table)
    except ImportFileError:
        raise
    except Exception as exc:  # a malformed workbook can break openpyxl in many ways
        # Never the file's name: it may hold personal data.
        logger.warning("Unreadable PO import file (%d bytes)", len(data), exc_info=True)
        raise ImportFileError(FILE_UNREADABLE) from exc
    if found is not None:
        raise formula_error(found)
    return table


# --- Cell parsers --------------------------------------------------------------------------

_MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "pebruari": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11, "nop": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip
_DATE_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
_DATE_WORDS = re.compile(r"^(\d{1,2})[\s\-/.]*([a-z]+)\.?[\s\-/.,]*(\d{2}|\d{4})$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Serial numbers of 1 Jan 1950 .. 31 Dec 2099: a plausible order date, never a year.
_SERIAL_RANGE = (18264, 73050)


def check_formula(value) -> None:
    """A formula cell, or text a spreadsheet would run as one (``=…``, ``@…``,
    ``+cmd|…``), is refused on its row: never computed, never stored."""
    if looks_like_formula(value):
        raise ParseError(FORMULA_NOT_ALLOWED % {"formula": clean_text(value)[:40]})


def _plain_text(limit: int | None = None, *, multiline: bool = False):
    def parse(value) -> str:
        check_formula(value)
        text = parse_text(value, multiline=multiline)
        return text[:limit] if limit else text

    return parse


def _date(year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise ParseError(DATE_DOES_NOT_EXIST % {"day": day, "month": month}) from exc


def parse_date(value) -> datetime.date | None:
    """A date from a date cell, an Excel serial number (45886), "2026-08-17",
    "17/08/2026" (day first, as written in Indonesia), "17-08-2026", "17.08.2026",
    "17 Agustus 2026", "17 Agu 2026" or "17 Aug 2026". Empty gives None."""
    if is_blank(value):
        return None
    check_formula(value)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ParseError(DATE_INVALID)
    if isinstance(value, int | float):
        if float(value).is_integer() and _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ParseError(DATE_INVALID)
    text = clean_text(cell_text(value)).lower()
    if re.fullmatch(r"\d{5}", text) and _SERIAL_RANGE[0] <= int(text) <= _SERIAL_RANGE[1]:
        return _EXCEL_EPOCH + datetime.timedelta(days=int(text))  # a serial typed as text
    if match := _DATE_ISO.match(text):
        return _date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DATE_DMY.match(text):
        if len(match[3]) == 2:
            raise ParseError(DATE_TWO_DIGIT_YEAR)
        return _date(int(match[3]), int(match[2]), int(match[1]))
    if (match := _DATE_WORDS.match(text)) and match[2] in _MONTHS:
        if len(match[3]) == 2:
            raise ParseError(DATE_TWO_DIGIT_YEAR)
        return _date(int(match[3]), _MONTHS[match[2]], int(match[1]))
    raise ParseError(DATE_INVALID)


def money_cell(value):
    check_formula(value)
    return parse_money(value)


def _terms(value):
    check_formula(value)
    days = parse_int(value)
    if days is not None and days > 365:
        raise ParseError(TERMS_RANGE)
    return days


def _identifier(value) -> str:
    check_formula(value)
    return parse_text(value)[:100]


def nib_cell(value) -> str:
    check_formula(value)
    return parse_nib_cell(value)


_PARSERS = {
    "nomor_po": _identifier,
    "nib_ikm": nib_cell,
    "tanggal_po": parse_date,
    "nilai_po": money_cell,
    "termin_hari": _terms,
    "uraian": _plain_text(multiline=True),
    "tanggal_kirim": parse_date,
    "nilai_kirim": money_cell,
    "surat_jalan": _plain_text(100),
    "tanggal_bayar": parse_date,
    "nilai_bayar": money_cell,
    "referensi_bayar": _plain_text(100),
}

# --- Rows ----------------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    values: dict = field(default_factory=dict)  # column → parsed value (None when empty)
    errors: list[dict] = field(default_factory=list)
    outcome: str = ""  # "record" | "unchanged" | "invalid"
    actions: list[str] = field(default_factory=list)  # "po", "delivery", "payment"
    delivery: tuple | None = None  # (date, value, reference)
    payment: tuple | None = None

    def error(self, column: str, message) -> None:
        self.errors.append({"column": column, "message": str(message)})

    @property
    def po_number(self) -> str:
        return self.values.get("nomor_po") or ""

    def result(self) -> dict:
        return {
            "row": self.number,
            "nomor_po": self.po_number,
            "nib": self.values.get("nib_ikm") or "",
            "outcome": self.outcome,
            "actions": self.actions,
            "errors": self.errors,
        }


def _entry(row: Row, date_col: str, value_col: str, ref_col: str):
    """(date, value, reference) of the row's delivery or payment, None when absent."""
    date, value, ref = (row.values.get(c) for c in (date_col, value_col, ref_col))
    if date is None and value is None:
        if ref:
            row.error(date_col, ENTRY_INCOMPLETE)
        return None
    if date is None or value is None:
        row.error(date_col if date is None else value_col, ENTRY_INCOMPLETE)
        return None
    return (date, value, ref or "")


def parse_row(number: int, values: list, index: dict[str, int]) -> Row | None:
    """A row's cells parsed (no database); None for a row without any template value."""
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
            parsed = _PARSERS[name](value)
        except ParseError as exc:
            row.error(name, exc.message)
            row.values[name] = None
            if name == "nib_ikm":
                row.values[name] = clean_text(cell_text(value))[:30]
            continue
        row.values[name] = parsed if parsed != "" else None
        if name in REQUIRED_COLUMNS and not parsed:
            row.error(name, REQUIRED_EVERY_ROW)
    row.delivery = _entry(row, "tanggal_kirim", "nilai_kirim", "surat_jalan")
    row.payment = _entry(row, "tanggal_bayar", "nilai_bayar", "referensi_bayar")
    return row


# --- Checking and writing ------------------------------------------------------------------

_PO_COLUMNS = {
    "tanggal_po": "order_date",
    "nilai_po": "value",
    "termin_hari": "payment_terms_days",
    "uraian": "description",
}


def _shown(column: str, value) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if column == "nilai_po":
        return realisation._rp(value)
    return str(value) if value not in (None, "") else "—"


def _add_service_errors(row: Row, exc: ValidationError, columns: dict[str, str]) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            column = "" if name == NON_FIELD_ERRORS else columns.get(name, "")
            for error in errors:
                for message in error.messages:
                    row.error(column, message)
    else:
        for message in exc.messages:
            row.error("", message)


@dataclass
class _FilePo:
    """A PO as known while going through the file."""

    po: PurchaseOrder  # recorded before this run, or by an earlier row of the file
    nib: str
    first_row: int
    fields: dict  # column → value, as recorded or as in its first row
    in_db: bool
    recorded: dict = field(default_factory=lambda: {"delivery": set(), "payment": set()})
    seen: dict = field(default_factory=lambda: {"delivery": {}, "payment": {}})


class _Run:
    """Goes through the rows in file order, each in a savepoint, recording through the
    ledger's services. The caller's transaction decides whether the writes are kept."""

    def __init__(self, table, mou: MoU, actor):
        self.table = table
        self.mou = mou
        self.actor = actor
        self.index, self.warnings = map_columns(table.headers)
        self.pos: dict[str, _FilePo] = {}
        self.failed_pos: dict[str, int] = {}  # PO number → first row, when that row failed
        self.counts = {
            "rows": 0,
            "record": 0,
            "unchanged": 0,
            "invalid": 0,
            "empty": 0,
            "po": 0,
            "delivery": 0,
            "payment": 0,
        }

    def run(self) -> dict:
        parsed = []
        for number, values in self.table.rows:
            row = parse_row(number, values, self.index)
            if row is None:
                self.counts["empty"] += 1
            else:
                parsed.append(row)
        if self.table.rows:
            first, last = self.table.rows[0][0], self.table.rows[-1][0]
            self.counts["empty"] += (last - first + 1) - len(self.table.rows)
        self._load(parsed)
        for row in parsed:
            if not row.errors:
                self._check(row)
            row.outcome = "invalid" if row.errors else ("record" if row.actions else "unchanged")
            if row.outcome == "invalid":
                row.actions = []
            self.counts["rows"] += 1
            self.counts[row.outcome] += 1
            for action in row.actions:
                self.counts[action] += 1
        return {
            "rows": [r.result() for r in parsed],
            "counts": self.counts,
            "warnings": self.warnings,
        }

    def _load(self, rows: list[Row]) -> None:
        nibs = {r.values["nib_ikm"] for r in rows if r.values.get("nib_ikm")}
        self.participants = {
            p.ikm.nib: p
            for p in MouParticipant.objects.filter(mou=self.mou, ikm__nib__in=nibs).select_related(
                "ikm"
            )
        }
        self.known_nibs = set(IKM.objects.filter(nib__in=nibs).values_list("nib", flat=True))
        numbers = {r.po_number for r in rows if r.po_number}
        self.existing = {
            po.number: po
            for po in PurchaseOrder.objects.filter(
                buyer_id=self.mou.buyer_id, number__in=numbers
            ).select_related("participant__ikm", "participant__mou")
        }
        entries = defaultdict(lambda: {"delivery": set(), "payment": set()})
        ids = [po.pk for po in self.existing.values()]
        for kind, model in (("delivery", Delivery), ("payment", Payment)):
            for po_id, date, value, ref in model.objects.filter(
                purchase_order_id__in=ids
            ).values_list("purchase_order_id", "date", "value", "reference"):
                entries[po_id][kind].add((date, value, ref))
        self.existing_entries = entries

    def _file_po(self, row: Row) -> _FilePo | None:
        """The PO the row is about (known from the database or an earlier row), or None
        for a new one; adds errors when it cannot be used."""
        number, nib = row.po_number, row.values["nib_ikm"]
        known = self.pos.get(number)
        if known is None and number in self.existing:
            po = self.existing[number]
            if po.participant.mou_id != self.mou.pk:
                row.error("nomor_po", PO_OTHER_MOU % {"mou": po.participant.mou.number})
                return None
            known = self.pos[number] = _FilePo(
                po=po,
                nib=po.participant.ikm.nib,
                first_row=0,
                fields={c: getattr(po, f) for c, f in _PO_COLUMNS.items()},
                in_db=True,
                recorded=self.existing_entries[po.pk],
            )
        if known is None:
            return None
        if known.nib != nib:
            row.error("nib_ikm", PO_OTHER_IKM % {"number": number, "nib": known.nib})
        for column, stored in known.fields.items():
            given = row.values.get(column)
            if given is None or given == stored:
                continue
            if column == "uraian" and clean_text(given) == clean_text(stored):
                continue
            if known.in_db:
                message = PO_FIELD_DIFFERS % {"number": number, "value": _shown(column, stored)}
            else:
                message = PO_FIELD_DIFFERS_IN_FILE % {
                    "row": known.first_row,
                    "value": _shown(column, stored),
                }
            row.error(column, message)
        return known

    def _check(self, row: Row) -> None:
        number, nib = row.po_number, row.values["nib_ikm"]
        participant = self.participants.get(nib)
        if participant is None:
            row.error("nib_ikm", IKM_NOT_PARTICIPANT if nib in self.known_nibs else IKM_UNKNOWN)
            return
        if number in self.failed_pos and number not in self.pos:
            row.error(
                "nomor_po",
                PO_NOT_RECORDED % {"number": number, "row": self.failed_pos[number]},
            )
            return
        known = self._file_po(row)
        if row.errors:
            return
        if known is None:
            for column in ("tanggal_po", "nilai_po"):
                if row.values.get(column) is None:
                    row.error(column, PO_NEEDS_FIELDS)
        # Entries: repeated in the file → refused; already recorded → unchanged.
        todo = {}
        for kind, entry in (("delivery", row.delivery), ("payment", row.payment)):
            if entry is None:
                continue
            if known is not None and entry in known.seen[kind]:
                label = DELIVERY if kind == "delivery" else PAYMENT
                columns = _DELIVERY_FIELDS if kind == "delivery" else _PAYMENT_FIELDS
                row.error(
                    columns["date"],
                    ENTRY_REPEATED % {"kind": label, "row": known.seen[kind][entry]},
                )
            elif known is None or entry not in known.recorded[kind]:
                todo[kind] = entry
        if row.errors:
            if known is None:
                self.failed_pos.setdefault(number, row.number)
            return
        try:
            with transaction.atomic():  # a savepoint: a refused row is undone alone
                po = known.po if known else None
                if known is None:
                    po = realisation.purchase_order_record(
                        participant=participant,
                        number=number,
                        order_date=row.values["tanggal_po"],
                        value=row.values["nilai_po"],
                        payment_terms_days=(
                            30 if row.values["termin_hari"] is None else row.values["termin_hari"]
                        ),
                        description=row.values["uraian"] or "",
                        actor=self.actor,
                    )
                    row.actions.append("po")
                for kind, service, columns in (
                    ("delivery", realisation.delivery_record, _DELIVERY_FIELDS),
                    ("payment", realisation.payment_record, _PAYMENT_FIELDS),
                ):
                    if kind not in todo:
                        continue
                    date, value, reference = todo[kind]
                    try:
                        service(
                            purchase_order=po,
                            date=date,
                            value=value,
                            reference=reference,
                            actor=self.actor,
                        )
                    except ValidationError as exc:
                        _add_service_errors(row, exc, columns)
                        raise
                    row.actions.append(kind)
        except ValidationError as exc:
            if not row.errors:  # raised by the PO itself
                _add_service_errors(row, exc, _PO_FIELDS)
            row.actions = []
            if known is None:
                self.failed_pos.setdefault(number, row.number)
            return
        if known is None:
            known = self.pos[number] = _FilePo(
                po=po,
                nib=nib,
                first_row=row.number,
                fields={
                    "tanggal_po": po.order_date,
                    "nilai_po": po.value,
                    "termin_hari": po.payment_terms_days,
                    "uraian": po.description,
                },
                in_db=False,
            )
        for kind in ("delivery", "payment"):
            entry = getattr(row, kind)
            if entry is not None:
                known.seen[kind].setdefault(entry, row.number)


def preview(source, file_name: str, *, mou: MoU, actor) -> dict:
    """Check every row as :func:`apply` would, and write nothing (the writes are made in a
    transaction that is rolled back). Returns ``{"rows", "counts", "warnings"}``. Raises
    :class:`ImportFileError` for a file that cannot be imported at all."""
    table = read(source, file_name)
    with transaction.atomic():
        result = _Run(table, mou, actor).run()
        transaction.set_rollback(True)
    return result


def apply(source, file_name: str, *, mou: MoU, actor) -> dict:
    """Check every row against the current database and record the valid ones, in one
    transaction (invalid rows are skipped and reported). Any unexpected error rolls back
    everything and propagates."""
    table = read(source, file_name)
    with transaction.atomic():
        MoU.objects.select_for_update().filter(pk=mou.pk).first()  # one import per MoU
        return _Run(table, mou, actor).run()


# --- Workbooks -------------------------------------------------------------------------------


def template_workbook() -> bytes:
    """Sheet "PO" (the header row; text columns formatted as text) and "Petunjuk"
    (instructions in Indonesian, with an example)."""
    workbook = Workbook()
    add_header_sheet(
        workbook,
        title=DATA_SHEET,
        columns=COLUMNS,
        text_columns=("nomor_po", "nib_ikm", "surat_jalan", "referensi_bayar"),
    )
    lines = [
        "Petunjuk impor PO, pengiriman dan pembayaran",
        "",
        "1. Isi lembar PO mulai baris 2. Baris 1 berisi nama kolom (urutan bebas).",
        "2. Satu baris per kejadian: baris pertama sebuah nomor PO mencatat PO-nya (dan boleh "
        "sekaligus pengiriman/pembayaran); baris berikutnya dengan nomor PO yang sama "
        "menambah pengiriman atau pembayaran.",
        "3. nomor_po dan nib_ikm wajib di setiap baris. IKM harus peserta MoU ini.",
        "4. PO yang sudah tercatat tidak diubah; pengiriman atau pembayaran yang sama persis "
        "(tanggal, nilai, referensi) dengan yang sudah tercatat dilewati. Mengunggah berkas "
        "yang sama dua kali tidak mengubah apa pun.",
        "5. Berkas diperiksa dulu tanpa menyimpan apa pun. Baris yang salah tidak diimpor: "
        "unduh berkas kesalahan (kolom kesalahan), perbaiki, lalu unggah lagi.",
        "6. Rumus tidak dihitung: tulis nilainya.",
    ]
    add_guide_sheet(workbook, lines=lines, columns=COLUMNS, example_width=24)
    return xlsx_bytes(workbook)


def error_workbook(source, file_name: str, results: list[dict]) -> bytes:
    """The invalid rows with the file's own columns plus ``kesalahan``, to fix and upload
    again (:func:`ikm.importing.workbooks.error_rows_workbook`)."""
    try:
        table = read(source, file_name)
    except ImportFileError:
        table = None
    invalid = {r["row"]: r for r in results if r.get("outcome") == "invalid"}
    return error_rows_workbook(sheet_name=DATA_SHEET, table=table, results=invalid)
