"""Workbooks: the import template, the error workbook of a job, the directory export."""

import csv
import io

from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..models import Certificate, ImportJob, Kbli, ProcessCapability
from ..parsing import (
    ParseError,
    PercentNumber,
    ReferenceData,
    neutralise_formula,
    resolve_processes,
)
from .columns import (
    COLUMN_NAMES,
    COLUMNS,
    DATA_SHEET,
    ERROR_COLUMN,
    ImportFileError,
    header_key,
)
from .jobs import _job_table
from .reading import Table

# Columns whose cells must stay text in the template (leading zeros, "32.16").
_TEXT_COLUMNS = ("nib", "npwp", "kabupaten_kota", "kbli", "telepon")
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


_HEADER_FONT = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")
_MONEY_FORMAT = "#,##0"


def xlsx_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def add_header_sheet(workbook: Workbook, *, title: str, columns, text_columns=()):
    """The template's data sheet (the workbook's first): the header row, required columns
    shaded, identifier columns formatted as text so leading zeros survive."""
    sheet = workbook.active
    sheet.title = title
    for position, column in enumerate(columns, 1):
        cell = sheet.cell(row=1, column=position, value=column.name)
        cell.font = _HEADER_FONT
        if column.required:
            cell.fill = _REQUIRED_FILL
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
        if column.name in text_columns:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    return sheet


def add_guide_sheet(workbook: Workbook, *, lines: list[str], columns, example_width: int = 32):
    """Sheet "Petunjuk": the instructions (first line as the title), then one row per column
    (name, * when required, what to write, an example)."""
    guide = workbook.create_sheet("Petunjuk")
    for line in [*lines, ""]:
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append(["Kolom", "Wajib", "Isi", "Contoh"])
    for cell in guide[guide.max_row]:
        cell.font = _HEADER_FONT
    first = guide.max_row + 1
    for column in columns:
        guide.append(
            [
                column.name + ("*" if column.required else ""),
                "ya" if column.required else "tidak",
                column.description,
                column.example,
            ]
        )
    for letter, width in (("A", 24), ("B", 8), ("C", 90), ("D", example_width)):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=first):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    return guide


def error_rows_workbook(*, sheet_name: str, table, results: dict[int, dict]) -> bytes:
    """The invalid rows of ``table`` (a :class:`Table`, or None when the file can no longer
    be read), with the file's own columns in their order plus ``kesalahan`` (each error:
    "column: message"), to fix and upload again. ``results``: the invalid rows' results by
    row number. Text a spreadsheet would run as a formula is neutralised; percentages stay
    percentages."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    headers = table.headers if table else []
    keep = [i for i, h in enumerate(headers) if header_key(h) != ERROR_COLUMN]
    header = [WriteOnlyCell(sheet, value=neutralise_formula(headers[i])) for i in keep]
    header.append(WriteOnlyCell(sheet, value=ERROR_COLUMN))
    for cell in header:
        cell.font = _HEADER_FONT
    sheet.append(header)
    for number, values in table.rows if table else []:
        if number in results:
            cells = [xlsx_cell(sheet, values[i] if i < len(values) else None) for i in keep]
            sheet.append([*cells, error_text(results[number])])
    return xlsx_bytes(workbook)


def append_block(sheet, header: list, rows) -> None:
    """A bold header row and its rows, after a blank row when the sheet has content."""
    if sheet.max_row > 1:
        sheet.append([])
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = _HEADER_FONT
    for row in rows:
        sheet.append(list(row))


def template_workbook() -> bytes:
    """The import template: sheet "IKM" (the header row; identifier columns formatted as
    text), "Petunjuk" (instructions in Indonesian), "Contoh" (example rows) and
    "Referensi" (accepted KBLI codes, processes, certifications, legal forms, provinces)."""
    refs = ReferenceData.from_db()
    workbook = Workbook()
    add_header_sheet(workbook, title=DATA_SHEET, columns=COLUMNS, text_columns=_TEXT_COLUMNS)
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
    ]
    add_guide_sheet(workbook, lines=lines, columns=COLUMNS)

    examples = workbook.create_sheet("Contoh")
    examples.append(list(COLUMN_NAMES))
    for cell in examples[1]:
        cell.font = _HEADER_FONT
    for row in _EXAMPLE_ROWS:
        examples.append([row.get(name) for name in COLUMN_NAMES])

    reference = workbook.create_sheet("Referensi")

    def block(header, rows):
        append_block(reference, header, rows)

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
    return xlsx_bytes(workbook)


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


def error_text(result: dict) -> str:
    return "; ".join(
        f"{e['column']}: {e['message']}" if e.get("column") else e["message"]
        for e in result.get("errors", [])
    )


def xlsx_cell(sheet, value, *, number_format: str | None = None):
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
    try:
        table = _job_table(job, source)
    except ImportFileError:
        table = Table(list(COLUMN_NAMES), [], "")
    invalid = {r["row"]: r for r in job.rows or [] if r.get("action") == "invalid"}
    return error_rows_workbook(sheet_name=DATA_SHEET, table=table, results=invalid)


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
                xlsx_cell(sheet, v, number_format=_MONEY_FORMAT if i in money and v else None)
                for i, v in enumerate(values)
            ]
        )
    return xlsx_bytes(workbook)
