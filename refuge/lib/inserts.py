"""Insert many rows with one prepared statement, for the desk's hot path.

Django's bulk_create compiles its SQL anew on every call, which costs more than the
insert itself for a household of five. The registration path inserts through here
instead; values are prepared by the model's own fields, so they are stored exactly
as the ORM would store them.
"""

from collections.abc import Sequence
from functools import cache

from django.db import connection, models


@cache
def _fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields
            if not isinstance(field, models.AutoField)]


@cache
def _statement(model: type[models.Model], vendor: str, rows: int, returning: bool) -> str:
    quote = connection.ops.quote_name
    fields = _fields(model)
    columns = ", ".join(quote(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = row if not returning else ", ".join([row] * rows)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}"
    return sql + f" RETURNING {quote(model._meta.pk.column)}" if returning else sql


def insert_rows(objects: Sequence[models.Model], set_ids: bool = False) -> None:
    """INSERT the objects (all of one model) in one statement.

    With set_ids, each object gets its new primary key (one multi-row INSERT ...
    RETURNING, which both SQLite and PostgreSQL return in the order given, as
    Django's own bulk_create relies on).
    """
    if not objects:
        return
    model = type(objects[0])
    fields = _fields(model)
    rows = [[field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
            for obj in objects]
    sql = _statement(model, connection.vendor, len(rows), set_ids)
    with connection.cursor() as cursor:
        if not set_ids:
            cursor.executemany(sql, rows)
            return
        cursor.execute(sql, [value for row in rows for value in row])
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
            obj._state.adding = False
