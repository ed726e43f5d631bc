"""Parsers for what people and spreadsheets bring: identifiers, phones, money, regions...

Each parser takes raw input (a form string or a spreadsheet cell) and returns the clean
value or raises :class:`ParseError` with a message for the user (English source text,
translated to Indonesian). Messages are module constants so tests can import them.

The spreadsheet-cell parsers read what spreadsheets hold: number cells, date cells, formula
text, Indonesian number formats, names of regions and processes. The functions are pure: the
reference data they resolve against is passed in (see ReferenceData), so forms, the API and
the importer (ikm.importing) share them.

- ``errors``: :class:`ParseError` and every message;
- ``text``: text cells, formula text, e-mail addresses, list cells;
- ``identifiers``: NIB, NPWP and phone numbers;
- ``numbers``: money, percentages, whole numbers, years;
- ``synonyms``: other names for provinces, regencies, processes, certifications, legal forms;
- ``reference``: :class:`ReferenceData` and the resolvers against it.
"""

from .errors import (
    CERTIFICATION_INACTIVE,
    CERTIFICATION_UNKNOWN,
    EMAIL_INVALID,
    KBLI_INACTIVE,
    KBLI_INVALID,
    KBLI_UNKNOWN,
    LEGAL_FORM_UNKNOWN,
    MONEY_AMBIGUOUS,
    MONEY_INVALID,
    MONEY_NEGATIVE,
    NIB_INVALID,
    NIB_SCIENTIFIC,
    NPWP_DIGITS_LOST,
    NPWP_INVALID,
    NUMBER_INVALID,
    NUMBER_NEGATIVE,
    PERCENT_INVALID,
    PERCENT_RANGE,
    PHONE_INVALID,
    PROCESS_AMBIGUOUS,
    PROCESS_INACTIVE,
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
    ParseError,
)
from .identifiers import parse_nib, parse_nib_cell, parse_npwp, parse_npwp_cell, parse_phone
from .numbers import (
    EARLIEST_YEAR,
    PercentNumber,
    parse_int,
    parse_money,
    parse_percent,
    parse_year,
)
from .reference import (
    CertType,
    Process,
    ReferenceData,
    Region,
    parse_legal_form,
    resolve_certification_types,
    resolve_kbli,
    resolve_processes,
    resolve_province,
    resolve_regency,
)
from .synonyms import (
    CERTIFICATION_SYNONYMS,
    LEGAL_FORM_SYNONYMS,
    PROCESS_SYNONYMS,
    PROVINCE_ALIASES,
)
from .text import (
    FORMULA_PREFIXES,
    cell_text,
    clean_text,
    is_blank,
    neutralise_formula,
    parse_email,
    parse_text,
    restore_formula_text,
    split_list,
)

__all__ = [
    "CERTIFICATION_INACTIVE",
    "CERTIFICATION_SYNONYMS",
    "CERTIFICATION_UNKNOWN",
    "EARLIEST_YEAR",
    "EMAIL_INVALID",
    "FORMULA_PREFIXES",
    "KBLI_INACTIVE",
    "KBLI_INVALID",
    "KBLI_UNKNOWN",
    "LEGAL_FORM_SYNONYMS",
    "LEGAL_FORM_UNKNOWN",
    "MONEY_AMBIGUOUS",
    "MONEY_INVALID",
    "MONEY_NEGATIVE",
    "NIB_INVALID",
    "NIB_SCIENTIFIC",
    "NPWP_DIGITS_LOST",
    "NPWP_INVALID",
    "NUMBER_INVALID",
    "NUMBER_NEGATIVE",
    "PERCENT_INVALID",
    "PERCENT_RANGE",
    "PHONE_INVALID",
    "PROCESS_AMBIGUOUS",
    "PROCESS_INACTIVE",
    "PROCESS_SUGGESTION",
    "PROCESS_SYNONYMS",
    "PROCESS_UNKNOWN",
    "PROVINCE_ALIASES",
    "PROVINCE_UNKNOWN",
    "REGENCY_AMBIGUOUS",
    "REGENCY_NOT_IN_PROVINCE",
    "REGENCY_UNKNOWN",
    "REQUIRED",
    "WHOLE_NUMBER_INVALID",
    "YEAR_FUTURE",
    "YEAR_INVALID",
    "CertType",
    "ParseError",
    "PercentNumber",
    "Process",
    "ReferenceData",
    "Region",
    "cell_text",
    "clean_text",
    "is_blank",
    "neutralise_formula",
    "parse_email",
    "parse_int",
    "parse_legal_form",
    "parse_money",
    "parse_nib",
    "parse_nib_cell",
    "parse_npwp",
    "parse_npwp_cell",
    "parse_percent",
    "parse_phone",
    "parse_text",
    "parse_year",
    "resolve_certification_types",
    "resolve_kbli",
    "resolve_processes",
    "resolve_province",
    "resolve_regency",
    "restore_formula_text",
    "split_list",
]
