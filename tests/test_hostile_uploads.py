"""Hostile uploads (issue 8, "Trust"): every upload of the platform is sent the corpus of
:mod:`tests.hostile_corpus` (wrong magic bytes, programs and web pages renamed, active
PDFs, zip bombs, XML entity tricks, formula injection, path-traversal and disguised names,
empty, truncated and oversized files). Each one is refused with a message next to the file
field (a page, never a 500) and NOTHING is stored: no new row and no new file in the media
storage (a directory of this test's own, compared before and after).

The endpoints: the certificate document of the IKM registration form, the scanned MoU
(recording a new MoU, and attaching it to a signed one), the IKM bulk import, the PO
import of an MoU's ledger and the akad import.
"""

import datetime
import io
import tracemalloc
import urllib.parse
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ikm.import_views import MAX_IMPORT_BYTES
from ikm.importing import COLUMN_NAMES as IKM_COLUMNS
from ikm.importing.reading import (
    FILE_FORMULA,
    FILE_UNPACKS_TOO_LARGE,
    FILE_XML_UNSAFE,
    check_xlsx_package,
    find_formula,
    looks_like_formula,
    read_table,
)
from ikm.models import IKM, Certificate, CertificationType, ImportJob
from ikm.uploads import MAX_DOCUMENT_BYTES
from kemitraan import po_import
from kemitraan.models import BuyerProfile, Delivery, MoU, Payment, PurchaseOrder
from pembiayaan import akad_import
from pembiayaan.models import AkadKredit

from . import hostile_corpus as hc
from .factories import IkmFactory, LenderProfileFactory, MouFactory, MouParticipantFactory

pytestmark = pytest.mark.django_db

BOUNDARY = "hostile-upload-boundary-7f3a"


def multipart(fields: dict, files: dict) -> bytes:
    """A multipart body written by hand: the file name goes out exactly as given (RFC 2231
    ``filename*``), with its path, NUL or RTL characters; Django's test client would send
    only its base name."""
    chunks = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            chunks.append(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{item}\r\n".encode()
            )
    for field, (file_name, content) in files.items():
        quoted = urllib.parse.quote(file_name, safe="")
        chunks.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
            f"filename*=UTF-8''{quoted}\r\nContent-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


def post(client, url: str, fields: dict, field: str, hostile: hc.Hostile):
    body = multipart(fields, {field: (hostile.name, hostile.content)})
    return client.generic(
        "POST", url, body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """The default storage in a directory of this test alone (others may run tests on the
    same checkout at the same time)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root, "base_url": None},
        },
    }
    return root


def listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


# --- The endpoints ----------------------------------------------------------------------------


IKM_ROW = {
    "nama_usaha": "CV Unggah Aman",
    "nib": "9150000000001",
    "provinsi": "Jawa Barat",
    "kabupaten_kota": "Kab. Bekasi",
    "kbli": "29300",
    "proses": "stamping",
    "produk": "bracket knalpot",
    "jumlah_tenaga_kerja": 12,
    "nilai_investasi": "750 juta",
    "telepon": "0812 3456 7001",
}


def registration_fields() -> dict:
    from ikm.models import ProcessCapability

    iso = CertificationType.objects.get(code="ISO9001")
    return {
        "name": "CV Sertifikat Uji",
        "legal_form": "cv",
        "nib": "9150000000002",
        "npwp": "01.234.567.8-901.000",
        "year_founded": "2012",
        "address": "Jl. Industri 7, Cikarang",
        "province": "32",
        "regency": "32.16",
        "workforce": "18",
        "investment_value": "850.000.000",
        "annual_revenue": "Rp 3,2 miliar",
        "kbli": ["29300"],
        "processes": [str(ProcessCapability.objects.get(slug="stamping").pk)],
        "products": "bracket knalpot",
        "materials": "plat SPCC",
        "monthly_capacity": "20000",
        "capacity_unit": "pcs",
        "tkdn": "45,5",
        "contact_name": "Budi Santoso",
        "contact_phone": "0812-3456-7890",
        "contact_email": "budi@uji.example",
        "cert-TOTAL_FORMS": "1",
        "cert-INITIAL_FORMS": "0",
        "cert-MIN_NUM_FORMS": "0",
        "cert-MAX_NUM_FORMS": "1000",
        "cert-0-certification_type": str(iso.pk),
        "cert-0-number": "QMS-HOSTILE",
        "cert-0-valid_from": "2024-01-01",
        "cert-0-valid_until": "2027-01-01",
    }


def mou_fields(ikms) -> dict:
    return {
        "number": "099/UJI/MoU/2025",
        "title": "Pemasokan komponen",
        "partnership_pattern": "subkontrak",
        "event": "",
        "purpose": "Pasokan bracket",
        "valid_from": "2025-01-01",
        "valid_until": "2027-12-31",
        "participants-TOTAL_FORMS": "1",
        "participants-INITIAL_FORMS": "0",
        "participants-0-ikm": ikms[0].nib,
        "participants-0-committed_market_access": "Rp 1,5 miliar",
        "witnesses-TOTAL_FORMS": "0",
        "witnesses-INITIAL_FORMS": "0",
    }


def form_field_errors(response, endpoint: str) -> list[str]:
    context = response.context
    if endpoint == "certificate":
        return list(context["formset"].forms[0].errors.get("document", []))
    return list(context["form"].errors.get("document", []))


@pytest.fixture
def endpoints(client, buyer_org, lender_org, pengadaan_user, pembiayaan_user, kemenperin_user):
    """name → (user, url, other form fields, file field, snapshot of what could be stored)."""
    buyer = BuyerProfile.objects.get_or_create(organisation=buyer_org)[0]
    ikms = [IkmFactory(), IkmFactory()]
    ledger_mou = MouFactory(buyer=buyer)
    participant = MouParticipantFactory(mou=ledger_mou, ikm=ikms[0])
    signed = MouFactory(
        buyer=buyer, status="signed", signing_date=datetime.date(2025, 1, 2), document=""
    )
    LenderProfileFactory(organisation=lender_org)

    def ikm_state():
        return (IKM.objects.count(), Certificate.objects.count(), ImportJob.objects.count())

    def ledger_state():
        return (
            PurchaseOrder.objects.count(),
            Delivery.objects.count(),
            Payment.objects.count(),
        )

    return {
        "certificate": (
            kemenperin_user,
            "/ikm/baru/",
            registration_fields(),
            "cert-0-document",
            ikm_state,
        ),
        "mou-create": (
            pengadaan_user,
            "/kemitraan/mou/baru/",
            mou_fields(ikms),
            "document",
            lambda: (MoU.objects.count(), MoU.history.count()),
        ),
        "mou-attach": (
            kemenperin_user,
            f"/kemitraan/mou/{signed.pk}/ubah/",
            {},
            "document",
            lambda: (MoU.objects.get(pk=signed.pk).document.name, MoU.history.count()),
        ),
        "ikm-import": (kemenperin_user, "/ikm/impor/", {}, "file", ikm_state),
        "po-import": (
            pengadaan_user,
            f"/kemitraan/mou/{ledger_mou.pk}/realisasi/impor/",
            {},
            "file",
            ledger_state,
        ),
        "akad-import": (
            pembiayaan_user,
            "/pembiayaan/akad/impor/",
            {},
            "file",
            lambda: AkadKredit.objects.count(),
        ),
        "_participant_nib": participant.ikm.nib,
    }


DOCUMENT_ENDPOINTS = ["certificate", "mou-create", "mou-attach"]
DOCUMENT_CORPUS = hc.document_corpus(MAX_DOCUMENT_BYTES)


def import_corpus(endpoint: str, nib: str = "9150000000009") -> list[hc.Hostile]:
    if endpoint == "ikm-import":
        corpus = hc.import_corpus(IKM_COLUMNS, IKM_ROW, "nama_usaha", max_bytes=MAX_IMPORT_BYTES)
        # The registry keeps text as typed: a formula cell is refused with the file too.
        formula_cell = hc.xlsx_bytes(
            IKM_COLUMNS, [{**IKM_ROW, "nama_usaha": hc.FORMULAS["formula-hyperlink"]}],
            text_cells=False,
        )  # fmt: skip
        return [*corpus, hc.Hostile("xlsx-formula-cell", "data.xlsx", lambda: formula_cell)]
    if endpoint == "po-import":
        row = {
            "nomor_po": "PO-H-1",
            "nib_ikm": nib,
            "tanggal_po": "01/03/2026",
            "nilai_po": "1000000",
            "uraian": "Bracket",
        }
        return hc.import_corpus(
            po_import.COLUMN_NAMES, row, "uraian", max_bytes=po_import.MAX_FILE_BYTES
        )
    row = {
        "nib_peminjam": nib,
        "nomor_akad": "AK/H/1",
        "tanggal_akad": "01/06/2025",
        "skema": "KMK",
        "plafon": "250 juta",
        "tenor_bulan": 24,
        "suku_bunga": "10",
        "tujuan": "Modal kerja",
    }
    return hc.import_corpus(
        akad_import.COLUMN_NAMES, row, "tujuan", max_bytes=akad_import.MAX_FILE_BYTES
    )


IMPORT_CASES = [
    (endpoint, hostile.key)
    for endpoint in ("ikm-import", "po-import", "akad-import")
    for hostile in import_corpus(endpoint)
]


def refused(client, endpoints, media, endpoint: str, hostile: hc.Hostile):
    """Send ``hostile`` and check: a page (200/4xx, no redirect to a next step, no 500),
    the message next to the file field, nothing stored. Returns the message."""
    user, url, fields, field, state = endpoints[endpoint]
    client.force_login(user)
    before = (state(), listing(media))
    response = post(client, url, fields, field, hostile)
    assert 200 <= response.status_code < 500 and response.status_code != 302, (
        f"{endpoint} accepted {hostile.key}: {response.status_code}"
    )
    html = response.text
    if field == "file":
        assert 'id="file-error"' in html and "invalid-feedback" in html
        message = html.split('id="file-error"', 1)[1].split(">", 1)[1].split("</div>", 1)[0]
        assert message.strip()
    else:
        errors = form_field_errors(response, endpoint)
        assert errors, f"{endpoint}: no error on the file field for {hostile.key}"
        message = errors[0]
        assert "invalid-feedback" in html
    assert (state(), listing(media)) == before, f"{endpoint} stored something of {hostile.key}"
    return message


@pytest.mark.parametrize("endpoint", DOCUMENT_ENDPOINTS)
@pytest.mark.parametrize("key", [h.key for h in DOCUMENT_CORPUS])
def test_hostile_documents_are_refused_and_nothing_is_stored(
    client, endpoints, media, endpoint, key
):
    hostile = next(h for h in DOCUMENT_CORPUS if h.key == key)
    refused(client, endpoints, media, endpoint, hostile)


@pytest.mark.parametrize(("endpoint", "key"), IMPORT_CASES)
def test_hostile_spreadsheets_are_refused_and_nothing_is_stored(
    client, endpoints, media, endpoint, key
):
    hostile = next(
        h for h in import_corpus(endpoint, endpoints["_participant_nib"]) if h.key == key
    )
    message = refused(client, endpoints, media, endpoint, hostile)
    if key.startswith(("csv-formula", "xlsx-text-formula", "xlsx-formula-cell")) and not (
        endpoint == "akad-import" and key.startswith("csv-")  # .csv: refused by its kind
    ):
        assert message.startswith(str(FILE_FORMULA).split("“")[0]), message
    if key.startswith("zip-bomb"):
        expected = akad_import.FILE_UNPACKS_TOO_LARGE if endpoint == "akad-import" else None
        assert message == str(expected or FILE_UNPACKS_TOO_LARGE), message
    if key.startswith(("xxe", "xml-billion", "xml-utf16", "xml-cdata")):
        assert message == str(FILE_XML_UNSAFE), message


# Formula text; a formula cell ("xlsx-formula-cell") is refused by the upload page only:
# the import keeps it as its text (tests/ikm/fixtures/tricky.py).
FORMULA_TEXT_KEYS = ("csv-formula", "xlsx-text-formula")


@pytest.mark.parametrize(
    "key", [h.key for h in import_corpus("ikm-import") if h.key.startswith(FORMULA_TEXT_KEYS)]
)
def test_the_import_command_refuses_the_formula_files_the_upload_page_refuses(tmp_path, key):
    """The formula text check is in the import itself, not only in the upload page."""
    hostile = next(h for h in import_corpus("ikm-import") if h.key == key)
    path = tmp_path / hostile.name
    path.write_bytes(hostile.content)
    before = IKM.objects.count()
    with pytest.raises(CommandError) as raised:
        call_command("import_ikm", str(path), stdout=io.StringIO())
    assert str(raised.value).startswith(str(FILE_FORMULA).split("“")[0]), raised.value
    assert IKM.objects.count() == before


# --- What the refusals rest on ------------------------------------------------------------------


def test_the_zip_bombs_are_refused_by_their_declared_size_without_inflating():
    base = hc.xlsx_bytes(IKM_COLUMNS, [IKM_ROW])
    declared = hc.declared_size_bomb(base)
    honest = hc.ratio_bomb(base)
    assert len(declared) < 16 * 1024  # a few KB that claim 1.5 GiB
    tracemalloc.start()
    try:
        for bomb in (declared, honest):
            with pytest.raises(Exception) as excinfo:
                check_xlsx_package(bomb)
            assert excinfo.value.messages == [str(FILE_UNPACKS_TOO_LARGE)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, peak  # not the 60 MiB, let alone the 1.5 GiB


def test_openpyxl_reads_xml_through_defusedxml():
    """With defusedxml installed openpyxl refuses entity declarations itself; the package
    check refuses any DTD before openpyxl runs, whatever is installed."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML, "defusedxml is not installed: add defusedxml to requirements.txt"


@pytest.mark.parametrize(
    ("value", "formula"),
    [
        ("=cmd|' /C calc'!A0", True),
        ("  =1+2", True),
        ('\'=HYPERLINK("x")', True),
        ("+cmd|' /C calc'!A0", True),
        ("-2+3+cmd|' /C calc'!A0", True),
        ("@SUM(1+1)", True),
        ("\t=cmd|x", True),
        ("-", False),
        ("-5", False),
        ("-5 juta", False),
        ("+62 812-3456-7890", False),
        ("+62 (0274) 512345", False),
        ("CV Maju = Jaya", False),
        ("Bracket (M8)", False),
        ("", False),
        (12, False),
    ],
)
def test_what_counts_as_a_formula(value, formula):
    assert looks_like_formula(value) is formula


def test_a_workbook_as_excel_writes_it_passes_the_checks_and_is_read():
    """Excel declares every part as UTF-8 and standalone; such a workbook is read."""
    base = hc.xlsx_bytes(IKM_COLUMNS, [IKM_ROW])
    declaration = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
    with zipfile.ZipFile(io.BytesIO(base)) as package:
        parts = {
            info.filename: declaration + package.read(info).split(b"?>", 1)[-1].lstrip()
            if package.read(info).startswith(b"<?xml")
            else declaration + package.read(info)
            for info in package.infolist()
            if info.filename.endswith((".xml", ".rels"))
        }
    excel_like = hc.replace_parts(base, parts)
    check_xlsx_package(excel_like)
    assert find_formula(excel_like, "x.xlsx") is None
    table = read_table(excel_like, "x.xlsx")
    assert table.rows[0][1][0] == IKM_ROW["nama_usaha"]


def test_the_templates_hold_no_formula():
    from ikm.importing import template_workbook

    for name, content in (
        ("ikm.xlsx", template_workbook()),
        ("po.xlsx", po_import.template_workbook()),
        ("akad.xlsx", akad_import.template_workbook()),
    ):
        assert find_formula(content, name, formula_cells=True) is None, name


# --- What is accepted, and how it is kept -------------------------------------------------------


def test_a_real_document_under_a_traversal_name_is_kept_only_under_a_random_name(
    client, endpoints, media
):
    """Django keeps only the base name of an upload (no path, no NUL, no RTL mark); the
    document is then stored under a random name in its own folder: nothing is written
    where the name points."""
    user, url, fields, field, _ = endpoints["mou-create"]
    client.force_login(user)
    document = hc.Hostile("real-pdf", "../../../../tmp/evil.pdf", lambda: hc.PDF)
    response = post(client, url, fields, field, document)
    assert response.status_code == 302, response.text[:2000]
    mou = MoU.objects.get(number=fields["number"])
    stored = listing(media)
    assert stored == ["mou", mou.document.name]
    assert mou.document.name.startswith("mou/") and "evil" not in mou.document.name
    assert not Path("/tmp/evil.pdf").exists()


def test_a_quoted_formula_in_a_po_file_is_refused_on_its_row_and_never_recorded(
    client, endpoints, media
):
    """The neutralised form "'=..." that exports and error workbooks write passes the file
    check of the PO and akad imports (so an error workbook can be uploaded again) and is
    refused on its row; a formula cell too."""
    user, url, _, _, state = endpoints["po-import"]
    nib = endpoints["_participant_nib"]
    client.force_login(user)
    rows = [
        {"nomor_po": "PO-Q-1", "nib_ikm": nib, "tanggal_po": "01/03/2026", "nilai_po": "1000000",
         "uraian": "'=cmd|' /C calc'!A0"},
        {"nomor_po": "PO-Q-2", "nib_ikm": nib, "tanggal_po": "01/03/2026", "nilai_po": "1000000",
         "uraian": '=HYPERLINK("http://contoh.example","klik")'},
    ]  # fmt: skip
    content = hc.xlsx_bytes(po_import.COLUMN_NAMES, rows, text_cells=False)
    before = state()
    response = post(client, url, {}, "file", hc.Hostile("quoted", "po.xlsx", lambda: content))
    assert response.status_code == 302
    token = response["Location"].split("berkas=")[1]
    result = client.post(url + "terapkan/", {"berkas": token})
    assert result.status_code == 200
    assert state() == before
    assert str(po_import.FORMULA_NOT_ALLOWED).split("(")[0] in result.text
