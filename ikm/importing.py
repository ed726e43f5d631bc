"""Bulk import and export of IKM through spreadsheets (.xlsx and .csv).

The flow: an upload becomes an :class:`~ikm.models.ImportJob` (``import_job_create``,
status ``queued``); ``ikm_import_preview`` (Celery: ``ikm.tasks.ikm_import_preview_task``)
checks every row and writes nothing (``previewing`` → ``preview_ready``); after the user
confirms, ``ikm_import_apply`` (``ikm.tasks.ikm_import_apply_task``) checks every row again
against the current database and writes the valid ones in one transaction (``importing`` →
``done``). A file-level problem or a crash ends in ``failed`` with ``error_message`` set,
and nothing written. Rows are upserted by NIB; invalid rows are never written.

Public functions (all take and return plain values or model instances):

- ``read_table(source, file_name) -> Table``
- ``import_job_create(*, uploaded_file, actor) -> ImportJob``
- ``ikm_import_preview(*, job, source=None) -> ImportJob``
- ``ikm_import_apply(*, job, actor, source=None) -> ImportJob``
- ``import_job_progress(job) -> dict``
- ``template_workbook() -> bytes``, ``error_workbook(job, *, source=None) -> bytes``
- ``export_ikm(queryset, fmt) -> bytes``

Row results (``ImportJob.rows``, one per non-empty row, in file order)::

    {"row": 7,                 # spreadsheet row number; the header is row 1
     "nib": "9120001234567",   # as parsed, or the cell text when it is not a valid NIB
     "name": "CV Maju Jaya",
     "action": "create" | "update" | "unchanged" | "invalid",
     "errors": [{"column": "npwp", "message": "..."}],   # column "" for a row-level error
     "changes": ["nilai_investasi", "kbli"]}             # template columns changed (update)

``ImportJob.counts`` is ``{"create": n, "update": n, "unchanged": n, "invalid": n}`` (what the
preview would do, then what the import did); ``ImportJob.warnings`` holds file-level warnings
(strings). Messages are rendered in the language active while the job runs (Indonesian in
the Celery worker).

Updates change only the fields whose columns are in the file: a column left out keeps the
stored values, an empty cell in a present column clears an optional field. Certificates
named in ``sertifikasi`` are added (type only, no dates) when the IKM has no valid one of
that type; certificates are never deleted. KBLI codes and processes are set to the file's
list when the column is present. A row that changes nothing writes nothing.
"""

import contextlib
import csv
import hashlib
import io
import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.db.models import CheckConstraint, Prefetch
from django.db.models.sql import Query
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import IKM, Certificate, ImportJob, Kbli, ProcessCapability
from .parsing import (
    CERTIFICATION_INACTIVE,
    KBLI_INACTIVE,
    PROCESS_INACTIVE,
    REQUIRED,
    CertType,
    ParseError,
    PercentNumber,
    ReferenceData,
    cell_text,
    clean_text,
    is_blank,
    neutralise_formula,
    parse_email,
    parse_int,
    parse_legal_form,
    parse_money,
    parse_nib_cell,
    parse_npwp_cell,
    parse_percent,
    parse_phone,
    parse_text,
    parse_year,
    resolve_certification_types,
    resolve_kbli,
    resolve_processes,
    resolve_province,
    resolve_regency,
)

logger = logging.getLogger(__name__)

CHUNK_SIZE = 250  # rows checked (and written) together; progress is reported per chunk
MAX_ROWS = 20_000
MAX_FILE_BYTES = 20 * 1024 * 1024
PROGRESS_CACHE_TIMEOUT = 6 * 60 * 60

FILE_TYPE = _("Only .xlsx or .csv files can be imported.")
FILE_XLS = _(
    "Old .xls workbooks cannot be read: save the file as .xlsx (Excel Workbook) and upload "
    "it again."
)
FILE_UNREADABLE = _("The file cannot be read as an .xlsx workbook or a .csv file.")
FILE_NO_HEADER = _(
    "The file has no header row: the first row must hold the column names of the template."
)
FILE_TOO_LARGE = _("The file is larger than 20 MB; split it into smaller files.")
FILE_TOO_MANY_ROWS = _(
    "The file has %(rows)s rows; at most %(max)s can be imported at once: split it."
)
FILE_ALREADY_RUNNING = _("This file is already being processed.")
COLUMNS_MISSING = _(
    "Required column(s) missing: %(columns)s. Use the column names of the template."
)
COLUMN_REPEATED = _('The column "%(column)s" appears more than once.')
COLUMN_UNKNOWN = _('The column "%(column)s" is not in the template and was ignored.')
DUPLICATE_NIB = _("This NIB already appears in row %(row)s of the file.")
IMPORT_CRASHED = _(
    "The work stopped because of an unexpected error (%(error)s); nothing was written. "
    "Try again, or ask an administrator."
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERROR_COLUMN = "kesalahan"
DATA_SHEET = "IKM"


@dataclass(frozen=True)
class Column:
    """A template column: its header, the IKM field it fills and its instructions."""

    name: str
    field: str  # IKM attribute, or "kbli" / "processes" / "certificates"
    required: bool
    description: str  # Indonesian, for the instructions sheet
    example: str


COLUMNS = (
    Column("nama_usaha", "name", True, "Nama usaha (maks. 200 karakter).", "CV Logam Presisi"),
    Column(
        "nib",
        "nib",
        True,
        "Nomor Induk Berusaha dari OSS, 13 digit. Format kolom sebagai Teks agar angka 0 di "
        "depan tidak hilang. Baris dengan NIB yang sudah terdaftar memperbarui data IKM itu.",
        "9120001234567",
    ),
    Column(
        "bentuk_usaha",
        "legal_form",
        False,
        "PT, CV, UD, Firma (Fa), Koperasi, Perorangan atau Lainnya. Kosong = Perorangan.",
        "CV",
    ),
    Column(
        "npwp",
        "npwp",
        False,
        "15 atau 16 digit, boleh dengan tanda baca (01.234.567.8-901.000). Format sebagai Teks.",
        "0012345678901000",
    ),
    Column(
        "tahun_berdiri",
        "year_founded",
        False,
        "Tahun, 4 digit (atau tanggal: yang diambil tahunnya). Tidak boleh di masa depan.",
        "2008",
    ),
    Column("alamat", "address", False, "Alamat lengkap.", "Jl. Industri No. 5, Cikarang"),
    Column(
        "provinsi",
        "province_id",
        True,
        'Kode (32) atau nama provinsi ("Jawa Barat", "DKI Jakarta", "DI Yogyakarta").',
        "Jawa Barat",
    ),
    Column(
        "kabupaten_kota",
        "regency_id",
        True,
        'Kode (32.16) atau nama dengan awalan: "Kabupaten Bekasi", "Kab. Bekasi", '
        '"Kota Bekasi". Nama tanpa awalan ("Bekasi") ditolak bila ada kabupaten dan kota '
        "bernama sama. Harus terletak di provinsi yang ditulis.",
        "Kab. Bekasi",
    ),
    Column(
        "kbli",
        "kbli",
        True,
        "Satu atau lebih kode KBLI 2020 (5 digit), dipisah koma atau titik koma. Lihat "
        "lembar Referensi.",
        "29300, 25910",
    ),
    Column(
        "proses",
        "processes",
        True,
        "Satu atau lebih kemampuan proses, dipisah koma atau titik koma: nama Indonesia, "
        "nama Inggris atau kode (pemesinan, stamping, injeksi plastik, wire harness...). "
        "Lihat lembar Referensi.",
        "stamping; pengelasan",
    ),
    Column("produk", "products", True, "Produk yang dibuat.", "Bracket knalpot, dudukan mesin"),
    Column("bahan", "materials", False, "Bahan baku utama.", "Plat baja SPCC"),
    Column(
        "sertifikasi",
        "certificates",
        False,
        "Sertifikat yang dimiliki, dipisah koma: ISO 9001, IATF 16949, ISO 14001, ISO 45001, "
        "SNI, SMK3, TKDN. Dicatat tanpa tanggal (tanggal dilengkapi kemudian). Impor hanya "
        "menambah sertifikat, tidak pernah menghapus.",
        "ISO 9001:2015, TKDN",
    ),
    Column(
        "kapasitas_per_bulan",
        "monthly_capacity",
        False,
        "Kapasitas produksi per bulan, bilangan bulat.",
        "20000",
    ),
    Column("satuan", "capacity_unit", False, "Satuan kapasitas (pcs, set, kg...).", "pcs"),
    Column(
        "jumlah_tenaga_kerja",
        "workforce",
        True,
        "Jumlah tenaga kerja, bilangan bulat.",
        "18",
    ),
    Column(
        "nilai_investasi",
        "investment_value",
        True,
        "Nilai investasi di luar tanah dan bangunan, dalam rupiah: 1500000000, "
        '1.500.000.000, "Rp 1,5 miliar", "1,5 M" (M = miliar), "250 juta", "250jt", '
        '"750 rb".',
        "Rp 850 juta",
    ),
    Column(
        "omzet_tahunan",
        "annual_revenue",
        False,
        "Omzet per tahun dalam rupiah, dengan format yang sama.",
        "1,8 M",
    ),
    Column(
        "tkdn_persen",
        "tkdn",
        False,
        "Nilai TKDN dalam persen, 0-100: 45,5 atau 45,5%.",
        "45,5",
    ),
    Column("nama_kontak", "contact_name", False, "Nama narahubung.", "Budi Santoso"),
    Column(
        "telepon",
        "contact_phone",
        False,
        "Nomor telepon: 08..., 62... atau +62... (disimpan sebagai +62...).",
        "0812-3456-7890",
    ),
    Column("email", "contact_email", False, "Alamat e-mail narahubung.", "budi@contoh.example"),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
COLUMNS_BY_NAME = {c.name: c for c in COLUMNS}
REQUIRED_COLUMNS = tuple(c.name for c in COLUMNS if c.required)
_COLUMN_OF_FIELD = {c.field.removesuffix("_id"): c.name for c in COLUMNS}
# Columns whose cells must stay text in the template (leading zeros, "32.16").
_TEXT_COLUMNS = ("nib", "npwp", "kabupaten_kota", "kbli", "telepon")
# Model fields validated by lookups instead of full_clean (their rows exist: they were
# resolved against the reference data loaded in the same transaction).
_NOT_CLEANED = {"province", "regency", "created_by", "verified_by", "search_vector"}
_CONSTRAINT_COLUMNS = {
    "ikm_nib_13_digits": "nib",
    "ikm_npwp_16_digits": "npwp",
    "ikm_regency_in_province": "kabupaten_kota",
    "ikm_investment_not_negative": "nilai_investasi",
    "ikm_revenue_not_negative": "omzet_tahunan",
    "ikm_tkdn_0_100": "tkdn_persen",
}
_LEGAL_FORM_LABELS = {
    "pt": "PT",
    "cv": "CV",
    "firma": "Firma",
    "ud": "UD",
    "koperasi": "Koperasi",
    "perorangan": "Perorangan",
    "lainnya": "Lainnya",
}
_MONEY_COLUMNS = ("nilai_investasi", "omzet_tahunan")


class ImportFileError(ValidationError):
    """The whole file cannot be imported (unreadable, a required column missing...)."""

    def __init__(self, message):
        super().__init__(message)
        self.text = str(message)


# --- Reading files ----------------------------------------------------------------


@dataclass
class Table:
    """A sheet as read: header cells and the non-empty rows with their row numbers.

    Values are raw: text, int, float (a :class:`~ikm.parsing.PercentNumber` when the cell
    is formatted as a percentage), datetime for date cells, and a formula's text (never
    its result)."""

    headers: list[str]
    rows: list[tuple[int, list]]
    file_type: str


def _read_bytes(source) -> bytes:
    if isinstance(source, bytes | bytearray):
        return bytes(source)
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    if hasattr(source, "open") and getattr(source, "closed", True):
        source.open("rb")  # a FieldFile
    with contextlib.suppress(AttributeError, OSError):
        source.seek(0)
    data = source.read()
    return data.encode("utf-8") if isinstance(data, str) else data


def read_table(source, file_name: str) -> Table:
    """Read the data sheet of an .xlsx workbook (the sheet named "IKM", else the first) or a
    .csv file (UTF-8 with or without BOM, else Windows-1252; comma, semicolon or tab).

    ``source`` is a path, bytes or a file object. The first non-empty row is the header.
    Formulas are read as their text and never evaluated. Raises :class:`ImportFileError`.
    """
    name = (file_name or "").lower()
    data = _read_bytes(source)
    if name.endswith(".xls"):
        raise ImportFileError(FILE_XLS)
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        table = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        table = _read_csv(data)
    else:
        raise ImportFileError(FILE_TYPE)
    if len(table.rows) > MAX_ROWS:
        raise ImportFileError(FILE_TOO_MANY_ROWS % {"rows": len(table.rows), "max": MAX_ROWS})
    return table


def _xlsx_value(cell):
    value = cell.value
    if value is None:
        return None
    if getattr(cell, "data_type", None) == "f":
        return value if isinstance(value, str) else str(getattr(value, "text", value) or "")
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if is_number and "%" in (cell.number_format or ""):
        return PercentNumber(value)
    return value


def _read_xlsx(data: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(FILE_UNREADABLE) from exc
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise ImportFileError(FILE_NO_HEADER)
        sheet = next((s for s in sheets if s.title.strip().lower() == "ikm"), sheets[0])
        sheet.reset_dimensions()  # trust the cells, not the stored dimension
        headers = None
        rows = []
        for cells in sheet.iter_rows():
            values = [_xlsx_value(c) for c in cells]
            if all(is_blank(v) for v in values):
                continue
            if headers is None:
                headers = [clean_text(cell_text(v)) for v in values]
                continue
            # A leading empty cell is an EmptyCell without a row number: take a real one.
            rows.append((next(c.row for c in cells if hasattr(c, "row")), values))
    finally:
        workbook.close()
    if headers is None:
        raise ImportFileError(FILE_NO_HEADER)
    return Table(headers, rows, "xlsx")


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(
        (",", ";", "\t"), key=lambda d: len(next(csv.reader([first_line], delimiter=d)))
    )
    headers = None
    rows = []
    try:
        for number, values in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1
        ):
            if all(is_blank(v) for v in values):
                continue
            if headers is None:
                headers = [clean_text(v) for v in values]
                continue
            rows.append((number, list(values)))
    except csv.Error as exc:
        raise ImportFileError(FILE_UNREADABLE) from exc
    if headers is None:
        raise ImportFileError(FILE_NO_HEADER)
    return Table(headers, rows, "csv")


def _header_key(header: str) -> str:
    """Header matching: case-insensitive, trimmed, a trailing "*" dropped, spaces as "_"."""
    key = clean_text(header).lower().rstrip("*").strip()
    return "_".join(key.replace("-", " ").split())


def map_columns(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    """Template column → index in the row, and the warnings for ignored columns.
    Raises :class:`ImportFileError` when a required column is missing or one repeats."""
    index: dict[str, int] = {}
    warnings = []
    for position, header in enumerate(headers):
        key = _header_key(header)
        if not key or key == ERROR_COLUMN:
            continue  # an empty header, or the error workbook's own column
        if key not in COLUMNS_BY_NAME:
            warnings.append(str(COLUMN_UNKNOWN % {"column": header}))
            continue
        if key in index:
            raise ImportFileError(COLUMN_REPEATED % {"column": key})
        index[key] = position
    if not index:
        raise ImportFileError(FILE_NO_HEADER)
    missing = [name for name in REQUIRED_COLUMNS if name not in index]
    if missing:
        raise ImportFileError(COLUMNS_MISSING % {"columns": ", ".join(missing)})
    return index, warnings


# --- Checking and writing rows ----------------------------------------------------


def _phone(value) -> str:
    return parse_phone(cell_text(value) if isinstance(value, str) else value)


_PARSERS = {
    "nama_usaha": parse_text,
    "nib": parse_nib_cell,
    "bentuk_usaha": parse_legal_form,
    "npwp": parse_npwp_cell,
    "tahun_berdiri": parse_year,
    "alamat": lambda v: parse_text(v, multiline=True),
    "produk": lambda v: parse_text(v, multiline=True),
    "bahan": lambda v: parse_text(v, multiline=True),
    "kapasitas_per_bulan": parse_int,
    "satuan": parse_text,
    "jumlah_tenaga_kerja": parse_int,
    "nilai_investasi": parse_money,
    "omzet_tahunan": parse_money,
    "tkdn_persen": parse_percent,
    "nama_kontak": parse_text,
    "telepon": _phone,
    "email": parse_email,
}


def _comparable(attname: str, value):
    """A stored value normalised the way the parsers normalise input, so cosmetic
    differences (spaces, phone punctuation) never count as a change."""
    if not isinstance(value, str):
        return value
    if attname in ("address", "products", "materials"):
        return parse_text(value, multiline=True)
    if attname == "contact_phone":
        try:
            return parse_phone(value)
        except ParseError:
            return value
    return clean_text(value)


@dataclass
class _Existing:
    ikm: IKM
    kbli: dict[str, int] = field(default_factory=dict)  # code → through-row id
    processes: dict[int, int] = field(default_factory=dict)  # process id → through-row id
    valid_cert_types: set[int] = field(default_factory=set)


@dataclass
class _Row:
    number: int
    nib: str
    name: str
    values: dict = field(default_factory=dict)  # IKM attname → parsed value
    kbli: list[str] | None = None
    processes: list[int] | None = None
    certificates: list[int] | None = None
    errors: list[dict] = field(default_factory=list)
    action: str = ""
    changes: list[str] = field(default_factory=list)
    instance: IKM | None = None
    existing: _Existing | None = None
    changed_fields: list[str] = field(default_factory=list)
    kbli_changed: bool = False
    processes_changed: bool = False
    certificates_to_add: list[int] = field(default_factory=list)

    def error(self, column: str, message) -> None:
        self.errors.append({"column": column, "message": str(message)})

    def result(self) -> dict:
        return {
            "row": self.number,
            "nib": self.nib,
            "name": self.name,
            "action": self.action,
            "errors": self.errors,
            "changes": self.changes,
        }


class _Importer:
    """Checks a table row by row, in chunks, and (``write=True``) writes each chunk with
    bulk queries. The caller provides the transaction."""

    def __init__(
        self, table, refs, *, write: bool, actor=None, reason="", now=None, on_progress=None
    ):
        self.table = table
        self.refs = refs
        self.write = write
        self.actor = actor
        self.reason = reason
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.on_progress = on_progress
        self.index, self.warnings = map_columns(table.headers)
        self.first_row_of_nib: dict[str, int] = {}
        self.counts = {"create": 0, "update": 0, "unchanged": 0, "invalid": 0}

    def run(self) -> dict:
        results = []
        total = len(self.table.rows)
        for start in range(0, total, CHUNK_SIZE):
            chunk = [self._parse(n, v) for n, v in self.table.rows[start : start + CHUNK_SIZE]]
            self._check_chunk(chunk)
            if self.write:
                _write_chunk(chunk, actor=self.actor, reason=self.reason, now=self.now)
            for row in chunk:
                self.counts[row.action] += 1
                results.append(row.result())
            if self.on_progress:
                self.on_progress(min(start + CHUNK_SIZE, total), total, dict(self.counts))
        return {
            "rows": results,
            "counts": dict(self.counts),
            "warnings": self.warnings,
            "total_rows": total,
            "processed_rows": total,
        }

    # Parsing: one row, no database.

    def _cell(self, values: list, name: str):
        position = self.index.get(name)
        if position is None or position >= len(values):
            return None
        return values[position]

    def _parse(self, number: int, values: list) -> _Row:
        raw_nib = clean_text(cell_text(self._cell(values, "nib")))[:30]
        raw_name = parse_text(self._cell(values, "nama_usaha"))[:200]
        row = _Row(number=number, nib=raw_nib, name=raw_name)
        for name in self.index:
            column = COLUMNS_BY_NAME[name]
            raw = self._cell(values, name)
            if column.required and is_blank(raw):
                row.error(name, REQUIRED)
                continue
            if name in ("provinsi", "kabupaten_kota"):
                continue  # below, together
            try:
                if name == "kbli":
                    value = row.kbli = resolve_kbli(raw, self.refs)
                elif name == "proses":
                    value = row.processes = resolve_processes(raw, self.refs)
                elif name == "sertifikasi":
                    value = row.certificates = resolve_certification_types(raw, self.refs)
                else:
                    value = row.values[column.field] = _PARSERS[name](raw)
            except ParseError as exc:
                row.error(name, exc.message)
                continue
            if column.required and value in ("", [], None):  # a cell of separators only
                row.error(name, REQUIRED)
        if "nib" in row.values:
            row.nib = row.values["nib"]
        province = None
        raw_province = self._cell(values, "provinsi")
        if not is_blank(raw_province):
            try:
                province = row.values["province_id"] = resolve_province(raw_province, self.refs)
            except ParseError as exc:
                row.error("provinsi", exc.message)
        raw_regency = self._cell(values, "kabupaten_kota")
        if not is_blank(raw_regency):
            try:
                row.values["regency_id"] = resolve_regency(
                    raw_regency, self.refs, province=province
                )
            except ParseError as exc:
                row.error("kabupaten_kota", exc.message)
        return row

    # Checking a chunk against the database (reads only).

    def _check_chunk(self, chunk: list[_Row]) -> None:
        for row in chunk:
            if "nib" not in row.values:
                continue
            first = self.first_row_of_nib.setdefault(row.nib, row.number)
            if first != row.number:
                row.error("nib", DUPLICATE_NIB % {"row": first})
        existing = self._fetch_existing([r.nib for r in chunk if not r.errors])
        for row in chunk:
            if row.errors:
                continue
            current = existing.get(row.nib)
            if current is None:
                self._prepare_create(row)
            else:
                self._prepare_update(row, current)
        to_check = [r for r in chunk if not r.errors and (r.action == "create" or r.changed_fields)]
        violations = _constraint_violations([r.instance for r in to_check])
        for row, found in zip(to_check, violations, strict=True):
            for constraint in found:
                column = _CONSTRAINT_COLUMNS.get(constraint.name, "")
                row.error(column, _violation_message(constraint))
        for row in chunk:
            if row.errors:
                row.action = "invalid"
                row.changes = []

    def _fetch_existing(self, nibs: list[str]) -> dict[str, _Existing]:
        if not nibs:
            return {}
        queryset = IKM.objects.filter(nib__in=nibs).defer("search_vector").order_by("nib")
        if self.write:
            queryset = queryset.select_for_update()
        found = {ikm.nib: _Existing(ikm) for ikm in queryset}
        by_id = {e.ikm.pk: e for e in found.values()}
        if not by_id:
            return found
        links = IKM.kbli.through.objects.filter(ikm_id__in=by_id)
        for link_id, ikm_id, code in links.values_list("id", "ikm_id", "kbli_id"):
            by_id[ikm_id].kbli[code] = link_id
        links = IKM.processes.through.objects.filter(ikm_id__in=by_id)
        for link_id, ikm_id, process_id in links.values_list(
            "id", "ikm_id", "processcapability_id"
        ):
            by_id[ikm_id].processes[process_id] = link_id
        certificates = Certificate.objects.filter(ikm_id__in=by_id).valid_on(self.today)
        for ikm_id, type_id in certificates.values_list("ikm_id", "certification_type_id"):
            by_id[ikm_id].valid_cert_types.add(type_id)
        return found

    def _check_inactive(self, row: _Row, existing: _Existing | None) -> None:
        """New links to reference data that is no longer in use are refused; links the IKM
        already has are kept (so an export imports back unchanged)."""
        for code in row.kbli or []:
            if not self.refs.kbli.get(code, True) and not (existing and code in existing.kbli):
                row.error("kbli", KBLI_INACTIVE % {"value": code})
        for process_id in row.processes or []:
            process = self.refs.processes[process_id]
            if not process.is_active and not (existing and process_id in existing.processes):
                row.error("proses", PROCESS_INACTIVE % {"value": process.name})
        for type_id in row.certificates_to_add:
            cert_type: CertType = self.refs.certification_types[type_id]
            if not cert_type.is_active:
                row.error("sertifikasi", CERTIFICATION_INACTIVE % {"value": cert_type.code})

    def _prepare_create(self, row: _Row) -> None:
        row.action = "create"
        row.instance = IKM(
            **row.values,
            verification_status=IKM.Status.SUBMITTED,
            submitted_at=self.now,
            created_by=self.actor,
        )
        row.certificates_to_add = list(row.certificates or [])
        self._check_inactive(row, None)
        self._clean(row, exclude=_NOT_CLEANED)

    def _prepare_update(self, row: _Row, existing: _Existing) -> None:
        ikm = existing.ikm
        row.instance, row.existing = ikm, existing
        for attname, value in row.values.items():
            if _comparable(attname, getattr(ikm, attname)) != value:
                setattr(ikm, attname, value)
                row.changed_fields.append(attname)
        if row.kbli is not None and set(row.kbli) != set(existing.kbli):
            row.kbli_changed = True
        if row.processes is not None and set(row.processes) != set(existing.processes):
            row.processes_changed = True
        row.certificates_to_add = [
            t for t in row.certificates or [] if t not in existing.valid_cert_types
        ]
        row.changes = [_COLUMN_OF_FIELD[f.removesuffix("_id")] for f in row.changed_fields]
        row.changes += ["kbli"] * row.kbli_changed + ["proses"] * row.processes_changed
        row.changes += ["sertifikasi"] * bool(row.certificates_to_add)
        row.action = "update" if row.changes else "unchanged"
        self._check_inactive(row, existing)
        if row.changed_fields:
            changed = {f.removesuffix("_id") for f in row.changed_fields}
            self._clean(row, exclude={f.name for f in IKM._meta.fields} - changed | _NOT_CLEANED)

    def _clean(self, row: _Row, *, exclude) -> None:
        """The model's field validation (``full_clean`` without the per-row queries: unique
        NIB is known from the bulk lookup, constraints are checked per chunk)."""
        try:
            row.instance.full_clean(
                exclude=exclude, validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, errors in exc.error_dict.items():
                column = "" if name == NON_FIELD_ERRORS else _COLUMN_OF_FIELD.get(name, name)
                for error in errors:
                    for message in error.messages:
                        row.error(column, message)


def _violation_message(constraint) -> str:
    """The constraint's message. Django formats it with ``% {"name": ...}``, which fails on
    a bare "%" (as in "between 0 and 100%."): then the message is shown as written."""
    try:
        return str(constraint.get_violation_error_message())
    except (ValueError, TypeError, KeyError):
        return str(constraint.violation_error_message)


def _constraint_violations(objs: list) -> list[list]:
    """The model's check constraints evaluated for many unsaved instances in one query.

    ``Model.full_clean()`` runs one query (and a savepoint) per constraint and instance;
    here each constraint's own SQL (the same the database enforces) is evaluated over a
    VALUES list of the instances. Returns, per instance, the constraints it violates.
    Other constraint types, if any, are validated per instance.
    """
    if not objs:
        return []
    model = type(objs[0])
    using = router.db_for_write(model)
    connection = connections[using]
    checks = [c for c in model._meta.constraints if isinstance(c, CheckConstraint)]
    others = [c for c in model._meta.constraints if not isinstance(c, CheckConstraint)]
    found: list[list] = [[] for _ in objs]
    if checks:
        fields = [f for f in model._meta.local_concrete_fields if f.name != "search_vector"]
        quote = connection.ops.quote_name
        casts = ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields)
        values_sql = ", ".join(f"(%s, {casts})" for _ in objs)
        params: list = []
        for position, obj in enumerate(objs):
            params.append(position)
            params.extend(
                f.get_db_prep_value(getattr(obj, f.attname), connection, prepared=False)
                for f in fields
            )
        selects = []
        for constraint in checks:
            query = Query(model=model, alias_cols=False)
            where = query.build_where(constraint.condition)
            sql, where_params = where.as_sql(query.get_compiler(connection=connection), connection)
            selects.append(f"COALESCE(({sql}), TRUE)")
            params.extend(where_params)
        columns = ", ".join(["__row", *(quote(f.column) for f in fields)])
        sql = (
            f"WITH __rows ({columns}) AS (VALUES {values_sql}) "
            f"SELECT __row, {', '.join(selects)} FROM __rows"
        )
        try:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute(sql, params)
                for position, *passed in cursor.fetchall():
                    found[position] = [c for c, ok in zip(checks, passed, strict=True) if not ok]
        except DatabaseError:
            logger.warning("Batched constraint check failed; checking one instance at a time")
            others = list(model._meta.constraints)
            found = [[] for _ in objs]
    for position, obj in enumerate(objs):
        for constraint in others:
            try:
                constraint.validate(model, obj, using=using)
            except (ValidationError, ValueError):  # ValueError: see _violation_message
                found[position].append(constraint)
    return found


def _write_chunk(chunk: list[_Row], *, actor, reason: str, now) -> None:
    """Write a checked chunk with bulk queries; history records who (``actor``), why
    (``reason``) and the KBLI and process links as they are after the write."""
    creates = [r for r in chunk if r.action == "create"]
    touched = [
        r
        for r in chunk
        if r.action == "update" and (r.changed_fields or r.kbli_changed or r.processes_changed)
    ]
    history = {"default_user": actor, "default_change_reason": reason, "default_date": now}
    if creates:
        bulk_create_with_history([r.instance for r in creates], IKM, batch_size=500, **history)
    if touched:
        for row in touched:
            row.instance.updated_at = now
        fields = sorted({f for r in touched for f in r.changed_fields} | {"updated_at"})
        bulk_update_with_history(
            [r.instance for r in touched], IKM, fields=fields, batch_size=500, **history
        )
    kbli_through, process_through = IKM.kbli.through, IKM.processes.through
    drop_kbli, add_kbli, drop_processes, add_processes = [], [], [], []
    for row in creates + touched:
        pk = row.instance.pk
        old_kbli = row.existing.kbli if row.existing else {}
        old_processes = row.existing.processes if row.existing else {}
        if row.action == "create" or row.kbli_changed:
            drop_kbli += [i for code, i in old_kbli.items() if code not in row.kbli]
            add_kbli += [
                kbli_through(ikm_id=pk, kbli_id=code) for code in row.kbli if code not in old_kbli
            ]
        if row.action == "create" or row.processes_changed:
            drop_processes += [i for p, i in old_processes.items() if p not in row.processes]
            add_processes += [
                process_through(ikm_id=pk, processcapability_id=p)
                for p in row.processes
                if p not in old_processes
            ]
    if drop_kbli:
        kbli_through.objects.filter(id__in=drop_kbli).delete()
    if drop_processes:
        process_through.objects.filter(id__in=drop_processes).delete()
    kbli_through.objects.bulk_create(add_kbli, batch_size=1000)
    process_through.objects.bulk_create(add_processes, batch_size=1000)
    if creates or touched:
        _record_m2m_history([r.instance.pk for r in creates + touched], now)
    certificates = [
        Certificate(ikm_id=r.instance.pk, certification_type_id=t)
        for r in chunk
        if r.action in ("create", "update")
        for t in r.certificates_to_add
    ]
    if certificates:
        bulk_create_with_history(certificates, Certificate, batch_size=500, **history)


def _record_m2m_history(ikm_ids: list[int], now) -> None:
    """The KBLI and process links of each history record just written (what simple-history
    stores on ``save()``; its bulk helpers leave them out)."""
    history_ids = dict(
        IKM.history.filter(id__in=ikm_ids, history_date=now).values_list("id", "history_id")
    )
    historical_kbli = apps.get_model("ikm", "HistoricalIKM_kbli")
    historical_processes = apps.get_model("ikm", "HistoricalIKM_processes")
    rows = IKM.kbli.through.objects.filter(ikm_id__in=ikm_ids).values_list(
        "id", "ikm_id", "kbli_id"
    )
    historical_kbli.objects.bulk_create(
        [
            historical_kbli(id=i, ikm_id=ikm, kbli_id=code, history_id=history_ids[ikm])
            for i, ikm, code in rows
        ],
        batch_size=1000,
    )
    rows = IKM.processes.through.objects.filter(ikm_id__in=ikm_ids).values_list(
        "id", "ikm_id", "processcapability_id"
    )
    historical_processes.objects.bulk_create(
        [
            historical_processes(
                id=i, ikm_id=ikm, processcapability_id=p, history_id=history_ids[ikm]
            )
            for i, ikm, p in rows
        ],
        batch_size=1000,
    )


# --- Jobs ------------------------------------------------------------------------


def _persisted(job: ImportJob) -> bool:
    return not job._state.adding


def _job_update(job: ImportJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    if _persisted(job):
        ImportJob.objects.filter(pk=job.pk).update(**fields)


def _progress_key(job: ImportJob) -> str:
    return f"ikm-import-progress:{job.pk}"


def import_job_create(*, uploaded_file, actor) -> ImportJob:
    """Store an uploaded .xlsx or .csv (private storage, a random name) as a queued
    :class:`ImportJob` of ``actor``. Enqueueing the preview is the caller's business
    (``transaction.on_commit(lambda: ikm_import_preview_task.delay(str(job.pk)))``).

    Raises ``ValidationError`` for another kind of file, a file over 20 MB, or a file
    (same SHA-256) that is already being processed (constraint
    ``import_one_running_per_file``)."""
    file_name = Path(getattr(uploaded_file, "name", "") or "").name
    if not file_name.lower().endswith((".xlsx", ".csv")):
        raise ValidationError(FILE_TYPE, code="file_type")
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise ValidationError(FILE_TOO_LARGE, code="file_size")
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    job = ImportJob(created_by=actor, file_name=file_name[:255], file_sha256=digest.hexdigest())
    job.full_clean(exclude=["file"])  # the running-file constraint, with its message
    uploaded_file.seek(0)
    job.file.save(file_name, uploaded_file, save=False)
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError as exc:  # the same file was queued a moment ago
        job.file.delete(save=False)
        raise ValidationError(FILE_ALREADY_RUNNING, code="running") from exc
    return job


def _job_table(job: ImportJob, source) -> Table:
    if source is None:
        try:
            with job.file.open("rb") as handle:
                data = handle.read()
        except (OSError, ValueError) as exc:
            raise ImportFileError(FILE_UNREADABLE) from exc
        return read_table(data, job.file_name)
    return read_table(source, job.file_name)


def _fail(job: ImportJob, message) -> None:
    _job_update(
        job, status=ImportJob.Status.FAILED, error_message=str(message), finished_at=timezone.now()
    )


def ikm_import_preview(*, job: ImportJob, source=None) -> ImportJob:
    """Check every row of the job's file against the database without writing any IKM
    (dry run); store the row results, counts and warnings; status ``preview_ready``.
    Progress goes to the job row every :data:`CHUNK_SIZE` rows.

    Runs only on a ``queued`` job that was not previewed yet (or one left ``previewing``
    by a crashed worker), so running it twice does no harm. A file-level error ends in
    ``failed`` with the message; an unexpected error too, and is re-raised. ``source``
    (path, bytes or file) replaces the stored file (the command line)."""
    Status = ImportJob.Status
    if _persisted(job):
        claimed = ImportJob.objects.filter(
            pk=job.pk, status=Status.QUEUED, finished_at__isnull=True
        ).update(status=Status.PREVIEWING, started_at=timezone.now())
        job.refresh_from_db()
        if not claimed and job.status != Status.PREVIEWING:
            return job
    elif job.status not in (Status.QUEUED, Status.PREVIEWING):
        return job
    else:
        job.status, job.started_at = Status.PREVIEWING, timezone.now()

    def progress(processed, total, counts):
        _job_update(job, processed_rows=processed, total_rows=total, counts=counts)

    try:
        table = _job_table(job, source)
        result = _Importer(table, ReferenceData.from_db(), write=False, on_progress=progress).run()
    except ImportFileError as exc:
        _fail(job, exc.text)
        return job
    except Exception as exc:
        logger.exception("IKM import %s: the preview failed", job.pk)
        _fail(job, IMPORT_CRASHED % {"error": type(exc).__name__})
        raise
    _job_update(
        job, status=Status.PREVIEW_READY, error_message="", finished_at=timezone.now(), **result
    )
    return job


class _AlreadyApplying(Exception):
    pass


def ikm_import_apply(*, job: ImportJob, actor=None, source=None) -> ImportJob:
    """Import the job's file: check every row again against the current database and, in
    one transaction, create the new IKM (status ``submitted``, ``submitted_at`` now,
    ``created_by`` = ``actor``), update the changed ones (rows locked with
    ``select_for_update``), add their certificates, and store the results on the job
    (status ``done``) in the same transaction. History records ``actor``. Invalid rows
    are skipped and listed. Progress goes to the cache (see :func:`import_job_progress`).

    Runs on a ``queued`` or ``preview_ready`` job (or one left ``importing`` by a crashed
    worker); on any other status it does nothing, so running it twice does no harm. A
    file-level error or a crash leaves the database as it was and the job ``failed``; a
    crash is re-raised. ``actor`` may be None (command line without --by)."""
    Status = ImportJob.Status
    if _persisted(job):
        try:
            with transaction.atomic():
                claimed = ImportJob.objects.filter(
                    pk=job.pk, status__in=[Status.QUEUED, Status.PREVIEW_READY]
                ).update(status=Status.IMPORTING, started_at=timezone.now(), error_message="")
        except IntegrityError:  # the same file is being imported by another job
            _fail(job, FILE_ALREADY_RUNNING)
            return job
        job.refresh_from_db()
        if not claimed and job.status != Status.IMPORTING:
            return job
    elif job.status not in (Status.QUEUED, Status.PREVIEW_READY):
        return job
    else:
        job.status, job.started_at = Status.IMPORTING, timezone.now()

    key = _progress_key(job)

    def progress(processed, total, counts):
        try:
            cache.set(
                key,
                {"processed_rows": processed, "total_rows": total, "counts": counts},
                PROGRESS_CACHE_TIMEOUT,
            )
        except Exception:  # progress is a courtesy: never fail an import over it
            logger.warning("IKM import %s: progress not cached", job.pk, exc_info=True)

    now = timezone.now()
    try:
        with transaction.atomic():
            if _persisted(job):
                try:
                    locked = ImportJob.objects.select_for_update(nowait=True).get(pk=job.pk)
                except DatabaseError as exc:
                    raise _AlreadyApplying from exc
                if locked.status != Status.IMPORTING:
                    raise _AlreadyApplying
            table = _job_table(job, source)
            importer = _Importer(
                table,
                ReferenceData.from_db(),
                write=True,
                actor=actor,
                reason=f"IKM import {job.pk}",
                now=now,
                on_progress=progress,
            )
            result = importer.run()
            _job_update(
                job, status=Status.DONE, error_message="", finished_at=timezone.now(), **result
            )
    except _AlreadyApplying:
        if _persisted(job):
            job.refresh_from_db()
        return job
    except ImportFileError as exc:
        _fail(job, exc.text)
        return job
    except Exception as exc:
        logger.exception("IKM import %s: the import failed and was rolled back", job.pk)
        _fail(job, IMPORT_CRASHED % {"error": type(exc).__name__})
        raise
    finally:
        try:
            cache.delete(key)
        except Exception:
            logger.warning("IKM import %s: progress not cleared", job.pk, exc_info=True)
    return job


def import_job_progress(job: ImportJob) -> dict:
    """``{"status", "total_rows", "processed_rows", "percent", "counts"}`` for a progress
    page. While the import runs its transaction hides the job row's changes, so the
    progress is read from the cache then; otherwise from the job (fetch it fresh)."""
    data = {
        "status": job.status,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "counts": dict(job.counts or {}),
    }
    if job.status == ImportJob.Status.QUEUED:
        data.update(processed_rows=0, counts={})  # waiting for a worker (again, if confirmed)
    elif job.status == ImportJob.Status.IMPORTING:
        try:
            cached = cache.get(_progress_key(job))
        except Exception:
            cached = None
        if cached:
            data.update(cached)
        else:
            data.update(processed_rows=0, counts={})
    total = data["total_rows"]
    data["percent"] = min(100, round(100 * data["processed_rows"] / total)) if total else 0
    return data


# --- Workbooks: template, errors, export ------------------------------------------

_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_MONEY_FORMAT = "#,##0"


def _xlsx_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook() -> bytes:
    """The import template: sheet "IKM" (the header row; identifier columns formatted as
    text), "Petunjuk" (instructions in Indonesian), "Contoh" (example rows) and
    "Referensi" (accepted KBLI codes, processes, certifications, legal forms, provinces)."""
    refs = ReferenceData.from_db()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    for position, column in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=1, column=position, value=column.name)
        cell.font = _HEADER_FONT
        if column.required:
            cell.fill = _REQUIRED_FILL
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
        if column.name in _TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("Petunjuk")
    lines = [
        "Petunjuk impor data IKM",
        "",
        "1. Isi lembar IKM mulai baris 2, satu IKM per baris. Baris 1 berisi nama kolom: "
        "jangan diubah (urutan kolom bebas; kolom lain diabaikan).",
        "2. Kolom berwarna kuning (bertanda * di bawah) wajib ada dan wajib diisi.",
        "3. IKM dikenali dari NIB: NIB baru ditambahkan (status Diajukan), NIB yang sudah "
        "terdaftar diperbarui.",
        "4. Saat memperbarui, hanya kolom yang ada di berkas yang diubah. Sel kosong pada "
        "kolom yang ada menghapus isian tersebut; hapus kolomnya bila datanya tidak ingin "
        "diubah.",
        "5. Daftar (KBLI, proses, sertifikasi) dipisah koma atau titik koma.",
        "6. Setelah diunggah, berkas diperiksa dulu tanpa menyimpan apa pun. Baris yang "
        "salah tidak pernah diimpor: unduh berkas kesalahan (kolom kesalahan), perbaiki, "
        "lalu unggah lagi.",
        "7. Mengunggah berkas yang sama dua kali tidak mengubah apa pun.",
        "8. Isi sel yang diawali =, +, - atau @ dibaca sebagai teks, bukan rumus.",
        "",
    ]
    for line in lines:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append(["Kolom", "Wajib", "Isi", "Contoh"])
    for cell in guide[guide.max_row]:
        cell.font = _HEADER_FONT
    for column in COLUMNS:
        guide.append(
            [
                column.name + ("*" if column.required else ""),
                "ya" if column.required else "tidak",
                column.description,
                column.example,
            ]
        )
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["B"].width = 8
    guide.column_dimensions["C"].width = 90
    guide.column_dimensions["D"].width = 32
    for row in guide.iter_rows(min_row=len(lines) + 2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")

    examples = workbook.create_sheet("Contoh")
    examples.append(list(COLUMN_NAMES))
    for cell in examples[1]:
        cell.font = _HEADER_FONT
    for row in _EXAMPLE_ROWS:
        examples.append([row.get(name) for name in COLUMN_NAMES])

    reference = workbook.create_sheet("Referensi")

    def block(header, rows):
        if reference.max_row > 1:
            reference.append([])
        reference.append(header)
        for cell in reference[reference.max_row]:
            cell.font = _HEADER_FONT
        for row in rows:
            reference.append(list(row))

    active_processes = sorted(
        (p for p in refs.processes.values() if p.is_active), key=lambda p: p.slug
    )
    block(
        ["Proses (kode)", "Nama", "Nama (Inggris)"],
        ((p.slug, p.name, p.name_en) for p in active_processes),
    )
    active_certs = sorted(
        (c for c in refs.certification_types.values() if c.is_active), key=lambda c: c.code
    )
    block(["Sertifikasi (kode)", "Nama"], ((c.code, c.name) for c in active_certs))
    block(
        ["KBLI", "Judul"],
        Kbli.objects.filter(is_active=True).order_by("code").values_list("code", "title"),
    )
    block(["Bentuk usaha"], ([label] for label in _LEGAL_FORM_LABELS.values()))
    block(
        ["Provinsi (kode)", "Nama"],
        ((p.code, p.name) for p in sorted(refs.provinces.values(), key=lambda p: p.code)),
    )
    for letter, width in (("A", 22), ("B", 70), ("C", 40)):
        reference.column_dimensions[letter].width = width
    return _xlsx_bytes(workbook)


_EXAMPLE_ROWS = (
    {c.name: c.example for c in COLUMNS},
    {
        "nama_usaha": "PT Plastik Nusantara",
        "nib": "9120007654321",
        "bentuk_usaha": "PT",
        "provinsi": "Banten",
        "kabupaten_kota": "Kota Tangerang",
        "kbli": "22291",
        "proses": "Injeksi plastik, Pembuatan cetakan (mould & dies)",
        "produk": "Cover lampu, klip interior",
        "sertifikasi": "IATF 16949",
        "jumlah_tenaga_kerja": "45",
        "nilai_investasi": "12.500.000.000",
        "omzet_tahunan": "Rp 30 miliar",
        "tkdn_persen": "60%",
        "telepon": "+62 21 5550 1234",
    },
    {
        "nama_usaha": "UD Jok Makmur",
        "nib": "9120001112223",
        "bentuk_usaha": "UD",
        "provinsi": "33",
        "kabupaten_kota": "33.74",
        "kbli": "29300",
        "proses": "jahit-jok",
        "produk": "Jok dan trim interior",
        "jumlah_tenaga_kerja": "9",
        "nilai_investasi": "250jt",
    },
)


def _kesalahan(result: dict) -> str:
    return "; ".join(
        f"{e['column']}: {e['message']}" if e.get("column") else e["message"]
        for e in result.get("errors", [])
    )


def _xlsx_cell(sheet, value, *, number_format: str | None = None):
    """A write-only cell: text neutralised (never a formula), percentages kept as such."""
    value = neutralise_formula(value)
    if isinstance(value, PercentNumber):
        number_format = number_format or "0.00%"
        value = float(value)
    if number_format is None:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def error_workbook(job: ImportJob, *, source=None) -> bytes:
    """The job's invalid rows, with the file's own columns (as uploaded, in the same
    order) plus ``kesalahan`` (each error: "column: message"), to fix and upload again.
    ``source`` replaces the stored file (the command line)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    try:
        table = _job_table(job, source)
    except ImportFileError:
        table = Table(list(COLUMN_NAMES), [], "")
    keep = [i for i, h in enumerate(table.headers) if _header_key(h) != ERROR_COLUMN]
    header = [WriteOnlyCell(sheet, value=neutralise_formula(table.headers[i])) for i in keep]
    header.append(WriteOnlyCell(sheet, value=ERROR_COLUMN))
    for cell in header:
        cell.font = _HEADER_FONT
    sheet.append(header)
    invalid = {r["row"]: r for r in job.rows or [] if r.get("action") == "invalid"}
    for number, values in table.rows:
        if number in invalid:
            cells = [_xlsx_cell(sheet, values[i] if i < len(values) else None) for i in keep]
            sheet.append([*cells, _kesalahan(invalid[number])])
    return _xlsx_bytes(workbook)


CONTACT_COLUMNS = ("nama_kontak", "telepon", "email")


def export_columns(*, include_contacts: bool) -> list[str]:
    """The template's columns, without the contact person's when the reader may not see
    personal data. The columns are left out, not emptied: re-importing an empty column
    would clear the stored contacts."""
    return [c for c in COLUMN_NAMES if include_contacts or c not in CONTACT_COLUMNS]


def _export_rows(queryset, columns=COLUMN_NAMES):
    """One list per IKM, in ``columns`` order; None for an empty cell."""
    refs = ReferenceData.from_db()
    process_labels = {}
    for process in refs.processes.values():
        try:
            same = resolve_processes(process.name, refs) == [process.id]
        except ParseError:
            same = False
        process_labels[process.id] = process.name if same else process.slug
    today = timezone.localdate()
    queryset = queryset.select_related("province", "regency").prefetch_related(
        Prefetch("kbli", queryset=Kbli.objects.only("code")),
        Prefetch("processes", queryset=ProcessCapability.objects.only("id")),
        Prefetch(
            "certificates",
            queryset=Certificate.objects.valid_on(today).select_related("certification_type"),
            to_attr="export_certificates",
        ),
    )
    for ikm in queryset.iterator(chunk_size=1000):
        phone = ikm.contact_phone
        if phone.startswith("+62"):
            phone = "0" + phone[3:]  # national form: reads naturally, never a formula
        certificates = sorted({c.certification_type.code for c in ikm.export_certificates})
        values = {
            "nama_usaha": ikm.name,
            "nib": ikm.nib,
            "bentuk_usaha": _LEGAL_FORM_LABELS.get(ikm.legal_form, ikm.legal_form),
            "npwp": ikm.npwp,
            "tahun_berdiri": ikm.year_founded,
            "alamat": ikm.address,
            "provinsi": str(ikm.province),
            "kabupaten_kota": str(ikm.regency),
            "kbli": ", ".join(sorted(k.code for k in ikm.kbli.all())),
            "proses": ", ".join(sorted(process_labels[p.id] for p in ikm.processes.all())),
            "produk": ikm.products,
            "bahan": ikm.materials,
            "sertifikasi": ", ".join(certificates),
            "kapasitas_per_bulan": ikm.monthly_capacity,
            "satuan": ikm.capacity_unit,
            "jumlah_tenaga_kerja": ikm.workforce,
            "nilai_investasi": ikm.investment_value,
            "omzet_tahunan": ikm.annual_revenue,
            "tkdn_persen": float(ikm.tkdn) if ikm.tkdn is not None else None,
            "nama_kontak": ikm.contact_name,
            "telepon": phone,
            "email": ikm.contact_email,
        }
        yield [values[name] if values[name] != "" else None for name in columns]


def export_ikm(queryset, fmt: str = "xlsx", *, include_contacts: bool = True) -> bytes:
    """The IKM of ``queryset`` (already filtered and scoped by the caller) in the import
    template's columns, as ``"xlsx"`` or ``"csv"`` (UTF-8 with BOM, comma-separated).
    Without ``include_contacts`` the contact person's columns are left out (personal
    data). Text that a spreadsheet would run as a formula is prefixed with ' . Importing
    the result again changes nothing."""
    columns = export_columns(include_contacts=include_contacts)
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for values in _export_rows(queryset, columns):
            writer.writerow(["" if v is None else neutralise_formula(v) for v in values])
        return buffer.getvalue().encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValueError(f"Unknown export format: {fmt!r}")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    header = [WriteOnlyCell(sheet, value=name) for name in columns]
    for cell in header:
        cell.font = _HEADER_FONT
    sheet.append(header)
    money = {columns.index(name) for name in _MONEY_COLUMNS}
    for values in _export_rows(queryset, columns):
        sheet.append(
            [
                _xlsx_cell(sheet, v, number_format=_MONEY_FORMAT if i in money and v else None)
                for i, v in enumerate(values)
            ]
        )
    return _xlsx_bytes(workbook)
