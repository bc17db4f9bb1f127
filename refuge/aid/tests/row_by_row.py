"""The per-row generation of a cycle's entitlements: an Entitlement built in Python for
each person, inserted with bulk_create. The app writes them with one INSERT ... SELECT
(eligibility.generate); this path, slower at a million people, is kept here only as the
reference that test_generation.py compares it with, person by person. Who is generated
for is the app's own query (eligibility._todo); the amounts and recipients are decided
here again, in Python, as the rules say."""

from collections.abc import Iterator
from datetime import date
from itertools import groupby
from uuid import uuid4

from django.db import transaction
from django.db.models import QuerySet

from refuge.aid.eligibility import ADULT_AGE, PRESENT, _todo
from refuge.aid.models import Cycle, Entitlement, Guardian, Programme
from refuge.lib.dates import age_on
from refuge.registry.models import Person

BATCH = 5000


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


def generate(cycle: Cycle) -> int:
    """The per-row generation: an Entitlement built in Python for each person, inserted
    with bulk_create: the reference `eligibility.generate` is compared with."""
    cycle, todo = _todo(cycle)
    before = Entitlement.objects.filter(cycle=cycle).count()
    for batch in _batches(todo):
        with transaction.atomic():
            Entitlement.objects.bulk_create(entitlements_for(cycle.programme, cycle, batch),
                                            ignore_conflicts=True)
    return Entitlement.objects.filter(cycle=cycle).count() - before


