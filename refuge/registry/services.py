"""What the registry does: register households, count crossings, correct, move and link."""

import hashlib
import json
import uuid as uuidlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib import history
from refuge.lib.inserts import insert_rows, pipelined
from refuge.registry.models import (
    Document,
    EditConflict,
    Household,
    Person,
    Post,
    RegistrationEvent,
    Tally,
    document_key,
)
from refuge.registry.queries import household_by_number, stored_text
from refuge.registry.validation import (
    RELATIONSHIPS,
    FieldError,
    Invalid,
    Problems,
    clean_choice,
    clean_household,
    clean_people_aboard,
    clean_person_fields,
    clean_text,
    require_a_name,
)
from refuge.reports.counting import count_people, count_tallies


class Conflict(Exception):
    """The client's UUID is already used by a different record or body."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def body_hash(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_uuid(value, where: str) -> uuidlib.UUID:
    if isinstance(value, uuidlib.UUID):
        return value
    try:
        return uuidlib.UUID(str(value))
    except ValueError:
        message = _("%(value)s is not a UUID") % {"value": value}
        raise Invalid([FieldError(where, message)]) from None


@dataclass
class Registration:
    household: Household
    created: bool
    # What was just saved, so callers can answer without reading it back.
    people: list[Person] | None = None
    documents: list[Document] | None = None


def register_household(payload: dict, *, user, post: Post, desk: str = "", device_id: str = "",
                       today: date | None = None) -> Registration:
    """Register a household and its members in one transaction.

    `payload["uuid"]` is the client's UUID. Sending the same payload again
    returns the household already saved (created=False); the same UUID with a
    different payload raises Conflict. Raises Invalid with every field problem
    and saves nothing if any field is wrong.
    """
    if post.kind != Post.RECEPTION:
        raise Invalid([FieldError("post", _("households are registered at a reception centre"))])
    client_uuid = parse_uuid(payload.get("uuid"), "uuid")
    digest = body_hash(payload)
    # A retry is found by the unique UUID refusing the insert below, rather than by a
    # look-up before every registration: retries are rare, registrations are not.
    try:
        cleaned = clean_household(payload, today)
        _find_people_registered_before(cleaned["members"])
    except Invalid:
        # Saved before, and no longer valid now (a person it links has been merged
        # since, a date that was today is not): the retry still gets what was saved.
        existing = _earlier_registration(client_uuid, digest)
        if existing:
            return Registration(existing, created=False)
        raise
    registered_on = None
    if payload.get("registered_on"):
        # A desk that was offline sends when the household was registered, not sent.
        problems = Problems()
        registered_on = clean_moment(payload["registered_on"], "registered_on", problems)
        problems.raise_if_any()
    try:
        return _save_registration(client_uuid, digest, cleaned, user, post, desk, device_id,
                                  registered_on)
    except IntegrityError:
        # Two copies of the same request raced and the other one won, or a UUID
        # is already taken by another record.
        existing = _earlier_registration(client_uuid, digest)
        if existing:
            return Registration(existing, created=False)
        if Household.objects.filter(uuid=client_uuid).exists():
            raise Conflict("uuid", _("this UUID belongs to another record")) from None
        raise Conflict("members", _("a member's UUID is already registered")) from None


def _find_people_registered_before(members: list[dict]) -> None:
    """Resolve each member's same_as to the person it names, or say which is wrong."""
    wanted = [m["same_as"] for m in members if m.get("same_as")]
    if not wanted:
        return
    found = {p.uuid: p for p in Person.objects.counted().filter(uuid__in=wanted)}
    problems = Problems()
    for index, member in enumerate(members):
        if member.get("same_as") and member["same_as"] not in found:
            problems.add(f"members[{index}].same_as",
                         _("no registered person has this identifier"))
        elif member.get("same_as") and wanted.count(member["same_as"]) > 1:
            problems.add(f"members[{index}].same_as",
                         _("this person is linked to two members"))
        elif member.get("same_as"):
            member["same_as"] = found[member["same_as"]]
    problems.raise_if_any()


def _earlier_registration(client_uuid: uuidlib.UUID, digest: str) -> Household | None:
    earlier = RegistrationEvent.objects.filter(uuid=client_uuid).values_list(
        "body_hash", "household_id").first()
    if earlier is None:
        return None
    if earlier[0] != digest:
        raise Conflict(
            "uuid",
            _("this UUID was already used to register a different household; "
              "send a new UUID for a new household"),
        )
    return Household.objects.select_related("registered_at").get(pk=earlier[1])


@transaction.atomic
def _save_registration(client_uuid, digest, cleaned, user, post, desk, device_id,
                       registered_on=None) -> Registration:
    now = timezone.now()
    registered_on = registered_on or now
    household = Household(uuid=client_uuid, group=client_uuid, registered_at=post,
                          registered_on=registered_on)
    people, joining = [], []
    for member in cleaned["members"]:
        if member.get("same_as"):
            joining.append(member)
            continue
        fields = {k: v for k, v in member.items() if k not in ("documents", "uuid", "same_as")}
        person = Person(household=household, registered_at=post, registered_on=registered_on,
                        **fields)
        if member.get("uuid"):
            person.uuid = parse_uuid(member["uuid"], "members.uuid")
        person.derive_search_forms()
        people.append(person)
    # Plain bulk inserts (ids come back from both databases) with their history rows
    # written alongside: the desk's hot path, kept to a few statements and round trips.
    # Members registered before join through the ORM, which cannot run in a pipeline.
    with pipelined():
        insert_rows([household], set_ids=True)
        history.record_created([household], user, now)
        for person in people:
            person.household = household  # with its new id
        insert_rows(people, set_ids=True)
        history.record_created(people, user, now)
        count_people(people)
        if not joining:
            return _write_the_rest(people, cleaned["members"], household, client_uuid,
                                   digest, user, post, desk, device_id, now)
    for member in joining:  # already registered: they join this household, once
        person = _rehouse(_locked_person(member["same_as"]), household,
                          member["relationship"], user, reason="registered again")
        people.append(person)
    in_order = [m for m in cleaned["members"] if not m.get("same_as")] + joining
    with pipelined():
        return _write_the_rest(people, in_order, household, client_uuid, digest, user, post,
                               desk, device_id, now)


def _write_the_rest(people, members, household, client_uuid, digest, user, post, desk,
                    device_id, now) -> Registration:
    """The members' documents (those a member registered before does not hold yet), the
    registration event and the audit record."""
    documents = [
        Document(person=person, kind=d["kind"], number=d["number"],
                 number_key=document_key(d["number"]))
        for person, member in zip(people, members, strict=True)
        for d in member["documents"]
        if not (member.get("same_as") and person.documents.filter(
            number_key=document_key(d["number"])).exists())
    ]
    if documents:
        insert_rows(documents, set_ids=True)
        history.record_created(documents, user, now)
    insert_rows([
        RegistrationEvent(uuid=client_uuid, household=household, post=post, desk=desk[:20],
                          device_id=device_id[:64], user=user, body_hash=digest, at=now),
        ])
    audit.record(user, AuditEvent.CREATE, "household", household.uuid,
                 members=len(people), post=post.code)
    return Registration(household, created=True, people=people, documents=documents)


def record_tally(payload: dict, *, user, post: Post) -> tuple[Tally, bool]:
    """Count the people in one vehicle at a crossing point; idempotent on the client's UUID."""
    problems = Problems()
    if post.kind != Post.CROSSING:
        problems.add("post", _("crossings are counted at a crossing point"))
    client_uuid = parse_uuid(payload.get("uuid") or uuidlib.uuid4(), "uuid")
    digest = body_hash(payload)
    earlier = Tally.objects.filter(uuid=client_uuid).first()
    if earlier:
        if earlier.body_hash != digest:
            raise Conflict("uuid", _("this UUID was already used for a different count"))
        return earlier, False
    people = clean_people_aboard(payload.get("people_aboard"), problems)
    vehicle_ref = clean_text(payload.get("vehicle_ref"), "vehicle_ref", problems, 40)
    note = clean_text(payload.get("note"), "note", problems, 200)
    problems.raise_if_any()
    fields = dict(uuid=client_uuid, post=post, people_aboard=people, vehicle_ref=vehicle_ref,
                  note=note, recorded_by=user, body_hash=digest,
                  device_id=str(payload.get("device_id") or "")[:64])
    if payload.get("counted_at"):
        fields["counted_at"] = clean_moment(payload["counted_at"], "counted_at", problems)
        problems.raise_if_any()
    try:
        with transaction.atomic():
            tally = Tally(**fields)
            tally._history_user = user
            tally.save()
            count_tallies([tally])
    except IntegrityError:
        return record_tally(payload, user=user, post=post)
    return tally, True


# A device's clock may run a little fast; more than this ahead is a mistake.
CLOCK_SKEW = timedelta(minutes=10)


def clean_moment(value, where: str, problems: Problems) -> datetime | None:
    """A moment sent by a device: ISO 8601 with a time zone, not in the future."""
    moment = value
    if isinstance(value, str):
        moment = parse_datetime(value.strip())
    if not isinstance(moment, datetime):
        problems.add(where, _("%(value)s is not a date and time (ISO 8601)") % {"value": value})
        return None
    if timezone.is_naive(moment):
        problems.add(where, _("needs a time zone, e.g. 2023-09-26T14:05:00+04:00"))
        return None
    if moment > timezone.now() + CLOCK_SKEW:
        problems.add(where, _("%(value)s is in the future") % {"value": value})
    return moment


def correct_tally(tally: Tally, changes: dict, *, user) -> Tally:
    """Correct a count (a mistyped number, a plate, a note); the figures follow, and the
    tally's history keeps who changed what, and when. Values as they are change nothing."""
    problems = Problems()
    cleaned = {}
    if "people_aboard" in changes:
        cleaned["people_aboard"] = clean_people_aboard(changes["people_aboard"], problems)
    for name, max_length in (("vehicle_ref", 40), ("note", 200)):
        if name in changes:
            cleaned[name] = clean_text(changes[name], name, problems, max_length)
    problems.raise_if_any()
    with transaction.atomic():
        current = Tally.objects.select_for_update().get(pk=tally.pk)
        changed = {name: value for name, value in cleaned.items()
                   if getattr(current, name) != value}
        if not changed:
            return tally
        if not current.history.exists():
            # Counted in bulk (the demo, an import): keep the count as it was first.
            history.record_created([current], current.recorded_by, when=current.counted_at)
        count_tallies([current], -1)
        for name, value in changed.items():
            setattr(current, name, value)
            setattr(tally, name, value)
        current._history_user = user
        current.save(update_fields=list(changed))
        count_tallies([current])
        audit.record(user, AuditEvent.UPDATE, "tally", current.uuid, fields=sorted(changed))
    return tally


def update_household(household: Household, changes: dict, *, user,
                     base_version: int | None = None) -> Household:
    """Change what belongs to the household itself (for now, whether it is active).

    `base_version` works as for update_person: a status someone else changed after it is
    not overwritten, and the returned household lists the conflict in `.conflicts_raised`.
    """
    problems = Problems()
    statuses = {code for code, _label in Household.STATUSES}
    status = changes.get("status", household.status)
    if status not in statuses:
        problems.add("status", _("%(value)s is not one of: %(allowed)s")
                     % {"value": status, "allowed": ", ".join(sorted(statuses))})
    problems.raise_if_any()
    with transaction.atomic():
        current = Household.objects.select_for_update().select_related(
            "registered_at").get(pk=household.pk)
        changed = ["status"] if status != current.status else []
        current.conflicts_raised = _hold_conflicting(current, changed, {"status": status},
                                                     base_version, user)
        if not changed or current.conflicts_raised:
            return current
        current.status = status
        current.version += 1
        current._history_user = user
        current.save(update_fields=["status", "version"])
        audit.record(user, AuditEvent.UPDATE, "household", current.uuid, fields=["status"])
    return current


# Fields that decide which figures a person is counted in (see refuge.reports).
COUNTED_FIELDS = {"sex", "birth_date", "needs"}


def _locked_person(person: Person) -> Person:
    """The person's row as it is now, locked until the transaction ends, so concurrent
    corrections are applied one after the other and the figures subtract what is stored."""
    return Person.objects.select_for_update().select_related("household").get(pk=person.pk)


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
