"""Inserting many rows of one model, with their first history rows: the one piece of
Refuge that goes under the ORM (issue 22 allows one, measured, in one module).

Django's bulk_create prepares every value through its SQL compiler: for an import of
20,000 people that is over a million calls, and about half of the import's time
(profiled in docs/benchmarks.md, "refuge import-people"). Here each column gets one
converter, chosen once per model and database, and the statement is built once per
batch size. What is stored is what bulk_create and simple-history's
bulk_history_create store; `refuge/registry/tests/test_bulk_writer.py` compares the two,
column by column, on the suite's database.

Everything else is the ORM's: the models' fields and defaults, the connection and its
transaction, the ids the database gives (RETURNING, on SQLite since 3.35 as in Django).
"""

import datetime
import uuid
from collections.abc import Callable, Sequence
from functools import cache
from operator import attrgetter

from django.db import connections, models, router

# Rows a statement, at most: enough to pay for the statement, small enough for the
# database's limit on parameters (999 in Django's SQLite settings).
ROWS = 500

Convert = Callable[[object], object]


def insert(objects: Sequence[models.Model]) -> None:
    """Insert `objects`, all of one model and not saved yet, and set their ids on them,
    as `Model.objects.bulk_create(objects)` does."""
    if not objects:
        return
    model = type(objects[0])
    alias = router.db_for_write(model)
    if any(obj.pk is not None for obj in objects):  # ids chosen by the caller: the ORM's way
        model.objects.using(alias).bulk_create(objects)
        return
    connection = connections[alias]
    table = _table(model, alias)
    for obj in objects:
        _take_related_ids(table.relations, obj)
    rows = [[convert(field.pre_save(obj, True) if auto else getattr(obj, field.attname))
             for field, convert, auto in table.columns] for obj in objects]
    ids = _insert_rows(connection, table, rows)
    pk = model._meta.pk.attname
    for obj, new_id in zip(objects, ids, strict=True):
        setattr(obj, pk, new_id)
        obj._state.adding = False
        obj._state.db = alias


def insert_history(objects: Sequence[models.Model], history_model: type[models.Model], *,
                   user, when: datetime.datetime) -> None:
    """The "+" history row of each object, as simple-history's bulk_history_create
    writes it with `default_user` and `default_date`."""
    if not objects:
        return
    alias = router.db_for_write(history_model)
    table = _table(history_model, alias)
    if user is None:  # as simple-history: the user of the request it was told of, if any
        user = history_model.get_default_history_user(objects[0])
    fixed = {"history_date": when, "history_user_id": user.pk if user is not None else None,
             "history_change_reason": "", "history_type": "+"}
    tracked = {field.attname for field in history_model.tracked_fields}
    relation = hasattr(history_model, "history_relation")

    def source(attname: str):  # where the column's value comes from, for every object
        if attname in tracked:
            return attrgetter(attname)
        if relation and attname == "history_relation_id":
            return attrgetter("pk")
        return lambda _obj, value=fixed[attname]: value

    columns = [(source(f.attname), convert) for f, convert, _auto in table.columns]
    rows = [[convert(value(obj)) for value, convert in columns] for obj in objects]
    _insert_rows(connections[alias], table, rows)


def is_plain(obj: models.Model) -> bool:
    """Whether the object's history row takes the defaults: no user, date or reason of its
    own set on it for simple-history (those go through simple-history itself)."""
    return not any(hasattr(obj, name) for name in
                   ("_history_user", "_history_date", "_change_reason"))


class _Table:
    """A model's insert, worked out once: its columns and their converters."""

    def __init__(self, model: type[models.Model], alias: str):
        connection = connections[alias]
        self.name = model._meta.db_table
        self.pk_column = model._meta.pk.column
        fields = [f for f in model._meta.concrete_fields if not f.generated
                  and not (f.primary_key and isinstance(f, models.AutoField))]
        self.columns = [(f, _converter(f, connection), _auto(f)) for f in fields]
        self.relations = [f for f in fields if f.is_relation]
        quote = connection.ops.quote_name
        self.head = (f"INSERT INTO {quote(self.name)} "
                     f"({', '.join(quote(f.column) for f in fields)}) VALUES ")
        self.row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        self.tail = f" RETURNING {quote(self.pk_column)}"


@cache
def _table(model: type[models.Model], alias: str) -> _Table:
    return _Table(model, alias)


def _insert_rows(connection, table: _Table, rows: list[list]) -> list[int]:
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS):
            batch = rows[start:start + ROWS]
            sql = table.head + ", ".join([table.row] * len(batch)) + table.tail
            cursor.execute(sql, [value for row in batch for value in row])
            ids.extend(found[0] for found in cursor.fetchall())
    return ids


def _auto(field) -> bool:
    """Whether the field fills itself in on insert (auto_now, auto_now_add)."""
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _take_related_ids(relations, obj) -> None:
    """A foreign key set to an object saved after it was assigned takes that object's id,
    as Model._prepare_related_fields_for_save does for bulk_create."""
    for field in relations:
        if getattr(obj, field.attname) is None and field.is_cached(obj):
            related = field.get_cached_value(obj)
            if related is not None:
                if related.pk is None:
                    raise ValueError(f"{field.name}: the related object is not saved")
                setattr(obj, field.attname, related.pk)


def _converter(field, connection) -> Convert:
    """The value to send for the field: the common types passed as Django would pass
    them after checking their type, anything else through Django's own preparation."""

    def django(value):
        return field.get_db_prep_save(value, connection)

    kind = field.get_internal_type()
    ops = connection.ops
    if kind in ("CharField", "TextField", "SlugField", "EmailField"):
        return lambda value: value if value is None or type(value) is str else django(value)
    if kind in ("IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
                "PositiveSmallIntegerField", "PositiveBigIntegerField", "ForeignKey",
                "OneToOneField", "AutoField", "BigAutoField"):
        if field.is_relation and field.target_field.get_internal_type() not in (
                "AutoField", "BigAutoField", "IntegerField", "BigIntegerField"):
            return django
        return lambda value: value if value is None or type(value) is int else django(value)
    if kind == "BooleanField":
        return lambda value: value if value is None or type(value) is bool else django(value)
    if kind == "UUIDField":
        if connection.features.has_native_uuid_field:
            return lambda value: value if value is None or type(value) is uuid.UUID \
                else django(value)
        return lambda value: value.hex if type(value) is uuid.UUID else django(value)
    if kind == "DateTimeField":
        def aware(value):
            if type(value) is datetime.datetime and value.tzinfo is not None:
                return ops.adapt_datetimefield_value(value)
            return django(value)  # naive, a date or None: Django's warnings and rules
        return aware
    if kind == "DateField":
        return lambda value: ops.adapt_datefield_value(value) \
            if type(value) is datetime.date else django(value)
    return django
