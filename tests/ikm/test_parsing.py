"""Parsers for spreadsheet cells and the reference-data resolvers (ikm.parsing)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from ikm.parsing import (
    CERTIFICATION_UNKNOWN,
    EMAIL_INVALID,
    KBLI_INVALID,
    KBLI_UNKNOWN,
    LEGAL_FORM_UNKNOWN,
    MONEY_AMBIGUOUS,
    MONEY_INVALID,
    MONEY_NEGATIVE,
    NIB_INVALID,
    NIB_SCIENTIFIC,
    NPWP_DIGITS_LOST,
    NUMBER_INVALID,
    NUMBER_NEGATIVE,
    PERCENT_INVALID,
    PERCENT_RANGE,
    PROCESS_AMBIGUOUS,
    PROCESS_SUGGESTION,
    PROCESS_UNKNOWN,
    PROVINCE_UNKNOWN,
    REGENCY_AMBIGUOUS,
    REGENCY_NOT_IN_PROVINCE,
    REGENCY_UNKNOWN,
    REQUIRED,
    WHOLE_NUMBER_INVALID,
    YEAR_FUTURE,
    YEAR_INVALID,
    CertType,
    ParseError,
    PercentNumber,
    Process,
    ReferenceData,
    cell_text,
    neutralise_formula,
    parse_email,
    parse_int,
    parse_legal_form,
    parse_money,
    parse_nib,
    parse_nib_cell,
    parse_npwp,
    parse_npwp_cell,
    parse_percent,
    parse_phone,
    parse_text,
    parse_year,
    resolve_certification_types,
    resolve_kbli,
    resolve_processes,
    resolve_province,
    resolve_regency,
    restore_formula_text,
    split_list,
)


def expected(message) -> str:
    """The message in the test's language: a (template, params) pair is formatted here,
    not at collection time, when another language may be active."""
    if isinstance(message, tuple):
        template, params = message
        return str(template % params)
    return str(message)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def error_of(function, *args, **kwargs) -> str:
    with pytest.raises(ParseError) as raised:
        function(*args, **kwargs)
    return str(raised.value.message)


# --- Money ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "rupiah"),
    [
        (1_500_000_000, 1_500_000_000),
        (1_500_000_000.0, 1_500_000_000),
        (1234.5, 1235),
        ("1.500.000.000", 1_500_000_000),
        ("1500000000", 1_500_000_000),
        ("Rp 1,5 miliar", 1_500_000_000),
        ("Rp1,5 milyar", 1_500_000_000),
        ("1,5 M", 1_500_000_000),  # M = miliar in Indonesian, never million
        ("1,5M", 1_500_000_000),
        ("1.5 M", 1_500_000_000),
        ("250 juta", 250_000_000),
        ("250jt", 250_000_000),
        ("1.500 jt", 1_500_000_000),
        ("750 rb", 750_000),
        ("750 ribu", 750_000),
        ("2 T", 2_000_000_000_000),
        ("Rp 1,5 triliun", 1_500_000_000_000),
        ("Rp1.500.000,-", 1_500_000),
        ("Rp 1.500.000,00", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1,500,000.50", 1_500_001),
        ("1500000.00", 1_500_000),
        ("IDR 2.000", 2_000),
        ("\u00a0Rp\u00a01.000.000 ", 1_000_000),
        ("0", 0),
        (None, None),
        ("  ", None),
    ],
)
def test_money(raw, rupiah):
    assert parse_money(raw) == rupiah


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1,500", (MONEY_AMBIGUOUS, {"value": "1,500"})),
        ("-5 juta", MONEY_NEGATIVE),
        (-1, MONEY_NEGATIVE),
        ("lima juta", MONEY_INVALID),
        ("1,5 X", MONEY_INVALID),
        ("=A1*2", MONEY_INVALID),
        ("1.5.0", MONEY_INVALID),
        (True, MONEY_INVALID),
    ],
)
def test_money_refused(raw, message):
    assert error_of(parse_money, raw) == expected(message)


# --- Percentages, numbers, years ----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "percent"),
    [
        ("45,5", Decimal("45.50")),
        ("45,5%", Decimal("45.50")),
        ("45,5 %", Decimal("45.50")),
        ("45.5", Decimal("45.50")),
        (45.5, Decimal("45.50")),
        (PercentNumber(0.455), Decimal("45.50")),  # a percent-formatted cell: a fraction
        (PercentNumber(1), Decimal("100.00")),
        (PercentNumber(45.5), Decimal("45.50")),  # over 1: taken as written
        (0.455, Decimal("0.46")),  # not percent-formatted: as written
        ("0", Decimal("0.00")),
        (None, None),
    ],
)
def test_percent(raw, percent):
    assert parse_percent(raw) == percent


def test_percent_format_can_be_passed_explicitly():
    assert parse_percent(0.25, percent_format=True) == Decimal("25.00")


@pytest.mark.parametrize(
    ("raw", "message"),
    [("150", PERCENT_RANGE), ("-1", PERCENT_RANGE), ("banyak", PERCENT_INVALID)],
)
def test_percent_refused(raw, message):
    assert error_of(parse_percent, raw) == str(message)


@pytest.mark.parametrize(
    ("raw", "number"),
    [(25, 25), (25.0, 25), ("25", 25), ("1.200", 1200), ("1,200", 1200), ("25,0", 25), ("", None)],
)
def test_int(raw, number):
    assert parse_int(raw) == number


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("12,5", WHOLE_NUMBER_INVALID),
        (12.5, WHOLE_NUMBER_INVALID),
        (-3, NUMBER_NEGATIVE),
        ("-3", NUMBER_NEGATIVE),
        ("dua puluh", NUMBER_INVALID),
    ],
)
def test_int_refused(raw, message):
    assert error_of(parse_int, raw) == str(message)


TODAY = datetime.date(2026, 6, 1)


@pytest.mark.parametrize(
    ("raw", "year"),
    [
        (2008, 2008),
        (2008.0, 2008),
        ("2008", 2008),
        (" 2008 ", 2008),
        (datetime.date(2008, 5, 12), 2008),
        (datetime.datetime(2008, 5, 12, 0, 0), 2008),  # noqa: DTZ001 (a spreadsheet cell)
        ("2008-05-12", 2008),
        ("12/05/2008", 2008),
        (2026, 2026),
        (None, None),
    ],
)
def test_year(raw, year):
    assert parse_year(raw, today=TODAY) == year


@pytest.mark.parametrize(
    ("raw", "message"),
    [(2027, YEAR_FUTURE), ("20XX", YEAR_INVALID), (39580, YEAR_INVALID), (1700, YEAR_INVALID)],
)
def test_year_refused(raw, message):
    assert error_of(parse_year, raw, today=TODAY) == str(message)


# --- Identifiers, text, lists ----------------------------------------------------------


def test_existing_parsers_are_unchanged():
    assert parse_nib(9120001234567) == "9120001234567"
    assert parse_npwp("01.234.567.8-901.000") == "0012345678901000"
    assert parse_phone("0812-3456-7890") == "+6281234567890"


@pytest.mark.parametrize(
    ("raw", "nib"),
    [
        (9120001234567, "9120001234567"),
        (9120001234567.0, "9120001234567"),
        (120001234567, "0120001234567"),  # a number cell lost its leading zero
        ("\u00a09120001234567 ", "9120001234567"),
        ("'9120001234567", "9120001234567"),
        ("9120-0012-34567", "9120001234567"),
    ],
)
def test_nib_cell(raw, nib):
    assert parse_nib_cell(raw) == nib


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("9.12E+12", NIB_SCIENTIFIC),
        ("9,12E+12", NIB_SCIENTIFIC),
        ("9.12e12", NIB_SCIENTIFIC),
        (9.12e12 + 0.5, NIB_INVALID),
        ("912000123456", NIB_INVALID),  # 12 digits as text: not guessed
        ("=A1", NIB_INVALID),
    ],
)
def test_nib_cell_refused(raw, message):
    assert error_of(parse_nib_cell, raw) == str(message)


def test_npwp_cell():
    assert parse_npwp_cell(12345678901234) == "0012345678901234"
    assert parse_npwp_cell(1234567890123456) == "1234567890123456"  # cannot be Excel's
    assert error_of(parse_npwp_cell, 1234567890123450) == str(NPWP_DIGITS_LOST)
    assert parse_npwp_cell("") == ""


def test_email():
    assert parse_email("  budi@contoh.example\u00a0") == "budi@contoh.example"
    assert parse_email(None) == ""
    assert error_of(parse_email, "budi@") == str(EMAIL_INVALID)
    assert error_of(parse_email, "budi contoh.example") == str(EMAIL_INVALID)


def test_text():
    assert parse_text("  CV\u00a0Maju   Jaya ") == "CV Maju Jaya"
    assert parse_text(" Jl. A \r\n\r\n  RT 01 ", multiline=True) == "Jl. A\nRT 01"
    assert parse_text(12345.0) == "12345"
    assert parse_text("'=1+2") == "=1+2"


def test_cell_text_never_evaluates():
    assert cell_text("=SUM(A1:A3)") == "=SUM(A1:A3)"
    assert cell_text(datetime.date(2008, 5, 12)) == "2008-05-12"
    assert cell_text(None) == ""


@pytest.mark.parametrize(
    ("raw", "exported"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+62812", "'+62812"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("CV Maju", "CV Maju"),
        (-5, -5),  # numbers are not text: left alone
        (None, None),
    ],
)
def test_neutralise_formula_and_back(raw, exported):
    assert neutralise_formula(raw) == exported
    if isinstance(raw, str):
        assert restore_formula_text(exported) == raw


def test_restore_leaves_other_quotes_alone():
    assert restore_formula_text("'Ainun Jaya") == "'Ainun Jaya"


def test_split_list():
    assert split_list("a, b;c\nd ; ;a") == ["a", "b", "c", "d"]
    assert split_list(None) == []
    assert split_list(29300) == ["29300"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("PT", "pt"),
        ("P.T.", "pt"),
        ("pt.", "pt"),
        ("Perseroan Terbatas", "pt"),
        ("CV", "cv"),
        ("C.V.", "cv"),
        ("UD", "ud"),
        ("Koperasi", "koperasi"),
        ("Perorangan", "perorangan"),
        ("Perseorangan", "perorangan"),
        ("Firma", "firma"),
        ("Fa", "firma"),
        ("Fa.", "firma"),
        ("Lainnya", "lainnya"),
        ("", "perorangan"),
        (None, "perorangan"),
    ],
)
def test_legal_form(raw, code):
    assert parse_legal_form(raw) == code


def test_legal_form_refused():
    assert error_of(parse_legal_form, "Yayasan") == str(LEGAL_FORM_UNKNOWN % {"value": "Yayasan"})


# --- Resolvers against the reference data --------------------------------------------


@pytest.fixture
def refs(db):
    return ReferenceData.from_db()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("32", "32"),
        (32, "32"),
        (32.0, "32"),
        ("Jawa Barat", "32"),
        ("JAWA BARAT", "32"),
        ("jawa barat", "32"),
        ("Prov. Jawa Barat", "32"),
        ("Provinsi Jawa Barat", "32"),
        ("Jabar", "32"),
        ("DKI Jakarta", "31"),
        ("D.K.I. Jakarta", "31"),
        ("D.I. Yogyakarta", "34"),
        ("DI Yogyakarta", "34"),
        ("Daerah Istimewa Yogyakarta", "34"),
        ("Kepulauan Bangka Belitung", "19"),
        ("Papua Barat Daya", "96"),
    ],
)
def test_province(refs, raw, code):
    assert resolve_province(raw, refs) == code


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("Atlantis", (PROVINCE_UNKNOWN, {"value": "Atlantis"})),
        ("99", (PROVINCE_UNKNOWN, {"value": "99"})),
        ("", REQUIRED),
    ],
)
def test_province_refused(refs, raw, message):
    assert error_of(resolve_province, raw, refs) == expected(message)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("32.16", "32.16"),
        ("3216", "32.16"),
        (3216, "32.16"),
        (32.16, "32.16"),
        (32.1, "32.10"),
        ("Kab. Bekasi", "32.16"),
        ("Kab Bekasi", "32.16"),
        ("KAB. BEKASI", "32.16"),
        ("Kabupaten Bekasi", "32.16"),
        ("Kota Bekasi", "32.75"),
        ("Kotamadya Bekasi", "32.75"),
        ("Kota Adm. Jakarta Selatan", "31.74"),
        ("Jakarta Selatan", "31.74"),
        ("Kepulauan Seribu", "31.01"),
        ("Cikarang", None),
    ],
)
def test_regency(refs, raw, code):
    province = code[:2] if code else "32"
    if code is None:
        assert error_of(resolve_regency, raw, refs, province=province) == str(
            REGENCY_UNKNOWN % {"value": raw}
        )
    else:
        assert resolve_regency(raw, refs, province=province) == code
        assert resolve_regency(raw, refs) == code


def test_regency_ambiguous_names_both(refs):
    assert error_of(resolve_regency, "Bekasi", refs, province="32") == str(
        REGENCY_AMBIGUOUS
        % {"value": "Bekasi", "options": '"Kabupaten Bekasi" (32.16) / "Kota Bekasi" (32.75)'}
    )


def test_regency_must_lie_in_the_province(refs):
    message = error_of(resolve_regency, "32.16", refs, province="33")
    assert message == str(
        REGENCY_NOT_IN_PROVINCE
        % {"regency": "Kabupaten Bekasi (32.16)", "province": "Jawa Tengah (33)"}
    )


def test_kbli(refs):
    assert resolve_kbli(29300, refs) == ["29300"]
    assert resolve_kbli(29300.0, refs) == ["29300"]
    assert resolve_kbli("29300, 25910; 29300", refs) == ["29300", "25910"]
    assert resolve_kbli("29300 25910", refs) == ["29300", "25910"]
    assert resolve_kbli("", refs) == []
    assert error_of(resolve_kbli, "2930", refs) == str(KBLI_INVALID % {"value": "2930"})
    assert error_of(resolve_kbli, "99999", refs) == str(KBLI_UNKNOWN % {"value": "99999"})


@pytest.mark.parametrize(
    ("raw", "slugs"),
    [
        ("pemesinan", ["pemesinan"]),
        ("Pemesinan (CNC)", ["pemesinan"]),
        ("CNC", ["pemesinan"]),
        ("machining", ["pemesinan"]),
        ("Machining (CNC)", ["pemesinan"]),
        ("stamping", ["stamping"]),
        ("Stamping / press", ["stamping"]),
        ("injeksi plastik", ["injeksi-plastik"]),
        ("injeksi-plastik", ["injeksi-plastik"]),
        ("Plastic injection moulding", ["injeksi-plastik"]),
        ("wire harness", ["wire-harness"]),
        ("Wiring harness", ["wire-harness"]),
        ("perakitan elektronik", ["elektronik"]),
        ("perakitan", ["perakitan"]),
        ("mould & dies", ["pembuatan-cetakan"]),
        ("die casting; forging", ["pengecoran", "tempa"]),
        ("CNC, pemesinan", ["pemesinan"]),
    ],
)
def test_processes(refs, raw, slugs):
    ids = resolve_processes(raw, refs)
    assert [refs.processes[i].slug for i in ids] == slugs


def test_processes_refused(refs):
    assert error_of(resolve_processes, "ngelas", refs) == str(PROCESS_UNKNOWN % {"value": "ngelas"})
    assert error_of(resolve_processes, "pemesinann", refs) == str(
        PROCESS_SUGGESTION % {"value": "pemesinann", "suggestion": "Pemesinan (CNC)"}
    )


def test_process_names_shared_by_two_processes_are_ambiguous():
    refs = ReferenceData(
        provinces=[],
        regencies=[],
        kbli=[],
        processes=[Process(1, "a", "Las", "Welding"), Process(2, "b", "Las", "Soldering")],
        certification_types=[],
    )
    assert error_of(resolve_processes, "las", refs) == str(
        PROCESS_AMBIGUOUS % {"value": "las", "options": '"a" / "b"'}
    )


@pytest.mark.parametrize(
    ("raw", "codes"),
    [
        ("ISO 9001:2015", ["ISO9001"]),
        ("iso9001", ["ISO9001"]),
        ("ISO-9001", ["ISO9001"]),
        ("ISO 9001 2015", ["ISO9001"]),
        ("IATF 16949", ["IATF16949"]),
        ("IATF 16949:2016", ["IATF16949"]),
        ("SNI", ["SNI"]),
        ("TKDN", ["TKDN"]),
        ("Sertifikat TKDN", ["TKDN"]),
        ("ISO 14001:2015; ISO 45001", ["ISO14001", "ISO45001"]),
        ("SMK3", ["SMK3"]),
        ("", []),
    ],
)
def test_certification_types(refs, raw, codes):
    ids = resolve_certification_types(raw, refs)
    assert [refs.certification_types[i].code for i in ids] == codes


def test_certification_types_refused(refs):
    assert error_of(resolve_certification_types, "OHSAS 18001", refs) == str(
        CERTIFICATION_UNKNOWN
        % {
            "value": "OHSAS 18001",
            "known": "IATF16949, ISO14001, ISO45001, ISO9001, SMK3, SNI, TKDN",
        }
    )


def test_reference_data_can_be_built_without_a_database():
    refs = ReferenceData(
        provinces=[("32", "Jawa Barat")],
        regencies=[("32.16", "32", "Kabupaten Bekasi"), ("32.75", "32", "Kota Bekasi")],
        kbli=[("29300", True)],
        processes=[Process(7, "stamping", "Stamping / press", "Stamping / pressing")],
        certification_types=[CertType(3, "ISO9001", "ISO 9001 — Sistem manajemen mutu")],
    )
    assert resolve_province("jawa barat", refs) == "32"
    assert resolve_regency("Kab. Bekasi", refs, province="32") == "32.16"
    assert resolve_processes("press", refs) == [7]
    assert resolve_certification_types("ISO 9001:2015", refs) == [3]
