"""Parsers for what people and spreadsheets bring: identifiers, phones, money, regions...

Each parser takes raw input (a form string or a spreadsheet cell) and returns the clean
value or raises :class:`ParseError` with a message for the user (English source text,
translated to Indonesian). Messages are module constants so tests can import them.
"""

import re

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
