"""Properties of the parsers in ikm.parsing, checked with Hypothesis on generated input:
money, NIB, NPWP, phone numbers and region names (and, more briefly, every other parser).

- Whatever a form or a spreadsheet cell brings, a parser returns a clean value or raises
  ``ParseError`` (a ``ValueError`` with a message for the user); nothing else escapes.
- What the platform writes reads back: ``format_rupiah`` then ``parse_money`` gives the
  amount again; a region's name in any of the usual spellings gives its code.
- A parsed value is a fixed point: parsing it again gives it back.
- The normal forms hold: a NIB is 13 digits, an NPWP 16, a phone number +62 and 8 to 13
  digits with no trunk 0, an amount whole rupiah of at least 0.

Examples are bounded and derandomised, so every run checks the same inputs.
"""

import csv
import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from ikm import parsing
from ikm.models import region_title
from ikm.money import format_rupiah
from ikm.parsing import (
    MONEY_AMBIGUOUS,
    NIB_SCIENTIFIC,
    ParseError,
    PercentNumber,
    ReferenceData,
    parse_money,
    parse_nib,
    parse_nib_cell,
    parse_npwp,
    parse_npwp_cell,
    parse_phone,
    resolve_province,
    resolve_regency,
)

PROPERTIES = settings(
    max_examples=200,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
REGIONS = Path(__file__).resolve().parents[2] / "ikm" / "data" / "regions"
MAX_RUPIAH = 2**63 - 1  # what a BigIntegerField holds

# --- What forms and spreadsheet cells bring ---------------------------------------------

# Text: anything, and text made of the characters these parsers care about.
noise = st.text(
    alphabet=st.sampled_from("0123456789 .,-+()/'=%eERrPpMmTtJjKkBbIiDdUuNnAa\u00a0\t\n"),
    max_size=30,
)
texts = st.one_of(st.text(max_size=40), noise)
# Number cells as openpyxl reads them (ints within 64 bits, any float), dates, booleans.
numbers = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=1).map(PercentNumber),
)
cells = st.one_of(
    st.none(),
    st.booleans(),
    texts,
    numbers,
    st.dates(),
    st.datetimes(),
)


def parses_or_refuses(parser, value, *args, **kwargs):
    """The parser's value, or None when it refused with a ParseError (nothing else)."""
    try:
        return parser(value, *args, **kwargs)
    except ParseError as exc:
        assert str(exc) and str(exc.message)  # a message for the user
        return None


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- Money ------------------------------------------------------------------------------

amounts = st.one_of(
    st.integers(min_value=0, max_value=MAX_RUPIAH),
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from([0, 999, 1000, 999_999, 1_000_000, 999_995_000, 10**15, MAX_RUPIAH]),
)


@PROPERTIES
@given(cells)
@example(float("nan"))
@example(float("inf"))
@example(float("-inf"))
def test_money_is_whole_rupiah_or_refused(value):
    amount = parses_or_refuses(parse_money, value)
    if amount is not None:
        assert isinstance(amount, int) and amount >= 0


@PROPERTIES
@given(amounts)
def test_money_reads_back_what_format_rupiah_writes(amount):
    assert parse_money(format_rupiah(amount)) == amount
    assert parse_money(str(amount)) == amount
    assert parse_money(f"Rp {amount:,}".replace(",", ".") + ",-") == amount
    english = format_rupiah(amount, language="en")  # IDR 1,500,000
    if 1000 <= amount < 1_000_000:
        # "IDR 1,500" has one comma before three digits: the parser does not guess.
        with pytest.raises(ParseError) as refused:
            parse_money(english)
        assert refused.value.message == MONEY_AMBIGUOUS % {"value": english}
    else:
        assert parse_money(english) == amount


WORDS = {
    12: {"id": "triliun", "en": "trillion"},
    9: {"id": "miliar", "en": "billion"},
    6: {"id": "juta", "en": "million"},
}


@PROPERTIES
@given(amounts, st.sampled_from(["id", "en"]))
@example(999_995_000_000_000, "en")  # "IDR 1,000 trillion" was read as 1 trillion
def test_money_reads_back_the_short_form_to_its_rounding(amount, language):
    written = format_rupiah(amount, short=True, language=language)  # Rp1,5 miliar
    assume(language == "id" or not 1000 <= amount < 1_000_000)  # "IDR 1,500": see above
    read = parse_money(written)
    # Two decimals of the unit written: the rounding is at most half the last one.
    unit = next((10**e for e in (12, 9, 6) if re.search(rf"\b{WORDS[e][language]}$", written)), 1)
    assert abs(read - amount) * 200 <= unit


@PROPERTIES
@given(cells)
def test_money_parsed_again_is_the_same(value):
    amount = parses_or_refuses(parse_money, value)
    if amount is not None:
        assert parse_money(amount) == amount
        assert parse_money(str(amount)) == amount
        assert parse_money(format_rupiah(amount)) == amount


@PROPERTIES
@given(
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=0, max_value=99),
    st.sampled_from([("juta", 10**6), ("jt", 10**6), ("miliar", 10**9), ("M", 10**9)]),
)
def test_money_with_a_scale_word(whole, hundredths, scale):
    word, factor = scale
    written = f"Rp {whole},{hundredths:02d} {word}"
    assert parse_money(written) == whole * factor + hundredths * factor // 100


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("IDR 1,000 trillion", 10**15),  # English scale word: English separators
        ("1,500 million", 1_500_000_000),
        ("IDR 2.5 billion", 2_500_000_000),
        ("Rp 1,500 juta", 1_500_000),  # Indonesian scale word: a decimal comma
        ("1.500 jt", 1_500_000_000),
    ],
)
def test_separators_follow_the_scale_word(written, amount):
    assert parse_money(written) == amount


# --- NIB ----------------------------------------------------------------------------------

nibs = st.from_regex(r"[0-9]{13}", fullmatch=True)
separators = st.sampled_from(["", " ", ".", "-", " - "])


def spread(digits: str, separator: str, every: int) -> str:
    return separator.join(digits[i : i + every] for i in range(0, len(digits), every))


@PROPERTIES
@given(cells)
@example("9.12E+12")
@example(9.12e12)
def test_nib_is_13_digits_or_refused(value):
    for parser in (parse_nib, parse_nib_cell):
        nib = parses_or_refuses(parser, value)
        if nib is not None:
            assert re.fullmatch(r"[0-9]{13}", nib)
            assert parse_nib(nib) == nib  # a fixed point


@PROPERTIES
@given(nibs, separators, st.integers(min_value=1, max_value=13))
def test_nib_written_with_separators(nib, separator, every):
    written = f" {spread(nib, separator, every)}\u00a0"
    assert parse_nib(written) == nib
    assert parse_nib_cell(written) == nib
    assert parse_nib_cell("'" + written.strip()) == nib  # text forced with a quote


@PROPERTIES
@given(nibs)
def test_nib_from_a_number_cell(nib):
    """A number cell loses leading zeros: one is given back, more cannot be."""
    number = int(nib)
    if len(str(number)) >= 12:
        assert parse_nib(number) == nib
        assert parse_nib(float(number)) == nib
    else:
        assert parses_or_refuses(parse_nib, number) is None


@PROPERTIES
@given(st.floats(min_value=1e11, max_value=1e13), st.integers(min_value=1, max_value=6))
def test_nib_in_scientific_notation_is_refused(number, digits):
    """ "9.12E+12" in a text cell: digits already lost, never a wrong NIB."""
    text = f"{number:.{digits}E}"
    with pytest.raises(ParseError) as refused:
        parse_nib_cell(text)
    assert refused.value.message == NIB_SCIENTIFIC


# --- NPWP ---------------------------------------------------------------------------------


@PROPERTIES
@given(cells)
def test_npwp_is_16_digits_empty_or_refused(value):
    for parser in (parse_npwp, parse_npwp_cell):
        npwp = parses_or_refuses(parser, value)
        if npwp is not None:
            assert npwp == "" or re.fullmatch(r"[0-9]{16}", npwp)
            assert parse_npwp(npwp) == npwp  # a fixed point


@PROPERTIES
@given(st.from_regex(r"[0-9]{15}", fullmatch=True), separators)
def test_old_15_digit_npwp_gains_a_leading_zero(old, separator):
    # As DJP writes it: 01.234.567.8-901.000
    written = f"{old[:2]}.{old[2:5]}.{old[5:8]}.{old[8]}-{old[9:12]}.{old[12:]}"
    assert parse_npwp(written) == "0" + old
    assert parse_npwp(spread(old, separator, 3)) == "0" + old
    assert parse_npwp_cell(written) == "0" + old


@PROPERTIES
@given(st.from_regex(r"[0-9]{16}", fullmatch=True), separators, st.integers(1, 16))
def test_16_digit_npwp(npwp, separator, every):
    assert parse_npwp(spread(npwp, separator, every)) == npwp
    assert parse_npwp_cell(f"'{npwp}") == npwp


@PROPERTIES
@given(st.from_regex(r"[1-9][0-9]{14}", fullmatch=True))
def test_npwp_from_a_number_cell(old):
    """A 15-digit NPWP read as a number keeps its digits (a float holds 15)."""
    assert parse_npwp(int(old)) == "0" + old
    assert parse_npwp_cell(float(old)) == "0" + old


# --- Phone numbers ------------------------------------------------------------------------

# The national significant number: no trunk 0, 8 to 13 digits (mobile 8xx, landline area code).
nationals = st.from_regex(r"[1-9][0-9]{7,12}", fullmatch=True)
PHONE = re.compile(r"\+62[1-9][0-9]{7,12}")


@PROPERTIES
@given(cells)
@example("+")
@example("()")
@example("+1 202 555 0100")
def test_phone_is_e164_empty_or_refused(value):
    phone = parses_or_refuses(parse_phone, value)
    if phone is not None:
        assert phone == "" or PHONE.fullmatch(phone)
        assert parse_phone(phone) == phone  # a fixed point


@PROPERTIES
@given(
    nationals,
    st.sampled_from(["0{n}", "62{n}", "+62{n}", "+62 {n}", "(0{a}) {r}", "+62 ({a}) {r}"]),
    st.sampled_from(["", " ", "-", "."]),
)
def test_phone_written_the_usual_ways(national, pattern, separator):
    area, rest = national[:3], national[3:]
    rest = separator.join(rest[i : i + 4] for i in range(0, len(rest), 4))
    written = pattern.format(n=national, a=area, r=rest)
    assert parse_phone(written) == "+62" + national


@PROPERTIES
@given(nationals.filter(lambda n: not n.startswith("62")))
def test_phone_from_a_number_cell(national):
    """08123... typed into a number cell arrives as 8123...: the 0 is given back. (A number
    starting 62 is read as the country code: a cell cannot tell 0622... from +62 2...)"""
    assert parse_phone(int(national)) == "+62" + national
    assert parse_phone(float(int("62" + national))) == "+62" + national


# --- Region names -------------------------------------------------------------------------


def _rows(name):
    with open(REGIONS / name, encoding="utf-8") as file:
        return list(csv.DictReader(file))


PROVINCES = [(row["code"], region_title(row["name"])) for row in _rows("provinces.csv")]
REGENCIES = [
    (row["code"], row["province_code"], region_title(row["name"])) for row in _rows("regencies.csv")
]
# As ReferenceData.from_db() builds it from the rows the migration loads from these files.
REFS = ReferenceData(
    provinces=PROVINCES, regencies=REGENCIES, kbli=[], processes=[], certification_types=[]
)
BARE_NAMES = {}
for _code, _province, _name in REGENCIES:
    _bare = re.sub(r"^(Kabupaten|Kota)( Administrasi)? ", "", _name)
    BARE_NAMES.setdefault(_bare.upper(), []).append(_code)


def test_reference_data_is_complete():
    assert len(REFS.provinces) == 38
    assert len(REFS.regencies) == 514


def spellings(name: str):
    """Ways people write a region's name: any case, stray and non-breaking spaces."""
    return st.sampled_from([name, name.upper(), name.lower()]).flatmap(
        lambda text: st.sampled_from(
            [text, f"  {text} ", text.replace(" ", "  "), text.replace(" ", "\u00a0")]
        )
    )


def regency_spellings(name: str):
    """ "Kabupaten Bekasi" also as "Kab. Bekasi", "KAB BEKASI", "Kab.Bekasi"; "Kota
    Administrasi Jakarta Selatan" as "Kota Adm. Jakarta Selatan"."""
    short = [name]
    for long, abbreviations in (
        ("Kabupaten Administrasi ", ["Kab. Adm. ", "Kab Administrasi ", "Kabupaten Adm. "]),
        ("Kota Administrasi ", ["Kota Adm. ", "Kota Adm "]),
        ("Kabupaten ", ["Kab. ", "Kab ", "Kab."]),
        ("Kota ", ["Kotamadya ", "Kodya "]),
    ):
        if name.startswith(long):
            short += [abbreviation + name[len(long) :] for abbreviation in abbreviations]
            break
    return st.sampled_from(short).flatmap(spellings)


@PROPERTIES
@given(st.sampled_from(PROVINCES).flatmap(lambda p: st.tuples(st.just(p[0]), spellings(p[1]))))
def test_a_province_by_its_name(province):
    code, written = province
    assert resolve_province(written, REFS) == code
    assert resolve_province(f"Provinsi {written}", REFS) == code
    assert resolve_province(f"Prov. {written}", REFS) == code
    assert resolve_province(code, REFS) == code
    assert resolve_province(int(code), REFS) == code


@PROPERTIES
@given(
    st.sampled_from(REGENCIES).flatmap(
        lambda r: st.tuples(st.just(r), regency_spellings(r[2]), st.sampled_from([".", "", " "]))
    )
)
def test_a_regency_by_its_name_or_code(drawn):
    (code, province, _name), written, separator = drawn
    assert resolve_regency(written, REFS, province=province) == code
    assert resolve_regency(written, REFS) == code
    assert resolve_regency(code.replace(".", separator), REFS, province=province) == code
    assert resolve_regency(float(code), REFS) == code  # a number cell 32.16


@PROPERTIES
@given(st.sampled_from(REGENCIES))
def test_a_bare_regency_name_resolves_or_names_every_candidate(regency):
    """ "Bekasi" is both Kabupaten and Kota Bekasi: the error names both; a bare name of
    one regency resolves to it."""
    code, _province, name = regency
    bare = re.sub(r"^(Kabupaten|Kota)( Administrasi)? ", "", name)
    candidates = BARE_NAMES[bare.upper()]
    if len(candidates) == 1:
        assert resolve_regency(bare, REFS) == code
    else:
        with pytest.raises(ParseError) as refused:
            resolve_regency(bare, REFS)
        assert all(c in str(refused.value) for c in candidates)


@PROPERTIES
@given(cells, st.one_of(st.none(), st.sampled_from([p[0] for p in PROVINCES])))
@example("Bekasi", "33")
@example(32.16, "33")
@example(float("nan"), None)
def test_region_resolvers_return_a_known_code_or_refuse(value, province):
    code = parses_or_refuses(resolve_province, value, REFS)
    assert code is None or code in REFS.provinces
    code = parses_or_refuses(resolve_regency, value, REFS, province=province)
    if code is not None:
        assert code in REFS.regencies
        assert province is None or REFS.regencies[code].province_code == province
        assert resolve_regency(code, REFS, province=province) == code  # a fixed point
        assert resolve_regency(REFS.regencies[code].name, REFS, province=province) == code


# --- Every other parser: a value or a ParseError --------------------------------------------

OTHER_PARSERS = [
    parsing.parse_percent,
    parsing.parse_int,
    parsing.parse_year,
    parsing.parse_email,
    parsing.parse_text,
    parsing.parse_legal_form,
    parsing.split_list,
    parsing.cell_text,
]


@pytest.mark.parametrize("parser", OTHER_PARSERS, ids=lambda p: p.__name__)
@PROPERTIES
@given(value=cells)
@example(value=float("nan"))
@example(value=PercentNumber(float("nan")))
def test_other_parsers_return_a_value_or_refuse(parser, value):
    parses_or_refuses(parser, value)


@PROPERTIES
@given(st.one_of(cells, st.decimals(allow_nan=False)))
def test_a_percentage_is_between_0_and_100_with_two_decimals(value):
    percent = parses_or_refuses(parsing.parse_percent, value)
    if percent is not None:
        assert Decimal(0) <= percent <= Decimal(100)
        assert percent == percent.quantize(Decimal("0.01"))


@PROPERTIES
@given(cells)
def test_a_year_is_not_in_the_future(value):
    year = parses_or_refuses(parsing.parse_year, value)
    if year is not None:
        assert parsing.EARLIEST_YEAR <= year <= datetime.date.today().year  # noqa: DTZ011
        assert parsing.parse_year(year) == year


@PROPERTIES
@given(st.text(max_size=20))
def test_exported_formula_text_imports_back_unchanged(text):
    assume(text)
    assert parsing.restore_formula_text(parsing.neutralise_formula(text)) == text or (
        # Text that already looked neutralised ("'=A1") is read as neutralised.
        text.startswith("'") and text[1:2] in ("=", "+", "-", "@", "\t", "\r")
    )
