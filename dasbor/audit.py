"""The audit trail as one list: every history record of the domain models and every reveal of
an IKM's contact data, newest first, with who, what, when and from where.

Each tracked model keeps its own history table (django-simple-history), so a page is read in
three steps whose query count does not depend on the page size:

1. one ``UNION ALL`` of the filtered tables, each branch ordered by its indexed date and cut
   to the page size, merged and cut again by the database: the keys ``(when, kind, id)`` of
   the page (on SQLite, which cannot cut the branches of a union, one query per table,
   merged in Python);
2. per table present on the page, its records with the user, the user's organisation and the
   related rows the object's name needs, and the id of each record's previous version;
3. for the changes on the page, per table, the previous versions (and per many-to-many field
   one query for both sides), compared with simple-history's ``diff_against``.

Pages follow each other by a cursor (the key of the last row), not by an offset. Contact
reveals say who opened which IKM's contact, never the phone or e-mail itself.
"""

from __future__ import annotations

import datetime
import functools
import heapq
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.utils import get_m2m_reverse_field_name

from ikm.models import ContactReveal

PAGE_SIZE = 50
AUDITED_APPS = ("accounts", "ikm", "kemitraan", "pembiayaan")
REVEAL = "ikm.contactreveal"

CREATED, CHANGED, DELETED, REVEALED = "+", "~", "-", "reveal"
ACTIONS = {
    "created": CREATED,
    "changed": CHANGED,
    "deleted": DELETED,
}
ACTION_LABELS = {
    CREATED: _("created"),
    CHANGED: _("changed"),
    DELETED: _("deleted"),
    REVEALED: _("contact opened"),
}


@dataclass(frozen=True)
class Source:
    """One table of the trail: a tracked model's history, or the contact reveals."""

    key: str
    model: type
    history_model: type | None

    @property
    def label(self) -> str:
        if self.history_model is None:
            return str(_("Contact opened"))
        return capfirst(self.model._meta.verbose_name)

    @property
    def is_reveal(self) -> bool:
        return self.history_model is None


@functools.cache
def sources() -> dict[str, Source]:
    """Every history table of the domain apps, and the reveal log, by key (``app.model``)."""
    found = {}
    for model in apps.get_models():
        attribute = getattr(model._meta, "simple_history_manager_attribute", None)
        if attribute and model._meta.app_label in AUDITED_APPS:
            found[model._meta.label_lower] = Source(
                model._meta.label_lower, model, getattr(model, attribute).model
            )
    found[REVEAL] = Source(REVEAL, ContactReveal, None)
    return found


def kind_choices() -> list[tuple[str, str]]:
    return sorted(((s.key, s.label) for s in sources().values()), key=lambda c: str(c[1]))


@dataclass(frozen=True)
class AuditFilters:
    kind: str | None = None
    user_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    action: str | None = None  # "+", "~" or "-"


@dataclass(frozen=True)
class Cursor:
    """The key of a row; the next page starts after it."""

    at: datetime.datetime
    kind: str
    pk: int

    def encode(self) -> str:
        return f"{self.at.isoformat()}~{self.kind}~{self.pk}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """The cursor written by :meth:`encode`; None for anything else."""
        try:
            at, kind, pk = (text or "").split("~")
            when = datetime.datetime.fromisoformat(at)
            if timezone.is_naive(when) or kind not in sources():
                return None
            return cls(when, kind, int(pk))
        except ValueError:
            return None


@dataclass
class Entry:
    """One line of the trail."""

    at: datetime.datetime
    source: Source
    pk: int
    action: str
    user: object | None
    ip_address: str | None
    object_label: str
    changed: list[str] = field(default_factory=list)
    reason: str = ""
    context: str = ""

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.source.key, self.pk)


@dataclass
class AuditPage:
    entries: list[Entry]
    next_cursor: Cursor | None


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _branch(source: Source, filters: AuditFilters, after: Cursor | None, limit: int):
    """The keys of one table's rows that pass the filters, newest first, at most ``limit``."""
    if source.is_reveal:
        if filters.action:
            return None
        queryset, at, pk, user = ContactReveal.objects.all(), "created_at", "id", "user_id"
    else:
        queryset = source.history_model.objects.all()
        at, pk, user = "history_date", "history_id", "history_user_id"
        if filters.action:
            queryset = queryset.filter(history_type=filters.action)
    if filters.user_id:
        queryset = queryset.filter(**{user: filters.user_id})
    if filters.date_from:
        queryset = queryset.filter(**{f"{at}__gte": _start_of(filters.date_from)})
    if filters.date_to:
        next_day = filters.date_to + datetime.timedelta(days=1)
        queryset = queryset.filter(**{f"{at}__lt": _start_of(next_day)})
    if after is not None:
        # Rows ordered by (when, kind, id), all descending: keep those after the cursor.
        if source.key < after.kind:
            queryset = queryset.filter(**{f"{at}__lte": after.at})
        elif source.key == after.kind:
            queryset = queryset.filter(
                Q(**{f"{at}__lt": after.at}) | Q(**{at: after.at, f"{pk}__lt": after.pk})
            )
        else:
            queryset = queryset.filter(**{f"{at}__lt": after.at})
    return (
        queryset.order_by(f"-{at}", f"-{pk}")
        .annotate(
            audit_at=F(at),
            audit_kind=Value(source.key, output_field=CharField()),
            audit_pk=F(pk),
        )
        .values_list("audit_at", "audit_kind", "audit_pk")[:limit]
    )


def _page_keys(filters: AuditFilters, after: Cursor | None, limit: int) -> list[tuple]:
    chosen = [sources()[filters.kind]] if filters.kind else list(sources().values())
    branches = [b for s in chosen if (b := _branch(s, filters, after, limit)) is not None]
    if not branches:
        return []
    if len(branches) == 1:
        return list(branches[0])
    if not connection.features.supports_slicing_ordering_in_compound:
        # SQLite (the local demo): one query per table, merged here.
        rows = heapq.merge(*(list(b) for b in branches), reverse=True)
        return list(itertools.islice(rows, limit))
    union = branches[0].union(*branches[1:], all=True)
    return list(union.order_by("-audit_at", "-audit_kind", "-audit_pk")[:limit])


def _forward_relation(model_field) -> bool:
    return model_field.concrete and (model_field.many_to_one or model_field.one_to_one)


def _label_paths(history_model) -> list[str]:
    """The related rows an object's name may read: its foreign keys and theirs (users aside)."""
    user_model = get_user_model()
    paths = []
    for fk in history_model._meta.fields:
        if not _forward_relation(fk) or fk.name == "history_user":
            continue
        paths.append(fk.name)
        if fk.related_model is user_model:
            continue
        paths.extend(
            f"{fk.name}__{inner.name}"
            for inner in fk.related_model._meta.fields
            if _forward_relation(inner) and inner.related_model is not user_model
        )
    return paths


def _object_label(source: Source, record) -> str:
    """The object's name as it was in ``record``, from the rows fetched with it."""
    model = source.model
    instance = model(**{f.attname: getattr(record, f.attname) for f in record.tracked_fields})
    history_opts = source.history_model._meta
    for model_field in model._meta.fields:
        if not _forward_relation(model_field):
            continue
        try:
            history_field = history_opts.get_field(model_field.name)
        except FieldDoesNotExist:
            continue
        if history_field.is_cached(record):
            model_field.set_cached_value(instance, history_field.get_cached_value(record))
    try:
        return str(instance)
    except Exception:  # a related row deleted since: fall back to the kind and id
        return f"{source.label} #{getattr(record, model._meta.pk.attname)}"


def _field_label(model, name: str) -> str:
    try:
        return str(capfirst(model._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return name


def _changed_fields(source: Source, records: list) -> dict[int, list[str]]:
    """For each change record, the names of the fields it changed against its previous
    version. One query for the previous versions, one per many-to-many field."""
    changes = [r for r in records if r.history_type == CHANGED and r.previous_id]
    if not changes:
        return {}
    history_model = source.history_model
    previous = history_model.objects.in_bulk([r.previous_id for r in changes])
    m2m_fields = list(history_model._history_m2m_fields)
    m2m_names = [f.name for f in m2m_fields]
    ids = [r.pk for r in changes] + list(previous)
    links: dict[str, dict[int, set]] = {}
    for m2m_field in m2m_fields:
        target = get_m2m_reverse_field_name(m2m_field)
        by_record = defaultdict(set)
        rows = getattr(history_model, m2m_field.name).model.objects.filter(history_id__in=ids)
        for history_id, value in rows.values_list("history_id", target):
            by_record[history_id].add(value)
        links[m2m_field.name] = by_record
    changed = {}
    for record in changes:
        before = previous.get(record.previous_id)
        if before is None:
            continue
        names = list(record.diff_against(before, excluded_fields=m2m_names).changed_fields)
        names += [name for name in m2m_names if links[name][record.pk] != links[name][before.pk]]
        changed[record.pk] = sorted(_field_label(source.model, name) for name in names)
    return changed


def _history_entries(source: Source, ids: list[int]) -> dict[int, Entry]:
    history_model = source.history_model
    object_pk = source.model._meta.pk.attname
    previous = (
        history_model.objects.filter(**{object_pk: OuterRef(object_pk)})
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    records = list(
        history_model.objects.filter(pk__in=ids)
        .select_related("history_user__organisation", *_label_paths(history_model))
        .annotate(previous_id=Subquery(previous))
    )
    changed = _changed_fields(source, records)
    return {
        record.pk: Entry(
            at=record.history_date,
            source=source,
            pk=record.pk,
            action=record.history_type,
            user=record.history_user,
            ip_address=record.ip_address,
            object_label=_object_label(source, record),
            changed=changed.get(record.pk, []),
            reason=record.history_change_reason or "",
        )
        for record in records
    }


def _reveal_entries(source: Source, ids: list[int]) -> dict[int, Entry]:
    reveals = ContactReveal.objects.filter(pk__in=ids).select_related("user__organisation", "ikm")
    return {
        reveal.pk: Entry(
            at=reveal.created_at,
            source=source,
            pk=reveal.pk,
            action=REVEALED,
            user=reveal.user,
            ip_address=reveal.ip_address,
            object_label=reveal.ikm.name,
            context=reveal.context,
        )
        for reveal in reveals
    }


def audit_page(
    filters: AuditFilters, *, after: Cursor | None = None, size: int = PAGE_SIZE
) -> AuditPage:
    """One page of the trail, newest first, starting after ``after``."""
    keys = _page_keys(filters, after, size + 1)
    has_more = len(keys) > size
    keys = keys[:size]
    ids_by_kind: dict[str, list[int]] = defaultdict(list)
    for _at, kind, pk in keys:
        ids_by_kind[kind].append(pk)
    found: dict[tuple[str, int], Entry] = {}
    for kind, ids in ids_by_kind.items():
        source = sources()[kind]
        read = _reveal_entries if source.is_reveal else _history_entries
        for pk, entry in read(source, ids).items():
            found[(kind, pk)] = entry
    entries = [found[(kind, pk)] for _at, kind, pk in keys if (kind, pk) in found]
    return AuditPage(entries, entries[-1].cursor if has_more and entries else None)
