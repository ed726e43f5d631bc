"""Whole-rupiah amounts written the way readers of each language write them.

Indonesian: ``Rp1.500.000`` exactly, or ``Rp24 miliar`` / ``Rp1,5 triliun`` / ``Rp250 juta``
in short form. English: ``IDR 1,500,000`` and ``IDR 24 billion``. Beware "M": in
Indonesian it is miliar (10^9); the short form therefore spells the word out.
"""

from decimal import ROUND_HALF_UP, Decimal

# (threshold, Indonesian word, English word), largest first.
_SCALES = (
    (10**12, "triliun", "trillion"),
    (10**9, "miliar", "billion"),
    (10**6, "juta", "million"),
)


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def _is_english(language: str | None) -> bool:
    return bool(language) and language.lower().startswith("en")


def format_rupiah(value, *, short: bool = False, language: str | None = "id") -> str:
    """Format a whole-rupiah amount. ``None`` (unknown) becomes an em dash."""
    if value is None or value == "":
        return "—"
    amount = int(Decimal(str(value)).to_integral_value(rounding=ROUND_HALF_UP))
    english = _is_english(language)
    thousands, decimal_mark = (",", ".") if english else (".", ",")
    prefix = "IDR " if english else "Rp"
    sign = "-" if amount < 0 else ""
    amount = abs(amount)

    if short:
        for index, (threshold, word_id, word_en) in enumerate(_SCALES):
            if amount < threshold:
                continue
            scaled = (Decimal(amount) / threshold).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if scaled >= 1000 and index > 0:
                # 999,995 juta rounds to 1.000 juta: say "1 miliar" instead.
                threshold, word_id, word_en = _SCALES[index - 1]
                scaled = (Decimal(amount) / threshold).quantize(Decimal("0.01"), ROUND_HALF_UP)
            whole, _, fraction = f"{scaled:f}".partition(".")
            fraction = fraction.rstrip("0")
            number = _group(whole, thousands) + (decimal_mark + fraction if fraction else "")
            return f"{sign}{prefix}{number} {word_en if english else word_id}"
    return f"{sign}{prefix}{_group(str(amount), thousands)}"
