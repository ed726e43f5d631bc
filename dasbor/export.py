"""The dashboard as an ``.xlsx`` workbook: a summary sheet, the funnel, then a sheet per table.

Numbers stay numbers (rupiah with a thousands format, percentages with one decimal) so that
report writers can sum and chart them; text that a spreadsheet would run as a formula is
neutralised.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ikm.importing.workbooks import xlsx_bytes
from ikm.parsing import neutralise_formula

from .tables import COUNT, PERCENT, RUPIAH, TEXT, Table, summary_rows

_BOLD = Font(bold=True)
_FORMATS = {RUPIAH: "#,##0", COUNT: "#,##0", PERCENT: "0.0", TEXT: "@"}


def _write(sheet, row: int, column: int, value, kind: str):
    if isinstance(value, Promise):
        value = str(value)
    cell = sheet.cell(row=row, column=column, value=neutralise_formula(value))
    if value is not None and kind != TEXT:
        cell.number_format = _FORMATS[kind]
    return cell


def _widths(sheet, widths: list[int]):
    for position, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(position)].width = width


def workbook(
    *,
    title: str,
    figures: dict,
    computed_at,
    filter_lines: list[str],
    funnel: list[tuple[str, object]],
    tables: list[Table],
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Ringkasan"
    sheet.cell(row=1, column=1, value=neutralise_formula(title)).font = Font(bold=True, size=14)
    sheet.cell(
        row=2,
        column=1,
        value=_("Figures computed at %(when)s")
        % {"when": timezone.localtime(computed_at).strftime("%Y-%m-%d %H:%M")},
    )
    row = 3
    for line in filter_lines:
        sheet.cell(row=row, column=1, value=neutralise_formula(line))
        row += 1
    row += 1
    sheet.cell(row=row, column=1, value=_("Figure")).font = _BOLD
    sheet.cell(row=row, column=2, value=_("Value")).font = _BOLD
    for label, value, kind in summary_rows(figures):
        row += 1
        sheet.cell(row=row, column=1, value=label)
        if value is None:
            sheet.cell(row=row, column=2, value="—")
        else:
            _write(sheet, row, 2, value, kind)
    _widths(sheet, [58, 22])

    steps = book.create_sheet("Corong")
    steps.append([_("Step"), _("IKM")])
    for cell in steps[1]:
        cell.font = _BOLD
    for label, value in funnel:
        steps.append([label, "—" if value is None else value])
    _widths(steps, [40, 14])

    for table in tables:
        sheet = book.create_sheet(table.sheet[:31])
        for position, column in enumerate(table.columns, 1):
            sheet.cell(row=1, column=position, value=column.label).font = _BOLD
        for row_number, row in enumerate(table.rows, 2):
            for position, (column, value) in enumerate(
                zip(table.columns, row.cells, strict=True), 1
            ):
                _write(sheet, row_number, position, value, column.kind)
        if table.note:
            sheet.cell(row=len(table.rows) + 3, column=1, value=table.note)
        _widths(sheet, [44] + [20] * (len(table.columns) - 1))
        sheet.freeze_panes = "A2"
    return xlsx_bytes(book)
