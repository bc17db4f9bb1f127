"""What tracing does: record an enquiry and the people it seeks, decide candidates,
record consent, fates and reunification. Every entry point (pages, API, imports, PFIF)
calls these, and each act is audited."""

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.accounts.models import Post
from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib import dates, names
from refuge.lib.errors import Conflict, FieldError, Invalid, Problems, StateConflict
from refuge.registry import consent as registry_consent
from refuge.registry import corrections
from refuge.registry.models import TRACING_DISCLOSURE, Person
from refuge.registry.services import body_hash, parse_uuid
from refuge.registry.validation import (
    RELATIONSHIPS,
    clean_name,
    clean_person_fields,
    clean_phone,
    clean_text,
    clean_whole_number,
)
from refuge.shelter import services as shelter
from refuge.tracing import matching, scoring
from refuge.tracing.models import CHILD_NEEDS, Candidate, Enquiry, SoughtPerson, StatusChange

SOUGHT_FIELDS = ("given_name", "family_name", "patronymic", "sex", "birth_date", "origin",
                 "needs")
MAX_SOUGHT = 20


def clean_sought(item: dict, where: str, problems: Problems, today: date) -> dict:
    """One sought person's description, checked: an age (`age`) stands for a birth date."""
    cleaned = clean_person_fields({k: item[k] for k in SOUGHT_FIELDS if k in item}, where,
                                  problems, today)
    age = item.get("age")
    if age not in (None, "") and not item.get("birth_date"):
        years = clean_whole_number(age, f"{where}age", problems)
        if years > dates.MAX_AGE:
            problems.add(f"{where}age", _("an age of %(age)s is over %(max)s")
                         % {"age": years, "max": dates.MAX_AGE})
        elif not problems.errors or all(e.field != f"{where}age" for e in problems.errors):
            birth = dates.parse_birth_date(f"age {years}", today)
            cleaned["birth_date"], cleaned["birth_precision"] = birth.value, birth.precision
    if not cleaned.get("given_name") and not cleaned.get("family_name"):
        problems.add(f"{where}given_name", _("a person needs a given name or a family name"))
    relation = (item.get("relation") or "").strip()
    if relation and relation not in RELATIONSHIPS:
        problems.add(f"{where}relation", _("%(value)s is not one of: %(allowed)s")
                     % {"value": relation, "allowed": ", ".join(sorted(RELATIONSHIPS))})
        relation = ""
    cleaned["relation"] = relation
    cleaned["last_seen_place"] = clean_text(item.get("last_seen_place"),
                                            f"{where}last_seen_place", problems, 200)
    cleaned["circumstances"] = clean_text(item.get("circumstances"), f"{where}circumstances",
                                          problems, 300)
    seen = item.get("last_seen_date")
    cleaned["last_seen_date"] = None
    if seen:
        try:
            cleaned["last_seen_date"] = date.fromisoformat(str(seen).strip())
        except ValueError:
            problems.add(f"{where}last_seen_date",
                         _("%(text)s is not a date (YYYY-MM-DD)") % {"text": seen})
        else:
            if cleaned["last_seen_date"] > today:
                problems.add(f"{where}last_seen_date",
                             _("%(text)s is in the future") % {"text": seen})
    reference = (item.get("reference") or "").strip()
    cleaned["reference"] = reference[:64] or None
    cleaned["uuid"] = parse_uuid(item["uuid"], f"{where}uuid") if item.get("uuid") else None
    return cleaned


def clean_enquiry(payload: dict, today: date | None = None) -> dict:
    """The enquiry and its sought persons, checked; Invalid with every problem."""
    today = today or date.today()
    problems = Problems()
    cleaned: dict = {"enquirer": None}
    enquirer = payload.get("enquirer")
    if enquirer:
        try:
            person = Person.objects.counted().filter(uuid=UUID(str(enquirer))).first()
        except ValueError:
            person = None
        if person is None:
            problems.add("enquirer", _("no registered person has this UUID"))
        cleaned["enquirer"] = person
    cleaned["enquirer_given_name"] = clean_name(payload.get("enquirer_given_name") or "",
                                                "enquirer_given_name", problems)
    cleaned["enquirer_family_name"] = clean_name(payload.get("enquirer_family_name") or "",
                                                 "enquirer_family_name", problems)
    cleaned["phone"] = clean_phone(payload.get("phone"), "phone", problems)
    reference = (payload.get("reference") or "").strip()
    cleaned["reference"] = reference[:64] or None
    sought = payload.get("sought") or []
    if not sought:
        problems.add("sought", _("name at least one person sought"))
    elif len(sought) > MAX_SOUGHT:
        problems.add("sought", _("at most %(max)s people per enquiry") % {"max": MAX_SOUGHT})
    cleaned["sought"] = [clean_sought(item, f"sought[{i}].", problems, today)
                         for i, item in enumerate(sought[:MAX_SOUGHT])]
    problems.raise_if_any()
    return cleaned


def record_enquiry(payload: dict, *, user, post: Post | None = None,
                   today: date | None = None) -> tuple[Enquiry, bool]:
    """Record an enquiry and the people it seeks, and match each at once.

    `payload["uuid"]` is the client's UUID: the same payload again returns the enquiry
    saved (created False); the same UUID with another payload raises Conflict. A
    reference (`reference`, a file's `enquiry_ref`) already recorded returns that
    enquiry too, so a file imported twice adds nothing."""
    client_uuid = parse_uuid(payload.get("uuid"), "uuid")
    digest = body_hash(payload)
    existing = _earlier(client_uuid, digest, payload.get("reference"))
    if existing:
        return existing, False
    cleaned = clean_enquiry(payload, today)
    try:
        with transaction.atomic():
            enquiry = _save(client_uuid, digest, cleaned, user, post)
    except IntegrityError:
        existing = _earlier(client_uuid, digest, payload.get("reference"))
        if existing:
            return existing, False
        raise Conflict("uuid", _("this UUID or reference belongs to another record")) from None
    check_enquiry(enquiry)
    return enquiry, True


def _earlier(client_uuid: UUID, digest: str, reference: str | None) -> Enquiry | None:
    found = Enquiry.objects.filter(uuid=client_uuid).first()
    if found is not None:
        if found.body_hash != digest:
            raise Conflict("uuid", _("this UUID was used for a different enquiry"))
        return found
    if reference and reference.strip():
        return Enquiry.objects.filter(reference=reference.strip()[:64]).first()
    return None


def _save(client_uuid, digest, cleaned: dict, user, post) -> Enquiry:
    sought_items = cleaned.pop("sought")
    enquiry = Enquiry(uuid=client_uuid, body_hash=digest, recorded_by=user, recorded_at=post,
                      **cleaned)
    enquiry.derive_search_forms()
    enquiry.save()
    added = _add_sought(enquiry, sought_items, user)
    audit.record(user, AuditEvent.CREATE, "enquiry", enquiry.uuid,
                 sought=[str(s.uuid) for s in added])
    return enquiry


def _add_sought(enquiry: Enquiry, items: list[dict], user) -> list[SoughtPerson]:
    added = []
    for item in items:
        client = item.pop("uuid", None)
        sought = SoughtPerson(enquiry=enquiry, **item, **({"uuid": client} if client else {}))
        sought.derive_search_forms()
        sought.save()
        StatusChange.objects.create(sought=sought, status=sought.status, fate=sought.fate,
                                    by=user)
        added.append(sought)
    return added


def add_sought(enquiry: Enquiry, items: list[dict], *, user,
               today: date | None = None) -> list[SoughtPerson]:
    """More people sought by an enquiry recorded before (a file's later rows); each is
    checked, and matched at once. Raises Invalid with every problem, saving nothing."""
    problems = Problems()
    cleaned = [clean_sought(item, f"sought[{i}].", problems, today or date.today())
               for i, item in enumerate(items)]
    problems.raise_if_any()
    with transaction.atomic():
        added = _add_sought(enquiry, cleaned, user)
        audit.record(user, AuditEvent.UPDATE, "enquiry", enquiry.uuid,
                     sought=[str(s.uuid) for s in added])
    matching.check_many(added)
    return added


def check_enquiry(enquiry: Enquiry) -> None:
    """Match the enquiry's sought persons, and check again the other open requests that
    may seek one of them or the enquirer: both sides of two relatives looking for each
    other learn of it."""
    size, tracing_model = matching.population(), scoring.model()
    mine = list(enquiry.sought.all())
    others = matching.requests_to_check_again(enquiry, size, mine, tracing_model)
    matching.check_many([*(one for one in mine if one.status == SoughtPerson.OPEN), *others],
                        size, tracing_model)


def _decidable(candidate: Candidate) -> Candidate:
    candidate = Candidate.objects.select_for_update().select_related("sought").get(
        pk=candidate.pk)
    return candidate


@transaction.atomic
def confirm(candidate: Candidate, *, user) -> Candidate:
    """The candidate is the person sought: the trace is found. Confirming twice is one."""
    candidate = _decidable(candidate)
    if candidate.status == Candidate.CONFIRMED:
        return candidate
    if candidate.status == Candidate.REJECTED:
        raise StateConflict([FieldError("status", _("this candidate was rejected"))])
    sought = SoughtPerson.objects.select_for_update().get(pk=candidate.sought_id)
    if sought.status != SoughtPerson.OPEN:
        raise StateConflict([FieldError("status", _("this request is already %(status)s")
                                        % {"status": sought.get_status_display()})])
    candidate.status, candidate.decided_by, candidate.decided_at = (
        Candidate.CONFIRMED, user, timezone.now())
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    if candidate.kind == Candidate.PERSON:
        sought.found_person_id = candidate.person_id
        _change(sought, user, status=SoughtPerson.FOUND, fate=SoughtPerson.ALIVE)
    audit.record(user, AuditEvent.UPDATE, "sought", sought.uuid, candidate=str(candidate.uuid),
                 status="confirmed")
    return candidate


@transaction.atomic
def reject(candidate: Candidate, *, user) -> Candidate:
    """Not the person sought: remembered, never proposed again."""
    candidate = _decidable(candidate)
    if candidate.status == Candidate.REJECTED:
        return candidate
    if candidate.status == Candidate.CONFIRMED:
        raise StateConflict([FieldError("status", _("this candidate was confirmed"))])
    candidate.status, candidate.decided_by, candidate.decided_at = (
        Candidate.REJECTED, user, timezone.now())
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(user, AuditEvent.REJECT, "sought", candidate.sought.uuid,
                 candidate=str(candidate.uuid))
    return candidate


def _change(sought: SoughtPerson, user, *, status: str | None = None, fate: str | None = None,
            note: str = "") -> None:
    sought.status = status or sought.status
    sought.fate = fate or sought.fate
    sought.save()
    StatusChange.objects.create(sought=sought, status=sought.status, fate=sought.fate,
                                note=note, by=user)


@transaction.atomic
def record_fate(sought: SoughtPerson, fate: str, *, user, note: str = "") -> SoughtPerson:
    """Missing, found alive or deceased, with who recorded it and when."""
    if fate not in dict(SoughtPerson.FATES):
        raise Invalid([FieldError("fate", _("%(value)s is not one of: %(allowed)s") % {
            "value": fate, "allowed": ", ".join(dict(SoughtPerson.FATES))})])
    sought = SoughtPerson.objects.select_for_update().get(pk=sought.pk)
    status = SoughtPerson.CLOSED if fate == SoughtPerson.DECEASED else None
    if fate == SoughtPerson.MISSING and sought.status == SoughtPerson.CLOSED:
        status = SoughtPerson.OPEN
    _change(sought, user, status=status, fate=fate, note=note[:300])
    audit.record(user, AuditEvent.UPDATE, "sought", sought.uuid, fate=fate)
    return sought


@transaction.atomic
def record_consent(sought: SoughtPerson, *, user) -> SoughtPerson:
    """The found person agreed that the enquirer be told where they are: recorded as the
    registry's consent to tracing disclosure (refuge.registry.consent)."""
    sought = SoughtPerson.objects.select_for_update().get(pk=sought.pk)
    if not sought.found_person_id:
        raise StateConflict([FieldError("consent",
                                        _("nobody has been confirmed as this person"))])
    if not sought.consented:
        registry_consent.record_consent(sought.found_person, TRACING_DISCLOSURE, True,
                                        user=user, note="tracing")
    if not sought.consent_at:
        sought.consent_at, sought.consent_by = timezone.now(), user
        sought.save(update_fields=["consent_at", "consent_by"])
        audit.record(user, AuditEvent.UPDATE, "sought", sought.uuid, consent="given")
    return sought


@transaction.atomic
def record_disclosure_exception(sought: SoughtPerson, reason: str, *, user) -> SoughtPerson:
    """Disclose an unaccompanied or separated child's whereabouts without their consent,
    for the reason given, which the audit log keeps."""
    sought = SoughtPerson.objects.select_for_update().get(pk=sought.pk)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid([FieldError("reason",
                                  _("say why the child's whereabouts must be disclosed"))])
    # A reason given, and the request not (or not yet) one it may be given for: a 409.
    problems = Problems()
    if not sought.found_person_id:
        problems.add("reason", _("nobody has been confirmed as this person"))
    elif not (set(sought.found_person.need_codes) & set(CHILD_NEEDS) or sought.child):
        problems.add("reason", _("only for an unaccompanied or separated child"))
    problems.raise_if_any(StateConflict)
    sought.disclosure_exception = reason[:300]
    sought.save(update_fields=["disclosure_exception"])
    audit.record(user, AuditEvent.UPDATE, "sought", sought.uuid, disclosure="exception",
                 reason=reason[:300])
    return sought


JOIN = "join"
LINK = "link"


@transaction.atomic
def reunify(sought: SoughtPerson, how: str, *, user) -> SoughtPerson:
    """Record a family reunited: the found person's household linked with the enquirer's
    (`link`), or the found person joined to the enquirer's household (`join`), through
    the registry's services; where one side holds beds and the other does not, or beds
    at another site, a placement beside the family is proposed to shelter managers
    (shelter's reunion proposals). Reunifying twice is once."""
    # Only the request is locked: PostgreSQL locks no row on the nullable side of a join.
    sought = SoughtPerson.objects.select_for_update(of=("self",)).select_related(
        "enquiry__enquirer__household", "found_person__household").get(pk=sought.pk)
    if sought.status == SoughtPerson.REUNIFIED:
        return sought
    if how not in (JOIN, LINK):
        raise Invalid([FieldError("how", _("%(value)s is not one of: %(allowed)s")
                                  % {"value": how, "allowed": f"{JOIN}, {LINK}"})])
    if not sought.found_person_id:
        raise StateConflict([FieldError("how", _("nobody has been confirmed as this person"))])
    if not sought.enquiry.enquirer_id:
        raise StateConflict([FieldError("how", _("the enquirer is not registered: register "
                                                 "them first"))])
    found, home = sought.found_person, sought.enquiry.enquirer.household
    came_from = found.household
    proposal = None
    if how == LINK:
        corrections.link_households(home, came_from, user=user)
        proposal = shelter.propose_reunion_link(home, came_from, user=user)
    elif found.household_id != home.pk:
        corrections.move_person(found, home, user=user)
        proposal = shelter.propose_reunion_join(home, found, came_from, user=user)
    _change(sought, user, status=SoughtPerson.REUNIFIED)
    audit.record(user, AuditEvent.UPDATE, "sought", sought.uuid, reunified=how,
                 **({"proposal": str(proposal.uuid)} if proposal else {}))
    return sought


def record_views(user, sought: list[SoughtPerson], via: str) -> None:
    """Every view of a tracing case is audited."""
    if sought:
        audit.record_views(user, "sought", [s.uuid for s in sought], via=via)


CLONED_FIELDS = ("given_name", "family_name", "sex", "birth_date", "age", "origin",
                 "circumstances")


@transaction.atomic
def update_clone(sought: SoughtPerson, item: dict, *, user) -> SoughtPerson:
    """A record cloned from another repository, replaced by its newer version there."""
    problems = Problems()
    cleaned = clean_sought({k: v for k, v in item.items() if k in CLONED_FIELDS}, "",
                           problems, date.today())
    problems.raise_if_any()
    for name in ("given_name", "family_name", "sex", "birth_date", "birth_precision", "origin",
                 "circumstances"):
        if name in cleaned:
            setattr(sought, name, cleaned[name])
    sought.derive_search_forms()
    sought.save()
    audit.record(user, AuditEvent.UPDATE, "sought", sought.uuid, source="pfif")
    matching.check_sought(sought)
    return sought


@transaction.atomic
def make_placeholder(sought: SoughtPerson, *, user) -> SoughtPerson:
    """An expired record: only its id and dates are kept; its candidates go."""
    sought.forget_description()
    sought.status = SoughtPerson.CLOSED
    sought.save()
    sought.candidates.all().delete()
    sought.changes.update(note="")
    audit.record(user, AuditEvent.UPDATE, "sought", sought.uuid, expired=True)
    return sought


# A child's case for their parents -------------------------------------------------

PARENTS_CASE = uuid5(NAMESPACE_URL, "refuge:tracing:parents-of")


def parents_case_uuid(child: Person) -> UUID:
    """The one case a child has for their parents, known by the child's UUID alone."""
    return uuid5(PARENTS_CASE, str(child.uuid))


def open_cases_for_parents(people: list[Person]) -> list[Enquiry]:
    """An unaccompanied or separated child registered (or checked in, or kept by a merge)
    gets a tracing case for their parents at once, asked in the child's name: the father
    by the name in the child's patronymic and the family name, the mother by the family
    name, each as the child's registration spells it. A child who already has that case
    gets no second one; a child with neither family name nor patronymic gets none (an
    officer records what the child can tell). Returns the cases opened."""
    opened = []
    for child in people:
        if child.status == Person.MERGED or not set(child.need_codes) & set(CHILD_NEEDS):
            continue
        if Enquiry.objects.filter(uuid=parents_case_uuid(child)).exists():
            continue
        sought = _parents_of(child)
        if not sought:
            continue
        payload = {"uuid": str(parents_case_uuid(child)), "enquirer": str(child.uuid),
                   "sought": sought}
        try:
            enquiry, created = record_enquiry(payload, user=None)
        except Conflict:  # opened at once by another check of the same child
            continue
        if created:
            opened.append(enquiry)
    return opened


def _parents_of(child: Person) -> list[dict]:
    father = names.patronymic_stem(child.patronymic) if child.patronymic else ""
    family = child.family_name
    origin = {"origin": child.origin} if child.origin else {}
    sought = []
    if father or family:
        sought.append({"given_name": father, "family_name": family, "sex": "M",
                       "relation": "parent", **origin})
    if family:
        sought.append({"family_name": family, "sex": "F", "relation": "parent", **origin})
    return sought
