"""People: read, change and move a person, their history, and search."""

from datetime import datetime
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from refuge.accounts.api_auth import authorized
from refuge.accounts.roles import (
    EDIT_PEOPLE,
    VIEW_PEOPLE,
    ensure,
)
from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib.errors import referenced
from refuge.lib.schemas import Errors, Patch, Strict
from refuge.registry import corrections, queries
from refuge.registry.api.households import (
    PersonOut,
    api_response,
    edit_conflicts,
    person_out,
)
from refuge.registry.models import Household, Person

router = Router(tags=["registry"])


@router.get("/people/{uuid}", response=PersonOut)
def get_person(request, uuid: UUID):
    ensure(request.user, VIEW_PEOPLE)
    person = get_object_or_404(queries.people_for_display(), uuid=uuid)
    audit.record(request.user, AuditEvent.VIEW, "person", person.uuid, via="api")
    return person_out(person)


class PersonPatch(Patch):
    relationship: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    patronymic: str | None = None
    sex: str | None = None
    birth_date: str | None = None
    needs: list[str] | None = None
    phone: str | None = None
    origin: str | None = None
    destination: str | None = None
    status: str | None = None
    base_version: int | None = None


@router.patch("/people/{uuid}", auth=authorized(EDIT_PEOPLE),
              response={200: PersonOut, 409: Errors, 422: Errors})
def update_person(request, uuid: UUID, payload: PersonPatch):
    """Correct a person. Only the fields sent change; history keeps the old values.

    Send `base_version`, the `version` you edited. A field someone changed after it is
    not overwritten: the answer is a 409 naming it, your value is kept for review
    beside the saved one, and the other fields you sent are saved."""
    ensure(request.user, EDIT_PEOPLE)
    person = get_object_or_404(queries.people_for_display(), uuid=uuid)
    changes = payload.model_dump(exclude_unset=True)
    base_version = changes.pop("base_version", None)
    saved = corrections.update_person(person, changes, user=request.user,
                                      base_version=base_version)
    if saved.conflicts_raised:
        return edit_conflicts(saved.conflicts_raised, base_version)
    return person_out(queries.people_for_display().get(pk=person.pk))


class PersonMoveIn(Strict):
    household: UUID
    relationship: str = ""
    base_version: int | None = Field(None, description="The person's `version` the mover "
                                     "saw; a move made on another device since is not undone")


@router.post("/people/{uuid}/move", auth=authorized(EDIT_PEOPLE),
             response={200: PersonOut, 409: Errors, 422: Errors})
def move_person(request, uuid: UUID, payload: PersonMoveIn):
    ensure(request.user, EDIT_PEOPLE)
    person = get_object_or_404(queries.people_for_display(), uuid=uuid)
    household = referenced(Household, "household", uuid=payload.household)
    moved = corrections.move_person(person, household, user=request.user,
                                 relationship=payload.relationship,
                                 base_version=payload.base_version)
    if moved.conflicts_raised:
        return edit_conflicts(moved.conflicts_raised, payload.base_version)
    return person_out(queries.people_for_display().get(pk=person.pk))


class ChangeOut(Schema):
    at: datetime
    user: str | None
    kind: str
    fields: list[str]


@router.get("/people/{uuid}/history", response=list[ChangeOut])
def person_history(request, uuid: UUID):
    """Every change to a person: when, by whom, and which fields."""
    ensure(request.user, VIEW_PEOPLE)
    person = get_object_or_404(Person, uuid=uuid)
    audit.record(request.user, AuditEvent.VIEW, "person", person.uuid, via="api-history")
    return queries.person_changes(person)


class SearchIn(Strict):
    q: str = Field(max_length=200, description="A name in any script, a document number, "
                   "a phone number or a registration number")


class SearchOut(Schema):
    understood_as: str
    problem: str = Field("", description="Why a registration number found nobody, e.g. a "
                         "wrong check digit; empty otherwise")
    people: list[PersonOut]


@router.post("/search", auth=authorized(VIEW_PEOPLE), response=SearchOut)
def search(request, payload: SearchIn):
    """Search is a POST so that names never appear in URLs or access logs."""
    ensure(request.user, VIEW_PEOPLE)
    result = queries.search(payload.q)
    audit.record(request.user, AuditEvent.SEARCH, "person", None, results=len(result.people))
    audit.record_views(request.user, "person", [p.uuid for p in result.people], "api-search")
    # Built from stored records by person_out, as the registration answer is: rendered
    # without validating fifty people again through the response schema.
    return api_response(request, {"understood_as": result.understood_as,
                                  "problem": result.problem,
                                  "people": [person_out(p) for p in result.people]}, 200)
