"""Parsers for what people and spreadsheets bring: identifiers, phones, money, regions...

Each parser takes raw input (a form string or a spreadsheet cell) and returns the clean
value or raises :class:`ParseError` with a message for the user (English source text,
translated to Indonesian). Messages are module constants so tests can import them.
"""

import datetime
import difflib
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

NIB_INVALID = _("NIB must be exactly 13 digits.")
NPWP_INVALID = _(
    "NPWP must have 15 or 16 digits (punctuation such as 01.234.567.8-901.000 is fine)."
)
PHONE_INVALID = _(
    "Phone number not recognised: write it as 08..., 62... or +62... (8 to 13 digits after the 0)."
)

_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")


class ParseError(ValueError):
    """Raw input that cannot be turned into a valid value; ``message`` is for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def clean_text(value) -> str:
    """Text with stray and non-breaking spaces folded; None becomes ""."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value)).strip()


def _digits_of_number_cell(value) -> str | None:
    """A spreadsheet number cell holding an identifier (no lost zeros, no 1.23E+12)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return None


def parse_nib(value) -> str:
    """13 digits. Accepts a number cell and stray spaces, dots or dashes between digits."""
    digits = _digits_of_number_cell(value)
    if digits is None:
        text = clean_text(value)
        if not re.fullmatch(r"[0-9 .\-]+", text or "x"):
            raise ParseError(NIB_INVALID)
        digits = re.sub(r"[ .\-]", "", text)
    if len(digits) == 12 and _digits_of_number_cell(value) is not None:
        digits = "0" + digits  # a number cell lost the leading zero
    if not re.fullmatch(r"[0-9]{13}", digits):
        raise ParseError(NIB_INVALID)
    return digits


def parse_npwp(value) -> str:
    """16 digits. An old 15-digit NPWP gains a leading 0 (as DJP does since 1 Jul 2024).
    Empty input gives "" (NPWP is optional)."""
    if value is None or clean_text(value) == "":
        return ""
    digits = _digits_of_number_cell(value)
    if digits is None:
        text = clean_text(value)
        if not re.fullmatch(r"[0-9 .\-]+", text):
            raise ParseError(NPWP_INVALID)
        digits = re.sub(r"[ .\-]", "", text)
    if len(digits) == 15:
        digits = "0" + digits
    elif len(digits) == 14 and _digits_of_number_cell(value) is not None:
        digits = "00" + digits  # a number cell of an old NPWP that started with 0
    if not re.fullmatch(r"[0-9]{16}", digits):
        raise ParseError(NPWP_INVALID)
    return digits


def parse_phone(value) -> str:
    """E.164 (+62...). Accepts 08..., 628..., +62 8..., (021) 555-1234, number cells that
    lost their leading 0. Empty input gives ""."""
    if value is None or clean_text(value) == "":
        return ""
    digits = _digits_of_number_cell(value)
    text = clean_text(value) if digits is None else digits
    plus = text.startswith("+")
    if not re.fullmatch(r"\+?[0-9 ()./\-]+", text):
        raise ParseError(PHONE_INVALID)
    digits = re.sub(r"\D", "", text)
    if digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    elif plus:
        raise ParseError(PHONE_INVALID)  # another country's code
    else:
        national = digits  # a number cell that lost its leading 0
    if national.startswith("0") or not 8 <= len(national) <= 13:
        raise ParseError(PHONE_INVALID)
    return "+62" + national


# --- Spreadsheet cells -------------------------------------------------------------
# Everything below reads what spreadsheets hold: number cells, date cells, formula text,
# Indonesian number formats, names of regions and processes. The functions are pure: the
# reference data they resolve against is passed in (see ReferenceData), so forms, the API
# and the importer (ikm.importing) share them.

REQUIRED = _("Required: fill in this column.")
NIB_SCIENTIFIC = _(
    "The NIB was stored as a number in scientific notation (such as 9.12E+12), so digits "
    "were lost: format the column as text and type the 13 digits again."
)
NPWP_DIGITS_LOST = _(
    "A 16-digit NPWP in a number cell has lost its last digit (spreadsheets keep 15): "
    "format the column as text and type the NPWP again."
)
NUMBER_INVALID = _("Not a number: write digits, such as 25 or 1.200.")
WHOLE_NUMBER_INVALID = _("Write a whole number, such as 25.")
NUMBER_NEGATIVE = _("The number cannot be negative.")
MONEY_INVALID = _(
    "Amount not recognised: write it as 1500000000, 1.500.000.000, Rp 1,5 miliar, 1,5 M "
    "or 250 juta."
)
MONEY_AMBIGUOUS = _(
    'The amount "%(value)s" is ambiguous: write 1500 or 1.500 for thousands, or 1,5 juta.'
)
MONEY_NEGATIVE = _("An amount cannot be negative.")
PERCENT_INVALID = _("Percentage not recognised: write it as 45,5 or 45,5%.")
PERCENT_RANGE = _("A percentage must be between 0 and 100.")
YEAR_INVALID = _("Year not recognised: write four digits, such as 2008.")
YEAR_FUTURE = _("The year cannot be in the future.")
EMAIL_INVALID = _("Enter a valid e-mail address.")
LEGAL_FORM_UNKNOWN = _(
    'Legal form "%(value)s" not recognised: write PT, CV, UD, Firma, Koperasi, Perorangan '
    "or Lainnya."
)
PROVINCE_UNKNOWN = _(
    'Province "%(value)s" not recognised: write its code (32) or its name (Jawa Barat).'
)
REGENCY_UNKNOWN = _(
    'Regency/city "%(value)s" not recognised: write its code (32.16) or its name '
    "(Kabupaten Bekasi, Kota Bekasi)."
)
REGENCY_AMBIGUOUS = _('"%(value)s" is ambiguous: write %(options)s.')
REGENCY_NOT_IN_PROVINCE = _("%(regency)s does not lie in the province %(province)s.")
KBLI_INVALID = _('KBLI code "%(value)s" not recognised: a KBLI code is five digits, such as 29300.')
KBLI_UNKNOWN = _("KBLI code %(value)s is not in the KBLI reference list.")
KBLI_INACTIVE = _("KBLI code %(value)s is no longer in use.")
PROCESS_UNKNOWN = _(
    'Process "%(value)s" not recognised: use a name from the list in the template '
    "(such as pemesinan, stamping, injeksi plastik)."
)
PROCESS_SUGGESTION = _('Process "%(value)s" not recognised: did you mean "%(suggestion)s"?')
PROCESS_AMBIGUOUS = _('Process "%(value)s" is ambiguous: write %(options)s.')
PROCESS_INACTIVE = _('Process "%(value)s" is no longer in use.')
CERTIFICATION_UNKNOWN = _('Certification "%(value)s" not recognised: write one of %(known)s.')
CERTIFICATION_INACTIVE = _('Certification "%(value)s" is no longer in use.')

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class PercentNumber(float):
    """A number read from a spreadsheet cell formatted as a percentage (0.455 shown as
    45.5%). The reader marks such cells so :func:`parse_percent` can tell them apart."""


def neutralise_formula(value):
    """Text a spreadsheet would run as a formula (it begins with =, +, -, @, a tab or a
    carriage return) gets a leading single quote on export. Other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def restore_formula_text(text: str) -> str:
    """The inverse of :func:`neutralise_formula`: "'=1+2" becomes the text "=1+2" again, so
    an exported file imports back unchanged."""
    if len(text) >= 2 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def cell_text(value) -> str:
    """Any cell as text, without evaluating anything: a formula stays its text, an integral
    number cell loses its ".0", a date cell becomes YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return restore_formula_text(str(value))


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and clean_text(value) == "")


def parse_text(value, *, multiline: bool = False) -> str:
    """Text with stray and non-breaking spaces folded. ``multiline`` keeps line breaks
    (addresses, product lists) and trims each line."""
    text = cell_text(value)
    if not multiline:
        return clean_text(text)
    lines = (
        clean_text(line) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    )
    return "\n".join(line for line in lines if line)


def parse_email(value) -> str:
    """A trimmed e-mail address checked with Django's EmailValidator; empty gives ""."""
    text = clean_text(cell_text(value))
    if not text:
        return ""
    try:
        EmailValidator()(text)
    except ValidationError as exc:
        raise ParseError(EMAIL_INVALID) from exc
    return text


_SCIENTIFIC = re.compile(r"^[0-9]+([.,][0-9]+)?[eE][+]?[0-9]+$")


def parse_nib_cell(value) -> str:
    """:func:`parse_nib` for a spreadsheet cell: a text cell in scientific notation
    ("9.12E+12": digits already lost) is an error, never a wrong NIB."""
    if isinstance(value, float) and not value.is_integer():
        raise ParseError(NIB_INVALID)
    if isinstance(value, str):
        text = clean_text(value).lstrip("'")
        if _SCIENTIFIC.match(text):
            raise ParseError(NIB_SCIENTIFIC)
        value = text
    return parse_nib(value)


def parse_npwp_cell(value) -> str:
    """:func:`parse_npwp` for a spreadsheet cell: a 16-digit number cell ending in 0 is a
    value the spreadsheet cut to 15 significant digits, so it is refused."""
    digits = _digits_of_number_cell(value)
    if digits is not None and len(digits) == 16 and digits.endswith("0"):
        raise ParseError(NPWP_DIGITS_LOST)
    if isinstance(value, str):
        value = clean_text(value).lstrip("'")
    return parse_npwp(value)


def _decimal_of_number_cell(value) -> Decimal:
    return Decimal(value) if isinstance(value, int) else Decimal(repr(float(value)))


_GROUPED = {
    ".": re.compile(r"^[0-9]{1,3}(\.[0-9]{3})+$"),
    ",": re.compile(r"^[0-9]{1,3}(,[0-9]{3})+$"),
}


def _parse_number_text(number: str, *, scaled: bool, ambiguous_message=None) -> Decimal:
    """Digits with Indonesian or English separators: "1.500.000", "1.500.000,50",
    "1,500,000.50", "1,5" (decimal comma), "1.5" (decimal point before a scale word).
    A single "." followed by three digits is a thousands separator ("1.500" = 1500);
    a single "," followed by three digits without a scale word is ambiguous."""
    dots, commas = number.count("."), number.count(",")
    if dots and commas:
        last = max(number.rfind("."), number.rfind(","))
        decimal_mark = number[last]
        thousands = "," if decimal_mark == "." else "."
        whole, fraction = number[:last], number[last + 1 :]
        if number.count(decimal_mark) > 1 or not (
            re.fullmatch(r"[0-9]+", whole) or _GROUPED[thousands].match(whole)
        ):
            raise ValueError(number)
        number = whole.replace(thousands, "") + "." + fraction
    elif dots > 1 or commas > 1:
        mark = "." if dots else ","
        if not _GROUPED[mark].match(number):
            raise ValueError(number)
        number = number.replace(mark, "")
    elif dots == 1:
        whole, fraction = number.split(".")
        if len(fraction) == 3 and whole:
            number = whole + fraction  # 1.500 = 1500
    elif commas == 1:
        whole, fraction = number.split(",")
        if len(fraction) == 3 and not scaled and ambiguous_message is not None:
            raise ParseError(ambiguous_message)
        number = whole + "." + fraction
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?|\.[0-9]+", number):
        raise ValueError(number)
    return Decimal(number)


_MONEY_SCALES = {
    "triliun": 10**12,
    "trilyun": 10**12,
    "t": 10**12,
    "tn": 10**12,
    "trillion": 10**12,
    "miliar": 10**9,
    "milyar": 10**9,
    "m": 10**9,  # Indonesian: M = miliar, never million
    "mlr": 10**9,
    "myr": 10**9,
    "billion": 10**9,
    "bn": 10**9,
    "juta": 10**6,
    "jt": 10**6,
    "million": 10**6,
    "ribu": 10**3,
    "rb": 10**3,
    "k": 10**3,
    "thousand": 10**3,
}
_MONEY = re.compile(r"^(?:rp\.?|idr)?(?P<number>[0-9][0-9.,]*)(?P<scale>[a-z]+)?\.?$")


def parse_money(value) -> int | None:
    """Whole rupiah from a number cell or from "1.500.000.000", "1500000000",
    "Rp 1,5 miliar", "1,5 M" (M = miliar), "250 juta", "250jt", "750 rb", "2 T",
    "Rp1.500.000,-". Empty gives None; negative amounts are refused."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ParseError(MONEY_INVALID)
    if isinstance(value, int | float):
        amount = _decimal_of_number_cell(value)
    else:
        text = clean_text(cell_text(value)).lower().replace(" ", "")
        negative = text.startswith("-")
        text = re.sub(r"[.,]-$", "", text.lstrip("-"))
        match = _MONEY.match(text)
        if not match or (match["scale"] and match["scale"] not in _MONEY_SCALES):
            raise ParseError(MONEY_INVALID)
        scale = _MONEY_SCALES[match["scale"]] if match["scale"] else 1
        ambiguous = MONEY_AMBIGUOUS % {"value": clean_text(cell_text(value))}
        try:
            amount = (
                _parse_number_text(match["number"], scaled=scale > 1, ambiguous_message=ambiguous)
                * scale
            )
        except ValueError as exc:
            if isinstance(exc, ParseError):
                raise
            raise ParseError(MONEY_INVALID) from exc
        if negative:
            amount = -amount
    if amount < 0:
        raise ParseError(MONEY_NEGATIVE)
    return int(amount.to_integral_value(rounding=ROUND_HALF_UP))


def parse_percent(value, *, percent_format: bool | None = None) -> Decimal | None:
    """A percentage 0-100 with two decimals: "45,5", "45,5%", "45.5", a number cell.
    A number cell formatted as a percentage holds a fraction (0.455 shown as 45.5%):
    values up to 1 from such a cell are multiplied by 100; any other number is taken as
    written. ``percent_format`` defaults to whether ``value`` is a :class:`PercentNumber`.
    Empty gives None."""
    if is_blank(value):
        return None
    if percent_format is None:
        percent_format = isinstance(value, PercentNumber)
    if isinstance(value, bool):
        raise ParseError(PERCENT_INVALID)
    if isinstance(value, int | float):
        number = _decimal_of_number_cell(value)
        if percent_format and 0 <= number <= 1:
            number *= 100
    else:
        text = clean_text(cell_text(value)).replace(" ", "").rstrip("%")
        if not re.fullmatch(r"-?[0-9]+([.,][0-9]+)?", text):
            raise ParseError(PERCENT_INVALID)
        number = Decimal(text.replace(",", "."))
    if not 0 <= number <= 100:
        raise ParseError(PERCENT_RANGE)
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_int(value) -> int | None:
    """A whole number of at least 0 (workers, monthly capacity): a number cell, "25",
    "1.200" or "1,200" (thousands). Empty gives None."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ParseError(NUMBER_INVALID)
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise ParseError(WHOLE_NUMBER_INVALID)
        number = int(value)
    else:
        text = clean_text(cell_text(value)).replace(" ", "")
        negative = text.startswith("-")
        text = text.lstrip("-")
        if re.fullmatch(r"[0-9]+", text):
            number = int(text)
        elif _GROUPED["."].match(text) or _GROUPED[","].match(text):
            number = int(re.sub(r"[.,]", "", text))
        elif re.fullmatch(r"[0-9]+[.,]0+", text):
            number = int(re.split(r"[.,]", text)[0])
        elif re.fullmatch(r"[0-9]*[.,][0-9]+", text):
            raise ParseError(WHOLE_NUMBER_INVALID)
        else:
            raise ParseError(NUMBER_INVALID)
        if negative:
            number = -number
    if number < 0:
        raise ParseError(NUMBER_NEGATIVE)
    return number


_DATE_YEAR_FIRST = re.compile(r"^([0-9]{4})[-/.][0-9]{1,2}[-/.][0-9]{1,2}([ T].*)?$")
_DATE_YEAR_LAST = re.compile(r"^[0-9]{1,2}[-/.][0-9]{1,2}[-/.]([0-9]{4})$")
EARLIEST_YEAR = 1800


def parse_year(value, *, today: datetime.date | None = None) -> int | None:
    """A year (founding year): 2008, "2008", 2008.0, a date cell or a written date
    ("2008-05-12", "12/05/2008") gives its year. Not in the future. Empty gives None."""
    if is_blank(value):
        return None
    today = today or datetime.date.today()  # noqa: DTZ011 (a calendar year, local)
    if isinstance(value, datetime.date):  # datetime is a date too
        year = value.year
    elif isinstance(value, bool):
        raise ParseError(YEAR_INVALID)
    elif isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise ParseError(YEAR_INVALID)
        year = int(value)
    else:
        text = clean_text(cell_text(value))
        match = (
            re.fullmatch(r"([0-9]{4})(\.0+)?", text)
            or _DATE_YEAR_FIRST.match(text)
            or _DATE_YEAR_LAST.match(text)
        )
        if not match:
            raise ParseError(YEAR_INVALID)
        year = int(match[1])
    if not EARLIEST_YEAR <= year <= 9999:  # 39580: a date serial number, not a year
        raise ParseError(YEAR_INVALID)
    if year > today.year:
        raise ParseError(YEAR_FUTURE)
    return year


_LIST_SEPARATORS = re.compile(r"[,;\n\r]+")


def split_list(value) -> list[str]:
    """A list cell: items separated by commas, semicolons or line breaks, trimmed, empty
    items dropped, repeats removed (first one kept)."""
    items = []
    for part in _LIST_SEPARATORS.split(cell_text(value)):
        item = clean_text(part)
        if item and item not in items:
            items.append(item)
    return items


def _key(text: str) -> str:
    """Upper-case letters and digits, anything else a single space, accents dropped, runs
    of single letters joined: "D.I. Yogyakarta" -> "DI YOGYAKARTA"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    merged: list[str] = []
    joining = False
    for token in re.sub(r"[^A-Z0-9]+", " ", text).split():
        single = len(token) == 1 and token.isalpha()
        if single and joining:
            merged[-1] += token
        else:
            merged.append(token)
        joining = single
    return " ".join(merged)


# --- Reference data and resolvers ----------------------------------------------------

_PROVINCE_PREFIXES = ("PROVINSI ", "PROPINSI ", "PROV ", "PROP ")
# Other names people write for a province (keys as _key() gives them).
PROVINCE_ALIASES = {
    "DKI": "31",
    "JAKARTA": "31",
    "DAERAH KHUSUS IBUKOTA JAKARTA": "31",
    "DAERAH KHUSUS JAKARTA": "31",
    "DI YOGYAKARTA": "34",
    "DIY": "34",
    "YOGYAKARTA": "34",
    "JOGJAKARTA": "34",
    "DI JOGJAKARTA": "34",
    "NAD": "11",
    "NANGGROE ACEH DARUSSALAM": "11",
    "BABEL": "19",
    "BANGKA BELITUNG": "19",
    "KEPRI": "21",
    "KEP RIAU": "21",
    "NTB": "52",
    "NTT": "53",
    "SUMUT": "12",
    "SUMBAR": "13",
    "SUMSEL": "16",
    "JABAR": "32",
    "JATENG": "33",
    "JATIM": "35",
    "KALBAR": "61",
    "KALTENG": "62",
    "KALSEL": "63",
    "KALTIM": "64",
    "KALTARA": "65",
    "SULUT": "71",
    "SULTENG": "72",
    "SULSEL": "73",
    "SULTRA": "74",
    "SULBAR": "76",
    "MALUT": "82",
}
# (kind, prefix) longest first; kind "kab" (kabupaten, code 01-69) or "kota" (71-99).
_REGENCY_PREFIXES = (
    ("kab", "KABUPATEN ADMINISTRASI "),
    ("kab", "KABUPATEN ADM "),
    ("kab", "KAB ADMINISTRASI "),
    ("kab", "KAB ADM "),
    ("kab", "KABUPATEN "),
    ("kab", "KAB "),
    ("kota", "KOTA ADMINISTRASI "),
    ("kota", "KOTA ADM "),
    ("kota", "KOTAMADYA "),
    ("kota", "KODYA "),
    ("kota", "KOTA "),
)
# Other ways spreadsheets name a process, by process slug (matched after _key()).
PROCESS_SYNONYMS = {
    "pemesinan": [
        "machining",
        "cnc",
        "cnc machining",
        "mesin cnc",
        "permesinan",
        "bubut",
        "turning",
        "milling",
        "frais",
    ],
    "stamping": ["press", "pressing", "pres", "pengepresan", "stamping press", "press stamping"],
    "pengecoran": [
        "casting",
        "metal casting",
        "die casting",
        "aluminium die casting",
        "aluminum die casting",
        "cor",
        "cor logam",
        "foundry",
    ],
    "tempa": ["forging", "penempaan", "tempa logam"],
    "injeksi-plastik": [
        "plastic injection",
        "plastic injection moulding",
        "plastic injection molding",
        "injection moulding",
        "injection molding",
        "cetak injeksi",
        "injeksi",
    ],
    "cetak-karet": ["rubber moulding", "rubber molding", "rubber", "karet"],
    "pengelasan-fabrikasi": [
        "welding",
        "fabrication",
        "fabrikasi",
        "pengelasan",
        "las",
        "welding fabrication",
    ],
    "pengecatan": ["painting", "powder coating", "cat", "spray painting", "coating"],
    "pelapisan-logam": [
        "electroplating",
        "plating",
        "pelapisan",
        "chrome plating",
        "galvanis",
        "galvanizing",
    ],
    "perlakuan-panas": ["heat treatment", "heat treating", "hardening", "pengerasan"],
    "perakitan": ["assembly", "assembling", "rakit"],
    "wire-harness": ["wiring harness", "harness", "kabel harness"],
    "jahit-jok": ["seat sewing", "trim sewing", "jok", "upholstery", "jahit"],
    "pembuatan-cetakan": [
        "mould making",
        "mold making",
        "die making",
        "mould and die",
        "mold and die",
        "mould and dies",
        "mold and dies",
        "moulds dies",
        "dies",
        "tool and die",
        "cetakan",
        "pembuatan dies",
    ],
    "komposit": ["fiberglass", "fibreglass", "frp", "composite", "composites"],
    "karoseri": ["body building", "coachbuilding", "bodi kendaraan"],
    "elektronik": ["electronics", "electronics assembly", "pcb assembly", "pcba"],
}
# Other ways spreadsheets name a certification, by certification type code.
CERTIFICATION_SYNONYMS = {
    "TKDN": ["SERTIFIKAT TKDN", "TKDN CERTIFICATE"],
    "SNI": ["TANDA SNI", "SPPT SNI", "SNI MARK"],
    "SMK3": ["SMK 3"],
}
LEGAL_FORM_SYNONYMS = {
    "pt": ["PT", "PERSEROAN TERBATAS", "PT TBK", "PERSERO"],
    "cv": ["CV", "COMMANDITAIRE VENNOOTSCHAP", "PERSEKUTUAN KOMANDITER"],
    "firma": ["FIRMA", "FA"],
    "ud": ["UD", "USAHA DAGANG"],
    "koperasi": ["KOPERASI", "KOP"],
    "perorangan": ["PERORANGAN", "PERSEORANGAN", "USAHA PERORANGAN", "INDIVIDU", "INDIVIDUAL"],
    "lainnya": ["LAINNYA", "LAIN LAIN", "LAIN", "OTHER", "OTHERS"],
}
_LEGAL_FORMS = {
    _key(synonym).replace(" ", ""): code
    for code, synonyms in LEGAL_FORM_SYNONYMS.items()
    for synonym in [code, *synonyms]
}


@dataclass(frozen=True)
class Region:
    code: str
    name: str  # as people write it: "Kabupaten Bekasi"
    province_code: str = ""

    def __str__(self):
        return f"{self.name} ({self.code})"


@dataclass(frozen=True)
class Process:
    id: int
    slug: str
    name: str
    name_en: str
    is_active: bool = True


@dataclass(frozen=True)
class CertType:
    id: int
    code: str
    name: str
    is_active: bool = True


class ReferenceData:
    """The lookups the resolvers need, built once (``ReferenceData.from_db()``, five
    queries) and passed to every call. Plain data: tests and forms can build one by hand.

    - ``provinces``: (code, name) pairs; ``regencies``: (code, province code, name);
    - ``kbli``: (code, is_active); ``processes``: :class:`Process`;
      ``certification_types``: :class:`CertType`.
    """

    def __init__(self, *, provinces, regencies, kbli, processes, certification_types):
        self.provinces = {code: Region(code, name) for code, name in provinces}
        self.regencies = {
            code: Region(code, name, province_code) for code, province_code, name in regencies
        }
        self.kbli = dict(kbli)
        self.processes = {p.id: p for p in processes}
        self.certification_types = {c.id: c for c in certification_types}

        self.province_by_key = {_key(r.name): r.code for r in self.provinces.values()}
        for alias, code in PROVINCE_ALIASES.items():
            if code in self.provinces:
                self.province_by_key.setdefault(alias, code)
        self.regency_by_key: dict[str, list[str]] = {}
        self.regency_by_bare: dict[str, list[str]] = {}
        for region in self.regencies.values():
            full = _key(region.name)
            self.regency_by_key.setdefault(full, []).append(region.code)
            _kind, bare = _regency_kind(full)
            self.regency_by_bare.setdefault(bare, []).append(region.code)

        self.process_by_key: dict[str, set[int]] = {}
        for process in self.processes.values():
            for key in _process_keys(process):
                self.process_by_key.setdefault(key, set()).add(process.id)
        self.certification_by_key: dict[str, set[int]] = {}
        for cert in self.certification_types.values():
            keys = [cert.code, cert.name.split("—")[0], *CERTIFICATION_SYNONYMS.get(cert.code, [])]
            for key in keys:
                if _cert_key(key):
                    self.certification_by_key.setdefault(_cert_key(key), set()).add(cert.id)

    @classmethod
    def from_db(cls) -> "ReferenceData":
        from .models import CertificationType, Kbli, ProcessCapability, Province, Regency

        return cls(
            provinces=[(p.code, str(p)) for p in Province.objects.all()],
            regencies=[(r.code, r.province_id, str(r)) for r in Regency.objects.all()],
            kbli=Kbli.objects.values_list("code", "is_active"),
            processes=[
                Process(p.id, p.slug, p.name, p.name_en, p.is_active)
                for p in ProcessCapability.objects.all()
            ],
            certification_types=[
                CertType(c.id, c.code, c.name, c.is_active) for c in CertificationType.objects.all()
            ],
        )


def _regency_kind(key: str) -> tuple[str, str]:
    """("kab" | "kota" | "", bare name) of a regency name key."""
    for kind, prefix in _REGENCY_PREFIXES:
        if key.startswith(prefix):
            return kind, key[len(prefix) :]
    return "", key


def _process_keys(process: Process) -> set[str]:
    keys = {_key(process.slug), _key(process.name), _key(process.name_en)}
    for name in (process.name, process.name_en):
        base = re.sub(r"\(.*?\)", " ", name)
        keys.add(_key(base))
        keys.update(_key(inner) for inner in re.findall(r"\((.*?)\)", name))
        keys.update(_key(part) for part in base.split("/"))
    keys.update(_key(s) for s in PROCESS_SYNONYMS.get(process.slug, []))
    keys.discard("")
    return keys


_CERT_YEAR = re.compile(r"^(.*?[0-9]{3,5})\s*[:/\-\s]\s*(?:19|20)[0-9]{2}$")


def _cert_key(text: str) -> str:
    """ "ISO 9001:2015", "iso9001", "ISO-9001" -> "ISO9001"."""
    text = clean_text(text).upper()
    match = _CERT_YEAR.match(text)
    if match:
        text = match[1]
    return re.sub(r"[^A-Z0-9]", "", _key(text))


def _code_of_number_cell(value, digits: int) -> str | None:
    """An integral number cell as a zero-padded code (29300, 3216, 32)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return f"{int(value):0{digits}d}"


def resolve_province(value, refs: ReferenceData) -> str:
    """The province code for "32", 32, "Jawa Barat", "JAWA BARAT", "Prov. Jawa Barat",
    "DKI Jakarta", "D.I. Yogyakarta", "DI Yogyakarta"..."""
    if is_blank(value):
        raise ParseError(REQUIRED)
    code = _code_of_number_cell(value, 2)
    text = clean_text(cell_text(value))
    if code is None and re.fullmatch(r"[0-9]{2}", text):
        code = text
    if code is not None:
        if code in refs.provinces:
            return code
        raise ParseError(PROVINCE_UNKNOWN % {"value": text})
    key = _key(text)
    for prefix in _PROVINCE_PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix) :]
            break
    if key in refs.province_by_key:
        return refs.province_by_key[key]
    raise ParseError(PROVINCE_UNKNOWN % {"value": text})


def resolve_regency(value, refs: ReferenceData, *, province: str | None = None) -> str:
    """The regency/city code for "32.16", "3216", "Kab. Bekasi", "Kabupaten Bekasi",
    "Kab Bekasi", "Kota Bekasi", "Jakarta Selatan"... A bare name shared by a kabupaten
    and a kota ("Bekasi") is an error naming both. With ``province`` (a code) the
    regency must lie in it."""
    if is_blank(value):
        raise ParseError(REQUIRED)
    text = clean_text(cell_text(value))
    code = None
    if isinstance(value, float) and not value.is_integer():
        code = f"{value:.2f}"  # a number cell 32.16
    elif (digits := _code_of_number_cell(value, 4)) is not None:
        code = f"{digits[:2]}.{digits[2:]}"
    elif match := re.fullmatch(r"([0-9]{2})[.\s\-]?([0-9]{2})", text):
        code = f"{match[1]}.{match[2]}"
    if code is not None:
        if code not in refs.regencies:
            raise ParseError(REGENCY_UNKNOWN % {"value": text})
        candidates = [code]
    else:
        key = _key(text)
        candidates = list(refs.regency_by_key.get(key, []))
        if not candidates:
            kind, bare = _regency_kind(key)
            candidates = [
                c
                for c in refs.regency_by_bare.get(bare, [])
                if not kind or (int(c[-2:]) >= 71) == (kind == "kota")
            ]
        if not candidates:
            raise ParseError(REGENCY_UNKNOWN % {"value": text})
    inside = [
        c for c in candidates if province is None or refs.regencies[c].province_code == province
    ]
    if len(inside) == 1:
        return inside[0]
    if not inside:
        regency = refs.regencies[candidates[0]]
        province_region = refs.provinces.get(province)
        raise ParseError(
            REGENCY_NOT_IN_PROVINCE
            % {"regency": str(regency), "province": str(province_region or province)}
        )
    options = " / ".join(f'"{refs.regencies[c].name}" ({c})' for c in sorted(inside))
    raise ParseError(REGENCY_AMBIGUOUS % {"value": text, "options": options})


def resolve_kbli(value, refs: ReferenceData) -> list[str]:
    """KBLI codes from a list cell ("29300, 25910", "29300;25910") or a number cell
    (29300). Every code must be in the reference list; inactive codes are returned (the
    caller decides, see :data:`KBLI_INACTIVE`). Empty gives []."""
    if is_blank(value):
        return []
    single = _code_of_number_cell(value, 5)
    tokens = [single] if single is not None else []
    if single is None:
        for item in split_list(value):
            tokens.extend(item.split())
    codes = []
    for token in tokens:
        if not re.fullmatch(r"[0-9]{5}", token):
            raise ParseError(KBLI_INVALID % {"value": token})
        if token not in refs.kbli:
            raise ParseError(KBLI_UNKNOWN % {"value": token})
        if token not in codes:
            codes.append(token)
    return codes


def resolve_processes(value, refs: ReferenceData) -> list[int]:
    """Process ids from a list cell of slugs or Indonesian or English names, or common
    synonyms ("pemesinan", "Pemesinan (CNC)", "CNC", "machining", "stamping",
    "injeksi plastik", "wire harness"). Inactive processes are returned (the caller
    decides). Empty gives []."""
    ids = []
    for item in split_list(value):
        key = _key(item)
        found = refs.process_by_key.get(key, set())
        if len(found) > 1:
            options = " / ".join(f'"{refs.processes[i].slug}"' for i in sorted(found))
            raise ParseError(PROCESS_AMBIGUOUS % {"value": item, "options": options})
        if not found:
            close = difflib.get_close_matches(key, refs.process_by_key, n=1, cutoff=0.8)
            suggestions = refs.process_by_key[close[0]] if close else set()
            if len(suggestions) == 1:
                name = refs.processes[next(iter(suggestions))].name
                raise ParseError(PROCESS_SUGGESTION % {"value": item, "suggestion": name})
            raise ParseError(PROCESS_UNKNOWN % {"value": item})
        (process_id,) = found
        if process_id not in ids:
            ids.append(process_id)
    return ids


def resolve_certification_types(value, refs: ReferenceData) -> list[int]:
    """Certification type ids from "ISO 9001:2015", "iso9001", "IATF 16949", "SNI",
    "TKDN"... Inactive types are returned (the caller decides). Empty gives []."""
    ids = []
    for item in split_list(value):
        found = refs.certification_by_key.get(_cert_key(item), set())
        if len(found) != 1:
            known = ", ".join(
                sorted(c.code for c in refs.certification_types.values() if c.is_active)
            )
            raise ParseError(CERTIFICATION_UNKNOWN % {"value": item, "known": known})
        (type_id,) = found
        if type_id not in ids:
            ids.append(type_id)
    return ids


def parse_legal_form(value) -> str:
    """An IKM.LegalForm value from "PT", "P.T.", "CV", "UD", "Koperasi", "Perorangan",
    "Firma"/"Fa", "Lainnya"... Empty gives "perorangan"."""
    if is_blank(value):
        return "perorangan"
    text = clean_text(cell_text(value))
    code = _LEGAL_FORMS.get(_key(text).replace(" ", ""))
    if code is None:
        raise ParseError(LEGAL_FORM_UNKNOWN % {"value": text})
    return code
