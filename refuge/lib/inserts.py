"""Insert many rows with one prepared statement, for the desk's hot path.

Django's bulk_create compiles its SQL anew on every call, which costs more than the
insert itself for a household of five. The registration path inserts through here
instead; values are prepared by the model's own fields, so they are stored exactly
as the ORM would store them.
"""

import datetime
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache, lru_cache

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

# Field types whose stored value is the Python value itself when that is already a str,
# int, bool or None: Django's preparation would only confirm it. Exact types only, so a
# subclass that converts (or encrypts) its values still goes through its own code.
_PLAIN_FIELDS = {models.CharField, models.TextField, models.IntegerField,
                 models.PositiveIntegerField, models.PositiveSmallIntegerField,
                 models.SmallIntegerField, models.BigIntegerField, models.BooleanField,
                 models.AutoField, models.BigAutoField}
_PLAIN_VALUES = {str, int, bool, type(None)}


def _is_plain(field: models.Field) -> bool:
    if isinstance(field, models.ForeignKey):
        return type(field.target_field) in _PLAIN_FIELDS
    return type(field) in _PLAIN_FIELDS


@cache
def _fields(model: type[models.Model]) -> tuple[list[models.Field], list[bool]]:
    fields = [field for field in model._meta.concrete_fields
              if not isinstance(field, models.AutoField)]
    return fields, [_is_plain(field) for field in fields]


def _same(value, db):
    return value


def _uuid_text(value: uuid.UUID, db) -> str:
    return value.hex


def _date_text(value: datetime.date, db) -> str:
    return str(value)


def _sqlite_datetime(value: datetime.datetime, db) -> str:
    # fold is part of the key: an hour repeated when clocks go back is two moments that
    # Python calls equal.
    return _in_zone(value, value.fold, db.timezone)


@lru_cache(maxsize=256)  # a batch of rows found at one moment shares one datetime
def _in_zone(value: datetime.datetime, fold: int, zone) -> str:
    return str(value.astimezone(zone).replace(tzinfo=None))


@cache
def _converters(model: type[models.Model], vendor: str) -> list[dict[type, Callable]]:
    """Per field, the kinds of value whose stored form is quick to make, and how; the
    rest goes through Django. Each gives exactly what the backend's own adapter gives
    (tested): both take a float as it is, and None as NULL for Django's own fields;
    PostgreSQL takes UUIDs, dates and aware datetimes as they are, SQLite their text, a
    datetime in the connection's time zone."""
    native = vendor == "postgresql"
    quick = {
        models.FloatField: {float: _same},
        models.UUIDField: {uuid.UUID: _same if native else _uuid_text},
        models.DateField: {datetime.date: _same if native else _date_text},
        models.DateTimeField: {datetime.datetime: _same if native else _sqlite_datetime},
    }
    fields, _plain = _fields(model)
    return [{**({type(None): _same} if _is_djangos(field) else {}),
             **({} if isinstance(field, models.ForeignKey) else quick.get(type(field), {}))}
            for field in fields]


def _is_djangos(field: models.Field) -> bool:
    return type(field).__module__.startswith("django.db.models.fields")


def _prepare(value, field: models.Field, is_plain: bool, quick: dict, db):
    kind = type(value)
    if is_plain and kind in _PLAIN_VALUES:
        return value
    convert = quick.get(kind)
    # A naive datetime goes through Django, which warns of it.
    if convert and (kind is not datetime.datetime or value.utcoffset() is not None):
        return convert(value, db)
    return field.get_db_prep_save(value, db)


# Statements of at most this many values are prepared (on PostgreSQL): a household of
# twenty people is 500.
PREPARED_VALUES = 1000
# Rows per statement: within both databases' limits on parameters (SQLite's 32,766)
# for the widest table.
CHUNK = 500


@cache
def _statement(model: type[models.Model], vendor: str, rows: int, returning: bool,
               skip_conflicts: bool = False) -> str:
    """One INSERT of `rows` rows: one statement to parse and plan where executemany
    had one a row."""
    quote = connection.ops.quote_name
    fields, _plain = _fields(model)
    columns = ", ".join(quote(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {', '.join([row] * rows)}"
    if skip_conflicts:  # both databases write it so
        sql += " ON CONFLICT DO NOTHING"
    return sql + f" RETURNING {quote(model._meta.pk.column)}" if returning else sql


def insert_rows(objects: Sequence[models.Model], set_ids: bool = False) -> None:
    """INSERT the objects (all of one model) in one statement.

    With set_ids, each object gets its new primary key (INSERT ... RETURNING).
    """
    if not objects:
        return
    model = type(objects[0])
    fields, plain = _fields(model)
    rows = [[getattr(obj, field.attname) if is_plain else field.pre_save(obj, True)
             for field, is_plain in zip(fields, plain, strict=True)] for obj in objects]
    ids = _insert(model, rows, set_ids)
    for obj, pk in zip(objects, ids, strict=set_ids):
        obj.pk = pk
        obj._state.adding = False


def insert_values(model: type[models.Model], values: Sequence[dict], *,
                  skip_conflicts: bool = False) -> None:
    """INSERT rows given as {attname: value}, without building a model instance for each;
    a field left out gets its default. With skip_conflicts, a row that would break a
    unique constraint is left out, as bulk_create's ignore_conflicts does."""
    if not values:
        return
    fields, _plain = _fields(model)
    rows = [[row[field.attname] if field.attname in row else field.get_default()
             for field in fields] for row in values]
    _insert(model, rows, False, skip_conflicts)


def _insert(model: type[models.Model], rows: list[list], returning: bool,
            skip_conflicts: bool = False) -> list:
    """Prepare the Python values for the database and INSERT them; the new ids, if asked
    (both databases return them in the order given, as Django's bulk_create relies on)."""
    # The connection itself: each attribute read through django.db.connection, a
    # proxy to the thread's own, costs microseconds, a third of the time at 30,000 rows.
    db = connections[DEFAULT_DB_ALIAS]
    fields, plain = _fields(model)
    quick = _converters(model, db.vendor)
    prepared = [[_prepare(value, field, is_plain, fast, db)
                 for field, is_plain, fast, value in zip(fields, plain, quick, row, strict=True)]
                for row in rows]
    found = execute_in_chunks(
        lambda rows: _statement(model, db.vendor, rows, returning, skip_conflicts),
        prepared, fetch=returning)
    return [pk for (pk,) in found]


def execute_in_chunks(statement: Callable[[int], str], rows: list[list],
                      fetch: bool = False) -> list[tuple]:
    """Run `statement(n)`, a statement of n rows of values, over the rows CHUNK at a
    time; with fetch, what each one returns, in order."""
    fetched = []
    with _cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            cursor.execute(statement(len(chunk)), [value for row in chunk for value in row])
            if fetch:
                fetched += cursor.fetchall()
    return fetched


def _cursor():
    """Django's cursor (queries logged and counted as any other); on PostgreSQL, its
    statements are prepared: parsed and planned once per connection, not once per
    household, which saved PostgreSQL a sixth of its CPU per registration. Only these
    inserts are, where a plan cannot depend on the values: a search planned once for
    one name could be slow for another."""
    # While queries are logged (DEBUG, or a test counting them), Django's own cursor:
    # psycopg does not show the text of a prepared statement to the log.
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    connection.ensure_connection()
    return connection.make_cursor(_prepared_cursor_class()(connection.connection))


@cache
def _prepared_cursor_class() -> type:
    import psycopg

    class PreparedCursor(psycopg.RawCursor):
        """Binds values on the server and prepares every statement at once (when the
        connection allows it: settings' prepare_threshold). Takes Django's %s
        placeholders, numbered here once per statement: psycopg's own cursor parses
        a statement of more than 50 values anew on every call, 3 µs a value, which
        cost each registration about a millisecond and dedupe three seconds."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            # A registration's few rows come again and again; dedupe's chunks of 500
            # rarely do, and each prepared one held about a megabyte on the server.
            prepare = len(params or ()) <= PREPARED_VALUES
            return super().execute(_numbered(query), params, prepare=prepare, binary=binary)

    return PreparedCursor


@lru_cache(maxsize=512)
def _numbered(query: str) -> str:
    """The statement with PostgreSQL's own placeholders, $1, $2 ..., for Django's %s."""
    if "%%" in query or "%(" in query:
        raise ValueError("only plain %s placeholders are numbered")
    parts = query.split("%s")
    numbered = [part + f"${number}" for number, part in enumerate(parts[:-1], start=1)]
    return "".join(numbered) + parts[-1]


@contextmanager
def pipelined() -> Iterator[None]:
    """On PostgreSQL, send the statements inside without waiting for each answer (psycopg's
    pipeline mode): a registration's eleven round trips become four, one per statement
    whose answer is read (the ids RETURNING gives). An error from a statement whose answer
    was not read surfaces as the block ends, as Django's own exception (an IntegrityError
    stays one), inside the transaction. Elsewhere, nothing changes. Only inserts belong
    inside: in a pipeline an UPDATE cannot tell how many rows it changed."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield
