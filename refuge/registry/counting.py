"""Keep the pre-counted figures exact: add or remove people and tallies as they change.

Every registry write that changes who is counted where calls these inside its
own transaction, so a figure is right the moment a registration is saved.
"""

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from refuge.lib.dates import age_on
from refuge.registry.models import CrossingFigure, Person, RegistrationFigure, Tally, age_band

# Rows of counters to one statement: well under SQLite's limit of 32,766 values.
CHUNK = 500


def hour_of(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def person_keys(person: Person) -> list[tuple]:
    """The figure rows a person adds to: one overall, one per specific need."""
    registered_on = person.registered_on
    registered_at_id = person.registered_at_id
    if registered_on is None:  # recorded before people carried their own registration
        registered_on = person.household.registered_on
        registered_at_id = person.household.registered_at_id
    registered = timezone.localtime(registered_on).date()
    base = (hour_of(registered_on), registered_at_id, person.sex,
            age_band(age_on(person.birth_date, registered)))
    return [(*base, "")] + [(*base, code) for code in person.need_codes]


def count_people(people: Iterable[Person], sign: int = 1) -> None:
    counts: Counter = Counter()
    for person in people:
        for key in person_keys(person):
            counts[key] += sign
    _add(RegistrationFigure, ["hour", "post_id", "sex", "age_band", "need"], ["people"],
         [(*key, n) for key, n in counts.items() if n])


def count_tallies(tallies: Iterable[Tally], sign: int = 1) -> None:
    counts: Counter = Counter()
    for tally in tallies:
        key = (hour_of(tally.counted_at), tally.post_id)
        counts[key] += sign * tally.people_aboard
        counts[(*key, "vehicles")] += sign
    rows = [(hour, post, n, counts[(hour, post, "vehicles")])
            for (hour, post, *rest), n in counts.items() if not rest]
    _add(CrossingFigure, ["hour", "post_id"], ["people", "vehicles"], rows)


def _add(model, key_columns: list[str], value_columns: list[str], rows: list[tuple]) -> None:
    """Add to counters: INSERT ... ON CONFLICT DO UPDATE, many rows to a statement (each
    key once: callers count with a Counter).

    SQLite and PostgreSQL both read this statement the same way; Django's
    bulk_create can only overwrite on conflict, not add. It is the registry's one
    statement written by hand (tests/test_figures.py checks that the counters equal what
    the ORM counts from the people themselves).
    """
    if not rows:
        return
    # Always touch counters in the same order, so two transactions adding to the same
    # rows wait for each other instead of deadlocking.
    rows = sorted(rows, key=lambda row: tuple(str(v) for v in row))
    field_of = [model._meta.get_field(c.removesuffix("_id")) for c in key_columns + value_columns]
    prepared = [[field.get_db_prep_value(value, connection)
                 for field, value in zip(field_of, row, strict=True)] for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(prepared), CHUNK):
            chunk = prepared[start:start + CHUNK]
            cursor.execute(_upsert(model, tuple(key_columns), tuple(value_columns), len(chunk)),
                           [value for row in chunk for value in row])


@cache
def _upsert(model, key_columns: tuple[str, ...], value_columns: tuple[str, ...],
            rows: int) -> str:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [model._meta.get_field(c.removesuffix("_id")).column for c in key_columns]
    values = [model._meta.get_field(c).column for c in value_columns]
    quoted = [quote(c) for c in columns + values]
    updates = ", ".join(f"{q} = {table}.{q} + excluded.{q}" for q in quoted[len(columns):])
    row = f"({', '.join(['%s'] * len(quoted))})"
    return (f"INSERT INTO {table} ({', '.join(quoted)}) VALUES {', '.join([row] * rows)} "
            f"ON CONFLICT ({', '.join(quoted[:len(columns)])}) DO UPDATE SET {updates}")


@transaction.atomic
def recount() -> tuple[int, int]:
    """Rebuild every figure from the registry itself; returns (people, tallies) counted."""
    RegistrationFigure.objects.all().delete()
    CrossingFigure.objects.all().delete()
    people = 0
    batch: list[Person] = []
    for person in Person.objects.counted().select_related("household").only(
            "sex", "birth_date", "needs", "registered_on", "registered_at_id",
            "household__registered_on",
            "household__registered_at_id").iterator(chunk_size=5000):
        batch.append(person)
        if len(batch) == 5000:
            count_people(batch)
            people += len(batch)
            batch = []
    count_people(batch)
    people += len(batch)
    tallies = list(Tally.objects.only("counted_at", "post_id", "people_aboard"))
    count_tallies(tallies)
    return people, len(tallies)


def registrations_count_check() -> tuple[int, int]:
    """Pre-counted people against the registry's own count (they must agree)."""
    counted = RegistrationFigure.objects.filter(need="").aggregate(n=Sum("people"))["n"] or 0
    return counted, Person.objects.counted().aggregate(n=Count("id"))["n"]
