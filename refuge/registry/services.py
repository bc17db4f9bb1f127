"""Registering a household: what every entry point calls (desk, API, ODK, import, demo).

Corrections after registration are in corrections.py; counting crossings in crossings.py."""

import hashlib
import json
import uuid as uuidlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.accounts.models import Post
from refuge.lib.errors import Conflict, FieldError, Invalid, Problems, StateConflict, shown
from refuge.registry import arrivals, recording
from refuge.registry.corrections import link_households
from refuge.registry.models import (
    Document,
    Household,
    Person,
    RegistrationEvent,
    document_key,
)
from refuge.registry.validation import clean_household, clean_moment


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

    def __init__(self, household: Household, *, everyone: bool = False):
        message = _("this household is already registered as %(number)s: add the new "
                    "members to it, open it, or reprint its card") % {
                        "number": household.registration_number}
        super().__init__([FieldError("household", message)])
        self.household = household
        self.everyone = everyone  # everyone typed is in it: there is nobody new to add


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
    new = [i for i in range(len(members)) if i not in linked]
    typed = payload.get("members") or []
    found = arrivals.possible_matches([_as_typed(typed[i], payload) for i in new]) if new else []
    matches: list[list[arrivals.PossibleMatch]] = [[] for _member in members]
    for i, possible in zip(new, found, strict=True):
        matches[i] = possible
    different = _declared_different(members, new)
    # Where a registrar decides, the people certainly registered already count as those
    # linked: a family typed again is its household, before anyone links a row (one
    # person alone is asked about on their row: link, or a different person), and once
    # the new members join that household they stay in it as they are.
    certain = (_certainly_registered(matches, different, {p.pk for p in linked.values()})
               if ask_about_duplicates else {})
    joining = _household_joined(cleaned.get("household"), members, linked,
                                certain if len(members) > 1 else {})
    for i, person in certain.items():
        if joining and person.household_id == joining.pk:
            linked[i], matches[i] = person, []
    new = [i for i in new if i not in linked]
    if not new:
        raise Invalid([FieldError("members", _(
            "everyone typed is registered already: there is nobody new to register"))])
    if ask_about_duplicates:
        _refuse_certain_duplicates(members, matches, linked, different)
    return _Plan(members, linked, joining, matches, different)


def _certainly_registered(matches: list[list[arrivals.PossibleMatch]],
                          different: list[tuple[int, int]], taken: set[int]
                          ) -> dict[int, Person]:
    """Member index -> the registered person they certainly are: the likeliest such match
    the registrar did not declare a different person, each person once and none of those
    `taken` (linked already), so twins typed alike are not both counted as one."""
    person_of, taken = {}, set(taken)
    for i, possible in enumerate(matches):
        for match in sorted(possible, key=lambda m: -m.probability):
            if (match.certain and (i, match.person_id) not in different
                    and match.person_id not in taken):
                person_of[i] = match.person_id
                taken.add(match.person_id)
                break
    people = Person.objects.select_related("household__registered_at").in_bulk(
        person_of.values())
    return {i: people[pk] for i, pk in person_of.items() if pk in people}


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


def _household_joined(target, members: list[dict], linked: dict[int, Person],
                      certain: dict[int, Person]) -> Household | None:
    """The household the new members join: the one asked for, or None for a new one.

    Without one asked for, a household that most of the people typed already belong to,
    linked or certainly them (`certain`), is not registered a second time
    (AlreadyRegistered)."""
    if target:
        household = Household.objects.select_related("registered_at").filter(
            uuid=target).first()
        if household is None:
            raise Invalid([FieldError("household", _("no household has this identifier"))])
        if household.status != Household.ACTIVE:
            raise StateConflict([FieldError("household", _(
                "household %(number)s is closed: open it again before adding members")
                % {"number": household.registration_number})])
        return household
    people = [*linked.values(), *certain.values()]
    together = Counter(person.household_id for person in people)
    for household_id, count in together.most_common(1):
        if 2 * count >= len(members):
            raise AlreadyRegistered(next(p.household for p in people
                                         if p.household_id == household_id),
                                    everyone=count == len(members))
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
                        "percent": round(match.probability * 100)})
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

