"""What aid asks: what a household is due and has received, and how an approved cycle's
frozen list differs from the registry today."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from refuge.aid.eligibility import eligible
from refuge.aid.models import Cycle, Entitlement
from refuge.registry.cards import household_uuid_from_payload
from refuge.registry.models import Household, Person
from refuge.registry.numbers import registration_number
from refuge.registry.queries import NOT_FOUND, NumberLookup, look_up_number


def look_up(text: str) -> NumberLookup:
    """The household a scanned card's QR code or a typed registration number names (its
    check digit right), or the problem in words."""
    found = household_uuid_from_payload(text)
    if found is not None:
        household = Household.objects.select_related("registered_at").filter(uuid=found).first()
        if household is not None:
            return NumberLookup(household)
        return NumberLookup(problem=_("this card names no household registered here"),
                            reason=NOT_FOUND)
    return look_up_number(text)


@dataclass
class MemberDue:
    person: Person
    due: list[Entitlement] = field(default_factory=list)
    received: list[Entitlement] = field(default_factory=list)  # each with .given (HandOver)


def household_entitlements(household: Household) -> list[MemberDue]:
    """Each member of the household, with the entitlements of approved cycles due now
    and those already received (when, where). Members merged away are left out; an
    entitlement generated while a person was in this household stays with them."""
    members = list(household.members.counted().order_by("id"))
    by_person = {p.pk: MemberDue(p) for p in members}
    # Each with its hand-over in the same query; a recipient is nearly always a member.
    entitlements = list(Entitlement.objects
                        .filter(person_id__in=list(by_person), status=Entitlement.DUE,
                                cycle__status=Cycle.APPROVED)
                        .select_related("cycle__programme", "hand_over__distribution__point")
                        .order_by("cycle__starts_on", "cycle__programme__name", "id"))
    people = {p.pk: p for p in members}
    outside = {e.recipient_id for e in entitlements} - set(people)
    if outside:
        people.update(Person.objects.in_bulk(outside))
    for entitlement in entitlements:
        entitlement.recipient = people[entitlement.recipient_id]
        entitlement.given = entitlement.hand_over_or_none()
        row = by_person[entitlement.person_id]
        (row.received if entitlement.given else row.due).append(entitlement)
    return list(by_person.values())


def due_now(rows: list[MemberDue]) -> list[Entitlement]:
    return [e for row in rows for e in row.due]


@dataclass
class Differences:
    """People the rules entitle today but the approved list lacks, and entitlements of
    people the rules no longer entitle."""

    added: list[int]
    removed: list[int]

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed)


def differences(cycle: Cycle) -> Differences:
    now = set(eligible(cycle.programme, cycle).values_list("pk", flat=True))
    listed = dict(Entitlement.objects.filter(cycle=cycle, status=Entitlement.DUE)
                  .values_list("person_id", "pk"))
    return Differences(added=sorted(now - set(listed)),
                       removed=sorted(pk for person, pk in listed.items() if person not in now))


def person_uuids(ids: list[int]) -> list:
    return list(Person.objects.filter(pk__in=ids).order_by("pk").values_list("uuid", flat=True))


def entitlement_uuids(ids: list[int]) -> list:
    return list(Entitlement.objects.filter(pk__in=ids).order_by("pk")
                .values_list("uuid", flat=True))


def totals_by_unit(entitlements) -> list[tuple[int, str]]:
    """(amount, unit) summed per unit: "200,000 AMD, 2 kit"."""
    totals: dict[str, int] = {}
    for entitlement in entitlements:
        unit = entitlement.cycle.programme.unit
        totals[unit] = totals.get(unit, 0) + entitlement.amount
    return [(amount, unit) for unit, amount in totals.items()]


def households_due_at(post) -> QuerySet[Household]:
    """Households registered at `post` with something due in an approved cycle."""
    due = Entitlement.objects.filter(household=OuterRef("pk"), status=Entitlement.DUE,
                                     cycle__status=Cycle.APPROVED, hand_over__isnull=True)
    return Household.objects.filter(registered_at=post).filter(Exists(due))


def due_list(households: list[Household]) -> list[dict]:
    """What a point keeps for working offline: per household, its number, its members'
    names and what is due now, in two queries."""
    ids = [h.pk for h in households]
    members: dict[int, list[dict]] = {}
    for person in (Person.objects.counted().filter(household_id__in=ids)
                   .order_by("household_id", "id")
                   .only("uuid", "household_id", "given_name", "family_name", "birth_date")):
        members.setdefault(person.household_id, []).append({
            "uuid": str(person.uuid), "name": f"{person.given_name} {person.family_name}".strip(),
            "born": person.birth_date.year if person.birth_date else None})
    due: dict[int, list[dict]] = {}
    for e in (Entitlement.objects.filter(household_id__in=ids, status=Entitlement.DUE,
                                         cycle__status=Cycle.APPROVED, hand_over__isnull=True)
              .select_related("cycle__programme", "person", "recipient").order_by("id")):
        due.setdefault(e.household_id, []).append({
            "uuid": str(e.uuid), "person": str(e.person.uuid), "recipient": str(e.recipient.uuid),
            "programme": e.cycle.programme.name, "amount": e.amount,
            "unit": e.cycle.programme.unit})
    return [{"uuid": str(h.uuid), "number": registration_number(h.registered_at.code, h.pk),
             "members": members.get(h.pk, []), "due": due.get(h.pk, [])} for h in households]
