"""Tracing over JSON: enquiries, candidates with evidence, decisions, consent and
reunification. Writes are idempotent; only tracing officers see results, and every
view of a case is audited."""

from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from refuge.accounts.roles import TAKE_ENQUIRY, TRACE, ensure
from refuge.lib.pagination import DEFAULT_PAGE_SIZE, page
from refuge.lib.schemas import Errors, Strict, one_of
from refuge.tracing import queries, services
from refuge.tracing.models import Candidate, Enquiry, SoughtPerson

router = Router(tags=["tracing"])


class SoughtIn(Strict):
    uuid: UUID | None = Field(None, description="The client's UUID for this sought person")
    reference: str = Field("", max_length=64, description="A field team's request_ref")
    given_name: str = ""
    family_name: str = ""
    patronymic: str = ""
    sex: str = ""
    birth_date: str = Field("", description="1972, 1972-04, 1972-04-14 or 14.04.1972")
    age: int | None = Field(None, description="Approximate age in whole years, when no date")
    origin: str = ""
    last_seen_place: str = ""
    last_seen_date: str = Field("", description="YYYY-MM-DD")
    circumstances: str = ""
    relation: str = Field("", description="Relation to the enquirer (registry codes)")
    needs: str = Field("", description="Specific-needs codes, e.g. UAC, SC")


class EnquiryIn(Strict):
    uuid: UUID = Field(description="The client's UUID: sending it again changes nothing")
    reference: str = Field("", max_length=64)
    enquirer: UUID | None = Field(None, description="The enquirer, when registered")
    enquirer_given_name: str = ""
    enquirer_family_name: str = ""
    phone: str = ""
    sought: list[SoughtIn] = Field(max_length=services.MAX_SOUGHT)


class WhereaboutsOut(Schema):
    registration_number: str
    household_uuid: str
    site: str
    registered_at: str


class SoughtOut(Schema):
    uuid: UUID
    name: str
    latin_name: str
    sex: str
    born: str
    child: bool
    status: str
    fate: str
    found: bool
    consent: bool
    whereabouts: WhereaboutsOut | None = Field(
        description="Only once the found person agreed (or a child's exception is recorded)")


class EnquiryOut(Schema):
    uuid: UUID
    reference: str | None
    enquirer: UUID | None
    enquirer_name: str
    recorded_on: str
    sought: list[SoughtOut]


def sought_out(sought: SoughtPerson) -> dict:
    place = queries.whereabouts(sought)
    return {"uuid": sought.uuid, "name": sought.full_name, "latin_name": sought.latin_name,
            "sex": sought.sex, "born": sought.birth_display, "child": sought.child,
            "status": sought.status, "fate": sought.fate, "found": bool(sought.found_person_id),
            "consent": sought.consented, "whereabouts": place.__dict__ if place else None}


def enquiry_out(enquiry: Enquiry) -> dict:
    return {"uuid": enquiry.uuid, "reference": enquiry.reference,
            "enquirer": enquiry.enquirer.uuid if enquiry.enquirer_id else None,
            "enquirer_name": enquiry.enquirer_name, "recorded_on": enquiry.recorded_on.isoformat(),
            "sought": [sought_out(s) for s in enquiry.sought.all()]}


class Recorded(Schema):
    uuid: UUID
    created: bool
    sought: list[UUID]


@router.post("/enquiries", response={200: Recorded, 201: Recorded})
def create_enquiry(request, body: EnquiryIn):
    """Record an enquiry; each sought person is matched at once. A registrar may record
    one, and is told only that it was recorded."""
    ensure(request.user, TAKE_ENQUIRY)
    payload = body.model_dump(mode="json")
    payload["sought"] = [{k: v for k, v in s.items() if v not in (None, "")}
                         for s in payload["sought"]]
    enquiry, created = services.record_enquiry(payload, user=request.user)
    return Status(201 if created else 200, {"uuid": enquiry.uuid, "created": created,
                                            "sought": [s.uuid for s in enquiry.sought.all()]})


class EnquiryPage(Schema):
    items: list[EnquiryOut]
    next_cursor: str | None


@router.get("/enquiries", response=EnquiryPage)
def list_enquiries(request, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE):
    ensure(request.user, TRACE)
    items, next_cursor = page(queries.enquiries(), cursor, size)
    services.record_views(request.user, [s for e in items for s in e.sought.all()],
                          via="api enquiries")
    return {"items": [enquiry_out(e) for e in items], "next_cursor": next_cursor}


@router.get("/enquiries/{uuid}", response=EnquiryOut)
def read_enquiry(request, uuid: UUID):
    ensure(request.user, TRACE)
    enquiry = get_object_or_404(queries.enquiries(), uuid=uuid)
    services.record_views(request.user, list(enquiry.sought.all()), via="api enquiry")
    return enquiry_out(enquiry)


class EvidenceOut(Schema):
    field: str
    label: str
    says: str
    weight: float
    # Compared on the enquirer's own family name or place, the enquiry giving none.
    enquirers: bool = False


class CandidateOut(Schema):
    uuid: UUID
    kind: str
    person: UUID | None
    name: str
    probability: float
    likely: bool
    status: str
    evidence: list[EvidenceOut]


def candidate_out(candidate: Candidate) -> dict:
    return {"uuid": candidate.uuid, "kind": candidate.kind,
            "person": candidate.person.uuid if candidate.person_id else None,
            "name": queries.candidate_name(candidate),
            "probability": round(candidate.probability, 4),
            "likely": candidate.probability >= queries.LIKELY_FOUND,
            "status": candidate.status, "evidence": queries.evidence(candidate)}


def _sought(request, uuid: UUID, via: str) -> SoughtPerson:
    ensure(request.user, TRACE)
    sought = get_object_or_404(SoughtPerson.objects.select_related("found_person__household"),
                               uuid=uuid)
    services.record_views(request.user, [sought], via=via)
    return sought


@router.get("/sought/{uuid}", response=SoughtOut)
def read_sought(request, uuid: UUID):
    return sought_out(_sought(request, uuid, "api sought"))


@router.get("/sought/{uuid}/candidates", response=list[CandidateOut])
def list_candidates(request, uuid: UUID):
    """Who the sought person may be, likeliest first, with the evidence for each."""
    sought = _sought(request, uuid, "api candidates")
    return [candidate_out(c) for c in sought.candidates.select_related(
        "person", "other_sought", "other_enquiry")]


def _candidate(request, uuid: UUID) -> Candidate:
    ensure(request.user, TRACE)
    return get_object_or_404(Candidate, uuid=uuid)


@router.post("/candidates/{uuid}/confirm", response={200: CandidateOut, 409: Errors})
def confirm(request, uuid: UUID):
    """The candidate is the person sought. Their whereabouts stay withheld until consent."""
    return candidate_out(services.confirm(_candidate(request, uuid), user=request.user))


@router.post("/candidates/{uuid}/reject", response={200: CandidateOut, 409: Errors})
def reject(request, uuid: UUID):
    """Not the person sought: never proposed again."""
    return candidate_out(services.reject(_candidate(request, uuid), user=request.user))


@router.post("/sought/{uuid}/consent", response={200: SoughtOut, 409: Errors})
def consent(request, uuid: UUID):
    """The found person agreed to be found by the enquirer."""
    sought = services.record_consent(_sought(request, uuid, "api consent"), user=request.user)
    return sought_out(sought)


class ExceptionIn(Strict):
    reason: str = Field(max_length=300)


@router.post("/sought/{uuid}/exception", response={200: SoughtOut, 409: Errors})
def disclosure_exception(request, uuid: UUID, body: ExceptionIn):
    """An unaccompanied or separated child's whereabouts disclosed without consent, for a
    reason the audit log keeps."""
    sought = services.record_disclosure_exception(_sought(request, uuid, "api exception"),
                                                  body.reason, user=request.user)
    return sought_out(sought)


class ReunifyIn(Strict):
    how: str = Field(description="`link` the two households, or `join` the found person "
                     "to the enquirer's",
                     json_schema_extra=one_of([(services.LINK, ""), (services.JOIN, "")]))


@router.post("/sought/{uuid}/reunify", response={200: SoughtOut, 409: Errors})
def reunify(request, uuid: UUID, body: ReunifyIn):
    sought = services.reunify(_sought(request, uuid, "api reunify"), body.how,
                              user=request.user)
    return sought_out(sought)


class FateIn(Strict):
    fate: str = Field(json_schema_extra=one_of(SoughtPerson.FATES))
    note: str = Field("", max_length=300)


@router.post("/sought/{uuid}/fate", response=SoughtOut)
def fate(request, uuid: UUID, body: FateIn):
    sought = services.record_fate(_sought(request, uuid, "api fate"), body.fate, note=body.note,
                                  user=request.user)
    return sought_out(sought)


