"""What a parser raises, and its messages for the user (English source text, translated
to Indonesian). Messages are module constants so tests can import them."""

from django.utils.translation import gettext_lazy as _


class ParseError(ValueError):
    """Raw input that cannot be turned into a valid value; ``message`` is for the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


NIB_INVALID = _("NIB must be exactly 13 digits.")
NPWP_INVALID = _(
    "NPWP must have 15 or 16 digits (punctuation such as 01.234.567.8-901.000 is fine)."
)
PHONE_INVALID = _(
    "Phone number not recognised: write it as 08..., 62... or +62... (8 to 13 digits after the 0)."
)

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
