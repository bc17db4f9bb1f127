"""Households: register one (or add members to it), read, list, find by number, link and
change."""

from datetime import date, datetime
from uuid import UUID

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from ninja import Field, Router, Schema
from ninja.responses import NinjaJSONEncoder, Status

from refuge.accounts.api_auth import authorized
from refuge.accounts.roles import (
    EDIT_PEOPLE,
    REGISTER,
    VIEW_PEOPLE,
    ensure,
)
from refuge.audit import services as audit
from refuge.lib.errors import referenced
from refuge.lib.pagination import DEFAULT_PAGE_SIZE, page
from refuge.lib.schemas import Errors, Patch, Strict, one_of
from refuge.registry import corrections, queries, services
from refuge.registry.api.posts import open_post
from refuge.registry.models import Household, Person

router = Router(tags=["registry"])


def api_response(request, data: dict, status: int):
    """An answer rendered as the API renders its own (ninja's JSON encoder), without a
    second validation pass through the response schema."""
    return JsonResponse(data, status=status, encoder=NinjaJSONEncoder, safe=False)


class DocumentIn(Strict):
    kind: str = "passport"
    number: str


class MemberIn(Strict):
    uuid: UUID | None = None
    relationship: str | None = None
    given_name: str = ""
    family_name: str = ""
    patronymic: str = Field("", description="Father's name, as given")
    sex: str = "U"
    birth_date: str = Field("", description="1950, 1950-03, 1950-03-14, 14.03.1950, or 'age 7'")
    needs: list[str] = []
    documents: list[DocumentIn] = []
    phone: str = ""
    same_as: UUID | None = Field(None, description="A person registered before who is this "
                                 "member (from /api/matching/check): they stay in the "
                                 "household they belong to and are not registered twice")
    not_same_as: list[UUID] = Field([], description="Registered people this member is not, "
                                    "though /api/matching/check is certain of them: recorded "
                                    "as decided, never asked about again", max_length=10)


class HouseholdIn(Strict):
    uuid: UUID = Field(description="The client's UUID for this household: retries reuse it")
    post: str = Field(description="Code of the reception centre registering it")
    desk: str = ""
    device_id: str = ""
    phone: str = ""
    origin: str = ""
    destination: str = ""
    accommodation: str = Field("", description="needs_place, relatives, own, or empty (not "
                               "asked): only households that need a place wait for shelter",
                               json_schema_extra=one_of(Household.ACCOMMODATION))
    household: UUID | None = Field(None, description="A household registered before that the "
                                   "new members join, instead of a new household (when most "
                                   "of them are registered together already, it is required)")
    registered_on: datetime | None = Field(
        None, description="When the household was registered, for a device that was "
                          "offline: ISO 8601 with a time zone; default: when it arrives")
    members: list[MemberIn]


class DocumentOut(Schema):
    kind: str
    number: str


class PersonOut(Schema):
    uuid: UUID
    version: int
    household: UUID
    relationship: str
    given_name: str
    family_name: str
    patronymic: str
    name_script: str
    latin_name: str
    sex: str
    birth_date: date | None
    birth_precision: str
    origin: str
    phone: str
    destination: str
    status: str
    needs: list[str]
    documents: list[DocumentOut]


class HouseholdOut(Schema):
    uuid: UUID
    registration_number: str
    group: UUID
    registered_at: str
    registered_on: datetime
    status: str
    accommodation: str
    version: int
    members: list[PersonOut]
    card_url: str


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    next_cursor: str | None


def person_out(person: Person, documents: list | None = None) -> dict:
    if documents is None:
        documents = person.documents.all()
    return {
        "uuid": person.uuid,
        "household": person.household.uuid,
        "relationship": person.relationship,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "patronymic": person.patronymic,
        "name_script": person.name_script,
        "latin_name": person.latin_name,
        "sex": person.sex,
        "version": person.version,
        "birth_date": person.birth_date,
        "birth_precision": person.birth_precision,
        "origin": person.origin,
        "phone": person.phone,
        "destination": person.destination,
        "status": person.status,
        "needs": person.need_codes,
        "documents": [{"kind": d.kind, "number": d.number} for d in documents],
    }


def household_out(household: Household, members: list[dict] | None = None) -> dict:
    if members is None:
        members = [person_out(p) for p in household.members.all()]
    return {
        "uuid": household.uuid,
        "registration_number": household.registration_number,
        "group": household.group,
        "registered_at": household.registered_at.code,
        "registered_on": household.registered_on,
        "status": household.status,
        "accommodation": household.accommodation,
        "version": household.version,
        "members": members,
        "card_url": f"/households/{household.uuid}/card/",
    }


def households_with_members():
    return Household.objects.select_related("registered_at").prefetch_related(
        "members__documents", "members__household"
    )


def show_household(request, household: Household) -> dict:
    audit.record_views(request.user, "person", [p.uuid for p in household.members.all()], "api")
    return household_out(household)


@router.post("/households", auth=authorized(REGISTER),
             response={200: HouseholdOut, 201: HouseholdOut, 409: Errors, 422: Errors})
def register_household(request, payload: HouseholdIn):
    """Register a household, or add new members to one registered before (`household`).

    Sending the same body with the same UUID returns the same household (200); the same
    UUID with a different body is a 409. When most of the members are linked (`same_as`)
    to one household registered before, it is a 409 naming that household: send it as
    `household` to add the others to it. A member the registry is certain is someone
    registered already is a 422 on `members[i].same_as`: link them, or send the person
    as `not_same_as`."""
    ensure(request.user, REGISTER)
    body = payload.model_dump(mode="json", exclude={"post", "desk", "device_id"})
    _drop_unset(body)
    post = open_post(payload.post)
    result = services.register_household(
        body, user=request.user, post=post, desk=payload.desk, device_id=payload.device_id
    )
    if not result.created or result.added:
        # A retry, or new members added to a household: the whole household, as it is.
        household = households_with_members().get(pk=result.household.pk)
        return Status(201 if result.created else 200, household_out(household))
    # Answer from what was just saved rather than reading it back.
    documents: dict[int, list] = {}
    for document in result.documents:
        documents.setdefault(id(document.person), []).append(document)
    members = [person_out(p, documents.get(id(p), [])) for p in result.people]
    # Built from validated, just-saved data: rendered directly, without a second
    # validation pass through the response schema (the desk's hot path).
    return api_response(request, household_out(result.household, members), status=201)


def _drop_unset(body: dict) -> None:
    """Fields left at their default are left out, so a body hashes as it did before they
    existed and a retry across an upgrade is still a retry."""
    for name, default in (("registered_on", None), ("household", None), ("accommodation", "")):
        if body.get(name) == default:
            del body[name]
    for member in body["members"]:
        if not member.get("not_same_as"):
            member.pop("not_same_as", None)


@router.get("/households", response=HouseholdPage)
def list_households(request, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE):
    ensure(request.user, VIEW_PEOPLE)
    items, next_cursor = page(households_with_members(), cursor, size)
    audit.record_views(request.user, "person",
                       [p.uuid for h in items for p in h.members.all()], "api")
    return {"items": [household_out(h) for h in items], "next_cursor": next_cursor}


@router.get("/households/{uuid}", response=HouseholdOut)
def get_household(request, uuid: UUID):
    ensure(request.user, VIEW_PEOPLE)
    return show_household(request, get_object_or_404(households_with_members(), uuid=uuid))


@router.get("/households/by-number/{number}", response={200: HouseholdOut, 404: Errors,
                                                        422: Errors})
def household_by_number(request, number: str):
    """The household a registration number names, typed in any form (`gor-0000123`,
    `GOR0000123`, spaces); a wrong check digit is a 422 that says so."""
    ensure(request.user, VIEW_PEOPLE)
    found = queries.look_up_number(number)
    if found.household is None:
        status = 404 if found.reason == queries.NOT_FOUND else 422
        return Status(status, {"errors": [{"field": "number", "message": found.problem}]})
    return show_household(request, households_with_members().get(pk=found.household.pk))


class LinkIn(Strict):
    other: UUID = Field(description="The household that is another part of the same family")


@router.post("/households/{uuid}/link", auth=authorized(EDIT_PEOPLE), response=HouseholdOut)
def link_households(request, uuid: UUID, payload: LinkIn):
    ensure(request.user, EDIT_PEOPLE)
    household = get_object_or_404(Household, uuid=uuid)
    other = referenced(Household, "other", uuid=payload.other)
    corrections.link_households(household, other, user=request.user)
    return show_household(request, households_with_members().get(pk=household.pk))


class HouseholdPatch(Patch):
    status: str | None = None
    accommodation: str | None = None
    base_version: int | None = None


@router.patch("/households/{uuid}", auth=authorized(EDIT_PEOPLE),
              response={200: HouseholdOut, 409: Errors, 422: Errors})
def update_household(request, uuid: UUID, payload: HouseholdPatch):
    """Change the household's status or place to stay. Send `base_version`, the `version`
    you edited: a field someone changed after it is not overwritten (409, both kept for
    review)."""
    ensure(request.user, EDIT_PEOPLE)
    household = get_object_or_404(Household, uuid=uuid)
    changes = payload.model_dump(exclude_unset=True)
    base_version = changes.pop("base_version", None)
    saved = corrections.update_household(household, changes, user=request.user,
                                         base_version=base_version)
    if saved.conflicts_raised:
        return edit_conflicts(saved.conflicts_raised, base_version)
    return show_household(request, households_with_members().get(pk=household.pk))


def edit_conflicts(conflicts: list, base_version: int | None) -> Status:
    """The 409 for edits kept for review because someone changed the field first."""
    return Status(409, {"errors": [{
        "field": c.field,
        "message": gettext("changed on another device since version %(version)s; both "
                           "versions are kept for review") % {"version": base_version}}
        for c in conflicts]})
