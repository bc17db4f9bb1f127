"""/api/aid/: programmes, generating a cycle's entitlements, what a household is due at a
point, hand-overs (201 first, 200 the same again, 409 naming the earlier one), the payment
list, the provider's results and reconciliation."""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import BaseModel, ConfigDict

from refuge.accounts.models import Post
from refuge.accounts.roles import HAND_OVER_AID, MANAGE_AID, VIEW_AID_FIGURES, ensure
from refuge.aid import eligibility, payments, queries, services, situation
from refuge.aid.models import Cycle, Programme
from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib.errors import FieldError, Invalid
from refuge.lib.pagination import MAX_PAGE_SIZE, page
from refuge.lib.schemas import Errors, Strict, one_of
from refuge.registry.api.posts import open_post

router = Router(tags=["aid"])


class ProgrammeIn(Strict):
    uuid: UUID | None = None
    name: str = Field(max_length=200)
    kind: str = Field(json_schema_extra=one_of(Programme.KINDS))
    unit: str = Field(max_length=20, description="AMD, kit, ...")
    per_person: int = Field(0, ge=0)
    per_household: int = Field(0, ge=0)
    frequency: str = Field(Programme.ONCE, json_schema_extra=one_of(Programme.FREQUENCIES))
    cycles: int = 1
    starts_on: date
    arrived_from: date | None = None
    arrived_to: date | None = None
    min_age: int | None = Field(None, ge=0, le=120)
    max_age: int | None = Field(None, ge=0, le=120)
    needs: str = Field("", max_length=100, description="Specific-needs codes, comma-separated")
    province: str = Field("", max_length=100)
    state_housing: str = Field("", description="Empty for either",
                               json_schema_extra=one_of(Programme.STATE_HOUSING))


class CycleOut(Schema):
    number: int
    starts_on: date
    status: str
    entitlements: int


class ProgrammeOut(Schema):
    uuid: UUID
    name: str
    kind: str
    unit: str
    per_person: int
    per_household: int
    frequency: str
    cycles: list[CycleOut]


def programme_out(programme: Programme) -> dict:
    fields = {name: getattr(programme, name) for name in (
        "uuid", "name", "kind", "unit", "per_person", "per_household", "frequency")}
    return {**fields, "cycles": [
        {"number": c.number, "starts_on": c.starts_on, "status": c.status,
         "entitlements": c.entitlements.count()} for c in programme.rounds.all()]}


@router.post("/programmes", response={200: ProgrammeOut, 201: ProgrammeOut, 409: Errors,
                                      422: Errors})
def create_programme(request, payload: ProgrammeIn):
    """Define a programme and its cycles. Idempotent on `uuid`."""
    ensure(request.user, MANAGE_AID)
    body = payload.model_dump(mode="json", exclude_none=True)
    programme, created = services.create_programme(body, user=request.user)
    return Status(201 if created else 200, programme_out(programme))


def _cycle(programme: UUID, number: int) -> Cycle:
    return get_object_or_404(Cycle.objects.select_related("programme"),
                             programme__uuid=programme, number=number)


class GeneratedOut(Schema):
    added: int
    entitlements: int


@router.post("/programmes/{uuid}/cycles/{n}/entitlements",
             response={200: GeneratedOut, 404: Errors, 409: Errors})
def generate_entitlements(request, uuid: UUID, n: int):
    """Generate the cycle's entitlements from the rules. Idempotent: a second call adds
    nothing. An approved cycle is frozen (409)."""
    ensure(request.user, MANAGE_AID)
    cycle = _cycle(uuid, n)
    added = eligibility.generate(cycle)
    return {"added": added, "entitlements": cycle.entitlements.count()}


@router.post("/programmes/{uuid}/cycles/{n}/approve", response={200: CycleOut})
def approve_cycle(request, uuid: UUID, n: int):
    """Approve a cycle: its list is frozen, and hand-overs and payments may start."""
    ensure(request.user, MANAGE_AID)
    cycle = services.approve(_cycle(uuid, n), user=request.user)
    return {"number": cycle.number, "starts_on": cycle.starts_on, "status": cycle.status,
            "entitlements": cycle.entitlements.count()}


class DifferencesOut(Schema):
    added: list[UUID] = Field(description="People entitled by the rules today, not listed")
    removed: list[UUID] = Field(description="Entitlements of people no longer entitled")


@router.get("/programmes/{uuid}/cycles/{n}/differences", response=DifferencesOut)
def cycle_differences(request, uuid: UUID, n: int):
    """How the registry today differs from an approved (frozen) list, to review."""
    ensure(request.user, MANAGE_AID)
    found = queries.differences(_cycle(uuid, n))
    return {"added": queries.person_uuids(found.added),
            "removed": queries.entitlement_uuids(found.removed)}


class EntitlementOut(Schema):
    uuid: UUID
    programme: str
    cycle: int
    kind: str
    amount: int
    unit: str
    recipient: UUID
    handed_over_at: datetime | None = None
    point: str = ""
    distribution: UUID | None = None


class MemberOut(Schema):
    uuid: UUID
    given_name: str
    family_name: str
    relationship: str
    birth_date: date | None
    due: list[EntitlementOut]
    received: list[EntitlementOut]


class HouseholdDueOut(Schema):
    uuid: UUID
    registration_number: str
    members: list[MemberOut]


def entitlement_out(entitlement) -> dict:
    given = getattr(entitlement, "given", None)
    return {"uuid": entitlement.uuid, "programme": entitlement.cycle.programme.name,
            "cycle": entitlement.cycle.number, "kind": entitlement.cycle.programme.kind,
            "amount": entitlement.amount, "unit": entitlement.cycle.programme.unit,
            "recipient": entitlement.recipient.uuid,
            "handed_over_at": given.distribution.recorded_at if given else None,
            "point": given.distribution.point.code if given else "",
            "distribution": given.distribution.uuid if given else None}


def household_due_out(household, rows) -> dict:
    return {"uuid": household.uuid, "registration_number": household.registration_number,
            "members": [{"uuid": r.person.uuid, "given_name": r.person.given_name,
                         "family_name": r.person.family_name,
                         "relationship": r.person.relationship,
                         "birth_date": r.person.birth_date,
                         "due": [entitlement_out(e) for e in r.due],
                         "received": [entitlement_out(e) for e in r.received]} for r in rows]}


@router.get("/households/{registration_number}",
            response={200: HouseholdDueOut, 404: Errors, 422: Errors})
def household_at_point(request, registration_number: str):
    """What a household is due now and what it received (when, where), by its
    registration number with its check digit, or the card's QR text. Audited."""
    ensure(request.user, HAND_OVER_AID)
    found = queries.look_up(registration_number)
    if found.household is None:
        status = 404 if found.reason == queries.NOT_FOUND else 422
        return Status(status, {"errors": [{"field": "registration_number",
                                           "message": found.problem}]})
    audit.record(request.user, AuditEvent.VIEW, "household", found.household.uuid,
                 via="aid point")
    return household_due_out(found.household, queries.household_entitlements(found.household))


class DistributionIn(Strict):
    uuid: UUID
    entitlements: list[UUID] = Field(min_length=1, max_length=200)
    point: str = Field(max_length=8, description="The post's code, e.g. GOR")
    received_by: UUID = Field(description="The person who took it")
    at: datetime | None = Field(None, description="When, if recorded offline earlier")


class DistributionOut(Schema):
    uuid: UUID
    point: str
    household: str
    received_by: UUID
    at: datetime
    entitlements: list[UUID]


def distribution_out(distribution, entitlements: list[UUID]) -> dict:
    """`entitlements` are the request's: the hand-over's own, in its order, since the
    same UUID with another body is refused."""
    return {"uuid": distribution.uuid, "point": distribution.point.code,
            "household": distribution.household.registration_number,
            "received_by": distribution.received_by.uuid, "at": distribution.recorded_at,
            "entitlements": entitlements}


@router.post("/distributions", response={200: DistributionOut, 201: DistributionOut,
                                         409: Errors, 422: Errors})
def hand_over(request, payload: DistributionIn):
    """Hand over entitlements of one household. 201 on the first request, 200 for the same
    body again; 409 naming the earlier hand-over (`distribution`, `at`, `point`) of each
    entitlement handed over before, here or anywhere."""
    ensure(request.user, HAND_OVER_AID)
    point = open_post(payload.point, "point")
    body = payload.model_dump(mode="json", exclude_none=True)
    distribution, created = services.hand_over(body, user=request.user, point=point)
    return Status(201 if created else 200, distribution_out(distribution, payload.entitlements))


FILE_TYPES = {"csv": "text/csv; charset=utf-8",
              "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

FORMATS = one_of([(kind, kind) for kind in FILE_TYPES])

# The list is a file, not JSON: the schema says which, so a client reads it as one.
A_FILE = {"responses": {200: {"description": "The payment list (CSV, or xlsx)", "content": {
    kind.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
    for kind in FILE_TYPES.values()}}}}


def _file(content, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=FILE_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@router.get("/payment-lists/{programme}/{cycle}", response={200: None, 404: Errors,
                                                              409: Errors},
            openapi_extra=A_FILE)
def payment_list(request, programme: UUID, cycle: int,
                 format: Annotated[str, Field(json_schema_extra=FORMATS)] = "csv"):  # noqa: A002
    """The payment list of an approved cycle, one row per recipient with the total and
    the people it covers (CSV, or `?format=xlsx`). Payments still planned become sent."""
    ensure(request.user, MANAGE_AID)
    if format not in FILE_TYPES:
        raise Invalid([FieldError("format", gettext("must be csv or xlsx"))])
    found = _cycle(programme, cycle)
    audit.record(request.user, AuditEvent.EXPORT, "", None, what="payment list",
                 programme=str(programme), cycle=cycle)
    content = (payments.payment_list_csv(found) if format == "csv"
               else payments.payment_list_xlsx(found))
    return _file(content, format, f"payments-{found.programme.pk}-{cycle}")


class ResultsIn(BaseModel):
    """Not Strict: a file has line breaks, which Strict refuses as control characters."""

    model_config = ConfigDict(extra="forbid")
    file: str = Field(max_length=20_000_000, description="The provider's CSV file, as text")


class ResultsOut(Schema):
    paid: int
    failed: int


@router.post("/payment-lists/{programme}/{cycle}/results",
             response={200: ResultsOut, 404: Errors, 422: Errors})
def payment_results(request, programme: UUID, cycle: int, payload: ResultsIn):
    """The provider's result file: CSV text with the columns payment, status (paid or
    failed), reference and amount. Every bad row is a 422 error naming its line; nothing
    is saved unless every row is right."""
    ensure(request.user, MANAGE_AID)
    result = payments.import_results(_cycle(programme, cycle), payload.file)
    if result.errors:
        raise Invalid(result.errors)
    return {"paid": result.paid, "failed": result.failed}


class ReconciliationRow(Schema):
    cycle: int
    province: str
    planned: int
    sent: int
    paid: int
    failed: int
    reissued: int


class ReconciliationOut(Schema):
    rows: list[ReconciliationRow]
    mismatches: list[dict]


@router.get("/programmes/{uuid}/reconciliation", response=ReconciliationOut)
def reconciliation(request, uuid: UUID):
    """Planned, sent, paid and failed amounts per cycle and province, and each mismatch."""
    ensure(request.user, MANAGE_AID)
    found = get_object_or_404(Programme, uuid=uuid)
    return {"rows": payments.reconciliation(found), "mismatches": payments.mismatches(found)}


class PointDueOut(Schema):
    point: str
    generated_at: datetime
    households: list[dict]
    next_cursor: str | None


@router.get("/points/{code}/due", response=PointDueOut)
def point_due(request, code: str, cursor: str | None = None, size: int = MAX_PAGE_SIZE):
    """What a distribution point keeps for working offline: the households registered
    there with something due now, their members' names and each entitlement due, a page
    at a time. Refresh it while online."""
    ensure(request.user, HAND_OVER_AID)
    post = get_object_or_404(Post, code=code.upper(), kind=Post.RECEPTION)
    households, next_cursor = page(queries.households_due_at(post).select_related(
        "registered_at"), cursor, size)
    audit.record(request.user, AuditEvent.EXPORT, "household", None, what="aid due list",
                 post=post.code, households=len(households))
    return {"point": post.code, "generated_at": timezone.now(),
            "households": queries.due_list(households), "next_cursor": next_cursor}


class FigureRow(Schema):
    programme: str
    unit: str
    province: str
    entitled: int | str
    reached: int | str
    given: int | str


@router.get("/figures", response=list[FigureRow])
def figures(request):
    """People entitled and reached, and the amount given, per programme and province, for
    partners: counts of 1 to 4 people are left blank (""), with the amount beside them."""
    ensure(request.user, VIEW_AID_FIGURES)
    return situation.for_partners(situation.by_programme_and_province())
