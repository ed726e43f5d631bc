"""Reading files: the data sheet of an .xlsx workbook or a .csv file as a :class:`Table`."""

import contextlib
import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

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
        table = read_xlsx(data)
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


def read_xlsx(data: bytes) -> Table:
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
