"""Reading files: the data sheet of an .xlsx workbook or a .csv file as a :class:`Table`.

Every file is checked before a spreadsheet library reads it (:func:`check_file`): an .xlsx
must be a zip package whose parts unpack to a bounded size at a plausible ratio (no zip
bomb: the sizes declared in the package are the ones Python's zip reader enforces, so
nothing is inflated to find out), without macros, and whose XML is UTF-8 without a DTD
(no entity tricks, whatever the XML library); a .csv must be text, not a program, a
picture or a web page renamed. :func:`find_formula` finds text that a spreadsheet would run
as a formula (CSV/DDE injection): every import refuses such a file after reading it, and
upload screens before storing it.
"""

import codecs
import contextlib
import csv
import html
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..parsing import PercentNumber, cell_text, clean_text, is_blank
from .columns import (
    FILE_NO_HEADER,
    FILE_TOO_MANY_ROWS,
    FILE_TYPE,
    FILE_UNREADABLE,
    FILE_XLS,
    ImportFileError,
)

MAX_ROWS = 20_000
# An .xlsx of 20 000 rows of the IKM template unpacks to about 25 MB.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 1_000
# Spreadsheet XML compresses about 10 times, very repetitive sheets some 50 times; a part
# of more than 1 MB unpacking to more than 200 times its packed size is a zip bomb.
MAX_RATIO = 200
RATIO_FROM_BYTES = 1024 * 1024

FILE_UNPACKS_TOO_LARGE = _(
    "The workbook unpacks to far more data than a spreadsheet to import holds (it may be a "
    "zip bomb), so it is not read: copy the rows into a new workbook made from the template "
    "and upload that."
)
FILE_MACROS = _(
    "The workbook contains macros, which are never run here: save it as an Excel Workbook "
    "(.xlsx) without macros and upload it again."
)
FILE_XML_UNSAFE = _(
    "The workbook holds XML that spreadsheet programs never write (a DTD, entities or "
    "another encoding), so it is not read: save it again as .xlsx from Excel or LibreOffice "
    "and upload that."
)
FILE_NOT_TEXT = _(
    "This .csv file is not plain text: its content is of another kind (a program, a "
    "picture, a web page...). Export the sheet again as CSV and upload that."
)
FILE_FORMULA = _(
    "The file holds a value that a spreadsheet would run as a formula: “%(value)s”. Remove "
    "the leading =, +, - or @ (or paste the values only) and upload the file again."
)


@dataclass
class Table:
    """A sheet as read: header cells and the non-empty rows with their row numbers.

    Values are raw: text, int, float (a :class:`~ikm.parsing.PercentNumber` when the cell
    is formatted as a percentage), datetime for date cells, and a formula's text (never
    its result)."""

    headers: list[str]
    rows: list[tuple[int, list]]
    file_type: str


def source_bytes(source) -> bytes:
    """The content of a path, bytes or a file object (a FieldFile is opened)."""
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


def _is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_table(source, file_name: str, *, max_rows: int = MAX_ROWS, **limits) -> Table:
    """Read the data sheet of an .xlsx workbook (the sheet named "IKM", else the first) or a
    .csv file (UTF-8 with or without BOM, else Windows-1252; comma, semicolon or tab).

    ``source`` is a path, bytes or a file object. The first non-empty row is the header.
    Formulas are read as their text and never evaluated. The file is checked first
    (:func:`check_file`); more than ``max_rows`` data rows is refused (the rows past the
    limit are counted, not kept). ``limits`` go to :func:`check_xlsx_package`. Raises
    :class:`ImportFileError`.
    """
    name = (file_name or "").lower()
    data = source_bytes(source)
    if name.endswith(".xls"):
        raise ImportFileError(FILE_XLS)
    if _is_zip(data) or name.endswith((".xlsx", ".xlsm")):
        return read_xlsx(data, max_rows=max_rows, **limits)
    if name.endswith((".csv", ".txt")):
        return _read_csv(data, max_rows=max_rows)
    raise ImportFileError(FILE_TYPE)


# --- Checking a file before reading or storing it ----------------------------------------


def check_file(data: bytes, file_name: str, **limits) -> None:
    """Refuse a file that is not what its name says or is built to harm the reader: an
    .xlsx by :func:`check_xlsx_package` (``limits`` are its keyword arguments), a .csv by
    :func:`check_csv_text`. Fast (no cell is read): upload screens call it before storing
    anything. Raises :class:`ImportFileError`."""
    name = (file_name or "").lower()
    if name.endswith(".xls"):
        raise ImportFileError(FILE_XLS)
    if name.endswith((".xlsx", ".xlsm")):
        check_xlsx_package(data, **limits)
    elif name.endswith((".csv", ".txt")):
        check_csv_text(data)
    else:
        raise ImportFileError(FILE_TYPE)


_BINARY_SIGNATURES = (
    b"PK\x03\x04",  # zip, .xlsx, .docx
    b"\xd0\xcf\x11\xe0",  # old Office (.xls, .doc)
    b"%PDF",
    b"MZ",  # Windows programs
    b"\x7fELF",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"\x1f\x8b",  # gzip
    b"Rar!",
    b"7z\xbc\xaf",
)
_MARKUP = re.compile(rb"^\s*<(?:!doctype|html|head|body|script|svg|\?xml|iframe|a\s)", re.I)


def check_csv_text(data: bytes) -> None:
    """A .csv must be text: no NUL byte, not a program, a picture, an archive
    or a web page under another name."""
    head = data[:4096].removeprefix(codecs.BOM_UTF8)
    if (
        b"\x00" in data
        or head.startswith(_BINARY_SIGNATURES)
        or _MARKUP.match(head)
        or re.search(rb"<script|<iframe|<svg", head, re.I)
    ):
        raise ImportFileError(FILE_NOT_TEXT)


_XML_DECLARATION = re.compile(rb"^<\?xml[^>]*?\?>", re.S)
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_PROLOG_SKIP = re.compile(rb"\s+|<!--.*?-->|<\?.*?\?>", re.S)
_PROLOG_LIMIT = 64 * 1024


def _xml_part_is_safe(head: bytes) -> bool:
    """The start of an XML part: UTF-8 (no UTF-16/32, no other declared encoding) and no
    DTD before the root element (a DOCTYPE can only stand there, and with it any entity)."""
    head = head.removeprefix(codecs.BOM_UTF8)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        return False
    position = 0
    if declaration := _XML_DECLARATION.match(head):
        encoding = _ENCODING.search(declaration.group())
        if encoding and encoding.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
            return False
        position = declaration.end()
    while position < len(head):
        skipped = _PROLOG_SKIP.match(head, position)
        if skipped is None:
            break
        position = skipped.end()
    rest = head[position:]
    if rest.startswith(b"<!"):
        return False  # <!DOCTYPE ...> (or anything else a package never holds there)
    # No root element within the limit: refuse rather than read on.
    return not (position >= len(head) and len(head) >= _PROLOG_LIMIT)


def check_xlsx_package(
    data: bytes,
    *,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
    too_large=FILE_UNPACKS_TOO_LARGE,
) -> None:
    """An .xlsx is a zip package. Refuse one that is not (or is damaged, encrypted or
    truncated); one whose parts unpack, by the sizes the package declares, to more than
    ``max_unpacked_bytes`` or at more than :data:`MAX_RATIO` times their packed size (a zip
    bomb; message ``too_large``); one with macros; and one whose XML parts are not UTF-8 or
    carry a DTD (entity expansion, external entities). Only the first bytes of each part
    are inflated."""
    if not _is_zip(data):
        raise ImportFileError(FILE_UNREADABLE)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise ImportFileError(too_large)
            total = 0
            for entry in entries:
                total += entry.file_size
                ratio_checked = entry.file_size > RATIO_FROM_BYTES
                if ratio_checked and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
                    raise ImportFileError(too_large)
                if entry.flag_bits & 0x1:  # encrypted
                    raise ImportFileError(FILE_UNREADABLE)
            if total > max_unpacked_bytes:
                raise ImportFileError(too_large)
            names = {e.filename.lower() for e in entries}
            if "[content_types].xml" not in names:
                raise ImportFileError(FILE_UNREADABLE)
            if any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in names):
                raise ImportFileError(FILE_MACROS)
            for entry in entries:
                if entry.filename.lower().endswith((".xml", ".rels", ".vml")):
                    with package.open(entry) as part:
                        head = part.read(_PROLOG_LIMIT)
                    if not _xml_part_is_safe(head):
                        raise ImportFileError(FILE_XML_UNSAFE)
    except ImportFileError:
        raise
    except Exception as exc:  # a damaged package can break zipfile in many ways
        raise ImportFileError(FILE_UNREADABLE) from exc


# --- Formula injection --------------------------------------------------------------------

_NUMBER_LIKE = re.compile(r"[\d\s.,:/%()+\-eE]*")


def looks_like_formula(value) -> bool:
    """Text that a spreadsheet would run as a formula once the value is written to a cell
    or a CSV file: it begins (after spaces, and a single quote that the import removes)
    with = or @, or with + or - followed by more than a number or a phone number (the
    "+cmd|' /C calc'!A0" and "-2+3+cmd|..." forms). A lone "-" or "+62 812 3456" is
    data."""
    if not isinstance(value, str):
        return False
    text = clean_text(value)
    if text.startswith("'"):
        text = clean_text(text[1:])
    if not text:
        return False
    if text[0] in "=@":
        return True
    if text[0] in "+-":
        rest = text[1:]
        return not _NUMBER_LIKE.fullmatch(rest) and any(c in rest for c in "(|!=@")
    return False


# A text, value or formula element of any part, and the start of its content up to the
# first character a formula can begin with: the candidates, checked one by one.
_CANDIDATE = re.compile(rb"<(?:[\w.\-]+:)?[tv](?:\s[^>]*)?>([^<\w]*?['=+\-@&][^<]{0,400})")
_UNSUPPORTED_MARKUP = re.compile(rb"<!\[CDATA\[|<!--|<!(?:DOCTYPE|ENTITY)", re.I)
_MAIN_NS = rb"http://schemas\.openxmlformats\.org/spreadsheetml/2006/main"
_MAIN_PREFIXES = re.compile(rb"""xmlns(?::([\w.\-]+))?\s*=\s*["']""" + _MAIN_NS + rb"""["']""")


def _is_formula(value, *, quoted: bool) -> bool:
    if not quoted and isinstance(value, str) and clean_text(value).startswith("'"):
        return False
    return looks_like_formula(value)


def _formula_in_part(content: bytes, *, formula_cells: bool, quoted: bool) -> str | None:
    if _UNSUPPORTED_MARKUP.search(content):
        raise ImportFileError(FILE_XML_UNSAFE)  # CDATA or comments could hide text
    for match in _CANDIDATE.finditer(content):
        text = html.unescape(match.group(1).decode("utf-8", "replace"))
        if _is_formula(text, quoted=quoted):
            return clean_text(text)
    if formula_cells:
        prefixes = {m.group(1) or b"" for m in _MAIN_PREFIXES.finditer(content)}
        for prefix in prefixes:
            tag = (re.escape(prefix) + rb":" if prefix else b"") + rb"f(?=[\s>/])"
            if found := re.search(rb"<" + tag + rb"[^>]*>([^<]{0,400})", content):
                return "=" + html.unescape(found.group(1).decode("utf-8", "replace"))
            if re.search(rb"<" + tag, content):
                return "="
    return None


def find_formula(
    data: bytes,
    file_name: str,
    *,
    formula_cells: bool = True,
    quoted: bool = True,
    table: Table | None = None,
) -> str | None:
    """The first value of the file that a spreadsheet would run as a formula
    (:func:`looks_like_formula`), or None. In an .xlsx every part's text is searched (cheaply:
    no spreadsheet library, but the whole file). ``formula_cells`` counts a formula cell as
    such a value too, and ``quoted`` the neutralised form "'=..." that exports and error
    workbooks write (an import that would keep the text); otherwise they are left to the
    rows' own check. ``table`` is the .csv file already read by :func:`read_table`: its rows
    are searched instead of reading the file again. Call it after :func:`check_file`."""
    name = (file_name or "").lower()
    if table is not None and table.file_type == "csv":
        return _formula_in_table(table, quoted=quoted)
    if name.endswith((".xlsx", ".xlsm")):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                for entry in package.infolist():
                    if not entry.filename.lower().endswith(".xml"):
                        continue
                    with package.open(entry) as part:
                        content = part.read()
                    found = _formula_in_part(content, formula_cells=formula_cells, quoted=quoted)
                    if found:
                        return found
        except ImportFileError:
            raise
        except Exception as exc:
            raise ImportFileError(FILE_UNREADABLE) from exc
        return None
    return _formula_in_table(_read_csv(data, max_rows=None), quoted=quoted)


def _formula_in_table(table: Table, *, quoted: bool) -> str | None:
    for value in [*table.headers, *(v for _number, values in table.rows for v in values)]:
        if _is_formula(value, quoted=quoted):
            return clean_text(value)
    return None


def formula_error(value: str) -> ImportFileError:
    shown = value if len(value) <= 60 else value[:57] + "..."
    return ImportFileError(FILE_FORMULA % {"value": shown})


# --- Reading ------------------------------------------------------------------------------


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


def _open_workbook(data: bytes):
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(FILE_UNREADABLE) from exc


def _xlsx_rows(workbook):
    """(row number, values) of the data sheet's non-empty rows, header first."""
    sheets = workbook.worksheets
    if not sheets:
        return
    sheet = next((s for s in sheets if s.title.strip().lower() == "ikm"), sheets[0])
    sheet.reset_dimensions()  # trust the cells, not the stored dimension
    for cells in sheet.iter_rows():
        values = [_xlsx_value(c) for c in cells]
        if all(is_blank(v) for v in values):
            continue
        # A leading empty cell is an EmptyCell without a row number: take a real one.
        yield next(c.row for c in cells if hasattr(c, "row")), values


def _csv_rows(data: bytes):
    """(row number, values) of the non-empty rows, header first."""
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
    try:
        for number, values in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1
        ):
            if not all(is_blank(v) for v in values):
                yield number, list(values)
    except csv.Error as exc:
        raise ImportFileError(FILE_UNREADABLE) from exc


def _table(rows, file_type: str, max_rows: int | None) -> Table:
    headers = None
    kept = []
    count = 0
    for number, values in rows:
        if headers is None:
            headers = [clean_text(cell_text(v)) for v in values]
            continue
        count += 1
        if max_rows is None or count <= max_rows:
            kept.append((number, values))
        # Rows past the limit are counted for the message, not kept: memory stays bounded.
    if headers is None:
        raise ImportFileError(FILE_NO_HEADER)
    if max_rows is not None and count > max_rows:
        raise ImportFileError(FILE_TOO_MANY_ROWS % {"rows": count, "max": max_rows})
    return Table(headers, kept, file_type)


def read_xlsx(data: bytes, *, max_rows: int | None = None, **limits) -> Table:
    """The data sheet of an .xlsx (see :func:`read_table`), after
    :func:`check_xlsx_package` (``limits`` are its keyword arguments)."""
    check_xlsx_package(data, **limits)
    workbook = _open_workbook(data)
    try:
        return _table(_xlsx_rows(workbook), "xlsx", max_rows)
    finally:
        workbook.close()


def _read_csv(data: bytes, *, max_rows: int | None = None) -> Table:
    check_csv_text(data)
    return _table(_csv_rows(data), "csv", max_rows)


def read_header(data: bytes, file_name: str) -> list[str]:
    """The header row alone (the first non-empty row), without reading the rest: for an
    upload screen, after :func:`check_file`. Raises :class:`ImportFileError`."""
    if (file_name or "").lower().endswith((".csv", ".txt")):
        rows = _csv_rows(data)
        first = next(rows, None)
    else:
        workbook = _open_workbook(data)
        try:
            first = next(_xlsx_rows(workbook), None)
        finally:
            workbook.close()
    if first is None:
        raise ImportFileError(FILE_NO_HEADER)
    return [clean_text(cell_text(v)) for v in first[1]]
