"""Reference data and the resolvers against it: provinces, regencies, KBLI codes,
processes, certifications and legal forms."""

import difflib
import re
import unicodedata
from dataclasses import dataclass

from .errors import (
    CERTIFICATION_UNKNOWN,
    KBLI_INVALID,
    KBLI_UNKNOWN,
    LEGAL_FORM_UNKNOWN,
    PROCESS_AMBIGUOUS,
    PROCESS_SUGGESTION,
    PROCESS_UNKNOWN,
    PROVINCE_UNKNOWN,
    REGENCY_AMBIGUOUS,
    REGENCY_NOT_IN_PROVINCE,
    REGENCY_UNKNOWN,
    REQUIRED,
    ParseError,
)
from .synonyms import (
    _PROVINCE_PREFIXES,
    _REGENCY_PREFIXES,
    CERTIFICATION_SYNONYMS,
    LEGAL_FORM_SYNONYMS,
    PROCESS_SYNONYMS,
    PROVINCE_ALIASES,
)
from .text import cell_text, clean_text, is_blank, split_list


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
        from ..models import CertificationType, Kbli, ProcessCapability, Province, Regency

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
