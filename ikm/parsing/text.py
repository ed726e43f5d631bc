"""Text cells: folded spaces, formula text kept as text, e-mail addresses, list cells."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from .errors import EMAIL_INVALID, ParseError

_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")


def clean_text(value) -> str:
    """Text with stray and non-breaking spaces folded; None becomes ""."""
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value)).strip()


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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
