"""What the registry does: register households, count crossings, correct, move and link."""

import hashlib
import json
import uuid as uuidlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from refuge.accounts.models import Post
from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib.errors import Conflict, FieldError, Invalid, Problems, shown
from refuge.registry import arrivals, recording
from refuge.registry.counting import count_people, count_tallies
from refuge.registry.history import created_with_history
from refuge.registry.models import (
    Document,
    EditConflict,
    Erasure,
    Household,
    Person,
    RegistrationEvent,
    Tally,
    document_key,
)
from refuge.registry.queries import household_by_number, stored_text
from refuge.registry.validation import (
    RELATIONSHIPS,
    clean_choice,
    clean_household,
    clean_people_aboard,
    clean_person_fields,
    clean_text,
    require_a_name,
)


def body_hash(payload: dict) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_uuid(value, where: str) -> uuidlib.UUID:
    if isinstance(value, uuidlib.UUID):
        return value
    try:
        return uuidlib.UUID(str(value))
    except ValueError:
        message = _("%(value)s is not a UUID") % {"value": shown(value)}
        raise Invalid([FieldError(where, message)]) from None


@dataclass
class Registration:
    household: Household
    created: bool
    # What was just saved, so callers can answer without reading it back.
    people: list[Person] | None = None
    documents: list[Document] | None = None
    # True when the new members joined a household registered before.
    added: bool = False


class AlreadyRegistered(Invalid):
    """Most of the people typed are registered together already: their household is not
    registered a second time. Send `household` to add the new members to it."""

    def __init__(self, household: Household):
        message = _("this household is already registered as %(number)s: add the new "
                    "members to it, open it, or reprint its card") % {
                        "number": household.registration_number}
        super().__init__([FieldError("household", message)])
        self.household = household


@dataclass
class _Plan:
    """What a registration will do, decided before anything is written."""

    members: list[dict]
    # member index -> the registered person this member is; they stay where they are
    linked: dict[int, Person]
    # the household the new members join, or None for a new household
    joining: Household | None
    matches: list[list[arrivals.PossibleMatch]]
    # (member index, person id) the registrar declared different people
    different: list[tuple[int, int]]

    @property
    def new(self) -> list[int]:
        return [i for i in range(len(self.members)) if i not in self.linked]


def register_household(payload: dict, *, user, post: Post, desk: str = "", device_id: str = "",
                       today: date | None = None, ask_about_duplicates: bool = True,
                       ) -> Registration:
    """Register a household and its members in one transaction, or add new members to a
    household registered before (`payload["household"]`).

    `payload["uuid"]` is the client's UUID. Sending the same payload again returns the
    household already saved (created=False); the same UUID with a different payload
    raises Conflict. A member with `same_as` is a person registered before: they stay in
    the household they belong to and are not registered twice. A member who is, at or
    above the documented threshold, someone registered already is not saved as new
    unless linked (`same_as`) or declared a different person (`not_same_as`). Raises
    Invalid with every field problem and saves nothing if any field is wrong;
    AlreadyRegistered when most of the people typed are one household registered before.
    Every registration's possible duplicates are queued for review at once.

    `ask_about_duplicates=False` is for entry points where nobody can make that choice
    (ODK Collect): a certain duplicate is then saved and waits for a reviewer.
    """
    if post.kind != Post.RECEPTION:
        raise Invalid([FieldError("post", _("households are registered at a reception centre"))])
    client_uuid = parse_uuid(payload.get("uuid"), "uuid")
    _check_device(desk, device_id)
    digest = body_hash(payload)
    # A retry is found by the unique UUID refusing the insert below, rather than by a
    # look-up before every registration: retries are rare, registrations are not.
    try:
        plan = _plan(payload, today, ask_about_duplicates)
    except Invalid:
        # Saved before, and no longer valid now (its people are registered now, a person
        # it links has been merged since, a date that was today is not): the retry still
        # gets what was saved.
        existing = _earlier_registration(client_uuid, digest)
        if existing:
            return Registration(existing, created=False)
        raise
    registered_on = None
    if payload.get("registered_on"):
        # A desk that was offline sends when the household was registered, not sent.
        problems = Problems()
        registered_on = clean_moment(payload["registered_on"], "registered_on", problems)
        earliest = timezone.now() - timedelta(days=settings.REFUGE_OFFLINE_DAYS)
        if registered_on is not None and registered_on < earliest:
            problems.add("registered_on", _(
                "%(value)s is more than %(days)s days ago: a desk is not kept offline that "
                "long") % {"value": shown(payload["registered_on"]),
                           "days": settings.REFUGE_OFFLINE_DAYS})
        problems.raise_if_any()
    write = _Write(client_uuid, digest, user, post, desk, device_id,
                   registered_on or timezone.now())
    try:
        return _save_registration(plan, write, payload.get("accommodation"))
    except IntegrityError:
        # Two copies of the same request raced and the other one won, or a UUID
        # is already taken by another record.
        existing = _earlier_registration(client_uuid, digest)
        if existing:
            return Registration(existing, created=False)
        if Household.objects.filter(uuid=client_uuid).exists():
            raise Conflict("uuid", _("this UUID belongs to another record")) from None
        raise Conflict("members", _("a member's UUID is already registered")) from None


DESK_LENGTH, DEVICE_ID_LENGTH = 20, 64  # the columns' lengths


def _check_device(desk: str, device_id: str) -> None:
    """Which desk and device sent it: refused when too long, never silently cut."""
    problems = Problems()
    for where, value, limit in (("desk", desk, DESK_LENGTH),
                                ("device_id", device_id, DEVICE_ID_LENGTH)):
        if len(value or "") > limit:
            problems.add(where, _("is too long (%(max)s characters at most)") % {"max": limit})
    problems.raise_if_any()


def _plan(payload: dict, today: date | None, ask_about_duplicates: bool) -> _Plan:
    cleaned = clean_household(payload, today)
    members = cleaned["members"]
    linked = _people_registered_before(members)
    joining = _household_joined(cleaned.get("household"), members, linked)
    new = [i for i in range(len(members)) if i not in linked]
    if not new:
        raise Invalid([FieldError("members", _(
            "everyone typed is registered already: there is nobody new to register"))])
    typed = payload.get("members") or []
    found = arrivals.possible_matches([_as_typed(typed[i], payload) for i in new])
    matches: list[list[arrivals.PossibleMatch]] = [[] for _member in members]
    for i, possible in zip(new, found, strict=True):
        matches[i] = possible
    different = _declared_different(members, new)
    if ask_about_duplicates:
        _refuse_certain_duplicates(members, matches, linked, different)
    return _Plan(members, linked, joining, matches, different)


def _people_registered_before(members: list[dict]) -> dict[int, Person]:
    """Each member's same_as, as the person it names, or say which is wrong."""
    wanted = [m["same_as"] for m in members if m.get("same_as")]
    if not wanted:
        return {}
    found = {p.uuid: p for p in Person.objects.counted().select_related(
        "household__registered_at").filter(uuid__in=wanted)}
    problems = Problems()
    linked = {}
    for index, member in enumerate(members):
        if not member.get("same_as"):
            continue
        if member["same_as"] not in found:
            problems.add(f"members[{index}].same_as",
                         _("no registered person has this identifier"))
        elif wanted.count(member["same_as"]) > 1:
            problems.add(f"members[{index}].same_as",
                         _("this person is linked to two members"))
        else:
            linked[index] = found[member["same_as"]]
    problems.raise_if_any()
    return linked


def _household_joined(target, members: list[dict], linked: dict[int, Person]
                      ) -> Household | None:
    """The household the new members join: the one asked for, or None for a new one.

    Without one asked for, a household that most of the people typed already belong to
    is not registered a second time (AlreadyRegistered)."""
    if target:
        household = Household.objects.select_related("registered_at").filter(
            uuid=target).first()
        if household is None:
            raise Invalid([FieldError("household", _("no household has this identifier"))])
        if household.status != Household.ACTIVE:
            raise Invalid([FieldError("household", _(
                "household %(number)s is closed: open it again before adding members")
                % {"number": household.registration_number})])
        return household
    together = Counter(person.household_id for person in linked.values())
    for household_id, count in together.most_common(1):
        if 2 * count >= len(members):
            raise AlreadyRegistered(next(p.household for p in linked.values()
                                         if p.household_id == household_id))
    return None


def _as_typed(member: dict, payload: dict) -> dict:
    """A member as the desk's check reads one, from the payload as sent."""
    documents = member.get("documents") or []
    return {"given_name": member.get("given_name") or "",
            "family_name": member.get("family_name") or "",
            "patronymic": member.get("patronymic") or "", "sex": member.get("sex") or "",
            "birth_date": str(member.get("birth_date") or ""),
            "phone": member.get("phone") or payload.get("phone") or "",
            "origin": member.get("origin") or payload.get("origin") or "",
            "document": str((documents[0] or {}).get("number") or "") if documents else ""}


def _declared_different(members: list[dict], new: list[int]) -> list[tuple[int, int]]:
    """(member index, person id) for each registered person a registrar said a new member
    is not."""
    wanted = {u for i in new for u in members[i].get("not_same_as") or ()}
    if not wanted:
        return []
    ids = dict(Person.objects.filter(uuid__in=wanted).values_list("uuid", "pk"))
    problems = Problems()
    different = []
    for i in new:
        for person_uuid in members[i].get("not_same_as") or ():
            if person_uuid not in ids:
                problems.add(f"members[{i}].not_same_as",
                             _("no registered person has this identifier"))
            else:
                different.append((i, ids[person_uuid]))
    problems.raise_if_any()
    return different


def _refuse_certain_duplicates(members, matches, linked, different) -> None:
    """A new member who is certainly someone registered already needs the registrar's
    choice: link to them, or declare them a different person."""
    taken = {person.pk for person in linked.values()}
    problems = Problems()
    for i, possible in enumerate(matches):
        for match in possible:
            if (match.certain and match.person_id not in taken
                    and (i, match.person_id) not in different):
                problems.add(f"members[{i}].same_as", _(
                    "already registered in %(number)s (%(percent)s%%): link to that person, "
                    "or mark them a different person") % {
                        "number": match.registration_number,
                        "percent": int(match.probability * 100)})
                break
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


@dataclass(frozen=True)
class _Write:
    """Who writes, where and when: the same for every row of one registration."""

    client_uuid: uuidlib.UUID
    digest: str
    user: object
    post: Post
    desk: str
    device_id: str
    registered_on: datetime


@transaction.atomic
def _save_registration(plan: _Plan, write: _Write, accommodation: str | None) -> Registration:
    now = timezone.now()
    household = plan.joining
    if household is None:
        household = Household(uuid=write.client_uuid, group=write.client_uuid,
                              registered_at=write.post, registered_on=write.registered_on,
                              accommodation=accommodation or Household.NOT_ASKED)
    else:
        household = _locked_household(household, accommodation, write.user)
    people = [_new_person(plan, i, household, write) for i in plan.new]
    added = plan.joining is not None
    documents = _documents(plan, people)
    event = RegistrationEvent(
        uuid=write.client_uuid, household=household, post=write.post,
        kind=RegistrationEvent.ADDED if added else RegistrationEvent.REGISTERED,
        desk=write.desk, device_id=write.device_id, user=write.user,
        body_hash=write.digest, at=now)
    recording.record([recording.Registered(
        household, people, event, documents, added=added,
        matches=[plan.matches[i] for i in plan.new],
        different=[(plan.new.index(i), person_id) for i, person_id in plan.different],
        audit={"post": write.post.code, **({"linked": len(plan.linked)} if plan.linked else {})},
    )], user=write.user, now=now)
    _link_households_of(household, plan.linked.values(), write.user)
    documents = [d for d in documents if d.person in people]
    return Registration(household, created=True, people=people, documents=documents,
                        added=plan.joining is not None)


def _locked_household(household: Household, accommodation: str | None, user) -> Household:
    """The household new members join, locked; a place to stay typed now fills one never
    asked."""
    current = Household.objects.select_for_update().select_related("registered_at").get(
        pk=household.pk)
    if accommodation and not current.accommodation:
        current.accommodation = accommodation
        current._history_user = user
        current.save(update_fields=["accommodation"])
    return current


# A relation typed towards the person at the desk, read the other way round: how the
# desk's focal point stands to the focal point of the household they join.
INVERSE_RELATIONSHIP = {"spouse": "spouse", "child": "parent", "parent": "child",
                        "sibling": "sibling", "grandchild": "grandparent",
                        "grandparent": "grandchild", "in_law": "in_law",
                        "unrelated": "unrelated"}


def _new_person(plan: _Plan, index: int, household: Household, write: _Write) -> Person:
    member = plan.members[index]
    fields = {k: v for k, v in member.items()
              if k not in ("documents", "uuid", "same_as", "not_same_as")}
    fields["relationship"] = _relationship_in(plan, index, household)
    person = Person(household=household, registered_at=write.post,
                    registered_on=write.registered_on, **fields)
    if member.get("uuid"):
        person.uuid = parse_uuid(member["uuid"], "members.uuid")
    person.derive_search_forms()
    return person


def _relationship_in(plan: _Plan, index: int, household: Household) -> str:
    """The member's relation to the focal point of the household they go into."""
    typed = plan.members[index]["relationship"]
    first_new = plan.new[0]
    if plan.joining is None:
        # The desk's focal point may be someone registered before, who stays where they
        # are: the first new member is then this household's focal point.
        return Person.FOCAL_POINT if index == first_new else (
            typed if typed != Person.FOCAL_POINT else "other_relative")
    if typed != Person.FOCAL_POINT:
        return typed
    focal = next((i for i, p in plan.linked.items() if p.household_id == household.pk
                  and p.relationship == Person.FOCAL_POINT), None)
    if focal is None:
        return "other_relative"
    return INVERSE_RELATIONSHIP.get(plan.members[focal]["relationship"], "other_relative")


def _documents(plan: _Plan, people: list[Person]) -> list[Document]:
    """The new members' documents, and those a linked member brought that their record
    does not hold yet (written with the people, who get their ids first)."""
    held = set(Document.objects.filter(person__in=list(plan.linked.values()))
               .values_list("person_id", "number_key")) if plan.linked else set()
    owners = [(people[n], plan.members[i]) for n, i in enumerate(plan.new)]
    owners += [(plan.linked[i], plan.members[i]) for i in sorted(plan.linked)]
    return [Document(person=person, kind=d["kind"], number=d["number"],
                     number_key=document_key(d["number"]))
            for person, member in owners for d in member["documents"]
            if (person.pk, document_key(d["number"])) not in held]


def _link_households_of(household: Household, linked: Iterable[Person], user) -> None:
    """People registered before stay in their households; those households are recorded
    as parts of one family with this one."""
    for other_id in sorted({p.household_id for p in linked} - {household.pk}):
        # The new household joins the family's group, which stays as it was.
        household.group = link_households(Household.objects.get(pk=other_id), household,
                                          user=user)


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
    device_id = str(payload.get("device_id") or "")
    if len(device_id) > DEVICE_ID_LENGTH:
        problems.add("device_id", _("is too long (%(max)s characters at most)")
                     % {"max": DEVICE_ID_LENGTH})
    people = clean_people_aboard(payload.get("people_aboard"), problems)
    vehicle_ref = clean_text(payload.get("vehicle_ref"), "vehicle_ref", problems, 40)
    note = clean_text(payload.get("note"), "note", problems, 200)
    problems.raise_if_any()
    fields = dict(uuid=client_uuid, post=post, people_aboard=people, vehicle_ref=vehicle_ref,
                  note=note, recorded_by=user, body_hash=digest,
                  device_id=device_id)
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
        problems.add(where, _("%(value)s is not a date and time (ISO 8601)")
                     % {"value": shown(value)})
        return None
    if timezone.is_naive(moment):
        problems.add(where, _("needs a time zone, e.g. 2023-09-26T14:05:00+04:00"))
        return None
    if moment > timezone.now() + CLOCK_SKEW:
        problems.add(where, _("%(value)s is in the future") % {"value": shown(value)})
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
            created_with_history([current], current.recorded_by, current.counted_at,
                                 saved=True)
        count_tallies([current], -1)
        for name, value in changed.items():
            setattr(current, name, value)
            setattr(tally, name, value)
        current._history_user = user
        current.save(update_fields=list(changed))
        count_tallies([current])
        audit.record(user, AuditEvent.UPDATE, "tally", current.uuid, fields=sorted(changed))
    return tally


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
        raise Invalid([FieldError("person", _("this person's data was erased: the record "
                                              "cannot be changed"))])
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
