"""Export of the directory in the import template (ikm.importing.export_ikm): formats,
formula neutralisation, and export → import changing nothing."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from ikm.importing import COLUMN_NAMES, export_ikm, ikm_import_apply
from ikm.models import IKM, Certificate, CertificationType, ImportJob, ProcessCapability, Regency
from tests.factories import CertificateFactory, IkmFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def directory():
    """IKM holding everything the template can carry, in awkward shapes."""
    jakarta = Regency.objects.get(code="31.74")
    yogya = Regency.objects.get(code="34.71")
    full = IkmFactory(
        nib="0120001000001",  # a leading zero that must survive
        name="PT Presisi Nusantara",
        legal_form=IKM.LegalForm.PT,
        npwp="0012345678901000",
        year_founded=2008,
        address="Jl. Industri No. 5\nKawasan MM2100, Cikarang",
        regency=jakarta,
        province=jakarta.province,
        tkdn=Decimal("45.50"),
        monthly_capacity=20_000,
        capacity_unit="pcs",
        annual_revenue=None,
        contact_name="Budi Santoso",
        contact_phone="+6281234567890",
        contact_email="budi@contoh.example",
        processes=["pemesinan", "pembuatan-cetakan", "wire-harness"],
        kbli=["29300", "25910"],
    )
    CertificateFactory(ikm=full)  # ISO9001, valid
    Certificate.objects.create(
        ikm=full, certification_type=CertificationType.objects.get(code="TKDN")
    )  # no dates: held
    CertificateFactory(
        ikm=full,
        certification_type=CertificationType.objects.get(code="SNI"),
        valid_from="2015-01-01",
        valid_until="2016-01-01",
    )  # expired: not exported
    formulas = IkmFactory(
        nib="9120001000002",
        name='=HYPERLINK("http://contoh.example","klik")',
        legal_form=IKM.LegalForm.FIRMA,
        products="+SUM(1,2)",
        materials="@foo",
        address="-2+3",
        contact_name="=cmd|' /C calc'!A0",
        regency=yogya,
        province=yogya.province,
        tkdn=Decimal("0.46"),
    )
    plain = IkmFactory(nib="9120001000003", legal_form=IKM.LegalForm.PERORANGAN)
    return full, formulas, plain


def rows_of_xlsx(content: bytes) -> list[dict]:
    sheet = load_workbook(io.BytesIO(content)).active
    lines = list(sheet.iter_rows(values_only=True))
    assert list(lines[0]) == list(COLUMN_NAMES)
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def rows_of_csv(content: bytes) -> list[dict]:
    assert content.startswith("\ufeff".encode())  # Excel reads UTF-8 with a BOM
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    assert reader.fieldnames == list(COLUMN_NAMES)
    return list(reader)


def reimport(content: bytes, name: str) -> ImportJob:
    job = ImportJob(file_name=name, file_sha256="0" * 64)
    return ikm_import_apply(job=job, source=content)


def test_xlsx_export_in_the_template(directory):
    full, _, _ = directory
    rows = {r["nib"]: r for r in rows_of_xlsx(export_ikm(IKM.objects.all(), "xlsx"))}
    row = rows["0120001000001"]
    assert row == {
        "nama_usaha": "PT Presisi Nusantara",
        "nib": "0120001000001",
        "bentuk_usaha": "PT",
        "npwp": "0012345678901000",
        "tahun_berdiri": 2008,
        "alamat": "Jl. Industri No. 5\nKawasan MM2100, Cikarang",
        "provinsi": "DKI Jakarta",
        "kabupaten_kota": "Kota Administrasi Jakarta Selatan",
        "kbli": "25910, 29300",
        "proses": "Pembuatan cetakan (mould & dies), Pemesinan (CNC), Wire harness",
        "produk": full.products,
        "bahan": full.materials,
        "sertifikasi": "ISO9001, TKDN",  # the expired SNI is left out
        "kapasitas_per_bulan": 20_000,
        "satuan": "pcs",
        "jumlah_tenaga_kerja": 12,
        "nilai_investasi": 500_000_000,
        "omzet_tahunan": None,
        "tkdn_persen": 45.5,
        "nama_kontak": "Budi Santoso",
        "telepon": "081234567890",  # national form: never read as a formula
        "email": "budi@contoh.example",
    }


def test_csv_export_in_the_template(directory):
    rows = {r["nib"]: r for r in rows_of_csv(export_ikm(IKM.objects.all(), "csv"))}
    row = rows["0120001000001"]
    assert row["nilai_investasi"] == "500000000"
    assert row["tkdn_persen"] == "45.5"
    assert row["omzet_tahunan"] == ""
    assert row["alamat"] == "Jl. Industri No. 5\nKawasan MM2100, Cikarang"
    assert rows["9120001000003"]["bentuk_usaha"] == "Perorangan"


def test_formulas_are_neutralised_on_export(directory):
    _, formulas, _ = directory
    expected = {
        "nama_usaha": "'" + formulas.name,
        "produk": "'+SUM(1,2)",
        "bahan": "'@foo",
        "alamat": "'-2+3",
        "nama_kontak": "'=cmd|' /C calc'!A0",
    }
    sheet = load_workbook(io.BytesIO(export_ikm(IKM.objects.filter(pk=formulas.pk), "xlsx")))
    header = [c.value for c in sheet.active[1]]
    cells = dict(zip(header, sheet.active[2], strict=True))
    for column, value in expected.items():
        assert cells[column].value == value
        assert cells[column].data_type == "s"  # text, not a formula
    (row,) = rows_of_csv(export_ikm(IKM.objects.filter(pk=formulas.pk), "csv"))
    for column, value in expected.items():
        assert row[column] == value


@pytest.mark.parametrize(("fmt", "name"), [("xlsx", "direktori.xlsx"), ("csv", "direktori.csv")])
def test_export_then_import_changes_nothing(directory, fmt, name):
    before = (
        list(IKM.objects.order_by("pk").values()),
        IKM.history.count(),
        Certificate.objects.count(),
        Certificate.history.count(),
    )

    job = reimport(export_ikm(IKM.objects.all(), fmt), name)

    assert job.status == ImportJob.Status.DONE, job.error_message
    assert job.counts == {"create": 0, "update": 0, "unchanged": 3, "invalid": 0}, job.rows
    after = (
        list(IKM.objects.order_by("pk").values()),
        IKM.history.count(),
        Certificate.objects.count(),
        Certificate.history.count(),
    )
    assert after == before


def test_a_process_name_with_a_comma_is_exported_by_its_slug(directory):
    full, _, _ = directory
    ProcessCapability.objects.filter(slug="wire-harness").update(name="Kabel, harness")
    (row,) = rows_of_xlsx(export_ikm(IKM.objects.filter(pk=full.pk), "xlsx"))
    assert "wire-harness" in row["proses"].split(", ")
    job = reimport(export_ikm(IKM.objects.filter(pk=full.pk), "xlsx"), "x.xlsx")
    assert job.counts["unchanged"] == 1, job.rows


def test_export_follows_the_queryset(directory):
    full, _, plain = directory
    rows = rows_of_xlsx(export_ikm(IKM.objects.filter(pk__in=[full.pk, plain.pk]), "xlsx"))
    assert {r["nib"] for r in rows} == {full.nib, plain.nib}
    assert rows_of_xlsx(export_ikm(IKM.objects.none(), "xlsx")) == []


def test_export_queries_do_not_grow_with_the_rows():
    def queries(n: int) -> int:
        IKM.objects.all().delete()
        for i in range(n):
            ikm = IkmFactory(nib=f"91200020000{i:02d}")
            CertificateFactory(ikm=ikm)
        with CaptureQueriesContext(connection) as captured:
            export_ikm(IKM.objects.all(), "xlsx")
        return len(captured.captured_queries)

    assert queries(3) == queries(30)


def test_unknown_export_format():
    with pytest.raises(ValueError, match="pdf"):
        export_ikm(IKM.objects.none(), "pdf")
