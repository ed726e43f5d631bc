"""Importing POs, deliveries and payments into an MoU's ledger (kemitraan.po_import and its
screens): a tricky workbook built here with real date, number and formula cells, each row's
expected outcome; re-importing is a no-op; apply is all-or-nothing; the access matrix of
the import URLs; hostile files never give a 500; the signed token cannot be reused by
another user or MoU."""

import datetime
import io

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from openpyxl import Workbook, load_workbook

from accounts.roles import Role
from ikm.parsing import MONEY_INVALID, NUMBER_INVALID
from kemitraan import po_import as pi
from kemitraan import po_import_views
from kemitraan import realisation as r
from kemitraan.models import BuyerProfile, Delivery, Payment, PurchaseOrder

from ..factories import (
    AkadKreditFactory,
    IkmFactory,
    MouFactory,
    MouParticipantFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
M = 1_000_000
K, P, A, F = Role.KEMENPERIN, Role.PENGADAAN, Role.KADIN, Role.PEMBIAYAAN
OTHER, ANON = "other buyer", "anonymous"


def at_midnight(date: datetime.date) -> datetime.datetime:
    """A date cell as openpyxl reads it back (a naive datetime)."""
    return datetime.datetime.combine(date, datetime.time())


def serial(date: datetime.date) -> int:
    return (date - D(1899, 12, 30)).days


@pytest.fixture
def setup(buyer_org, lender_org, kemenperin_user):
    from pembiayaan.models import LenderProfile

    buyer = BuyerProfile.objects.get_or_create(organisation=buyer_org)[0]
    mou = MouFactory(buyer=buyer)
    AkadKreditFactory(
        lender=LenderProfile.objects.get_or_create(organisation=lender_org)[0], mou=mou
    )
    a = MouParticipantFactory(mou=mou)
    b = MouParticipantFactory(mou=mou)
    outsider = IkmFactory()  # in the registry, not in this MoU
    other_mou = MouFactory(buyer=buyer)
    a_elsewhere = MouParticipantFactory(mou=other_mou, ikm=a.ikm)
    old = r.purchase_order_record(
        participant=a,
        number="PO-LAMA",
        order_date=D(2026, 1, 2),
        value=10 * M,
        payment_terms_days=30,
        description="Bracket",
        actor=kemenperin_user,
    )
    r.delivery_record(
        purchase_order=old, date=D(2026, 1, 10), value=4 * M, reference="SJ-1",
        actor=kemenperin_user,
    )  # fmt: skip
    r.purchase_order_record(
        participant=a_elsewhere,
        number="PO-LAIN",
        order_date=D(2026, 1, 2),
        value=1 * M,
        payment_terms_days=30,
        actor=kemenperin_user,
    )
    return {"mou": mou, "a": a.ikm.nib, "b": b.ikm.nib, "c": outsider.nib, "other": other_mou}


# The header: other spellings and order, an unknown column.
HEADERS = [
    "Nomor PO", "NIB*", "tanggal_po", "nilai_po", "termin_hari", "uraian", "tanggal_kirim",
    "nilai_kirim", "surat_jalan", "tanggal_bayar", "nilai_bayar", "referensi_bayar", "catatan",
]  # fmt: skip
COLS = [
    "nomor_po", "nib_ikm", "tanggal_po", "nilai_po", "termin_hari", "uraian", "tanggal_kirim",
    "nilai_kirim", "surat_jalan", "tanggal_bayar", "nilai_bayar", "referensi_bayar", "catatan",
]  # fmt: skip


def over(remaining):
    return lambda: str(r.OVER_DELIVERED % {"remaining": r._rp(remaining)})


# (cells, expected): expected is ("record", [actions]), ("unchanged",) or
# ("invalid", {column: message or callable giving it}). None: a blank row.
def cases(s):
    a, b, c = s["a"], s["b"], s["c"]
    return [
        # 2: a new PO with a real date cell and a number cell
        (dict(nomor_po="PO-1", nib_ikm=a, tanggal_po=at_midnight(D(2026, 2, 1)),
              nilai_po=10 * M, termin_hari=30, uraian="Bracket knalpot"), ("record", ["po"])),
        # 3: the same PO again, a delivery: date as text "05/02/2026", money "Rp4.000.000"
        (dict(nomor_po="PO-1", nib_ikm=a, tanggal_kirim="05/02/2026", nilai_kirim="Rp4.000.000",
              surat_jalan="SJ-01"), ("record", ["delivery"])),
        # 4: a second delivery: an Excel serial date, "1.500.000,00"
        (dict(nomor_po="PO-1", nib_ikm=a, tanggal_kirim=serial(D(2026, 2, 14)),
              nilai_kirim="1.500.000,00"), ("record", ["delivery"])),
        # 5: over-delivery (4 + 1,5 + 5 > 10 juta)
        (dict(nomor_po="PO-1", nib_ikm=a, tanggal_kirim="20 Februari 2026", nilai_kirim="5 juta"),
         ("invalid", {"nilai_kirim": over(4_500_000)})),
        # 6: a payment before the order date
        (dict(nomor_po="PO-1", nib_ikm=a, tanggal_bayar="15/01/2026", nilai_bayar=M),
         ("invalid", {"tanggal_bayar": lambda: str(r.BEFORE_ORDER_DATE % {"date": "2026-02-01"})})),
        # 7: a payment, "17 Agustus 2026", repeating the PO's columns unchanged
        (dict(nomor_po="PO-1", nib_ikm=a, tanggal_po="2026-02-01", nilai_po="10 juta",
              tanggal_bayar="17 Agustus 2026", nilai_bayar="Rp1.000.000", referensi_bayar="TRF-1"),
         ("record", ["payment"])),
        # 8: the delivery of row 3 again
        (dict(nomor_po="PO-1", nib_ikm=a, tanggal_kirim="2026-02-05", nilai_kirim=4 * M,
              surat_jalan="SJ-01"),
         ("invalid", {"tanggal_kirim": pi.ENTRY_REPEATED % {"kind": pi.DELIVERY, "row": 3}})),
        # 9: unknown NIB
        (dict(nomor_po="PO-2", nib_ikm="9999999999999", tanggal_po="01/03/2026", nilai_po=M),
         ("invalid", {"nib_ikm": pi.IKM_UNKNOWN})),
        # 10: an IKM of the registry that is not in this MoU
        (dict(nomor_po="PO-3", nib_ikm=c, tanggal_po="01/03/2026", nilai_po=M),
         ("invalid", {"nib_ikm": pi.IKM_NOT_PARTICIPANT})),
        # 11: a date that does not exist, and text in a money column
        (dict(nomor_po="PO-4", nib_ikm=b, tanggal_po="31/02/2026", nilai_po="sepuluh juta"),
         ("invalid", {"tanggal_po": pi.DATE_DOES_NOT_EXIST % {"day": 31, "month": 2},
                      "nilai_po": MONEY_INVALID})),
        # 12: a formula cell
        (dict(nomor_po="PO-5", nib_ikm=b, tanggal_po="01/03/2026", nilai_po="=D2*2"),
         ("invalid", {"nilai_po": pi.FORMULA_NOT_ALLOWED % {"formula": "=D2*2"}})),
        # 13: a two-digit year
        (dict(nomor_po="PO-6", nib_ikm=b, tanggal_po="17/08/26", nilai_po=M),
         ("invalid", {"tanggal_po": pi.DATE_TWO_DIGIT_YEAR})),
        # 14: the recorded PO with its recorded delivery: nothing to do
        (dict(nomor_po="PO-LAMA", nib_ikm=a, tanggal_po="02/01/2026", nilai_po=10 * M,
              tanggal_kirim="10/01/2026", nilai_kirim="4 juta", surat_jalan="SJ-1"),
         ("unchanged",)),
        # 15: a payment added to the recorded PO
        (dict(nomor_po="PO-LAMA", nib_ikm=a, tanggal_bayar="1 Feb 2026", nilai_bayar="1 juta"),
         ("record", ["payment"])),
        # 16: a recorded PO's value cannot be changed
        (dict(nomor_po="PO-LAMA", nib_ikm=a, nilai_po="12 juta"),
         ("invalid", {"nilai_po": lambda: str(
             pi.PO_FIELD_DIFFERS % {"number": "PO-LAMA", "value": r._rp(10 * M)})})),
        # 17: a blank row: ignored, counted
        None,
        # 18: terms over a year
        (dict(nomor_po="PO-7", nib_ikm=b, tanggal_po="17 Agu 2026", nilai_po="1,5 miliar",
              termin_hari=400), ("invalid", {"termin_hari": pi.TERMS_RANGE})),
        # 19: "1,5 miliar", terms as text
        (dict(nomor_po="PO-8", nib_ikm=b, tanggal_po="17.08.2026", nilai_po="1,5 miliar",
              termin_hari="45"), ("record", ["po"])),
        # 20: a new PO without its value
        (dict(nomor_po="PO-9", nib_ikm=b, tanggal_po="2026-03-05"),
         ("invalid", {"nilai_po": pi.PO_NEEDS_FIELDS})),
        # 21: a later row of that PO
        (dict(nomor_po="PO-9", nib_ikm=b, tanggal_kirim="2026-03-06", nilai_kirim=M),
         ("invalid", {"nomor_po": pi.PO_NOT_RECORDED % {"number": "PO-9", "row": 20}})),
        # 22: PO-1 named with another IKM
        (dict(nomor_po="PO-1", nib_ikm=b, tanggal_bayar="2026-03-01", nilai_bayar=M),
         ("invalid", {"nib_ikm": pi.PO_OTHER_IKM % {"number": "PO-1", "nib": a}})),
        # 23: an order date in the future
        (dict(nomor_po="PO-10", nib_ikm=b, tanggal_po="01/01/2027", nilai_po=M),
         ("invalid", {"tanggal_po": r.DATE_IN_FUTURE})),
        # 24: a delivery date without its value
        (dict(nomor_po="PO-11", nib_ikm=b, tanggal_po="01/03/2026", nilai_po=M,
              tanggal_kirim="02/03/2026"), ("invalid", {"nilai_kirim": pi.ENTRY_INCOMPLETE})),
        # 25: no PO number (as under a merged cell)
        (dict(nib_ikm=b, tanggal_kirim="02/03/2026", nilai_kirim=M),
         ("invalid", {"nomor_po": pi.REQUIRED_EVERY_ROW})),
        # 26: a PO number of another MoU of this buyer
        (dict(nomor_po="PO-LAIN", nib_ikm=a, tanggal_bayar="02/03/2026", nilai_bayar=M),
         ("invalid", {"nomor_po": pi.PO_OTHER_MOU % {"mou": s["other"].number}})),
        # 27: text in the terms column, and a zero value
        (dict(nomor_po="PO-12", nib_ikm=b, tanggal_po="01/03/2026", nilai_po=0,
              termin_hari="tiga puluh"), ("invalid", {"termin_hari": NUMBER_INVALID})),
        # 28: a zero value reaches the service's own rule
        (dict(nomor_po="PO-13", nib_ikm=b, tanggal_po="01/03/2026", nilai_po="Rp0"),
         ("invalid", {"nilai_po": r.VALUE_NOT_POSITIVE})),
        # 29: a row with only the unknown column filled: nothing of the template, ignored
        (dict(catatan="catatan lepas"), "empty"),
    ]  # fmt: skip


def build(s) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "PO"
    sheet.append(HEADERS)
    for case in cases(s):
        if case is None:
            sheet.append([])
            continue
        cells = case[0]
        sheet.append([cells.get(c) for c in COLS])
    # A merged cell over the unknown column must not confuse the reader.
    sheet.merge_cells("M2:M3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def expected_rows(s) -> dict:
    out = {}
    for number, case in enumerate(cases(s), 2):
        if case is not None and case[1] != "empty":
            out[number] = case[1]
    return out


def check(result, s):
    rows = {row["row"]: row for row in result["rows"]}
    expected = expected_rows(s)
    assert set(rows) == set(expected)
    for number, want in expected.items():
        row = rows[number]
        assert row["outcome"] == want[0], (number, row)
        if want[0] == "record":
            assert row["actions"] == want[1], (number, row)
        if want[0] == "invalid":
            got = {e["column"]: e["message"] for e in row["errors"]}
            for column, message in want[1].items():
                text = message() if callable(message) else str(message)
                assert got.get(column) == text, (number, column, row["errors"])
    return rows


def test_tricky_workbook_preview_writes_nothing(setup, kemenperin_user):
    before = (PurchaseOrder.objects.count(), Delivery.objects.count(), Payment.objects.count())
    result = pi.preview(build(setup), "po.xlsx", mou=setup["mou"], actor=kemenperin_user)
    check(result, setup)
    counts = result["counts"]
    assert counts["po"] == 2 and counts["delivery"] == 2 and counts["payment"] == 2
    assert counts["unchanged"] == 1 and counts["empty"] == 2
    assert any("catatan" in w for w in result["warnings"])
    after = (PurchaseOrder.objects.count(), Delivery.objects.count(), Payment.objects.count())
    assert after == before


def test_apply_records_the_valid_rows_and_reimport_is_a_no_op(setup, kemenperin_user):
    data = build(setup)
    result = pi.apply(data, "po.xlsx", mou=setup["mou"], actor=kemenperin_user)
    check(result, setup)
    po1 = PurchaseOrder.objects.get(number="PO-1")
    assert po1.order_date == D(2026, 2, 1) and po1.value == 10 * M
    assert po1.description == "Bracket knalpot" and po1.payment_terms_days == 30
    assert sorted(po1.deliveries.values_list("date", "value", "reference")) == [
        (D(2026, 2, 5), 4 * M, "SJ-01"),
        (D(2026, 2, 14), 1_500_000, ""),
    ]
    assert list(po1.payments.values_list("date", "value", "reference")) == [
        (D(2026, 8, 17), M, "TRF-1")
    ]
    assert PurchaseOrder.objects.get(number="PO-8").value == 1_500_000_000
    assert PurchaseOrder.objects.get(number="PO-8").payment_terms_days == 45
    assert PurchaseOrder.objects.get(number="PO-LAMA").payments.get().value == M
    assert not PurchaseOrder.objects.filter(number__in=["PO-9", "PO-4", "PO-10"]).exists()
    history = po1.history.first()
    assert history.history_user == kemenperin_user

    snapshot = (PurchaseOrder.objects.count(), Delivery.objects.count(), Payment.objects.count())
    again = pi.apply(data, "po.xlsx", mou=setup["mou"], actor=kemenperin_user)
    assert again["counts"]["record"] == 0
    assert (
        PurchaseOrder.objects.count(),
        Delivery.objects.count(),
        Payment.objects.count(),
    ) == snapshot
    first = {row["row"]: row for row in result["rows"]}
    for row in again["rows"]:
        if first[row["row"]]["outcome"] == "record":
            assert row["outcome"] == "unchanged", row
        else:
            assert row["outcome"] == first[row["row"]]["outcome"], row


def test_a_changed_file_adds_only_the_new_payment(setup, kemenperin_user):
    header = "nomor_po;nib_ikm;tanggal_po;nilai_po;tanggal_bayar;nilai_bayar\n"
    line = f"PO-X;{setup['a']};01/03/2026;Rp2.000.000;;\n"
    pi.apply((header + line).encode(), "po.csv", mou=setup["mou"], actor=kemenperin_user)
    extra = f"PO-X;{setup['a']};;;05/03/2026;500.000\n"
    result = pi.apply(
        (header + line + extra).encode("cp1252"), "po.csv", mou=setup["mou"], actor=kemenperin_user
    )
    assert [row["outcome"] for row in result["rows"]] == ["unchanged", "record"]
    assert PurchaseOrder.objects.get(number="PO-X").payments.get().value == 500_000


def test_apply_is_all_or_nothing(setup, kemenperin_user, monkeypatch):
    before = (PurchaseOrder.objects.count(), Delivery.objects.count(), Payment.objects.count())

    def broken(**kwargs):
        raise DatabaseError("the connection dropped")

    # Rows 2-4 are written before the first payment (row 7) fails.
    monkeypatch.setattr(r, "payment_record", broken)
    with pytest.raises(DatabaseError):
        pi.apply(build(setup), "po.xlsx", mou=setup["mou"], actor=kemenperin_user)
    after = (PurchaseOrder.objects.count(), Delivery.objects.count(), Payment.objects.count())
    assert after == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17/08/2026", D(2026, 8, 17)),
        ("17-8-2026", D(2026, 8, 17)),
        ("2026-08-17 00:00:00", D(2026, 8, 17)),
        ("17 Agustus 2026", D(2026, 8, 17)),
        ("17 agt 2026", D(2026, 8, 17)),
        ("17-Aug-2026", D(2026, 8, 17)),
        ("1 Desember 2025", D(2025, 12, 1)),
        (46251, D(2026, 8, 17)),
        ("46251", D(2026, 8, 17)),
        (at_midnight(D(2026, 8, 17)), D(2026, 8, 17)),
        ("", None),
    ],
)
def test_parse_date_accepts(text, expected):
    assert pi.parse_date(text) == expected


@pytest.mark.parametrize("text", ["08/17/2026", "kemarin", "17 Agustusan 2026", 2026, "1.5", True])
def test_parse_date_refuses(text):
    with pytest.raises(pi.ParseError):
        pi.parse_date(text)


def test_template_imports_back_with_its_columns(setup, kemenperin_user):
    data = pi.template_workbook()
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(pi.COLUMN_NAMES)
    result = pi.preview(data, "t.xlsx", mou=setup["mou"], actor=kemenperin_user)
    assert result["rows"] == [] and result["warnings"] == []


def test_error_workbook_lists_the_invalid_rows(setup, kemenperin_user):
    data = build(setup)
    result = pi.preview(data, "po.xlsx", mou=setup["mou"], actor=kemenperin_user)
    sheet = load_workbook(io.BytesIO(pi.error_workbook(data, "po.xlsx", result["rows"]))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "kesalahan" and rows[0][0] == "Nomor PO"
    invalid = [row for row in result["rows"] if row["outcome"] == "invalid"]
    assert len(rows) - 1 == len(invalid)
    formula_row = next(row for row in rows if row[0] == "PO-5")
    assert formula_row[3] == "'=D2*2"  # neutralised, never a live formula
    assert "nilai_po" in formula_row[-1]


# --- Screens ------------------------------------------------------------------------------


@pytest.fixture
def who(users_by_role, other_buyer_org):
    return {
        **users_by_role,
        OTHER: UserFactory(role=Role.PENGADAAN, organisation=other_buyer_org),
        ANON: None,
    }


GET_ACCESS = {K: 200, P: 200, A: 403, F: 403, OTHER: 404, ANON: 302}


def upload(client, mou, content, name):
    return client.post(
        f"/kemitraan/mou/{mou.pk}/realisasi/impor/",
        {"file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize("role", [K, P, A, F, OTHER, ANON])
def test_access_matrix(client, who, role, setup, pengadaan_user):
    mou = setup["mou"]
    # A valid token of the MoU's procurement officer, for the token-taking URLs.
    client.force_login(pengadaan_user)
    location = upload(client, mou, build(setup), "po.xlsx")["Location"]
    token = location.split("berkas=")[1]
    client.logout()
    if who[role] is not None:
        client.force_login(who[role])
    base = f"/kemitraan/mou/{mou.pk}/realisasi/impor/"
    for url in (base, base + "templat/"):
        response = client.get(url)
        assert response.status_code == GET_ACCESS[role], (url, role)
    own = role == P
    for url in (f"{base}pratinjau/?berkas={token}", f"{base}kesalahan/?berkas={token}"):
        response = client.get(url)
        expected = 200 if own else GET_ACCESS[role]
        if role == K:
            expected = 302  # the token is the officer's: start again
        assert response.status_code == expected, (url, role)
    before = PurchaseOrder.objects.count()
    response = client.post(base + "terapkan/", {"berkas": token})
    expected = {K: 302, P: 200}.get(role, GET_ACCESS[role])
    assert response.status_code == expected, role
    assert (PurchaseOrder.objects.count() > before) == own
    response = upload(client, mou, b"x", "po.pdf")
    assert response.status_code == {K: 422, P: 422}.get(role, GET_ACCESS[role])


def test_the_whole_flow(client, setup, pengadaan_user):
    mou = setup["mou"]
    client.force_login(pengadaan_user)
    ledger = client.get(f"/kemitraan/mou/{mou.pk}/realisasi/").text
    assert f"/kemitraan/mou/{mou.pk}/realisasi/impor/" in ledger
    response = upload(client, mou, build(setup), "po.xlsx")
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    html = preview.text
    assert 'id="row-2"' in html and 'id="row-28"' in html and 'id="row-17"' not in html
    assert "PO-LAMA" in html and 'name="berkas"' in html
    assert PurchaseOrder.objects.filter(number="PO-1").count() == 0
    token = response["Location"].split("berkas=")[1]
    done = client.post(f"/kemitraan/mou/{mou.pk}/realisasi/impor/terapkan/", {"berkas": token})
    assert done.status_code == 200
    assert PurchaseOrder.objects.filter(number__in=["PO-1", "PO-8"]).count() == 2
    errors = client.get(f"/kemitraan/mou/{mou.pk}/realisasi/impor/kesalahan/?berkas={token}")
    assert errors.status_code == 200
    assert errors["Content-Disposition"].startswith("attachment;")
    assert load_workbook(io.BytesIO(errors.content)).active["A1"].value == "Nomor PO"
    template = client.get(f"/kemitraan/mou/{mou.pk}/realisasi/impor/templat/")
    assert template.status_code == 200


def test_apply_with_a_database_error_writes_nothing_and_says_so(
    client, setup, pengadaan_user, monkeypatch
):
    mou = setup["mou"]
    client.force_login(pengadaan_user)
    token = upload(client, mou, build(setup), "po.xlsx")["Location"].split("berkas=")[1]

    def broken(**kwargs):
        raise DatabaseError("boom")

    monkeypatch.setattr(r, "payment_record", broken)
    before = PurchaseOrder.objects.count()
    response = client.post(f"/kemitraan/mou/{mou.pk}/realisasi/impor/terapkan/", {"berkas": token})
    assert response.status_code == 503
    assert str(po_import_views.APPLY_FAILED) in response.text
    assert PurchaseOrder.objects.count() == before


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"PK\x03\x04 this is not a zip", "po.xlsx"),
        (b"%PDF-1.4", "po.pdf"),
        (b"\xd0\xcf\x11\xe0", "po.xls"),
        (b"", "po.csv"),
        (b"nomor_po,nib_ikm\n", "po.exe"),
        (b"a,b,c\n1,2,3\n", "po.csv"),  # no template column
        (b"nomor_po,tanggal_po\nPO-1,01/01/2026\n", "po.csv"),  # nib_ikm missing
        (b"\x00\x01\x02" * 100, "po.xlsx"),
    ],
)
def test_hostile_files_are_refused_without_a_500(client, setup, pengadaan_user, content, name):
    client.force_login(pengadaan_user)
    response = upload(client, setup["mou"], content, name)
    assert response.status_code == 422
    assert "invalid-feedback" in response.text


def test_an_oversized_file_is_refused(client, setup, pengadaan_user, monkeypatch):
    monkeypatch.setattr(pi, "MAX_FILE_BYTES", 100)
    client.force_login(pengadaan_user)
    response = upload(client, setup["mou"], build(setup), "po.xlsx")
    assert response.status_code == 422
    assert str(pi.FILE_TOO_LARGE) in response.text


def test_too_many_rows_are_refused(client, setup, pengadaan_user, monkeypatch):
    monkeypatch.setattr(pi, "MAX_ROWS", 3)
    client.force_login(pengadaan_user)
    response = upload(client, setup["mou"], build(setup), "po.xlsx")
    assert response.status_code == 422


def test_the_token_cannot_be_forged_or_moved(client, setup, pengadaan_user, kemenperin_user):
    mou = setup["mou"]
    client.force_login(pengadaan_user)
    token = upload(client, mou, build(setup), "po.xlsx")["Location"].split("berkas=")[1]
    base = f"/kemitraan/mou/{mou.pk}/realisasi/impor/"
    # Tampered, or pointing elsewhere in storage: start again.
    for bad in (token[:-2] + "xx", "", "abc"):
        response = client.get(f"{base}pratinjau/?berkas={bad}")
        assert response.status_code == 302 and response["Location"] == base
    payload = signing.loads(token, salt=po_import_views.TOKEN_SALT)
    forged = signing.dumps(
        {**payload, "f": "mou/secret.pdf"}, salt=po_import_views.TOKEN_SALT, compress=True
    )
    assert client.get(f"{base}pratinjau/?berkas={forged}").status_code == 302
    # The same token on another MoU of the same buyer: refused.
    other = setup["other"]
    other_base = f"/kemitraan/mou/{other.pk}/realisasi/impor/"
    response = client.get(f"{other_base}pratinjau/?berkas={token}")
    assert response.status_code == 302 and response["Location"] == other_base
    # The stored file changed after the upload: refused.
    from django.core.files.storage import default_storage

    with default_storage.open(payload["f"], "wb") as handle:
        handle.write(b"nomor_po,nib_ikm\n")
    assert client.get(f"{base}pratinjau/?berkas={token}").status_code == 302


def test_expired_token(client, setup, pengadaan_user, monkeypatch):
    mou = setup["mou"]
    client.force_login(pengadaan_user)
    token = upload(client, mou, build(setup), "po.xlsx")["Location"].split("berkas=")[1]
    monkeypatch.setattr(po_import_views, "TOKEN_MAX_AGE", -1)
    response = client.get(f"/kemitraan/mou/{mou.pk}/realisasi/impor/pratinjau/?berkas={token}")
    assert response.status_code == 302


def test_read_only_roles_see_no_import_link(client, setup, kadin_user):
    client.force_login(kadin_user)
    html = client.get(f"/kemitraan/mou/{setup['mou'].pk}/realisasi/").text
    assert 'id="po-import-link"' not in html


def test_a_csv_is_parsed_once_and_a_formula_in_it_is_refused(monkeypatch):
    from ikm.importing import reading

    calls = []
    parse = reading._read_csv
    monkeypatch.setattr(reading, "_read_csv", lambda *a, **k: calls.append(1) or parse(*a, **k))
    header = ",".join(pi.COLUMN_NAMES)
    table = pi.read(f"{header}\nPO-1\n".encode(), "po.csv")
    assert (len(calls), len(table.rows)) == (1, 1)
    with pytest.raises(pi.ImportFileError) as raised:
        pi.read(f"{header}\n\"=cmd|' /C calc'!A0\"\n".encode(), "po.csv")
    assert raised.value.text.startswith(str(reading.FILE_FORMULA).split("“")[0])
    assert len(calls) == 2


def test_an_unreadable_file_is_logged_without_its_name(monkeypatch, caplog):
    """The uploader's file name may hold personal data."""

    def broken(*args, **kwargs):
        raise KeyError("a malformed workbook")

    monkeypatch.setattr(pi, "read_table", broken)
    with (
        caplog.at_level("WARNING", logger="kemitraan.po_import"),
        pytest.raises(pi.ImportFileError) as raised,
    ):
        pi.read(b"PK\x03\x04", "PO Budi Santoso.xlsx")
    assert raised.value.text == str(pi.FILE_UNREADABLE)
    (record,) = caplog.records
    assert "Budi" not in record.getMessage()
