"""Bulk import of IKM (ikm.importing): the tricky workbook row by row, upserts by NIB,
idempotence, all-or-nothing writes, file-level errors, jobs, tasks and the command."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from ikm import importing
from ikm.importing import (
    COLUMN_NAMES,
    COLUMN_UNKNOWN,
    COLUMNS_MISSING,
    DUPLICATE_NIB,
    FILE_ALREADY_RUNNING,
    FILE_NO_HEADER,
    FILE_TYPE,
    FILE_UNREADABLE,
    FILE_XLS,
    IMPORT_CRASHED,
    REQUIRED_COLUMNS,
    error_workbook,
    ikm_import_apply,
    ikm_import_preview,
    import_job_create,
    import_job_progress,
    read_table,
    reading,
    template_workbook,
)
from ikm.importing.reading import FILE_FORMULA
from ikm.models import IKM, Certificate, CertificationType, ImportJob, Kbli, Regency
from ikm.parsing import KBLI_INACTIVE
from ikm.tasks import ikm_import_apply_task, ikm_import_preview_task
from tests.factories import CertificateFactory, IkmFactory

from .fixtures.tricky import CASES, EXISTING, NIB_BASE, build_workbook, case_values, render

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def tricky():
    content, rows = build_workbook()
    return content, rows


@pytest.fixture
def existing():
    return {nib: IkmFactory(nib=nib, **kwargs) for nib, kwargs in EXISTING.items()}


def workbook_bytes(rows, headers=COLUMN_NAMES) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "IKM"
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) for h in headers] if isinstance(row, dict) else row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def valid_row(nib: str, **cells) -> dict:
    return {
        "nama_usaha": f"CV Uji {nib[-4:]}",
        "nib": nib,
        "provinsi": "Jawa Barat",
        "kabupaten_kota": "Kab. Bekasi",
        "kbli": "29300",
        "proses": "stamping",
        "produk": "bracket",
        "jumlah_tenaga_kerja": 12,
        "nilai_investasi": "500 juta",
        **cells,
    }


def csv_bytes(rows, headers=COLUMN_NAMES) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in headers])
    return buffer.getvalue().encode("utf-8-sig")


def memory_job(name="impor.xlsx") -> ImportJob:
    return ImportJob(file_name=name, file_sha256="0" * 64)


def preview(content, name="impor.xlsx") -> ImportJob:
    return ikm_import_preview(job=memory_job(name), source=content)


def apply(content, actor=None, name="impor.xlsx") -> ImportJob:
    return ikm_import_apply(job=memory_job(name), actor=actor, source=content)


def upload(content, actor, name="impor.xlsx") -> ImportJob:
    return import_job_create(uploaded_file=SimpleUploadedFile(name, content), actor=actor)


def results_by_row(job):
    return {r["row"]: r for r in job.rows}


# --- The tricky workbook, row by row --------------------------------------------


def test_the_tricky_workbook_has_enough_cases():
    assert len(CASES) >= 30
    assert {c.action for c in CASES} == {"create", "update", "unchanged", "invalid"}


def test_preview_gives_each_row_its_outcome_and_writes_nothing(tricky, existing):
    content, rows = tricky
    count, history = IKM.objects.count(), IKM.history.count()

    job = preview(content)

    assert job.status == ImportJob.Status.PREVIEW_READY
    results = results_by_row(job)
    assert len(results) == len(CASES)
    for case, number in zip(CASES, rows, strict=True):
        result = results[number]
        assert result["action"] == case.action, (case.title, result)
        got = {(e["column"], e["message"]) for e in result["errors"]}
        wanted = {(column, render(message)) for column, message in case.errors.items()}
        assert got == wanted, case.title
        if case.action == "update":
            assert set(result["changes"]) == case.changes, case.title
    assert job.counts == {
        action: sum(c.action == action for c in CASES)
        for action in ("create", "update", "unchanged", "invalid")
    }
    assert job.warnings == [str(COLUMN_UNKNOWN % {"column": "catatan"})]
    assert (IKM.objects.count(), IKM.history.count()) == (count, history)


def test_apply_stores_what_each_row_means(tricky, existing, kemenperin_user):
    content, _ = tricky
    before = timezone.now()

    job = apply(content, actor=kemenperin_user)

    assert job.status == ImportJob.Status.DONE
    for index, case in enumerate(CASES):
        values = case_values(index, case)
        nib = str(values["nib"]).strip()
        if case.action == "invalid":
            if nib not in (*EXISTING, str(NIB_BASE)):  # NIB_BASE: the valid row 2
                assert not IKM.objects.filter(nib=nib).exists(), case.title
            continue
        ikm = IKM.objects.get(nib=nib)
        for attribute, expected in case.expect.items():
            if attribute == "kbli":
                got = set(ikm.kbli.values_list("code", flat=True))
            elif attribute == "processes":
                got = set(ikm.processes.values_list("slug", flat=True))
            elif attribute == "certificates":
                got = set(ikm.certificates.values_list("certification_type__code", flat=True))
            else:
                got = getattr(ikm, attribute)
            assert got == expected, (case.title, attribute)
        if case.action == "create":
            assert ikm.verification_status == IKM.Status.SUBMITTED
            assert ikm.submitted_at >= before
            assert ikm.created_by == kemenperin_user
            record = ikm.history.get()
            assert record.history_type == "+"
            assert record.history_user == kemenperin_user
            assert {k.kbli_id for k in record.kbli.all()} == set(
                ikm.kbli.values_list("code", flat=True)
            )
            assert {p.processcapability_id for p in record.processes.all()} == set(
                ikm.processes.values_list("id", flat=True)
            )
    # Certificates from a spreadsheet carry the type only: held until dates are recorded.
    imported = Certificate.objects.filter(ikm__nib__startswith="91200900")
    assert imported.exists()
    assert not imported.exclude(valid_from=None, valid_until=None, number="").exists()
    assert all(c.certification_type.code for c in imported)


def test_invalid_rows_are_never_written(kemenperin_user):
    content = workbook_bytes(
        [valid_row("9120001000001"), valid_row("9120001000002", npwp="123", kbli="99999")]
    )
    job = apply(content, actor=kemenperin_user)
    assert job.counts == {"create": 1, "update": 0, "unchanged": 0, "invalid": 1}
    assert IKM.objects.filter(nib="9120001000001").exists()
    assert not IKM.objects.filter(nib="9120001000002").exists()
    (invalid,) = [r for r in job.rows if r["action"] == "invalid"]
    assert invalid["row"] == 3
    assert invalid["nib"] == "9120001000002"
    assert {e["column"] for e in invalid["errors"]} == {"npwp", "kbli"}


# --- Updates by NIB ---------------------------------------------------------------


def test_update_changes_only_the_columns_in_the_file(kemenperin_user):
    ikm = IkmFactory(
        nib="9120002000001", contact_email="lama@contoh.example", tkdn=Decimal("30.00")
    )
    headers = ["nib", "nama_usaha", "provinsi", "kabupaten_kota", "kbli", "proses", "produk",
               "jumlah_tenaga_kerja", "nilai_investasi", "tkdn_persen"]  # fmt: skip
    row = valid_row("9120002000001", nama_usaha=ikm.name, produk=ikm.products, tkdn_persen="")
    row["nilai_investasi"] = "2 M"
    history = ikm.history.count()

    job = apply(workbook_bytes([row], headers), actor=kemenperin_user)

    (result,) = job.rows
    assert result["action"] == "update"
    assert set(result["changes"]) == {"nilai_investasi", "tkdn_persen"}
    ikm.refresh_from_db()
    assert ikm.investment_value == 2_000_000_000
    assert ikm.tkdn is None  # an empty cell in a present column clears the value
    assert ikm.contact_email == "lama@contoh.example"  # no column: kept
    assert ikm.annual_revenue == 1_800_000_000
    assert ikm.verification_status == IKM.Status.VERIFIED  # status is not the import's
    assert ikm.history.count() == history + 1
    latest = ikm.history.first()
    assert latest.history_type == "~"
    assert latest.history_user == kemenperin_user
    assert {k.kbli_id for k in latest.kbli.all()} == {"29300"}


def test_update_sets_links_and_only_adds_certificates(kemenperin_user):
    ikm = IkmFactory(nib="9120002000002", processes=["stamping", "perakitan"], kbli=["29300"])
    kept = CertificateFactory(ikm=ikm)  # ISO9001 with dates
    expired = CertificateFactory(
        ikm=ikm,
        certification_type=CertificationType.objects.get(code="SNI"),
        valid_from="2015-01-01",
        valid_until="2016-01-01",
    )
    row = valid_row(
        "9120002000002",
        nama_usaha=ikm.name,
        produk=ikm.products,
        kbli="29300, 25910",
        proses="perakitan",
        sertifikasi="ISO 9001, SNI, TKDN",
    )
    headers = [h for h in COLUMN_NAMES if h in row]

    job = apply(workbook_bytes([row], headers), actor=kemenperin_user)

    (result,) = job.rows
    assert set(result["changes"]) == {"kbli", "proses", "sertifikasi"}
    assert set(ikm.kbli.values_list("code", flat=True)) == {"29300", "25910"}
    assert set(ikm.processes.values_list("slug", flat=True)) == {"perakitan"}
    codes = sorted(ikm.certificates.values_list("certification_type__code", flat=True))
    # ISO9001 is held: not added again. SNI had expired: a dateless one is added. Nothing
    # is ever deleted.
    assert codes == ["ISO9001", "SNI", "SNI", "TKDN"]
    assert Certificate.objects.filter(pk__in=[kept.pk, expired.pk]).count() == 2
    new = ikm.certificates.filter(valid_until=None)
    assert {c.history.get().history_user for c in new} == {kemenperin_user}


def test_a_row_that_changes_nothing_writes_nothing(kemenperin_user):
    ikm = IkmFactory(nib="9120002000003", name="CV  Spasi", contact_phone="0812-3456-7890")
    row = valid_row(
        "9120002000003", nama_usaha="CV Spasi", produk=ikm.products, telepon="+6281234567890"
    )
    headers = [h for h in COLUMN_NAMES if h in row]
    updated_at, history = ikm.updated_at, IKM.history.count()

    job = apply(workbook_bytes([row], headers), actor=kemenperin_user)

    assert job.rows[0]["action"] == "unchanged"
    ikm.refresh_from_db()
    assert ikm.updated_at == updated_at
    assert ikm.name == "CV  Spasi"  # cosmetic differences are not changes
    assert IKM.history.count() == history


def test_inactive_kbli_is_refused_for_new_links_but_kept_on_existing_ones(kemenperin_user):
    IkmFactory(nib="9120002000004", kbli=["29300", "30300"])
    Kbli.objects.filter(code="30300").update(is_active=False)
    rows = [
        valid_row("9120002000004", kbli="29300, 30300"),
        valid_row("9120002000005", kbli="30300"),
    ]
    job = preview(workbook_bytes(rows))
    first, second = job.rows
    assert "kbli" not in first["changes"]
    assert second["action"] == "invalid"
    assert second["errors"] == [
        {"column": "kbli", "message": str(KBLI_INACTIVE % {"value": "30300"})}
    ]


def test_duplicate_nib_against_the_database_is_an_update_and_in_the_file_an_error():
    IkmFactory(nib="9120002000006")
    rows = [valid_row("9120002000006"), valid_row("9120002000006"), valid_row("9120002000007")]
    job = preview(workbook_bytes(rows))
    assert [r["action"] for r in job.rows] == ["update", "invalid", "create"]
    assert job.rows[1]["errors"] == [{"column": "nib", "message": str(DUPLICATE_NIB % {"row": 2})}]


def test_batched_constraint_check_agrees_with_the_models_own_validation():
    regency = Regency.objects.get(code="32.16")
    base = {"name": "CV Uji", "province_id": "32", "regency": regency, "workforce": 1}
    objs = [
        IKM(nib="9120002000010", investment_value=1, **base),
        IKM(
            nib="123",
            npwp="1",
            investment_value=-1,
            annual_revenue=-1,
            tkdn=Decimal("150"),
            latitude=Decimal("91"),
            verification_status="rejected",
            **{**base, "province_id": "33"},
        ),
        IKM(nib="9120002000011", investment_value=0, tkdn=Decimal("100"), **base),
    ]

    found = importing._constraint_violations(objs)

    for obj, constraints in zip(objs, found, strict=True):
        expected = set()
        for constraint in IKM._meta.constraints:
            try:
                constraint.validate(IKM, obj)
            # ValueError: Django formats the message "... 0 and 100%." and trips on its "%"
            # (a bug in the model's message); it is raised only for a violation.
            except (ValidationError, ValueError):
                expected.add(constraint.name)
        assert {c.name for c in constraints} == expected
    assert [len(c) for c in found] == [0, 8, 0]
    tkdn = next(c for c in found[1] if c.name == "ikm_tkdn_0_100")
    assert importing._violation_message(tkdn) == "TKDN must be between 0 and 100%."


# --- Idempotence and all-or-nothing ---------------------------------------------------


def test_importing_the_same_file_again_changes_nothing(tricky, existing, kemenperin_user):
    content, _ = tricky
    first = apply(content, actor=kemenperin_user)
    counts = (
        IKM.objects.count(),
        IKM.history.count(),
        Certificate.objects.count(),
        Certificate.history.count(),
    )

    again = apply(content, actor=kemenperin_user)

    expected = len(CASES) - first.counts["invalid"]
    assert again.counts == {
        "create": 0,
        "update": 0,
        "unchanged": expected,
        "invalid": first.counts["invalid"],
    }
    assert (
        IKM.objects.count(),
        IKM.history.count(),
        Certificate.objects.count(),
        Certificate.history.count(),
    ) == counts


def test_a_failure_halfway_leaves_the_database_as_it_was(monkeypatch, kemenperin_user):
    IkmFactory(nib="9120003000009", workforce=3)
    rows = [valid_row(f"912000300000{i}") for i in range(1, 10)]
    job = upload(workbook_bytes(rows), kemenperin_user)
    monkeypatch.setattr(importing.rows, "CHUNK_SIZE", 3)
    real_write = importing._write_chunk

    def write_then_fail_on_row_7(chunk, **kwargs):
        real_write(chunk, **kwargs)  # the earlier chunks really are written first
        if any(row.number == 7 for row in chunk):
            raise RuntimeError("disk full")

    monkeypatch.setattr(importing.rows, "_write_chunk", write_then_fail_on_row_7)
    counts = (IKM.objects.count(), IKM.history.count())

    with pytest.raises(RuntimeError):
        ikm_import_apply(job=job, actor=kemenperin_user)

    assert (IKM.objects.count(), IKM.history.count()) == counts
    assert IKM.objects.get(nib="9120003000009").workforce == 3
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error_message == str(IMPORT_CRASHED % {"error": "RuntimeError"})
    assert job.rows == []


# --- Files --------------------------------------------------------------------------


def test_a_missing_required_column_stops_the_whole_file(kemenperin_user):
    headers = [h for h in COLUMN_NAMES if h not in ("kbli", "produk")]
    job = apply(workbook_bytes([valid_row("9120004000001")], headers), actor=kemenperin_user)
    assert job.status == ImportJob.Status.FAILED
    assert job.error_message == str(COLUMNS_MISSING % {"columns": "kbli, produk"})
    assert not IKM.objects.filter(nib="9120004000001").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("lama.xls", b"\xd0\xcf\x11\xe0", FILE_XLS),
        ("rusak.xlsx", b"PK\x03\x04 not a workbook", FILE_UNREADABLE),
        ("catatan.pdf", b"%PDF-1.4", FILE_TYPE),
        ("kosong.csv", b"\n\n", FILE_NO_HEADER),
    ],
)
def test_unreadable_files_fail_with_a_clear_message(name, content, message):
    job = preview(content, name=name)
    assert job.status == ImportJob.Status.FAILED
    assert job.error_message == str(message)


def test_csv_with_semicolons_in_windows_1252():
    lines = [
        ";".join(["Nama_Usaha", "NIB", *COLUMN_NAMES[2:]]),
        ";".join(
            valid_row("9120004000002", nama_usaha="CV Café Logam", nilai_investasi="1,5 M").get(
                h, ""
            )
            if h != "jumlah_tenaga_kerja"
            else "12"
            for h in COLUMN_NAMES
        ),
    ]
    content = "\r\n".join(lines).encode("cp1252")
    job = preview(content, name="impor.csv")
    assert job.counts["create"] == 1, job.rows
    assert job.rows[0]["name"] == "CV Café Logam"


def test_csv_in_utf8_with_bom_commas_and_quotes(kemenperin_user):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMN_NAMES)
    row = valid_row("9120004000003", kbli="29300, 25910", alamat="Jl. A\nRT 01")
    writer.writerow([row.get(h, "") for h in COLUMN_NAMES])
    job = apply(buffer.getvalue().encode("utf-8-sig"), kemenperin_user, name="impor.csv")
    assert job.counts["create"] == 1, job.rows
    ikm = IKM.objects.get(nib="9120004000003")
    assert ikm.address == "Jl. A\nRT 01"
    assert set(ikm.kbli.values_list("code", flat=True)) == {"29300", "25910"}


def test_read_table_keeps_formulas_as_text_and_marks_percent_cells():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["nama_usaha", "tkdn_persen"])
    sheet.append(["=1+2", 0.455])
    sheet["B2"].number_format = "0.00%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = read_table(buffer.getvalue(), "x.xlsx")
    ((number, values),) = table.rows
    assert number == 2
    assert values[0] == "=1+2"
    assert type(values[1]).__name__ == "PercentNumber"


# --- Error workbook and template ----------------------------------------------------------


def test_error_workbook_gives_back_the_invalid_rows_with_their_reasons(tricky, existing):
    content, _ = tricky
    job = preview(content)

    sheet = load_workbook(io.BytesIO(error_workbook(job, source=content))).active
    lines = list(sheet.iter_rows(values_only=True))

    header = read_table(content, "x.xlsx").headers
    assert list(lines[0]) == [*header, "kesalahan"]
    invalid = [c for c in CASES if c.action == "invalid"]
    assert len(lines) - 1 == len(invalid)
    first = dict(zip(lines[0], lines[1], strict=True))
    assert first["kesalahan"] == f"nib: {render(invalid[0].errors['nib'])}"
    # Uploading the error workbook again: its own column is ignored without a warning.
    again = preview(error_workbook(job, source=content))
    assert again.warnings == [str(COLUMN_UNKNOWN % {"column": "catatan"})]
    # The duplicate NIB's first occurrence was valid, so it is not in the error workbook:
    # that row is now the only one with its NIB.
    assert again.counts == {"create": 1, "update": 0, "unchanged": 0, "invalid": len(invalid) - 1}


def test_template_has_instructions_examples_and_imports_its_examples(kemenperin_user):
    workbook = load_workbook(io.BytesIO(template_workbook()))
    assert workbook.sheetnames == ["IKM", "Petunjuk", "Contoh", "Referensi"]
    assert [c.value for c in workbook["IKM"][1]] == list(COLUMN_NAMES)
    assert workbook["IKM"].column_dimensions["B"].number_format == "@"  # NIB stays text
    guide = "\n".join(str(c.value) for row in workbook["Petunjuk"].iter_rows() for c in row)
    assert "Petunjuk impor data IKM" in guide
    assert "nama_usaha*" in guide
    examples = [list(r) for r in workbook["Contoh"].iter_rows(values_only=True)]
    assert examples[0] == list(COLUMN_NAMES)

    job = apply(workbook_bytes(examples[1:]), actor=kemenperin_user)

    assert job.counts["create"] == len(examples) - 1, job.rows


# --- Jobs, progress, tasks ---------------------------------------------------------------


def test_import_job_create_stores_the_file_privately(kemenperin_user):
    content = workbook_bytes([valid_row("9120005000001")])
    job = upload(content, kemenperin_user, name="Data Bekasi (Budi).xlsx")
    assert job.status == ImportJob.Status.QUEUED
    assert job.file_name == "Data Bekasi (Budi).xlsx"
    assert job.file.name.startswith("imports/")
    assert "Budi" not in job.file.name
    assert len(job.file_sha256) == 64
    with job.file.open("rb") as handle:
        assert handle.read() == content


def test_the_same_file_never_runs_twice_at_once(kemenperin_user, kadin_user):
    content = workbook_bytes([valid_row("9120005000002")])
    first = upload(content, kemenperin_user)
    with pytest.raises(ValidationError) as raised:
        upload(content, kadin_user)
    assert raised.value.messages == [str(FILE_ALREADY_RUNNING)]
    ikm_import_preview(job=first)  # no longer running: the same file may be uploaded
    assert upload(content, kadin_user).status == ImportJob.Status.QUEUED


def test_only_spreadsheets_are_accepted(kemenperin_user):
    with pytest.raises(ValidationError) as raised:
        upload(b"%PDF", kemenperin_user, name="data.pdf")
    assert raised.value.messages == [str(FILE_TYPE)]


def test_apply_refuses_while_the_same_file_is_being_imported(kemenperin_user):
    content = workbook_bytes([valid_row("9120005000003")])
    first = upload(content, kemenperin_user)
    ikm_import_preview(job=first)
    second = upload(content, kemenperin_user)
    ikm_import_preview(job=second)
    ImportJob.objects.filter(pk=first.pk).update(status=ImportJob.Status.IMPORTING)

    ikm_import_apply(job=second, actor=kemenperin_user)

    second.refresh_from_db()
    assert second.status == ImportJob.Status.FAILED
    assert second.error_message == str(FILE_ALREADY_RUNNING)
    assert not IKM.objects.filter(nib="9120005000003").exists()


def test_tasks_walk_the_statuses_and_are_safe_to_run_twice(kemenperin_user):
    content = workbook_bytes([valid_row("9120005000004"), valid_row("9120005000005", npwp="1")])
    job = upload(content, kemenperin_user)

    assert ikm_import_preview_task.delay(str(job.pk)).get() == ImportJob.Status.PREVIEW_READY
    job.refresh_from_db()
    assert job.counts == {"create": 1, "update": 0, "unchanged": 0, "invalid": 1}
    assert not IKM.objects.filter(nib="9120005000004").exists()
    assert ikm_import_preview_task.delay(str(job.pk)).get() == ImportJob.Status.PREVIEW_READY

    result = ikm_import_apply_task.delay(str(job.pk), kemenperin_user.pk).get()
    assert result == ImportJob.Status.DONE
    job.refresh_from_db()
    assert (job.processed_rows, job.total_rows) == (2, 2)
    ikm = IKM.objects.get(nib="9120005000004")
    assert ikm.created_by == kemenperin_user
    history = IKM.history.count()

    assert ikm_import_apply_task.delay(str(job.pk), kemenperin_user.pk).get() == "done"
    assert IKM.history.count() == history
    assert ikm_import_preview_task.delay(str(job.pk)).get() == "done"


def test_confirmed_job_is_applied_from_queued(kemenperin_user):
    """The confirm view puts a previewed job back in the queue before the task runs."""
    job = upload(workbook_bytes([valid_row("9120005000006")]), kemenperin_user)
    ikm_import_preview(job=job)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    job.refresh_from_db()
    assert import_job_progress(job)["processed_rows"] == 0  # waiting for a worker again
    assert ikm_import_preview_task.delay(str(job.pk)).get() == "queued"  # not previewed again
    assert ikm_import_apply_task.delay(str(job.pk), kemenperin_user.pk).get() == "done"
    assert IKM.objects.filter(nib="9120005000006").exists()


def test_a_crashing_task_marks_the_job_failed_and_writes_nothing(monkeypatch, kemenperin_user):
    job = upload(workbook_bytes([valid_row("9120005000007")]), kemenperin_user)
    ikm_import_preview(job=job)

    def crash(self):
        raise ZeroDivisionError

    monkeypatch.setattr(importing._Importer, "run", crash)
    assert ikm_import_apply_task.delay(str(job.pk), kemenperin_user.pk).get() == "failed"
    job.refresh_from_db()
    assert job.error_message == str(IMPORT_CRASHED % {"error": "ZeroDivisionError"})
    assert not IKM.objects.filter(nib="9120005000007").exists()


def test_progress_is_cached_while_importing_and_read_from_the_job_otherwise(
    monkeypatch, kemenperin_user
):
    rows = [valid_row(f"91200060000{i:02d}") for i in range(1, 8)]
    job = upload(workbook_bytes(rows), kemenperin_user)
    ikm_import_preview(job=job)
    assert import_job_progress(job) == {
        "status": "preview_ready",
        "total_rows": 7,
        "processed_rows": 7,
        "counts": {"create": 7, "update": 0, "unchanged": 0, "invalid": 0},
        "percent": 100,
    }
    monkeypatch.setattr(importing.rows, "CHUNK_SIZE", 3)
    seen = []
    real_write = importing._write_chunk

    def watch(chunk, **kwargs):
        polled = ImportJob.objects.get(pk=job.pk)  # what a progress page would fetch
        seen.append(import_job_progress(polled))
        real_write(chunk, **kwargs)

    monkeypatch.setattr(importing.rows, "_write_chunk", watch)
    ikm_import_apply(job=job, actor=kemenperin_user)

    assert [p["status"] for p in seen] == ["importing"] * 3
    assert [p["processed_rows"] for p in seen] == [0, 3, 6]
    assert seen[2]["counts"]["create"] == 6
    assert cache.get(f"ikm-import-progress:{job.pk}") is None
    assert import_job_progress(job)["percent"] == 100


# --- The command line --------------------------------------------------------------------


def test_command_dry_run_prints_counts_and_exits_1_on_invalid_rows(tmp_path):
    path = tmp_path / "impor.xlsx"
    path.write_bytes(
        workbook_bytes([valid_row("9120007000001"), valid_row("9120007000002", kbli="1")])
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import_ikm",
            str(path),
            "--dry-run",
            "--errors-out",
            str(tmp_path / "e.xlsx"),
            stdout=out,
        )
    assert raised.value.returncode == 1
    text = out.getvalue()
    assert "Dry run: nothing was written." in text
    assert "created: 1\nupdated: 0\nunchanged: 0\ninvalid: 1" in text
    assert "Row 3 (NIB 9120007000002): kbli:" in text
    assert not IKM.objects.filter(nib="9120007000001").exists()
    errors = load_workbook(tmp_path / "e.xlsx").active
    assert errors.max_row == 2


def test_command_imports_and_exits_0_when_every_row_is_valid(tmp_path, kemenperin_user):
    path = tmp_path / "impor.xlsx"
    path.write_bytes(workbook_bytes([valid_row("9120007000003")]))
    out = io.StringIO()
    call_command("import_ikm", str(path), "--by", kemenperin_user.username, stdout=out)
    assert "created: 1\nupdated: 0\nunchanged: 0\ninvalid: 0" in out.getvalue()
    assert IKM.objects.get(nib="9120007000003").created_by == kemenperin_user
    job = ImportJob.objects.get()
    assert (job.status, job.created_by) == (ImportJob.Status.DONE, kemenperin_user)

    out = io.StringIO()
    call_command("import_ikm", str(path), stdout=out)  # again, without a user
    assert "created: 0\nupdated: 0\nunchanged: 1\ninvalid: 0" in out.getvalue()


def test_command_refuses_unknown_users_and_unreadable_files(tmp_path):
    path = tmp_path / "impor.xlsx"
    path.write_bytes(workbook_bytes([valid_row("9120007000004")]))
    with pytest.raises(CommandError, match="No user named"):
        call_command("import_ikm", str(path), "--by", "siapa")
    bad = tmp_path / "impor.csv"
    bad.write_bytes(b"nib\n1\n")
    with pytest.raises(CommandError) as raised:
        call_command("import_ikm", str(bad))
    missing = ", ".join(c for c in REQUIRED_COLUMNS if c != "nib")
    assert str(raised.value) == str(COLUMNS_MISSING % {"columns": missing})


@pytest.mark.parametrize("by", [False, True])
@pytest.mark.parametrize(
    ("name", "content"),
    [("impor.xlsx", "text cell"), ("impor.csv", "csv")],
)
def test_command_refuses_a_file_holding_a_formula_and_writes_nothing(
    tmp_path, kemenperin_user, by, name, content
):
    """The command line refuses text that a spreadsheet would run as a formula, as the
    upload page does: the check is in the import itself. (A formula cell is kept as its
    text by the import, see the tricky workbook; the upload page refuses it.)"""
    payload = "=cmd|' /C calc'!A0"
    rows = [valid_row("9120007000005"), valid_row("9120007000006", nama_kontak=payload)]
    if content == "csv":
        data = csv_bytes(rows)
    else:
        book = load_workbook(io.BytesIO(workbook_bytes(rows)))
        for row in book.active.iter_rows():
            for cell in row:
                if cell.value == payload:
                    cell.data_type = "s"  # text, not the formula cell openpyxl makes
        buffer = io.BytesIO()
        book.save(buffer)
        data = buffer.getvalue()
    path = tmp_path / name
    path.write_bytes(data)
    options = ["--by", kemenperin_user.username] if by else []

    with pytest.raises(CommandError) as raised:
        call_command("import_ikm", str(path), *options, stdout=io.StringIO())

    assert str(raised.value) == str(FILE_FORMULA % {"value": payload})
    assert not IKM.objects.filter(nib__startswith="912000700000").exists()
    if by:
        job = ImportJob.objects.get()
        assert (job.status, job.error_message) == (ImportJob.Status.FAILED, str(raised.value))


def test_an_exported_neutralised_formula_still_imports(kemenperin_user):
    """The "'=..." that exports write is text, not a formula: the import keeps it as typed
    (an exported directory imports back unchanged)."""
    content = workbook_bytes([valid_row("9120007000007", nama_kontak="'=1+2")])
    job = ikm_import_apply(job=memory_job(), actor=kemenperin_user, source=content)
    assert job.status == ImportJob.Status.DONE, job.error_message
    assert IKM.objects.get(nib="9120007000007").contact_name == "=1+2"


def test_a_csv_is_parsed_once_to_import_it(monkeypatch):
    calls = []
    parse = reading._read_csv
    monkeypatch.setattr(reading, "_read_csv", lambda *a, **k: calls.append(1) or parse(*a, **k))
    job = preview(csv_bytes([valid_row("9120007000008")]), "impor.csv")
    assert job.status == ImportJob.Status.PREVIEW_READY, job.error_message
    assert len(calls) == 1


def test_the_import_tasks_are_requeued_when_their_worker_dies():
    """``acks_late`` per task, ``reject_on_worker_lost`` from CELERY_TASK_REJECT_ON_WORKER_LOST."""
    for task in (ikm_import_preview_task, ikm_import_apply_task):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True


def test_bench_command_cleans_up_after_itself():
    out = io.StringIO()
    call_command("bench_import", "--rows", "30", "--runs", "1", stdout=out)
    assert "Median of 1 run(s), 30 rows" in out.getvalue()
    assert not IKM.objects.filter(nib__startswith="98").exists()
    assert not IKM.history.filter(nib__startswith="98").exists()
