"""Numbers from spreadsheet cells and forms: money, percentages, whole numbers, years."""

import datetime
import math
import re
from decimal import ROUND_HALF_UP, Decimal

from .errors import (
    MONEY_AMBIGUOUS,
    MONEY_INVALID,
    MONEY_NEGATIVE,
    NUMBER_INVALID,
    NUMBER_NEGATIVE,
    PERCENT_INVALID,
    PERCENT_RANGE,
    WHOLE_NUMBER_INVALID,
    YEAR_FUTURE,
    YEAR_INVALID,
    ParseError,
)
from .text import cell_text, clean_text, is_blank


class PercentNumber(float):
    """A number read from a spreadsheet cell formatted as a percentage (0.455 shown as
    45.5%). The reader marks such cells so :func:`parse_percent` can tell them apart."""


def _decimal_of_number_cell(value, invalid) -> Decimal:
    """A number cell's exact value; one holding no number (NaN, infinity) is refused with
    the message ``invalid``."""
    if isinstance(value, int):
        return Decimal(value)
    if not math.isfinite(value):
        raise ParseError(invalid)
    return Decimal(repr(float(value)))


_GROUPED = {
    ".": re.compile(r"^[0-9]{1,3}(\.[0-9]{3})+$"),
    ",": re.compile(r"^[0-9]{1,3}(,[0-9]{3})+$"),
}


def _parse_number_text(
    number: str, *, scaled: bool, ambiguous_message=None, english: bool = False
) -> Decimal:
    """Digits with Indonesian or English separators: "1.500.000", "1.500.000,50",
    "1,500,000.50", "1,5" (decimal comma), "1.5" (decimal point before a scale word).
    A single "." followed by three digits is a thousands separator ("1.500" = 1500);
    a single "," followed by three digits is one before an English scale word
    (``english``: "1,500 million"), a decimal comma before an Indonesian one ("1,500 juta"
    = 1,5 juta) and ambiguous without a scale word."""
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
        number = whole + fraction if len(fraction) == 3 and english else whole + "." + fraction
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
# Scale words written in English, where "," separates thousands.
_ENGLISH_SCALES = {"trillion", "billion", "bn", "million", "thousand"}
_MONEY = re.compile(r"^(?:rp\.?|idr)?(?P<number>[0-9][0-9.,]*)(?P<scale>[a-z]+)?\.?$")


def parse_money(value) -> int | None:
    """Whole rupiah from a number cell or from "1.500.000.000", "1500000000",
    "Rp 1,5 miliar", "1,5 M" (M = miliar), "250 juta", "250jt", "750 rb", "2 T",
    "Rp1.500.000,-", "IDR 1,500 billion" (English separators before an English scale
    word). Empty gives None; negative amounts and number cells holding no number are
    refused."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise ParseError(MONEY_INVALID)
    if isinstance(value, int | float):
        amount = _decimal_of_number_cell(value, MONEY_INVALID)
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
                _parse_number_text(
                    match["number"],
                    scaled=scale > 1,
                    ambiguous_message=ambiguous,
                    english=match["scale"] in _ENGLISH_SCALES,
                )
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
        number = _decimal_of_number_cell(value, PERCENT_INVALID)
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
