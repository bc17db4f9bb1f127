"""Matching over JSON: the desk's check while typing, and the review queue."""

from uuid import UUID

from django.db.models import Count
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from refuge.accounts.api_auth import authorized
from refuge.accounts.roles import EDIT_PEOPLE, REGISTER, ensure
from refuge.audit import services as audit
from refuge.lib.errors import referenced
from refuge.lib.pagination import DEFAULT_PAGE_SIZE, page
from refuge.lib.schemas import Errors, Strict
from refuge.matching import queries, services
from refuge.matching.arrivals import is_certain
from refuge.matching.models import CandidatePair, HouseholdMatch, Merge
from refuge.registry.models import Household, Person

router = Router(tags=["matching"])
MAX_CHECKED = 20


class TypedPerson(Strict):
    given_name: str = ""
    family_name: str = ""
    patronymic: str = ""
    sex: str = ""
    birth_date: str = ""
    phone: str = ""
    document: str = Field("", description="A document number, as typed")
    origin: str = ""


class CheckIn(Strict):
    members: list[TypedPerson] = Field(description="Everyone typed so far, in desk order: "
                                       "they are one registration, so they are evidence "
                                       "for one another", max_length=MAX_CHECKED)
    household: UUID | None = Field(None, description="A household being edited, whose own "
                                   "members are not matches")


class EvidenceOut(Schema):
    field: str
    label: str
    says: str
    weight: float


class MatchOut(Schema):
    person: UUID
    household: UUID
    registration_number: str
    household_size: int = Field(description="People in that household now")
    name: str
    latin_name: str
    born: str
    probability: float
    certain: bool = Field(description="At or above the threshold for certainly the same "
                          "person: registering them as new needs `same_as` or `not_same_as`")
    evidence: list[EvidenceOut]


class CheckOut(Schema):
    members: list[list[MatchOut]]


@router.post("/check", auth=authorized(REGISTER), response=CheckOut)
def check(request, body: CheckIn):
    """Registered people each typed person may be, likeliest first, with the evidence.

    A POST, so that names never appear in a URL.
    """
    ensure(request.user, REGISTER)
    exclude = None
    if body.household:
        exclude = referenced(Household, "household", uuid=body.household).pk
    found = queries.desk_matches([m.model_dump() for m in body.members], exclude_household=exclude)
    shown = [match.person.uuid for matches in found for match in matches]
    if shown:
        audit.record_views(request.user, "person", shown, via="desk duplicate check")
    sizes = dict(Person.objects.counted().filter(
        household__in={m.person.household_id for matches in found for m in matches})
        .values_list("household").annotate(n=Count("id")).order_by())
    return {"members": [[_match_out(match, sizes) for match in matches] for matches in found]}


def _match_out(match: queries.DeskMatch, sizes: dict[int, int]) -> dict:
    person = match.person
    return {"person": person.uuid, "household": person.household.uuid,
            "registration_number": person.household.registration_number,
            "household_size": sizes.get(person.household_id, 0),
            "name": person.full_name, "latin_name": person.latin_name,
            "born": person.birth_display, "probability": round(match.probability, 4),
            "certain": is_certain(match.probability, match.levels),
            "evidence": match.evidence}


class PairOut(Schema):
    uuid: UUID
    person_a: UUID = Field(alias="person_a.uuid")
    person_b: UUID = Field(alias="person_b.uuid")
    probability: float
    status: str
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_evidence(pair):
        return queries.evidence_rows(pair.levels)


class PairPage(Schema):
    items: list[PairOut]
    next_cursor: str | None


@router.get("/pairs", response=PairPage)
def list_pairs(request, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE):
    """Pairs waiting for review."""
    ensure(request.user, EDIT_PEOPLE)
    items, next_cursor = page(queries.review_queue().order_by(), cursor, size)
    return {"items": items, "next_cursor": next_cursor}


class MergeOut(Schema):
    uuid: UUID
    kept: UUID = Field(alias="kept.uuid")
    merged: UUID = Field(alias="merged.uuid")


@router.post("/pairs/{uuid}/merge", auth=authorized(EDIT_PEOPLE),
             response={200: MergeOut, 409: Errors})
def merge_pair(request, uuid: UUID):
    """The same person: the later record is merged into the earlier one, reversibly."""
    ensure(request.user, EDIT_PEOPLE)
    pair = get_object_or_404(CandidatePair, uuid=uuid)
    return services.merge_pair(pair, user=request.user)


@router.post("/pairs/{uuid}/reject", auth=authorized(EDIT_PEOPLE),
             response={200: PairOut, 409: Errors})
def reject_pair(request, uuid: UUID):
    """Different people: the pair is never proposed again."""
    ensure(request.user, EDIT_PEOPLE)
    return services.reject_pair(get_object_or_404(CandidatePair, uuid=uuid),
                                user=request.user)


@router.post("/pairs/{uuid}/skip", auth=authorized(EDIT_PEOPLE),
             response={200: PairOut, 409: Errors})
def skip_pair(request, uuid: UUID):
    ensure(request.user, EDIT_PEOPLE)
    return services.skip_pair(get_object_or_404(CandidatePair, uuid=uuid),
                              user=request.user)


@router.post("/merges/{uuid}/undo", auth=authorized(EDIT_PEOPLE),
             response={200: MergeOut, 409: Errors})
def unmerge(request, uuid: UUID):
    """Unmerge: both records as they were before the merge."""
    ensure(request.user, EDIT_PEOPLE)
    return services.unmerge(get_object_or_404(Merge, uuid=uuid), user=request.user)


class HouseholdMatchOut(Schema):
    uuid: UUID
    household_a: UUID = Field(alias="household_a.uuid")
    household_b: UUID = Field(alias="household_b.uuid")
    registration_number_a: str = Field(alias="household_a.registration_number")
    registration_number_b: str = Field(alias="household_b.registration_number")
    people: int = Field(description="Members found in both")
    status: str


class HouseholdMatchPage(Schema):
    items: list[HouseholdMatchOut]
    next_cursor: str | None


@router.get("/households", response=HouseholdMatchPage)
def list_household_matches(request, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE):
    """Households whose members are the same people, waiting for review."""
    ensure(request.user, EDIT_PEOPLE)
    items, next_cursor = page(queries.household_queue().order_by(), cursor, size)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/households/{uuid}/link", auth=authorized(EDIT_PEOPLE),
             response={200: HouseholdMatchOut, 409: Errors})
def link_households(request, uuid: UUID):
    """One family registered twice or in parts: the households become parts of one."""
    ensure(request.user, EDIT_PEOPLE)
    return services.decide_household_match(get_object_or_404(HouseholdMatch, uuid=uuid),
                                           link=True, user=request.user)


@router.post("/households/{uuid}/reject", auth=authorized(EDIT_PEOPLE),
             response={200: HouseholdMatchOut, 409: Errors})
def keep_households_apart(request, uuid: UUID):
    ensure(request.user, EDIT_PEOPLE)
    return services.decide_household_match(get_object_or_404(HouseholdMatch, uuid=uuid),
                                           link=False, user=request.user)
