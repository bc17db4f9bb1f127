"""Legal basis and consent: why the registry may keep a person's data, and the extra
uses each person agreed to or refused.

Registration, tracing, payments and audit each rest on a legal basis recorded here
(vital interest, public interest or consent). Consent is not a valid basis where aid
depends on it (the ICRC's handbook on data protection in humanitarian action), so
registration and payments cannot rest on it. Consent is recorded only where it is an
extra layer on top of the basis: telling a tracing relative where someone is
(`tracing_disclosure`), and publishing a name (`publication`).

Other apps ask `consent_given(person, purpose)` before such a use.
"""

import uuid as uuidlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib.errors import Conflict, FieldError, Invalid
from refuge.registry.models import (
    CONSENT,
    CONSENT_PURPOSES,
    LEGAL_BASES,
    PAYMENTS,
    PURPOSES,
    REGISTRATION,
    Consent,
    LegalBasis,
    Person,
)

# Purposes that aid depends on: a person cannot freely refuse them, so consent is no basis.
NOT_ON_CONSENT = {REGISTRATION, PAYMENTS}


def legal_basis(purpose: str) -> str:
    """The legal basis of a purpose: the one recorded last, else the one in settings."""
    _check_choice(purpose, PURPOSES, "purpose")
    recorded = LegalBasis.objects.filter(purpose=purpose).values_list("basis", flat=True)
    return next(iter(recorded), None) or settings.REFUGE_LEGAL_BASIS[purpose]


def legal_bases() -> list[dict]:
    """Every purpose with its basis, who recorded it and when (None: from settings)."""
    recorded = {row.purpose: row for row in LegalBasis.objects.select_related("recorded_by")}
    return [{"purpose": purpose,
             "basis": recorded[purpose].basis if purpose in recorded
             else settings.REFUGE_LEGAL_BASIS[purpose],
             "note": recorded[purpose].note if purpose in recorded else "",
             "recorded_at": recorded[purpose].recorded_at if purpose in recorded else None,
             "recorded_by": str(recorded[purpose].recorded_by or "")
             if purpose in recorded else ""}
            for purpose, _label in PURPOSES]


def record_legal_basis(purpose: str, basis: str, *, user, note: str = "") -> LegalBasis:
    """Record the legal basis of a purpose; history keeps the one it replaces."""
    _check_choice(purpose, PURPOSES, "purpose")
    _check_choice(basis, LEGAL_BASES, "basis")
    if basis == CONSENT and purpose in NOT_ON_CONSENT:
        raise Invalid([FieldError("basis", _(
            "consent is not a valid basis for %(purpose)s: aid depends on it, so it "
            "cannot be freely refused") % {"purpose": purpose})])
    if len(note) > 300:
        raise Invalid([FieldError("note", _("at most 300 characters"))])
    with transaction.atomic():
        row = LegalBasis.objects.select_for_update().filter(purpose=purpose).first()
        row = row or LegalBasis(purpose=purpose)
        row.basis, row.note, row.recorded_by = basis, note, user
        row._history_user = user
        row.save()
        audit.record(user, AuditEvent.UPDATE, "legal_basis", purpose=purpose, basis=basis)
    return row


def record_consent(person: Person, purpose: str, given: bool, *, user,
                   uuid: uuidlib.UUID | None = None, form: str = Consent.VERBAL,
                   note: str = "") -> tuple[Consent, bool]:
    """Record a person's answer about one use of their data; the latest answer holds.

    Idempotent on the client's `uuid`: the same answer sent again returns the one saved
    (created False); the same UUID with a different answer is a Conflict."""
    _check_choice(purpose, CONSENT_PURPOSES, "purpose")
    _check_choice(form, Consent.FORMS, "form")
    if not isinstance(given, bool):
        raise Invalid([FieldError("given", _("true or false"))])
    if len(note) > 200:
        raise Invalid([FieldError("note", _("at most 200 characters"))])
    uuid = uuid or uuidlib.uuid4()
    earlier = Consent.objects.filter(uuid=uuid).first()
    if earlier:
        if (earlier.person_id, earlier.purpose, earlier.given) != (person.pk, purpose, given):
            raise Conflict("uuid", _("this UUID was already used for a different answer"))
        return earlier, False
    try:
        with transaction.atomic():
            consent = Consent.objects.create(uuid=uuid, person=person, purpose=purpose,
                                             given=given, form=form, note=note,
                                             recorded_by=user)
            audit.record(user, AuditEvent.CONSENT, "person", person.uuid, purpose=purpose,
                         given=given)
    except IntegrityError:  # the same answer sent twice at once: the other copy won
        return record_consent(person, purpose, given, user=user, uuid=uuid, form=form,
                              note=note)
    return consent, True


def consent_given(person: Person, purpose: str) -> bool:
    """Whether the person's latest answer about this use is yes (no answer: no)."""
    _check_choice(purpose, CONSENT_PURPOSES, "purpose")
    latest = Consent.objects.filter(person=person, purpose=purpose).order_by(
        "-recorded_at", "-id").values_list("given", flat=True).first()
    return bool(latest)


def consents_of(person: Person) -> list[dict]:
    """Each consent purpose with the person's latest answer (None: never asked)."""
    latest: dict[str, Consent] = {}
    for consent in person.consents.order_by("recorded_at", "id"):
        latest[consent.purpose] = consent
    return [{"purpose": purpose, "label": label,
             "given": latest[purpose].given if purpose in latest else None,
             "recorded_at": latest[purpose].recorded_at if purpose in latest else None}
            for purpose, label in CONSENT_PURPOSES]


def _check_choice(value, choices, where: str) -> None:
    codes = [code for code, _label in choices]
    if value not in codes:
        raise Invalid([FieldError(where, _("must be one of %(codes)s")
                                  % {"codes": ", ".join(codes)})])
