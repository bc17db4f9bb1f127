"""What aid does: define a programme, approve a cycle, name a minor's guardian, hand
over at a point, and fold the entitlements of two records found to be one person.

Every entry point (the point's page, the API, the offline queue) calls these."""

from datetime import date, datetime
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from refuge.accounts.models import Post
from refuge.aid.models import (
    Cycle,
    Distribution,
    Entitlement,
    EntitlementFold,
    Guardian,
    HandOver,
    Overpayment,
    Programme,
)
from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib.errors import Conflict, FieldError, Invalid, Problems, StateConflict
from refuge.registry.models import Person, SpecificNeed
from refuge.registry.services import body_hash

MAX_CYCLES = 60
PROGRAMME_FIELDS = ("name", "kind", "unit", "per_person", "per_household", "frequency",
                    "cycles", "starts_on", "arrived_from", "arrived_to", "min_age", "max_age",
                    "needs", "province", "state_housing")


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _read_dates(fields: dict) -> None:
    problems = Problems()
    for name in ("starts_on", "arrived_from", "arrived_to"):
        value = fields.get(name)
        if isinstance(value, str):
            try:
                fields[name] = date.fromisoformat(value)
            except ValueError:
                problems.add(name, _("must be a date (YYYY-MM-DD)"))
    if not fields.get("starts_on"):
        problems.add("starts_on", _("is required"))
    problems.raise_if_any()


def _check_programme(fields: dict) -> None:
    problems = Problems()
    if not (fields.get("name") or "").strip():
        problems.add("name", _("is required"))
    if fields.get("kind") not in dict(Programme.KINDS):
        problems.add("kind", _("must be cash or in_kind"))
    if not (fields.get("unit") or "").strip():
        problems.add("unit", _("is required"))
    if not (fields.get("per_person") or fields.get("per_household")):
        problems.add("per_person", _("give an amount per person, per household, or both"))
    if fields.get("frequency", Programme.ONCE) not in dict(Programme.FREQUENCIES):
        problems.add("frequency", _("must be once or monthly"))
    cycles = fields.get("cycles", 1)
    if fields.get("frequency", Programme.ONCE) == Programme.ONCE and cycles != 1:
        problems.add("cycles", _("a programme paid once has one cycle"))
    if not 1 <= cycles <= MAX_CYCLES:
        problems.add("cycles", _("must be between 1 and %(most)s") % {"most": MAX_CYCLES})
    low, high = fields.get("min_age"), fields.get("max_age")
    if low is not None and high is not None and low > high:
        problems.add("max_age", _("is below the lowest age"))
    early, late = fields.get("arrived_from"), fields.get("arrived_to")
    if early and late and early > late:
        problems.add("arrived_to", _("is before the first day of arrival"))
    for code in [c for c in (fields.get("needs") or "").split(",") if c]:
        if code not in SpecificNeed.CODES:
            problems.add("needs", _("%(code)s is not a specific-needs code") % {"code": code})
    if fields.get("state_housing", "") not in dict(Programme.STATE_HOUSING):
        problems.add("state_housing", _("must be yes, no or empty"))
    problems.raise_if_any()


@transaction.atomic
def create_programme(payload: dict, *, user) -> tuple[Programme, bool]:
    """A programme and its cycles (once, or monthly for N months from its first day).
    Idempotent on the client's UUID: (programme, created)."""
    digest = body_hash(payload)
    uuid = payload.get("uuid")
    if uuid:
        earlier = Programme.objects.filter(uuid=uuid).first()
        if earlier is not None:
            if earlier.body_hash != digest:
                raise Conflict("uuid", _("this UUID is already used by another programme"))
            return earlier, False
    fields = {name: payload[name] for name in PROGRAMME_FIELDS if name in payload}
    _read_dates(fields)
    fields["needs"] = ",".join(c.strip().upper() for c in (fields.get("needs") or "").split(",")
                               if c.strip())
    _check_programme(fields)
    extra = {"uuid": uuid} if uuid else {}
    try:
        with transaction.atomic():
            programme = Programme.objects.create(**fields, **extra, created_by=user,
                                                 body_hash=digest)
    except IntegrityError:  # the same request, twice at once
        return Programme.objects.get(uuid=uuid), False
    Cycle.objects.bulk_create([
        Cycle(programme=programme, number=n + 1, starts_on=add_months(programme.starts_on, n))
        for n in range(programme.cycles)])
    return programme, True


@transaction.atomic
def approve(cycle: Cycle, *, user) -> Cycle:
    """Freeze a cycle's list: no generation adds to it, and hand-overs may start."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_approved:
        cycle.status, cycle.approved_by, cycle.approved_at = Cycle.APPROVED, user, timezone.now()
        cycle.save(update_fields=["status", "approved_by", "approved_at"])
    return cycle


@transaction.atomic
def set_guardian(minor: Person, guardian: Person, *, user) -> Guardian:
    """Name the adult who receives a minor's share. Entitlements not yet handed over or
    paid follow; the change is kept in history."""
    if guardian.pk == minor.pk or guardian.status not in (Person.REGISTERED, Person.PLACED):
        raise Invalid([FieldError("guardian", _("must be another person, registered here"))])
    record, _created = Guardian.objects.update_or_create(
        minor=minor, defaults={"guardian": guardian, "set_by": user, "set_at": timezone.now()})
    (Entitlement.objects.filter(person=minor, status=Entitlement.DUE, hand_over__isnull=True,
                                payment_lines__isnull=True)
     .update(recipient=guardian))
    audit.record(user, AuditEvent.UPDATE, "person", minor.uuid, field="guardian")
    return record


class AlreadyHandedOver(Conflict):
    """Entitlements handed over before: each named with the hand-over that took it."""

    def __init__(self, earlier: list[tuple[int, Distribution]]):
        self.earlier = earlier
        first = earlier[0][1]
        super().__init__(f"entitlements[{earlier[0][0]}]", already_message(first))

    def as_dicts(self) -> list[dict]:
        return [{"field": f"entitlements[{index}]", "message": already_message(d),
                 "distribution": str(d.uuid), "at": d.recorded_at.isoformat(),
                 "point": d.point.code} for index, d in self.earlier]


def already_message(distribution: Distribution) -> str:
    """What the officer at the point can check with the family: when, where and to whom
    (the hand-over's UUID, for systems, is beside it in the API's answer)."""
    return _("already handed over on %(when)s at %(point)s, received by %(name)s") % {
        "when": timezone.localtime(distribution.recorded_at).strftime("%Y-%m-%d %H:%M"),
        "point": distribution.point.shown_name, "name": distribution.received_by.full_name}


def _earlier_hand_overs(entitlement_ids: list[int]) -> dict[int, Distribution]:
    return {h.entitlement_id: h.distribution for h in HandOver.objects.filter(
        entitlement_id__in=entitlement_ids).select_related("distribution__point",
                                                           "distribution__received_by")}


def _when(value) -> datetime:
    if value in (None, ""):
        return timezone.now()
    if isinstance(value, datetime):
        return value
    parsed = parse_datetime(str(value))
    if parsed is None:
        raise Invalid([FieldError("at", _("must be a date and time (ISO 8601)"))])
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return min(parsed, timezone.now())


def hand_over(payload: dict, *, user, point: Post) -> tuple[Distribution, bool]:
    """Hand over a household's entitlements at a point: (distribution, created).

    payload: {uuid, entitlements: [uuid, ...], received_by: person uuid, at?}. The same
    body again returns the first hand-over; an entitlement handed over before, here or
    at another point, even in the same instant, raises AlreadyHandedOver naming it."""
    digest = body_hash({k: v for k, v in payload.items() if k != "point"})
    earlier = (Distribution.objects.filter(uuid=payload["uuid"])
               .select_related("point", "household__registered_at", "received_by").first())
    if earlier is not None:
        return _retried(earlier, digest)
    wanted = [str(u) for u in payload.get("entitlements") or []]
    if not wanted:
        raise Invalid([FieldError("entitlements", _("name at least one entitlement"))])
    # With each its hand-over, if any: one query tells what is due and what was taken.
    found = {str(e.uuid): e for e in Entitlement.objects.filter(uuid__in=wanted)
             .select_related("cycle", "household__registered_at",
                             "hand_over__distribution__point")}
    unknown, not_due = Problems(), Problems()
    for index, key in enumerate(wanted):
        entitlement = found.get(key)
        if entitlement is None:
            unknown.add(f"entitlements[{index}]", _("no such entitlement"))
        elif not entitlement.cycle.is_approved:
            not_due.add(f"entitlements[{index}]", _("its cycle is not approved yet"))
        elif entitlement.status != Entitlement.DUE:
            not_due.add(f"entitlements[{index}]",
                        _("merged into another record's entitlement: not due"))
    unknown.raise_if_any()
    not_due.raise_if_any(StateConflict)  # a 409, like an entitlement handed over before
    households = {e.household_id for e in found.values()}
    if len(households) > 1:
        raise Invalid([FieldError("entitlements", _("belong to more than one household"))])
    household = next(iter(found.values())).household
    receiver = Person.objects.filter(
        Q(household_id=household.pk) | Q(pk__in=[e.recipient_id for e in found.values()]),
        uuid=payload.get("received_by")).only("id", "uuid", "household_id").first()
    if receiver is None:
        raise Invalid([FieldError("received_by", _("is not a member of this household"))])
    ids = [found[key].pk for key in wanted]
    _refuse(wanted, found, {e.pk: e.hand_over.distribution for e in found.values()
                            if e.hand_over_or_none()})
    at = _when(payload.get("at"))
    try:
        with transaction.atomic():
            distribution = Distribution.objects.create(
                uuid=payload["uuid"], point=point, household=household,
                received_by=receiver, handed_by=user, recorded_at=at, body_hash=digest)
            HandOver.objects.bulk_create([HandOver(distribution=distribution, entitlement_id=i)
                                          for i in ids])
            audit.record(user, AuditEvent.CREATE, "distribution", distribution.uuid,
                         entitlements=len(ids), point=point.code)
    except IntegrityError:
        # Another request won the race: the same one retried, or another point.
        earlier = Distribution.objects.filter(uuid=payload["uuid"]).first()
        if earlier is not None:
            return _retried(earlier, digest)
        _refuse_handed_over(wanted, found)
        raise
    return distribution, True


def _retried(earlier: Distribution, digest: str) -> tuple[Distribution, bool]:
    if earlier.body_hash != digest:
        raise Conflict("uuid", _("this UUID is already used by another hand-over"))
    return earlier, False


def _refuse_handed_over(wanted: list[str], found: dict[str, Entitlement]) -> None:
    _refuse(wanted, found, _earlier_hand_overs([e.pk for e in found.values()]))


def _refuse(wanted: list[str], found: dict[str, Entitlement],
            taken: dict[int, Distribution]) -> None:
    if taken:
        raise AlreadyHandedOver([(index, taken[found[key].pk]) for index, key
                                 in enumerate(wanted) if found[key].pk in taken])


def handed_over_or_paid(entitlement_ids) -> set[int]:
    """Of these entitlements, those given already: handed over, or in a payment that was
    not failed."""
    given = set(HandOver.objects.filter(entitlement_id__in=entitlement_ids)
                .values_list("entitlement_id", flat=True))
    from_payments = (Entitlement.objects.filter(pk__in=entitlement_ids)
                     .filter(payment_lines__payment__status__in=["planned", "sent", "paid"])
                     .values_list("pk", flat=True))
    return given | set(from_payments)


@transaction.atomic
def fold_merged_entitlements(kept: Person, merged: Person) -> list[Overpayment]:
    """Two records confirmed as one person: in each cycle, one entitlement stays.

    The entitlement that stands for the merged record (its own, or one of a record
    merged into it before: `_standing_for`) moves to the kept one, and to its household,
    where that has none; where both have one, the one not given yet is marked merged (so it is
    never given again), and when both were given, the second is reported as an
    overpayment. Each change is kept (EntitlementFold), for the merge's undo."""
    overpaid = []
    kept_by_cycle = _standing_for(kept)
    for duplicate in _standing_for(merged).values():
        other = kept_by_cycle.get(duplicate.cycle_id)
        if other is None:
            own = duplicate.recipient_id in (merged.pk, duplicate.person_id)
            _fold(duplicate, kept, merged, person_id=kept.pk, household_id=kept.household_id,
                  recipient_id=kept.pk if own else duplicate.recipient_id)
            continue
        given = handed_over_or_paid([other.pk, duplicate.pk])
        if duplicate.pk in given and other.pk not in given:
            other, duplicate = duplicate, other  # the one given stays
        _fold(duplicate, kept, merged, status=Entitlement.MERGED)
        if len(given) == 2:
            overpaid.append(_overpaid(kept, other, duplicate))
    return overpaid


def _standing_for(kept: Person) -> dict[int, Entitlement]:
    """{cycle id: the entitlement that stands for the person of `kept`}: its own, or,
    where a merge set its own aside for the one given to another record of the same
    person, that one."""
    folded_in = EntitlementFold.objects.filter(kept=kept, undone_at__isnull=True)
    people = [kept.pk, *folded_in.values_list("merged_id", flat=True).distinct()]
    standing: dict[int, Entitlement] = {}
    for entitlement in (Entitlement.objects.select_for_update()
                        .filter(person_id__in=people, status=Entitlement.DUE)
                        .order_by("id")):
        if entitlement.person_id == kept.pk or entitlement.cycle_id not in standing:
            standing[entitlement.cycle_id] = entitlement
    return standing


def _fold(entitlement: Entitlement, kept: Person, merged: Person, **values) -> None:
    changes = {name: [getattr(entitlement, name), value] for name, value in values.items()
               if getattr(entitlement, name) != value}
    if not changes:
        return
    for name, value in values.items():
        setattr(entitlement, name, value)
    entitlement.save(update_fields=list(changes))
    EntitlementFold.objects.create(entitlement=entitlement, kept=kept, merged=merged,
                                   changes=changes)


def _overpaid(kept: Person, other: Entitlement, duplicate: Entitlement) -> Overpayment:
    """The overpayment of `duplicate`: new, or the one an undone merge withdrew, again."""
    overpaid, created = Overpayment.objects.get_or_create(duplicate=duplicate, defaults={
        "cycle_id": duplicate.cycle_id, "person": kept, "kept": other,
        "amount": duplicate.amount})
    if not created and overpaid.status == Overpayment.WITHDRAWN:
        overpaid.person, overpaid.kept, overpaid.amount = kept, other, duplicate.amount
        overpaid.status, overpaid.found_at = Overpayment.OPEN, timezone.now()
        overpaid.save()
    return overpaid


@transaction.atomic
def unfold_merged_entitlements(kept: Person, merged: Person) -> int:
    """A merge undone: each entitlement the merge changed is put back (to its person, its
    household and its recipient, and due again), except a field edited since, whose edit
    stands; the overpayments it found and nobody followed up yet are withdrawn. Returns
    how many entitlements were put back. What was handed over stays handed over."""
    folds = list(EntitlementFold.objects.select_for_update().select_related("entitlement")
                 .filter(kept=kept, merged=merged, undone_at__isnull=True).order_by("id"))
    for fold in reversed(folds):
        entitlement = fold.entitlement
        restored = [name for name, (_before, after) in fold.changes.items()
                    if getattr(entitlement, name) == after]
        for name in restored:
            setattr(entitlement, name, fold.changes[name][0])
        entitlement.save(update_fields=restored)
    ids = [fold.entitlement_id for fold in folds]
    Overpayment.objects.filter(duplicate_id__in=ids, status=Overpayment.OPEN).update(
        status=Overpayment.WITHDRAWN)
    EntitlementFold.objects.filter(pk__in=[f.pk for f in folds]).update(
        undone_at=timezone.now())
    return len(folds)


def is_uuid(text: str) -> bool:
    try:
        UUID(str(text))
    except ValueError:
        return False
    return True
