"""The import screens: upload, preview, confirm, progress, result, error workbook."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from ikm.importing import COLUMN_NAMES
from ikm.models import IKM, ImportJob

pytestmark = pytest.mark.django_db

VALID = {
    "nama_usaha": "CV Impor Satu",
    "nib": "9140000000001",
    "provinsi": "Jawa Barat",
    "kabupaten_kota": "Kab. Bekasi",
    "kbli": "29300",
    "proses": "stamping; pengelasan",
    "produk": "bracket knalpot",
    "jumlah_tenaga_kerja": 12,
    "nilai_investasi": "750 juta",
    "telepon": "0812 3456 7001",
}


def workbook(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(COLUMN_NAMES)
    for row in rows:
        sheet.append([row.get(name) for name in COLUMN_NAMES])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("data ikm jabar.xlsx", buffer.getvalue())


def upload(client, rows, capture):
    with capture(execute=True):
        response = client.post("/ikm/impor/", {"file": workbook(rows)})
    assert response.status_code == 302, response.content.decode()[:1000]
    return ImportJob.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def test_upload_preview_confirm_and_result(
    client, kemenperin_user, django_capture_on_commit_callbacks
):
    client.force_login(kemenperin_user)
    rows = [
        VALID,
        {**VALID, "nib": "9140000000002", "nama_usaha": "CV Impor Dua"},
        {**VALID, "nib": "123", "nama_usaha": "CV Salah"},
    ]
    job = upload(client, rows, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEW_READY
    assert job.counts == {"create": 2, "update": 0, "unchanged": 0, "invalid": 1}
    assert not IKM.objects.filter(nib__startswith="9140").exists()  # a dry run writes nothing
    page = client.get(f"/ikm/impor/{job.pk}/").text
    assert "CV Salah" in page and "nib" in page  # the refused row, its column and reason
    assert f"/ikm/impor/{job.pk}/kesalahan/" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/ikm/impor/{job.pk}/konfirmasi/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    created = IKM.objects.filter(nib__startswith="9140")
    assert set(created.values_list("nib", flat=True)) == {"9140000000001", "9140000000002"}
    assert all(
        i.created_by == kemenperin_user and i.verification_status == "submitted" for i in created
    )

    errors = client.get(f"/ikm/impor/{job.pk}/kesalahan/")
    assert errors.status_code == 200
    sheet = load_workbook(io.BytesIO(errors.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "kesalahan" and header[:-1] == list(COLUMN_NAMES)
    data_rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(data_rows) == 1 and data_rows[0][COLUMN_NAMES.index("nama_usaha")] == "CV Salah"
    # Confirming twice does nothing more.
    client.post(f"/ikm/impor/{job.pk}/konfirmasi/")
    assert created.count() == 2


def test_the_same_file_again_changes_nothing(
    client, kemenperin_user, django_capture_on_commit_callbacks
):
    client.force_login(kemenperin_user)
    first = upload(client, [VALID], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/ikm/impor/{first.pk}/konfirmasi/")
    history = IKM.history.count()
    again = upload(client, [VALID], django_capture_on_commit_callbacks)
    again.refresh_from_db()
    assert again.counts == {"create": 0, "update": 0, "unchanged": 1, "invalid": 0}
    page = client.get(f"/ikm/impor/{again.pk}/").text
    assert "disabled" in page  # nothing to confirm
    assert IKM.history.count() == history


@pytest.mark.parametrize(
    ("name", "content"),
    [("data.xls", b"\xd0\xcf\x11\xe0"), ("data.pdf", b"%PDF-1.4"), ("data.xlsx", b"not a zip")],
)
def test_bad_files_get_a_message_and_nothing_is_written(
    client, kemenperin_user, django_capture_on_commit_callbacks, name, content
):
    client.force_login(kemenperin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ikm/impor/", {"file": SimpleUploadedFile(name, content)})
    if response.status_code == 302:  # accepted for checking, then refused by the engine
        job = ImportJob.objects.get()
        assert job.status == ImportJob.Status.FAILED and job.error_message
        assert job.error_message in client.get(response["Location"]).text
    else:
        assert response.status_code == 422
        assert "invalid-feedback" in response.text
    assert not IKM.objects.filter(nib__startswith="9140").exists()


def test_missing_file(client, kemenperin_user):
    client.force_login(kemenperin_user)
    response = client.post("/ikm/impor/", {})
    assert response.status_code == 422 and "invalid-feedback" in response.text


def test_template_download(client, kemenperin_user):
    client.force_login(kemenperin_user)
    response = client.get("/ikm/impor/templat/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) >= 2  # data sheet and instructions


def test_progress_partial_for_polling(client, kemenperin_user, django_capture_on_commit_callbacks):
    client.force_login(kemenperin_user)
    job = upload(client, [VALID], django_capture_on_commit_callbacks)
    response = client.get(f"/ikm/impor/{job.pk}/status/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="import-status"' in response.text
    assert response["HX-Refresh"] == "true"  # the check is over: reload the full page


@pytest.mark.parametrize("role_user", ["pengadaan_user", "pembiayaan_user", "kadin_user"])
def test_only_kemenperin_imports(request, client, role_user):
    client.force_login(request.getfixturevalue(role_user))
    assert client.get("/ikm/impor/").status_code == 403
    assert client.post("/ikm/impor/", {"file": workbook([VALID])}).status_code == 403
    assert not ImportJob.objects.exists()


def test_import_jobs_are_shared_by_kemenperin_staff(
    client, kemenperin_user, django_capture_on_commit_callbacks
):
    from accounts.roles import Role

    from ..factories import UserFactory

    client.force_login(kemenperin_user)
    job = upload(client, [VALID], django_capture_on_commit_callbacks)
    colleague = UserFactory(role=Role.KEMENPERIN)
    client.force_login(colleague)
    assert client.get(f"/ikm/impor/{job.pk}/").status_code == 200
    assert client.get("/ikm/impor/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.parametrize(
    ("role_user", "has_contacts"), [("kadin_user", True), ("pengadaan_user", False)]
)
def test_directory_export_leaves_personal_data_to_roles_that_may_see_it(
    request, client, role_user, has_contacts
):
    from ikm.importing import CONTACT_COLUMNS

    from ..factories import IkmFactory

    IkmFactory(contact_phone="+6281234500099", contact_name="Dewi Lestari")
    client.force_login(request.getfixturevalue(role_user))
    response = client.get("/ikm/direktori/ekspor/", {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    assert (
        set(CONTACT_COLUMNS) <= set(header)
        if has_contacts
        else not set(CONTACT_COLUMNS) & set(header)
    )
    assert ("Dewi Lestari" in text) is has_contacts


def test_the_export_holds_the_rows_the_directory_shows(client, kemenperin_user):
    from ..factories import IkmFactory

    IkmFactory(name="CV Tegal Satu", regency_id="33.28", province_id="33")
    IkmFactory(name="CV Bekasi Satu", regency_id="32.16", province_id="32")
    client.force_login(kemenperin_user)
    # A regency left over from another province: the directory drops it; so must the export.
    query = {"province": "33", "regency": "32.16"}
    page = client.get("/ikm/direktori/", query).text
    export = client.get("/ikm/direktori/ekspor/", {**query, "format": "csv"})
    text = export.content.decode("utf-8-sig")
    for name in ("CV Tegal Satu", "CV Bekasi Satu"):
        assert (name in page) == (name in text), name
    assert "CV Tegal Satu" in text


def test_an_unreadable_file_is_logged_without_its_name(
    client, kemenperin_user, monkeypatch, caplog
):
    """The uploader's file name may hold personal data: the log names the user and size."""
    from ikm.importing import FILE_UNREADABLE, reading

    def broken(data, file_name):
        raise KeyError("a malformed workbook")

    monkeypatch.setattr(reading, "read_header", broken)
    client.force_login(kemenperin_user)
    upload = workbook([VALID])
    upload.name = "data Budi Santoso 0812 3456 7001.xlsx"
    with caplog.at_level("WARNING", logger="ikm.importing"):
        response = client.post("/ikm/impor/", {"file": upload})
    assert response.status_code == 422
    assert str(FILE_UNREADABLE) in response.text
    (record,) = [r for r in caplog.records if r.name == "ikm.importing"]
    assert "Budi" not in record.getMessage() and "0812" not in record.getMessage()
    assert f"user {kemenperin_user.pk}," in record.getMessage()
    assert not ImportJob.objects.exists()


def test_an_empty_file_gets_the_empty_file_message(client, kemenperin_user):
    from ikm.uploads import DOCUMENT_EMPTY

    client.force_login(kemenperin_user)
    response = client.post("/ikm/impor/", {"file": SimpleUploadedFile("data.xlsx", b"")})
    assert response.status_code == 422
    assert str(DOCUMENT_EMPTY) in response.text
