"""Who a programme's cycle entitles, and the generation of their entitlements in bulk.

Generation writes a cycle's entitlements with one INSERT ... SELECT per range of
households, the SELECT built by the ORM from the same rules (eligibility, the minor's
recipient, the household's amount), with the (person, cycle) constraint deciding: a
second run, or two at once, add nothing. At a million people, building an Entitlement
per row in Python took 4 to 8 times as long as the database needs to write them
(docs/benchmarks.md, "Aid"). The per-row path is kept, `generate_row_by_row`, as the
reference the set-based one is tested against (tests/test_generation.py).
"""

from collections.abc import Iterator
from datetime import date
from itertools import groupby
from uuid import uuid4

from django.db import NotSupportedError, connection, transaction
from django.db.models import (
    Case,
    Exists,
    Expression,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    Value,
    When,
)
from django.db.models.constants import OnConflict
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from refuge.aid.models import Cycle, Entitlement, Guardian, Programme
from refuge.lib.dates import age_on, years_before
from refuge.lib.errors import Conflict
from refuge.registry.models import Person
from refuge.shelter.models import Placement

ADULT_AGE = 18
# Registered people who are still here: not departed, deceased, missing or merged.
PRESENT = [Person.REGISTERED, Person.PLACED]
BATCH = 5000
# Households (by id) per INSERT ... SELECT: about 70,000 people at 3.5 a household.
HOUSEHOLDS_PER_INSERT = 20_000


def eligible(programme: Programme, cycle: Cycle) -> QuerySet[Person]:
    """The people `cycle` of `programme` entitles, by its rules, on the cycle's first day."""
    people = Person.objects.filter(status__in=PRESENT)
    if programme.arrived_from:
        people = people.filter(registered_on__date__gte=programme.arrived_from)
    if programme.arrived_to:
        people = people.filter(registered_on__date__lte=programme.arrived_to)
    if programme.min_age is not None:
        people = people.filter(birth_date__lte=years_before(cycle.starts_on, programme.min_age))
    if programme.max_age is not None:
        people = people.filter(
            birth_date__gt=years_before(cycle.starts_on, programme.max_age + 1))
    if programme.need_codes:
        # needs is a comma-separated list of codes: match whole codes only.
        wanted = Q()
        for code in programme.need_codes:
            wanted |= Q(needs=code) | Q(needs__startswith=f"{code},") | Q(
                needs__endswith=f",{code}") | Q(needs__contains=f",{code},")
        people = people.filter(wanted)
    if programme.province:
        people = people.filter(household__registered_at__province=programme.province)
    if programme.state_housing:
        housed = Exists(Placement.objects.filter(household=OuterRef("household_id"),
                                                 status=Placement.CHECKED_IN))
        people = people.filter(housed if programme.state_housing == "yes" else ~housed)
    return people


def is_minor(birth_date: date | None, on: date) -> bool:
    age = age_on(birth_date, on)
    return age is not None and age < ADULT_AGE


def _default_recipient(minor_id: int, adults: list[tuple]) -> int:
    """A minor's recipient when no guardian is designated: the household's focal point if
    an adult, else its eldest adult, else (an unaccompanied child) the minor."""
    for person_id, relationship, _born in adults:
        if relationship == Person.FOCAL_POINT:
            return person_id
    dated = [(born, pid) for pid, _rel, born in adults if born is not None]
    if dated:
        return min(dated)[1]
    return adults[0][0] if adults else minor_id


def recipients(people: list[tuple], on: date) -> dict[int, int]:
    """{person id: recipient id} for `people` given as (id, household id, born, relation).

    Adults receive their own share; a minor's goes to the designated guardian, or to the
    household's adults as `_default_recipient` says."""
    minors = [p for p in people if is_minor(p[2], on)]
    chosen = {p[0]: p[0] for p in people}
    if not minors:
        return chosen
    households = {p[1] for p in minors}
    low, high = min(households), max(households)
    adults: dict[int, list[tuple]] = {}
    present = (Person.objects.filter(household_id__gte=low, household_id__lte=high,
                                     status__in=PRESENT)
               .values_list("id", "household_id", "birth_date", "relationship"))
    for person_id, household_id, born, relationship in present:
        if household_id in households and not is_minor(born, on):
            adults.setdefault(household_id, []).append((person_id, relationship, born))
    minor_ids = [p[0] for p in minors]
    designated = dict(Guardian.objects.filter(minor_id__in=minor_ids,
                                              guardian__status__in=PRESENT)
                      .values_list("minor_id", "guardian_id"))
    for person_id, household_id, _born, _relationship in minors:
        chosen[person_id] = designated.get(person_id) or _default_recipient(
            person_id, adults.get(household_id, []))
    return chosen


def _batches(people: QuerySet[Person]) -> Iterator[list[tuple]]:
    """Eligible people as (id, household id, born, relation), whole households per batch."""
    rows = (people.order_by("household_id", "id")
            .values_list("id", "household_id", "birth_date", "relationship")
            .iterator(chunk_size=BATCH))
    batch: list[tuple] = []
    for _household, members in groupby(rows, key=lambda row: row[1]):
        batch.extend(members)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def entitlements_for(programme: Programme, cycle: Cycle, batch: list[tuple]) -> list:
    """The entitlements of one batch: the per-person amount each, and the per-household
    amount once per household, with its focal point (else its first eligible member),
    unless the household has an entitlement in the cycle already (a member added since
    the last run gets the per-person amount only)."""
    chosen = recipients(batch, cycle.starts_on)
    served = set()
    if programme.per_household:
        served = set(Entitlement.objects.filter(
            cycle=cycle, household_id__gte=batch[0][1], household_id__lte=batch[-1][1])
            .values_list("household_id", flat=True))
    made = []
    for household_id, members in groupby(batch, key=lambda row: row[1]):
        members = list(members)
        holder = next((m for m in members if m[3] == Person.FOCAL_POINT), members[0])[0]
        if household_id in served:
            holder = None
        for person_id, _household, _born, _relationship in members:
            amount = programme.per_person + (
                programme.per_household if person_id == holder else 0)
            if amount:
                made.append(Entitlement(uuid=uuid4(), cycle_id=cycle.pk, person_id=person_id,
                                        household_id=household_id,
                                        recipient_id=chosen[person_id], amount=amount))
    return made


def generate_row_by_row(cycle: Cycle) -> int:
    """The per-row generation: an Entitlement built in Python for each person, inserted
    with bulk_create. Kept as the reference `generate` is tested against."""
    cycle, todo = _todo(cycle)
    before = Entitlement.objects.filter(cycle=cycle).count()
    for batch in _batches(todo):
        with transaction.atomic():
            Entitlement.objects.bulk_create(entitlements_for(cycle.programme, cycle, batch),
                                            ignore_conflicts=True)
    return Entitlement.objects.filter(cycle=cycle).count() - before


def _todo(cycle: Cycle) -> tuple[Cycle, QuerySet[Person]]:
    cycle = Cycle.objects.select_related("programme").get(pk=cycle.pk)
    if cycle.is_approved:
        raise Conflict("cycle", _("this cycle is approved: its list is frozen"))
    # Who has one already is left out by the query, so a second run reads almost nothing;
    # the constraint still decides for a run alongside another.
    todo = eligible(cycle.programme, cycle).exclude(
        Exists(Entitlement.objects.filter(cycle=cycle, person=OuterRef("pk"))))
    return cycle, todo


class RandomUUID(Expression):
    """A version 4 UUID made by the database, in the form Django stores a UUIDField:
    PostgreSQL's uuid type, SQLite's 32 lower-case hex digits."""

    output_field = UUIDField()

    def as_sql(self, compiler, connection):
        raise NotSupportedError(f"no random UUID in SQL on {connection.vendor}")

    def as_postgresql(self, compiler, connection):
        return "gen_random_uuid()", []

    def as_sqlite(self, compiler, connection):
        return ("lower(hex(randomblob(6)) || '4' || substr(hex(randomblob(2)), 2)"
                " || substr('89ab', 1 + (random() & 3), 1) || substr(hex(randomblob(2)), 2)"
                " || hex(randomblob(6)))"), []


def _recipient(on: date) -> Expression:
    """In SQL, what `recipients` decides in Python: an adult's own id; a minor's
    designated guardian (still here), else the household's focal point if an adult, else
    its eldest adult, else its first adult, else (an unaccompanied child) the minor."""
    cut = years_before(on, ADULT_AGE)
    adults = Person.objects.filter(household_id=OuterRef("household_id"), status__in=PRESENT
                                   ).filter(Q(birth_date__isnull=True) | Q(birth_date__lte=cut))
    guardian = Guardian.objects.filter(minor_id=OuterRef("pk"), guardian__status__in=PRESENT)
    first = [
        guardian.values("guardian_id")[:1],
        adults.filter(relationship=Person.FOCAL_POINT).order_by("id").values("id")[:1],
        adults.filter(birth_date__isnull=False).order_by("birth_date", "id").values("id")[:1],
        adults.order_by("id").values("id")[:1],
    ]
    return Case(When(birth_date__gt=cut, then=Coalesce(
        *[Subquery(q, output_field=IntegerField()) for q in first], F("pk"),
        output_field=IntegerField())), default=F("pk"), output_field=IntegerField())


def _rows(programme: Programme, cycle: Cycle, todo: QuerySet[Person],
          fresh: bool = False) -> QuerySet:
    """The SELECT of the cycle's new entitlements, one row per person of `todo`, with
    the amounts `entitlements_for` gives: the per-household amount to the household's
    holder (its focal point among `todo`, else its first member there), unless the
    household has an entitlement in the cycle already (never, when `fresh`: the cycle had
    none when the run began, and each range of households is written once); no row of a
    nil amount."""
    amount: Expression = Value(programme.per_person)
    people = todo
    if programme.per_household:
        holder = Subquery(todo.filter(household_id=OuterRef("household_id")).order_by(
            Case(When(relationship=Person.FOCAL_POINT, then=0), default=1), "id")
            .values("id")[:1])
        gets_household = Q(id=holder)
        if not fresh:
            gets_household &= ~Exists(Entitlement.objects.filter(
                cycle=cycle, household_id=OuterRef("household_id")).order_by())
        amount = Case(When(gets_household,
                           then=Value(programme.per_person + programme.per_household)),
                      default=Value(programme.per_person), output_field=IntegerField())
        if not programme.per_person:
            people = todo.filter(gets_household)
    return people.order_by("household_id", "id").annotate(
        new_uuid=RandomUUID(), new_cycle=Value(cycle.pk, output_field=IntegerField()),
        new_person=F("id"), new_household=F("household_id"),
        new_recipient=_recipient(cycle.starts_on), new_amount=amount,
        new_status=Value(Entitlement.DUE)).values_list(*COLUMNS)


# The SELECT's names, and the columns of aid_entitlement they fill.
COLUMNS = {"new_uuid": "uuid", "new_cycle": "cycle_id", "new_person": "person_id",
           "new_household": "household_id", "new_recipient": "recipient_id",
           "new_amount": "amount", "new_status": "status"}


def insert_sql(rows: QuerySet) -> tuple[str, tuple]:
    """INSERT ... SELECT of `rows` into aid_entitlement, skipping a row the constraints
    refuse (INSERT OR IGNORE on SQLite, ON CONFLICT DO NOTHING on PostgreSQL), as
    bulk_create(ignore_conflicts=True) does."""
    compiler = rows.query.get_compiler(connection=connection)
    select, params = compiler.as_sql()
    names = [alias for _expression, _sql, alias in compiler.select]
    if sorted(names) != sorted(COLUMNS):
        raise ValueError(f"unexpected columns {names}")
    quote = connection.ops.quote_name
    table = quote(Entitlement._meta.db_table)
    columns = ", ".join(quote(COLUMNS[name]) for name in names)
    suffix = connection.ops.on_conflict_suffix_sql([], OnConflict.IGNORE, None, None)
    return (f"{connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)} {table}"
            f" ({columns}) {select} {suffix}".rstrip(), tuple(params))


def generate(cycle: Cycle, progress=None) -> int:
    """Create the entitlements of a draft cycle; returns how many were added.

    Idempotent: the (person, cycle) constraint skips who has one already, so a second
    run adds nothing, and neither does a run alongside another. An approved cycle is
    frozen and refused. One INSERT ... SELECT per range of households, each in its own
    transaction; `progress` is told how many each added."""
    cycle, todo = _todo(cycle)
    # A cycle's first run reads who is eligible, not who is eligible without an
    # entitlement yet: PostgreSQL plans that anti-join from statistics that do not know
    # the rows the run's own earlier ranges wrote, and took 100 s for the second range of
    # 30,000 people. The constraint still skips anyone a run alongside wrote.
    fresh = not Entitlement.objects.filter(cycle=cycle).exists()
    if fresh:
        todo = eligible(cycle.programme, cycle)
    bounds = Person.objects.aggregate(low=Min("household_id"), high=Max("household_id"))
    if bounds["low"] is None:
        return 0
    added = 0
    for low in range(bounds["low"], bounds["high"] + 1, HOUSEHOLDS_PER_INSERT):
        some = todo.filter(household_id__gte=low, household_id__lt=low + HOUSEHOLDS_PER_INSERT)
        sql, params = insert_sql(_rows(cycle.programme, cycle, some, fresh))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            added += max(cursor.rowcount, 0)
        if progress is not None:
            progress(max(cursor.rowcount, 0))
    if added and connection.vendor == "postgresql":
        # So that the next run's anti-join, and the point's queries, are planned from
        # the rows written now rather than from statistics that predate them.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Entitlement._meta.db_table)}")
    return added
