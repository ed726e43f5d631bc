"""The model's check constraints, evaluated for a chunk of unsaved rows at once."""

import logging

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.models import CheckConstraint
from django.db.models.sql import Query

logger = logging.getLogger("ikm.importing")


def _violation_message(constraint) -> str:
    """The constraint's message. Django formats it with ``% {"name": ...}``, which fails on
    a bare "%" (as in "between 0 and 100%."): then the message is shown as written."""
    try:
        return str(constraint.get_violation_error_message())
    except (ValueError, TypeError, KeyError):
        return str(constraint.violation_error_message)


def _constraint_violations(objs: list) -> list[list]:
    """The model's check constraints evaluated for many unsaved instances in one query.

    ``Model.full_clean()`` runs one query (and a savepoint) per constraint and instance;
    here each constraint's own SQL (the same the database enforces) is evaluated over a
    VALUES list of the instances. Returns, per instance, the constraints it violates.
    Other constraint types, if any, are validated per instance.
    """
    if not objs:
        return []
    model = type(objs[0])
    using = router.db_for_write(model)
    connection = connections[using]
    checks = [c for c in model._meta.constraints if isinstance(c, CheckConstraint)]
    others = [c for c in model._meta.constraints if not isinstance(c, CheckConstraint)]
    found: list[list] = [[] for _ in objs]
    if checks:
        fields = [f for f in model._meta.local_concrete_fields if f.name != "search_vector"]
        quote = connection.ops.quote_name
        casts = ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields)
        values_sql = ", ".join(f"(%s, {casts})" for _ in objs)
        params: list = []
        for position, obj in enumerate(objs):
            params.append(position)
            params.extend(
                f.get_db_prep_value(getattr(obj, f.attname), connection, prepared=False)
                for f in fields
            )
        selects = []
        for constraint in checks:
            query = Query(model=model, alias_cols=False)
            where = query.build_where(constraint.condition)
            sql, where_params = where.as_sql(query.get_compiler(connection=connection), connection)
            selects.append(f"COALESCE(({sql}), TRUE)")
            params.extend(where_params)
        columns = ", ".join(["__row", *(quote(f.column) for f in fields)])
        sql = (
            f"WITH __rows ({columns}) AS (VALUES {values_sql}) "
            f"SELECT __row, {', '.join(selects)} FROM __rows"
        )
        try:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute(sql, params)
                for position, *passed in cursor.fetchall():
                    found[position] = [c for c, ok in zip(checks, passed, strict=True) if not ok]
        except DatabaseError:
            logger.warning("Batched constraint check failed; checking one instance at a time")
            others = list(model._meta.constraints)
            found = [[] for _ in objs]
    for position, obj in enumerate(objs):
        for constraint in others:
            try:
                constraint.validate(model, obj, using=using)
            except (ValidationError, ValueError):  # ValueError: see _violation_message
                found[position].append(constraint)
    return found
