"""Identifiers: NIB, NPWP and phone numbers, from a form or a spreadsheet cell."""

import re

from .errors import (
    NIB_INVALID,
    NIB_SCIENTIFIC,
    NPWP_DIGITS_LOST,
    NPWP_INVALID,
    PHONE_INVALID,
    ParseError,
)
from .text import clean_text


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
