"""The API of data protection: legal bases, people's consent, and erasure."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from refuge.accounts.roles import (
    CONFIGURE,
    ERASE_PEOPLE,
    RECORD_CONSENT,
    VIEW_FIGURES,
    VIEW_PEOPLE,
    ensure,
)
from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib.schemas import Errors, Strict, one_of
from refuge.registry import consent, erasure
from refuge.registry.models import (
    CONSENT_PURPOSES,
    LEGAL_BASES,
    PURPOSES,
    Consent,
    Erasure,
    Person,
)

router = Router(tags=["data protection"])


class LegalBasisOut(Schema):
    purpose: str = Field(json_schema_extra=one_of(PURPOSES))
    basis: str = Field(description="vital_interest, public_interest or consent",
                       json_schema_extra=one_of(LEGAL_BASES))
    note: str
    recorded_at: datetime | None = Field(description="None: the default from settings")
    recorded_by: str


class LegalBasisIn(Strict):
    basis: str = Field(description="vital_interest, public_interest or consent (not for "
                       "registration or payments, which aid depends on)",
                       json_schema_extra=one_of(LEGAL_BASES))
    note: str = Field("", max_length=300)


@router.get("/legal-bases", response=list[LegalBasisOut])
def list_legal_bases(request):
    """The legal basis of each purpose: registration, tracing, payments, audit."""
    ensure(request.user, VIEW_FIGURES)
    return consent.legal_bases()


@router.put("/legal-bases/{purpose}", response={200: LegalBasisOut, 404: Errors, 422: Errors})
def record_legal_basis(request, payload: LegalBasisIn,
                       purpose: Annotated[str, Field(json_schema_extra=one_of(PURPOSES))]):
    ensure(request.user, CONFIGURE)
    consent.record_legal_basis(purpose, payload.basis, user=request.user, note=payload.note)
    return next(b for b in consent.legal_bases() if b["purpose"] == purpose)


class ConsentIn(Strict):
    uuid: UUID = Field(description="The client's UUID for this answer: retries reuse it")
    purpose: str = Field(description="tracing_disclosure or publication",
                         json_schema_extra=one_of(CONSENT_PURPOSES))
    given: bool
    form: str = Field(Consent.VERBAL, description="verbal or written",
                      json_schema_extra=one_of(Consent.FORMS))
    note: str = Field("", max_length=200)


class ConsentOut(Schema):
    uuid: UUID
    purpose: str
    given: bool
    form: str
    note: str
    recorded_at: datetime
    recorded_by: str


class PersonConsentsOut(Schema):
    current: dict[str, bool | None] = Field(description="Each purpose's latest answer; "
                                            "null when never asked (which counts as no)")
    history: list[ConsentOut]


def consent_out(row: Consent) -> dict:
    return {"uuid": row.uuid, "purpose": row.purpose, "given": row.given, "form": row.form,
            "note": row.note, "recorded_at": row.recorded_at,
            "recorded_by": str(row.recorded_by or "")}


@router.get("/people/{uuid}/consents", response=PersonConsentsOut)
def person_consents(request, uuid: UUID):
    ensure(request.user, VIEW_PEOPLE)
    person = get_object_or_404(Person, uuid=uuid)
    audit.record(request.user, AuditEvent.VIEW, "person", person.uuid, via="api-consents")
    return {"current": {c["purpose"]: c["given"] for c in consent.consents_of(person)},
            "history": [consent_out(c) for c in
                        person.consents.select_related("recorded_by")]}


@router.post("/people/{uuid}/consents", response={200: ConsentOut, 201: ConsentOut,
                                                  409: Errors, 422: Errors})
def record_consent(request, uuid: UUID, payload: ConsentIn):
    """Record a person's answer about telling a tracing relative where they are, or
    publishing their name. The latest answer holds; earlier ones stay as history.
    The same UUID and answer again returns the saved one (200)."""
    ensure(request.user, RECORD_CONSENT)
    person = get_object_or_404(Person, uuid=uuid)
    row, created = consent.record_consent(person, payload.purpose, payload.given,
                                          user=request.user, uuid=payload.uuid,
                                          form=payload.form, note=payload.note)
    return Status(201 if created else 200, consent_out(row))


class ErasureIn(Strict):
    reason: str = Field(description="person_asked, in_error, protection_risk, legal_order "
                        "or retention", json_schema_extra=one_of(Erasure.REASONS))
    note: str = Field("", max_length=300, description="Kept with the erasure: never the "
                      "person's name")


class ErasureOut(Schema):
    uuid: UUID
    person: UUID = Field(description="The stub kept in the person's place")
    pseudonym: str
    reason: str
    erased_at: datetime
    copies: dict[str, int] = Field(description="Copies erased, by where they were kept")
    exports_since: int = Field(description="Exports of names downloaded since the person "
                               "was registered: files outside Refuge to recall")


def erasure_out(row: Erasure) -> dict:
    return {"uuid": row.uuid, "person": row.person.uuid, "pseudonym": row.pseudonym,
            "reason": row.reason, "erased_at": row.erased_at, "copies": row.copies,
            "exports_since": row.exports_since}


@router.post("/people/{uuid}/erase", response={200: ErasureOut, 201: ErasureOut, 422: Errors})
def erase_person(request, uuid: UUID, payload: ErasureIn):
    """Erase a person's personal data from every copy Refuge keeps, for a recorded
    reason; a pseudonymous stub keeps the figures and audit trail. Erasing again
    returns the first erasure (200)."""
    ensure(request.user, ERASE_PEOPLE)
    person = get_object_or_404(Person, uuid=uuid)
    row, created = erasure.erase_person(person, reason=payload.reason, note=payload.note,
                                        user=request.user)
    return Status(201 if created else 200, erasure_out(row))
