"""Who a programme's cycle entitles, and the generation of their entitlements in bulk.

Generation writes a cycle's entitlements with one INSERT ... SELECT per range of
households, the SELECT built by the ORM from the same rules (eligibility, the minor's
recipient, the household's amount), with the (person, cycle) constraint deciding: a
second run, or two at once, add nothing. At a million people, building an Entitlement
per row in Python took 4 to 8 times as long as the database needs to write them
(docs/benchmarks.md, "Aid"). That per-row path lives on in the tests only, as the
reference this one is compared with (tests/row_by_row.py, tests/test_generation.py).
"""

from datetime import date

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
from refuge.lib.dates import years_before
from refuge.lib.errors import Conflict
from refuge.registry.models import Person
from refuge.shelter.models import Placement

ADULT_AGE = 18
# Registered people who are still here: not departed, deceased, missing or merged.
PRESENT = [Person.REGISTERED, Person.PLACED]
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
    """A person's recipient: an adult's own id; a minor's designated guardian (still
    here), else the household's focal point if an adult, else its eldest adult, else its
    first adult, else (an unaccompanied child) the minor."""
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
    its amount: the per-person amount, and the per-household amount to the household's
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
