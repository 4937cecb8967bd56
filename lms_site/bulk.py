"""Set-based writes of many rows at once, for imports and recomputes (ADR 0026, "Set-based writes").

On PostgreSQL each call is one statement whose values travel as one array per column (``unnest``), built
straight from the rows: not a model instance per row with each value prepared field by field, which is
what ``bulk_create`` and ``bulk_update`` cost (two thirds of a 300,000-row staff import; half of a level
recompute). The values must already be what the columns hold (text, numbers, dates, ids). Elsewhere (the
embedded SQLite) they fall back to ``bulk_create`` / ``bulk_update``. Neither sends ``post_save``: callers
say what they do instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, router


def insert_rows(model, fields: Sequence[str], rows: list[tuple], *, returning: bool = False) -> list[int]:
    """Insert ``rows`` (values in the order of ``fields``); their ids, in order, if ``returning``."""
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    columns = [model._meta.get_field(name) for name in fields]
    if connection.vendor != "postgresql":
        names = [field.attname for field in columns]
        created = model._base_manager.bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in rows]
        )
        return [obj.pk for obj in created] if returning else []
    quote = connection.ops.quote_name
    # Table, column and type names come from the models; the values are parameters.
    sql = "INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}){returning}".format(  # noqa: S608
        table=quote(model._meta.db_table),
        columns=", ".join(quote(field.column) for field in columns),
        arrays=", ".join(f"%s::{field.db_type(connection)}[]" for field in columns),
        returning=f" RETURNING {quote(model._meta.pk.column)}" if returning else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(values) for values in zip(*rows, strict=True)])
        return [pk for (pk,) in cursor.fetchall()] if returning else []


def update_rows(model, fields: Sequence[str], rows: list[tuple]) -> int:
    """Set ``fields`` of the rows whose primary key is each row's first value (``(pk, *values)``)."""
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    columns = [model._meta.get_field(name) for name in fields]
    if connection.vendor != "postgresql":
        names = [field.attname for field in columns]
        objs = [model(pk=row[0], **dict(zip(names, row[1:], strict=True))) for row in rows]
        return model._base_manager.bulk_update(objs, names)
    quote = connection.ops.quote_name
    pk = model._meta.pk
    aliases = [f"v{i}" for i in range(len(columns))]
    sql = (  # noqa: S608 - names from the models, values bound
        "UPDATE {table} SET {sets} FROM unnest(%s::{pk_type}[], {arrays}) AS v(pk, {aliases}) "
        "WHERE {table}.{pk} = v.pk"
    ).format(
        table=quote(model._meta.db_table),
        sets=", ".join(f"{quote(f.column)} = v.{a}" for f, a in zip(columns, aliases, strict=True)),
        pk_type=pk.db_type(connection),
        arrays=", ".join(f"%s::{field.db_type(connection)}[]" for field in columns),
        aliases=", ".join(aliases),
        pk=quote(pk.column),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(values) for values in zip(*rows, strict=True)])
        return cursor.rowcount
