"""The row importer: parsing and checking rows in chunks, writing them with bulk queries,
and their history."""

from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..models import IKM, Certificate
from ..parsing import (
    CERTIFICATION_INACTIVE,
    KBLI_INACTIVE,
    PROCESS_INACTIVE,
    REQUIRED,
    CertType,
    ParseError,
    cell_text,
    clean_text,
    is_blank,
    parse_email,
    parse_int,
    parse_legal_form,
    parse_money,
    parse_nib_cell,
    parse_npwp_cell,
    parse_percent,
    parse_phone,
    parse_text,
    parse_year,
    resolve_certification_types,
    resolve_kbli,
    resolve_processes,
    resolve_province,
    resolve_regency,
)
from .columns import COLUMNS, COLUMNS_BY_NAME, DUPLICATE_NIB, map_columns
from .constraints import _constraint_violations, _violation_message

CHUNK_SIZE = 250  # rows checked (and written) together; progress is reported per chunk
_COLUMN_OF_FIELD = {c.field.removesuffix("_id"): c.name for c in COLUMNS}
# Model fields validated by lookups instead of full_clean (their rows exist: they were
# resolved against the reference data loaded in the same transaction).
_NOT_CLEANED = {"province", "regency", "created_by", "verified_by", "search_vector"}
_CONSTRAINT_COLUMNS = {
    "ikm_nib_13_digits": "nib",
    "ikm_npwp_16_digits": "npwp",
    "ikm_regency_in_province": "kabupaten_kota",
    "ikm_investment_not_negative": "nilai_investasi",
    "ikm_revenue_not_negative": "omzet_tahunan",
    "ikm_tkdn_0_100": "tkdn_persen",
}


def _phone(value) -> str:
    return parse_phone(cell_text(value) if isinstance(value, str) else value)


_PARSERS = {
    "nama_usaha": parse_text,
    "nib": parse_nib_cell,
    "bentuk_usaha": parse_legal_form,
    "npwp": parse_npwp_cell,
    "tahun_berdiri": parse_year,
    "alamat": lambda v: parse_text(v, multiline=True),
    "produk": lambda v: parse_text(v, multiline=True),
    "bahan": lambda v: parse_text(v, multiline=True),
    "kapasitas_per_bulan": parse_int,
    "satuan": parse_text,
    "jumlah_tenaga_kerja": parse_int,
    "nilai_investasi": parse_money,
    "omzet_tahunan": parse_money,
    "tkdn_persen": parse_percent,
    "nama_kontak": parse_text,
    "telepon": _phone,
    "email": parse_email,
}


def _comparable(attname: str, value):
    """A stored value normalised the way the parsers normalise input, so cosmetic
    differences (spaces, phone punctuation) never count as a change."""
    if not isinstance(value, str):
        return value
    if attname in ("address", "products", "materials"):
        return parse_text(value, multiline=True)
    if attname == "contact_phone":
        try:
            return parse_phone(value)
        except ParseError:
            return value
    return clean_text(value)


@dataclass
class _Existing:
    ikm: IKM
    kbli: dict[str, int] = field(default_factory=dict)  # code → through-row id
    processes: dict[int, int] = field(default_factory=dict)  # process id → through-row id
    valid_cert_types: set[int] = field(default_factory=set)


@dataclass
class _Row:
    number: int
    nib: str
    name: str
    values: dict = field(default_factory=dict)  # IKM attname → parsed value
    kbli: list[str] | None = None
    processes: list[int] | None = None
    certificates: list[int] | None = None
    errors: list[dict] = field(default_factory=list)
    action: str = ""
    changes: list[str] = field(default_factory=list)
    instance: IKM | None = None
    existing: _Existing | None = None
    changed_fields: list[str] = field(default_factory=list)
    kbli_changed: bool = False
    processes_changed: bool = False
    certificates_to_add: list[int] = field(default_factory=list)

    def error(self, column: str, message) -> None:
        self.errors.append({"column": column, "message": str(message)})

    def result(self) -> dict:
        return {
            "row": self.number,
            "nib": self.nib,
            "name": self.name,
            "action": self.action,
            "errors": self.errors,
            "changes": self.changes,
        }


class _Importer:
    """Checks a table row by row, in chunks, and (``write=True``) writes each chunk with
    bulk queries. The caller provides the transaction."""

    def __init__(
        self, table, refs, *, write: bool, actor=None, reason="", now=None, on_progress=None
    ):
        self.table = table
        self.refs = refs
        self.write = write
        self.actor = actor
        self.reason = reason
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.on_progress = on_progress
        self.index, self.warnings = map_columns(table.headers)
        self.first_row_of_nib: dict[str, int] = {}
        self.counts = {"create": 0, "update": 0, "unchanged": 0, "invalid": 0}

    def run(self) -> dict:
        results = []
        total = len(self.table.rows)
        for start in range(0, total, CHUNK_SIZE):
            chunk = [self._parse(n, v) for n, v in self.table.rows[start : start + CHUNK_SIZE]]
            self._check_chunk(chunk)
            if self.write:
                _write_chunk(chunk, actor=self.actor, reason=self.reason, now=self.now)
            for row in chunk:
                self.counts[row.action] += 1
                results.append(row.result())
            if self.on_progress:
                self.on_progress(min(start + CHUNK_SIZE, total), total, dict(self.counts))
        return {
            "rows": results,
            "counts": dict(self.counts),
            "warnings": self.warnings,
            "total_rows": total,
            "processed_rows": total,
        }

    # Parsing: one row, no database.

    def _cell(self, values: list, name: str):
        position = self.index.get(name)
        if position is None or position >= len(values):
            return None
        return values[position]

    def _parse(self, number: int, values: list) -> _Row:
        raw_nib = clean_text(cell_text(self._cell(values, "nib")))[:30]
        raw_name = parse_text(self._cell(values, "nama_usaha"))[:200]
        row = _Row(number=number, nib=raw_nib, name=raw_name)
        for name in self.index:
            column = COLUMNS_BY_NAME[name]
            raw = self._cell(values, name)
            if column.required and is_blank(raw):
                row.error(name, REQUIRED)
                continue
            if name in ("provinsi", "kabupaten_kota"):
                continue  # below, together
            try:
                if name == "kbli":
                    value = row.kbli = resolve_kbli(raw, self.refs)
                elif name == "proses":
                    value = row.processes = resolve_processes(raw, self.refs)
                elif name == "sertifikasi":
                    value = row.certificates = resolve_certification_types(raw, self.refs)
                else:
                    value = row.values[column.field] = _PARSERS[name](raw)
            except ParseError as exc:
                row.error(name, exc.message)
                continue
            if column.required and value in ("", [], None):  # a cell of separators only
                row.error(name, REQUIRED)
        if "nib" in row.values:
            row.nib = row.values["nib"]
        province = None
        raw_province = self._cell(values, "provinsi")
        if not is_blank(raw_province):
            try:
                province = row.values["province_id"] = resolve_province(raw_province, self.refs)
            except ParseError as exc:
                row.error("provinsi", exc.message)
        raw_regency = self._cell(values, "kabupaten_kota")
        if not is_blank(raw_regency):
            try:
                row.values["regency_id"] = resolve_regency(
                    raw_regency, self.refs, province=province
                )
            except ParseError as exc:
                row.error("kabupaten_kota", exc.message)
        return row

    # Checking a chunk against the database (reads only).

    def _check_chunk(self, chunk: list[_Row]) -> None:
        for row in chunk:
            if "nib" not in row.values:
                continue
            first = self.first_row_of_nib.setdefault(row.nib, row.number)
            if first != row.number:
                row.error("nib", DUPLICATE_NIB % {"row": first})
        existing = self._fetch_existing([r.nib for r in chunk if not r.errors])
        for row in chunk:
            if row.errors:
                continue
            current = existing.get(row.nib)
            if current is None:
                self._prepare_create(row)
            else:
                self._prepare_update(row, current)
        to_check = [r for r in chunk if not r.errors and (r.action == "create" or r.changed_fields)]
        violations = _constraint_violations([r.instance for r in to_check])
        for row, found in zip(to_check, violations, strict=True):
            for constraint in found:
                column = _CONSTRAINT_COLUMNS.get(constraint.name, "")
                row.error(column, _violation_message(constraint))
        for row in chunk:
            if row.errors:
                row.action = "invalid"
                row.changes = []

    def _fetch_existing(self, nibs: list[str]) -> dict[str, _Existing]:
        if not nibs:
            return {}
        queryset = IKM.objects.filter(nib__in=nibs).defer("search_vector").order_by("nib")
        if self.write:
            queryset = queryset.select_for_update()
        found = {ikm.nib: _Existing(ikm) for ikm in queryset}
        by_id = {e.ikm.pk: e for e in found.values()}
        if not by_id:
            return found
        links = IKM.kbli.through.objects.filter(ikm_id__in=by_id)
        for link_id, ikm_id, code in links.values_list("id", "ikm_id", "kbli_id"):
            by_id[ikm_id].kbli[code] = link_id
        links = IKM.processes.through.objects.filter(ikm_id__in=by_id)
        for link_id, ikm_id, process_id in links.values_list(
            "id", "ikm_id", "processcapability_id"
        ):
            by_id[ikm_id].processes[process_id] = link_id
        certificates = Certificate.objects.filter(ikm_id__in=by_id).valid_on(self.today)
        for ikm_id, type_id in certificates.values_list("ikm_id", "certification_type_id"):
            by_id[ikm_id].valid_cert_types.add(type_id)
        return found

    def _check_inactive(self, row: _Row, existing: _Existing | None) -> None:
        """New links to reference data that is no longer in use are refused; links the IKM
        already has are kept (so an export imports back unchanged)."""
        for code in row.kbli or []:
            if not self.refs.kbli.get(code, True) and not (existing and code in existing.kbli):
                row.error("kbli", KBLI_INACTIVE % {"value": code})
        for process_id in row.processes or []:
            process = self.refs.processes[process_id]
            if not process.is_active and not (existing and process_id in existing.processes):
                row.error("proses", PROCESS_INACTIVE % {"value": process.name})
        for type_id in row.certificates_to_add:
            cert_type: CertType = self.refs.certification_types[type_id]
            if not cert_type.is_active:
                row.error("sertifikasi", CERTIFICATION_INACTIVE % {"value": cert_type.code})

    def _prepare_create(self, row: _Row) -> None:
        row.action = "create"
        row.instance = IKM(
            **row.values,
            verification_status=IKM.Status.SUBMITTED,
            submitted_at=self.now,
            created_by=self.actor,
        )
        row.certificates_to_add = list(row.certificates or [])
        self._check_inactive(row, None)
        self._clean(row, exclude=_NOT_CLEANED)

    def _prepare_update(self, row: _Row, existing: _Existing) -> None:
        ikm = existing.ikm
        row.instance, row.existing = ikm, existing
        for attname, value in row.values.items():
            if _comparable(attname, getattr(ikm, attname)) != value:
                setattr(ikm, attname, value)
                row.changed_fields.append(attname)
        if row.kbli is not None and set(row.kbli) != set(existing.kbli):
            row.kbli_changed = True
        if row.processes is not None and set(row.processes) != set(existing.processes):
            row.processes_changed = True
        row.certificates_to_add = [
            t for t in row.certificates or [] if t not in existing.valid_cert_types
        ]
        row.changes = [_COLUMN_OF_FIELD[f.removesuffix("_id")] for f in row.changed_fields]
        row.changes += ["kbli"] * row.kbli_changed + ["proses"] * row.processes_changed
        row.changes += ["sertifikasi"] * bool(row.certificates_to_add)
        row.action = "update" if row.changes else "unchanged"
        self._check_inactive(row, existing)
        if row.changed_fields:
            changed = {f.removesuffix("_id") for f in row.changed_fields}
            self._clean(row, exclude={f.name for f in IKM._meta.fields} - changed | _NOT_CLEANED)

    def _clean(self, row: _Row, *, exclude) -> None:
        """The model's field validation (``full_clean`` without the per-row queries: unique
        NIB is known from the bulk lookup, constraints are checked per chunk)."""
        try:
            row.instance.full_clean(
                exclude=exclude, validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            for name, errors in exc.error_dict.items():
                column = "" if name == NON_FIELD_ERRORS else _COLUMN_OF_FIELD.get(name, name)
                for error in errors:
                    for message in error.messages:
                        row.error(column, message)


def _write_chunk(chunk: list[_Row], *, actor, reason: str, now) -> None:
    """Write a checked chunk with bulk queries; history records who (``actor``), why
    (``reason``) and the KBLI and process links as they are after the write."""
    creates = [r for r in chunk if r.action == "create"]
    touched = [
        r
        for r in chunk
        if r.action == "update" and (r.changed_fields or r.kbli_changed or r.processes_changed)
    ]
    history = {"default_user": actor, "default_change_reason": reason, "default_date": now}
    if creates:
        bulk_create_with_history([r.instance for r in creates], IKM, batch_size=500, **history)
    if touched:
        for row in touched:
            row.instance.updated_at = now
        fields = sorted({f for r in touched for f in r.changed_fields} | {"updated_at"})
        bulk_update_with_history(
            [r.instance for r in touched], IKM, fields=fields, batch_size=500, **history
        )
    kbli_through, process_through = IKM.kbli.through, IKM.processes.through
    drop_kbli, add_kbli, drop_processes, add_processes = [], [], [], []
    for row in creates + touched:
        pk = row.instance.pk
        old_kbli = row.existing.kbli if row.existing else {}
        old_processes = row.existing.processes if row.existing else {}
        if row.action == "create" or row.kbli_changed:
            drop_kbli += [i for code, i in old_kbli.items() if code not in row.kbli]
            add_kbli += [
                kbli_through(ikm_id=pk, kbli_id=code) for code in row.kbli if code not in old_kbli
            ]
        if row.action == "create" or row.processes_changed:
            drop_processes += [i for p, i in old_processes.items() if p not in row.processes]
            add_processes += [
                process_through(ikm_id=pk, processcapability_id=p)
                for p in row.processes
                if p not in old_processes
            ]
    if drop_kbli:
        kbli_through.objects.filter(id__in=drop_kbli).delete()
    if drop_processes:
        process_through.objects.filter(id__in=drop_processes).delete()
    kbli_through.objects.bulk_create(add_kbli, batch_size=1000)
    process_through.objects.bulk_create(add_processes, batch_size=1000)
    if creates or touched:
        _record_m2m_history([r.instance.pk for r in creates + touched], now)
    certificates = [
        Certificate(ikm_id=r.instance.pk, certification_type_id=t)
        for r in chunk
        if r.action in ("create", "update")
        for t in r.certificates_to_add
    ]
    if certificates:
        bulk_create_with_history(certificates, Certificate, batch_size=500, **history)


def _record_m2m_history(ikm_ids: list[int], now) -> None:
    """The KBLI and process links of each history record just written (what simple-history
    stores on ``save()``; its bulk helpers leave them out)."""
    history_ids = dict(
        IKM.history.filter(id__in=ikm_ids, history_date=now).values_list("id", "history_id")
    )
    historical_kbli = apps.get_model("ikm", "HistoricalIKM_kbli")
    historical_processes = apps.get_model("ikm", "HistoricalIKM_processes")
    rows = IKM.kbli.through.objects.filter(ikm_id__in=ikm_ids).values_list(
        "id", "ikm_id", "kbli_id"
    )
    historical_kbli.objects.bulk_create(
        [
            historical_kbli(id=i, ikm_id=ikm, kbli_id=code, history_id=history_ids[ikm])
            for i, ikm, code in rows
        ],
        batch_size=1000,
    )
    rows = IKM.processes.through.objects.filter(ikm_id__in=ikm_ids).values_list(
        "id", "ikm_id", "processcapability_id"
    )
    historical_processes.objects.bulk_create(
        [
            historical_processes(
                id=i, ikm_id=ikm, processcapability_id=p, history_id=history_ids[ikm]
            )
            for i, ikm, p in rows
        ],
        batch_size=1000,
    )
