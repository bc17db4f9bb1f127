"""Correcting the registry after registration: edit a household or a person, hold edits
that conflict for review, move a person between households, link households."""

import uuid as uuidlib
from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib.errors import FieldError, Invalid, Problems, StateConflict
from refuge.registry.counting import count_people
from refuge.registry.models import (
    EditConflict,
    Erasure,
    Household,
    Person,
)
from refuge.registry.queries import household_by_number, stored_text
from refuge.registry.validation import (
    RELATIONSHIPS,
    clean_choice,
    clean_person_fields,
    require_a_name,
)

HOUSEHOLD_FIELDS = {"status": {code for code, _label in Household.STATUSES},
                    "accommodation": {code for code, _label in Household.ACCOMMODATION}}


def update_household(household: Household, changes: dict, *, user,
                     base_version: int | None = None) -> Household:
    """Change what belongs to the household itself: whether it is active, and whether it
    needs a place to stay.

    `base_version` works as for update_person: a field someone else changed after it is
    not overwritten, and the returned household lists the conflict in `.conflicts_raised`.
    """
    problems = Problems()
    if "status" in changes and changes["status"] in (None, ""):
        problems.add("status", _("is required"))
    cleaned = {name: clean_choice(changes[name], allowed, name, problems, "")
               for name, allowed in HOUSEHOLD_FIELDS.items() if name in changes}
    problems.raise_if_any()
    with transaction.atomic():
        current = Household.objects.select_for_update().select_related(
            "registered_at").get(pk=household.pk)
        changed = [name for name, value in cleaned.items() if getattr(current, name) != value]
        current.conflicts_raised = _hold_conflicting(current, changed, cleaned,
                                                     base_version, user)
        changed = [name for name in changed
                   if name not in {c.field for c in current.conflicts_raised}]
        if not changed:
            return current
        for name in changed:
            setattr(current, name, cleaned[name])
        current.version += 1
        current._history_user = user
        current.save(update_fields=[*changed, "version"])
        audit.record(user, AuditEvent.UPDATE, "household", current.uuid, fields=changed)
    return current


# Fields that decide which figures a person is counted in (see refuge.reports).
COUNTED_FIELDS = {"sex", "birth_date", "needs"}


def _locked_person(person: Person) -> Person:
    """The person's row as it is now, locked until the transaction ends, so concurrent
    corrections are applied one after the other and the figures subtract what is stored."""
    current = Person.objects.select_for_update().select_related("household").get(pk=person.pk)
    if Erasure.objects.filter(person_id=current.pk).exists():
        raise StateConflict([FieldError("person", _("this person's data was erased: the "
                                                    "record cannot be changed"))])
    return current


def update_person(person: Person, changes: dict, *, user, today: date | None = None,
                  base_version: int | None = None) -> Person:
    """Correct a person's record; history keeps what it was, who changed it and when.

    `base_version` is the version the editor started from. A field changed since then
    by someone else is not overwritten: the later edit is kept as an EditConflict for
    review, and the returned person lists them in `.conflicts_raised`.
    """
    problems = Problems()
    if "relationship" in changes and not changes["relationship"]:
        problems.add("relationship", _("is required"))
    cleaned = clean_person_fields(changes, "", problems, today or date.today())
    problems.raise_if_any()
    with transaction.atomic():
        current = _locked_person(person)
        merged = {
            "given_name": current.given_name, "family_name": current.family_name,
            **{k: v for k, v in cleaned.items() if k in ("given_name", "family_name")},
        }
        require_a_name(merged, "", problems)
        _check_focal_point(current, cleaned.get("relationship"), problems)
        if (cleaned.get("status", current.status) != current.status
                and Person.MERGED in (current.status, cleaned["status"])):
            problems.add("status", _("a record is merged, or unmerged, only from the duplicate "
                                     "review"))
        problems.raise_if_any()
        changed = [name for name, value in cleaned.items() if getattr(current, name) != value]
        current.conflicts_raised = _hold_conflicting(current, changed, cleaned, base_version,
                                                     user)
        changed = [name for name in changed
                   if name not in {c.field for c in current.conflicts_raised}]
        if not changed:
            return current
        recounted = bool(COUNTED_FIELDS & set(changed))
        if recounted:
            count_people([current], -1)
        if cleaned.get("relationship") == Person.FOCAL_POINT:
            _demote_focal_point(current.household, user)
        for name in changed:
            setattr(current, name, cleaned[name])
        current.version += 1
        current.derive_search_forms()
        current._history_user = user
        current.save(update_fields=[*changed, "version", "name_script", "given_key",
                                    "family_key", "patronymic_key"])
        if recounted:
            count_people([current])
        audit.record(user, AuditEvent.UPDATE, "person", current.uuid, fields=sorted(changed))
    return current


class _Unknown:
    """A version of which no history row is kept (records loaded in bulk, by the demo or
    an import, have none for their first version): every field counts as changed since,
    so nothing is overwritten unseen."""

    def __getattr__(self, name):
        return self

    def __str__(self) -> str:
        return ""


def _base(current: Person | Household, base_version: int | None):
    """The record as it was at `base_version`, or None when nothing changed since."""
    if base_version is None or base_version >= current.version:
        return None
    return (current.history.filter(version=base_version).order_by("-history_id").first()
            or _Unknown())


def _hold_conflicting(current: Person | Household, changed: list[str], cleaned: dict,
                      base_version: int | None, user) -> list[EditConflict]:
    """The edits to fields someone else changed after `base_version`, kept for review."""
    base = _base(current, base_version)
    if base is None:
        return []
    return _hold(current, [(name, stored_text(getattr(base, name)),
                            stored_text(getattr(current, name)), stored_text(cleaned[name]))
                           for name in changed if getattr(base, name) != getattr(current, name)],
                 user)


def _hold(current: Person | Household, fields: list[tuple[str, str, str, str]],
          user) -> list[EditConflict]:
    """Keep each (field, value before both edits, saved value, other edit) for review."""
    owner = "person" if isinstance(current, Person) else "household"
    conflicts = [EditConflict(**{owner: current}, field=name, base_value=base,
                              saved_value=saved, proposed_value=proposed, proposed_by=user)
                 for name, base, saved, proposed in fields]
    EditConflict.objects.bulk_create(conflicts)
    if conflicts:
        audit.record(user, AuditEvent.UPDATE, owner, current.uuid,
                     conflicts=sorted(c.field for c in conflicts))
    return conflicts


@transaction.atomic
def resolve_conflict(conflict: EditConflict, *, use_proposed: bool, user) -> EditConflict:
    """Keep the saved value, or put the other device's edit in its place."""
    conflict = EditConflict.objects.select_for_update().get(pk=conflict.pk)
    if conflict.status != EditConflict.OPEN:
        return conflict
    if use_proposed:
        _apply_proposed(conflict, user)
    conflict.status = EditConflict.REPLACED if use_proposed else EditConflict.KEPT
    conflict.resolved_by, conflict.resolved_at = user, timezone.now()
    conflict.save()
    return conflict


def _apply_proposed(conflict: EditConflict, user) -> None:
    value = conflict.proposed_value
    if conflict.household_id:
        update_household(conflict.household, {conflict.field: value}, user=user)
    elif conflict.field == "household":
        target = household_by_number(value)
        if target is None:
            raise Invalid([FieldError("household", _("household %(number)s no longer exists")
                                      % {"number": value})])
        move_person(conflict.person, target, user=user)
    else:
        if conflict.field == "needs":
            value = value.split(",") if value else []
        update_person(conflict.person, {conflict.field: value}, user=user)


def _check_focal_point(person: Person, relationship: str | None, problems: Problems) -> None:
    """A household keeps exactly one focal point: it is handed over, never just removed."""
    if (relationship and relationship != Person.FOCAL_POINT
            and person.relationship == Person.FOCAL_POINT):
        problems.add("relationship", _("this is the focal point: make another member the "
                                       "focal point instead"))


def _demote_focal_point(household: Household, user) -> None:
    for focal in household.members.select_for_update().filter(
            relationship=Person.FOCAL_POINT):
        focal.relationship = "other_relative"
        focal._history_user = user
        focal.save(update_fields=["relationship"])


def move_person(person: Person, household: Household, *, user, relationship: str = "",
                base_version: int | None = None) -> Person:
    """Move a person into another household, e.g. when a family was registered in parts.

    With `base_version` (the person's version the mover saw): if another device moved them
    since, they stay where that device put them, and this move waits for review as a
    conflict on "household" (`.conflicts_raised`)."""
    problems = Problems()
    if relationship:
        clean_choice(relationship, RELATIONSHIPS, "relationship", problems, "")
    if relationship == Person.FOCAL_POINT:
        problems.add("relationship", _("the household already has a focal point"))
    problems.raise_if_any()
    with transaction.atomic():
        current = _locked_person(person)
        current.conflicts_raised = []
        if current.household_id == household.pk:
            return current
        base = _base(current, base_version)
        if base is not None and base.household_id != current.household_id:
            current.conflicts_raised = _hold(current, [(
                "household", "" if isinstance(base, _Unknown) else _number_of(base.household_id),
                current.household.registration_number, household.registration_number)], user)
            return current
        return _rehouse(current, household, relationship or (
            "other_relative" if current.relationship == Person.FOCAL_POINT
            else current.relationship), user)


def _rehouse(current: Person, household: Household, relationship: str, user,
             **detail) -> Person:
    """Put a locked person into another household, which hands over its focal point if
    they were it; a move, or a person registered before who came again with a family."""
    leaving = current.household
    current.household = household
    current.relationship = relationship
    current.version += 1
    current._history_user = user
    current.save(update_fields=["household", "relationship", "version"])
    _hand_over_focal_point(leaving, user)
    audit.record(user, AuditEvent.MOVE, "person", current.uuid,
                 from_household=str(leaving.uuid), to_household=str(household.uuid), **detail)
    return current


def _number_of(household_id: int) -> str:
    return Household.objects.select_related("registered_at").get(
        pk=household_id).registration_number


def _hand_over_focal_point(household: Household, user) -> None:
    """A household that lost its focal point gets its eldest remaining member as one."""
    remaining = list(household.members.order_by(F("birth_date").asc(nulls_last=True), "id"))
    if not remaining:
        emptied = Household.objects.select_for_update().get(pk=household.pk)
        emptied.status = Household.CLOSED
        emptied.version += 1  # a device's later edit of the status is then a conflict
        emptied._history_user = user
        emptied.save(update_fields=["status", "version"])
        household.status, household.version = emptied.status, emptied.version
        return
    if any(p.relationship == Person.FOCAL_POINT for p in remaining):
        return
    eldest = remaining[0]
    eldest.relationship = Person.FOCAL_POINT
    eldest._history_user = user
    eldest.save(update_fields=["relationship"])


def link_households(household: Household, other: Household, *, user) -> uuidlib.UUID:
    """Record that two households are parts of one family: all their parts share a group."""
    if household.group == other.group:
        return household.group
    with transaction.atomic():
        joining = list(Household.objects.filter(group=other.group))
        for part in joining:
            part.group = household.group
            part._history_user = user
            part.save(update_fields=["group"])
        audit.record(user, AuditEvent.LINK, "household", household.uuid,
                     linked=[str(p.uuid) for p in joining])
    return household.group

