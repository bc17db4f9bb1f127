"""PFIF, the People Finder Interchange Format: tracing requests exported as PFIF 1.4
persons and notes (a file, or an Atom feed read in entry_date order), and PFIF 1.2, 1.3
and 1.4 files imported as Person Finder writes them.

Record ids are `DOMAIN/local-id`, DOMAIN being REFUGE_PFIF_DOMAIN. Readers without full
access get no sensitive field (date_of_birth, author_email, author_phone,
email_of_found_person, phone_of_found_person). Where a found person is
(last_known_location) is written only once they agreed to be found.

Records of another domain are kept as clones: never overwritten by an older
source_date; past their expiry_date only the id and dates are kept. Two records linked
to each other as duplicates (linked_person_record_id, both ways) become a candidate
pair for an officer to review.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, uuid5
from xml.etree import ElementTree as ET

from defusedxml import ElementTree as SafeET
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from refuge.lib import dates
from refuge.lib.errors import Invalid
from refuge.registry.consent import consent_given
from refuge.registry.models import PUBLICATION
from refuge.tracing import queries, services
from refuge.tracing.models import Candidate, SoughtPerson, StatusChange

NAMESPACES = {"1.2": "http://zesty.ca/pfif/1.2", "1.3": "http://zesty.ca/pfif/1.3",
              "1.4": "http://zesty.ca/pfif/1.4"}
PFIF = NAMESPACES["1.4"]
ATOM = "http://www.w3.org/2005/Atom"
# The 1.4 specification's fields, in its order.
PERSON_FIELDS = ("person_record_id", "entry_date", "expiry_date", "author_name",
                 "author_email", "author_phone", "source_name", "source_date", "source_url",
                 "full_name", "given_name", "family_name", "alternate_names", "description",
                 "sex", "date_of_birth", "age", "home_street", "home_neighborhood",
                 "home_city", "home_state", "home_postal_code", "home_country", "photo_url",
                 "profile_urls")
NOTE_FIELDS = ("note_record_id", "person_record_id", "linked_person_record_id", "entry_date",
               "author_name", "author_email", "author_phone", "source_date",
               "author_made_contact", "status", "email_of_found_person",
               "phone_of_found_person", "last_known_location", "text", "photo_url")
PERSON_REQUIRED = ("person_record_id", "source_date", "full_name")
NOTE_REQUIRED = ("note_record_id", "person_record_id", "author_name", "source_date", "text")
SENSITIVE = {"date_of_birth", "author_email", "author_phone", "email_of_found_person",
             "phone_of_found_person"}
STATUSES = ("information_sought", "is_note_author", "believed_alive", "believed_missing",
            "believed_dead")
MAX_RESULTS = 200
DATE_FORMAT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
SEXES = {"F": "female", "M": "male"}
FATE_STATUS = {SoughtPerson.MISSING: "information_sought", SoughtPerson.ALIVE: "believed_alive",
               SoughtPerson.DECEASED: "believed_dead"}
STATUS_FATE = {"believed_alive": SoughtPerson.ALIVE, "believed_dead": SoughtPerson.DECEASED,
               "believed_missing": SoughtPerson.MISSING,
               "information_sought": SoughtPerson.MISSING}
NAMESPACE = uuid5(NAMESPACE_URL, "https://refuge.example/tracing/pfif")


def when(moment: datetime | None) -> str:
    """PFIF's UTC date and time, to the second: 2010-01-16T17:32:05Z."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_id(sought: SoughtPerson) -> str:
    return sought.pfif_record_id or f"{settings.REFUGE_PFIF_DOMAIN}/sought.{sought.uuid}"


def _birth(sought: SoughtPerson) -> tuple[str, str]:
    """(date_of_birth, age): an estimated birth date is written as the age it came from."""
    if sought.birth_date is None or sought.birth_precision == dates.UNKNOWN:
        return "", ""
    if sought.birth_precision == dates.ESTIMATED:
        age = dates.age_on(sought.birth_date, (sought.entry_date or timezone.now()).date())
        return "", str(age)
    return dates.describe(sought.birth_date, sought.birth_precision), ""


def person_values(sought: SoughtPerson) -> dict[str, str]:
    born, age = _birth(sought)
    return {"person_record_id": record_id(sought), "entry_date": when(sought.entry_date),
            "expiry_date": when(sought.expiry_date),
            "author_name": sought.enquiry.enquirer_name,
            "author_phone": sought.enquiry.phone, "source_name": "Refuge",
            "source_date": when(sought.source_date or sought.entry_date),
            "full_name": sought.full_name, "given_name": sought.given_name,
            "family_name": sought.family_name, "sex": SEXES.get(sought.sex, ""),
            "date_of_birth": born, "age": age, "home_city": sought.origin,
            "description": sought.circumstances}


def note_values(sought: SoughtPerson, change: StatusChange) -> dict[str, str]:
    values = {"note_record_id": f"{settings.REFUGE_PFIF_DOMAIN}/note.{change.pk}",
              "person_record_id": record_id(sought), "entry_date": when(change.at),
              "author_name": "Refuge", "source_date": when(change.at),
              "status": FATE_STATUS[change.fate],
              "text": change.note or change.get_status_display()}
    if change.fate == SoughtPerson.ALIVE and sought.disclosed:
        place = queries.whereabouts(sought)
        values["last_known_location"] = place.site or place.registered_at
    return values


def _element(parent: ET.Element, tag: str, fields: tuple, values: dict, full: bool) -> None:
    node = ET.SubElement(parent, f"{{{PFIF}}}{tag}")
    for name in fields:
        value = values.get(name, "")
        if value and (full or name not in SENSITIVE):
            ET.SubElement(node, f"{{{PFIF}}}{name}").text = value
    return node


def person_element(parent: ET.Element, sought: SoughtPerson, full: bool) -> ET.Element:
    node = _element(parent, "person", PERSON_FIELDS, person_values(sought), full)
    for change in sought.changes.all():
        _element(node, "note", NOTE_FIELDS, note_values(sought, change), full)
    return node


def exported(since: datetime | None = None) -> list[SoughtPerson]:
    """What may leave Refuge, in entry_date order: requests recorded here (not clones of
    other repositories), and of those found only the ones whose found person agreed to
    be published."""
    people = (SoughtPerson.objects.filter(pfif_record_id=None)
              .select_related("enquiry__enquirer", "found_person__household")
              .prefetch_related("changes").order_by("entry_date", "id"))
    if since:
        people = people.filter(entry_date__gte=since)
    return [s for s in people.iterator(chunk_size=500)
            if not s.found_person_id or consent_given(s.found_person, PUBLICATION)]


def export(full: bool) -> bytes:
    ET.register_namespace("pfif", PFIF)
    root = ET.Element(f"{{{PFIF}}}pfif")
    for sought in exported():
        person_element(root, sought, full)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def feed(full: bool, min_entry_date: datetime | None = None, skip: int = 0,
         max_results: int = MAX_RESULTS) -> bytes:
    """An Atom feed of persons in entry_date order, from `min_entry_date`, at most 200."""
    ET.register_namespace("pfif", PFIF)
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(root, f"{{{ATOM}}}id").text = f"{settings.REFUGE_PFIF_DOMAIN}/feeds/person"
    ET.SubElement(root, f"{{{ATOM}}}title").text = "Refuge tracing requests"
    ET.SubElement(root, f"{{{ATOM}}}updated").text = when(timezone.now())
    people = exported(min_entry_date)
    size = max(0, min(max_results, MAX_RESULTS))
    for sought in people[max(skip, 0):max(skip, 0) + size]:
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = record_id(sought)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = when(sought.entry_date)
        ET.SubElement(entry, f"{{{ATOM}}}title").text = sought.full_name if full else ""
        content = ET.SubElement(entry, f"{{{ATOM}}}content")
        person_element(content, sought, full)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# Import --------------------------------------------------------------------------------

@dataclass
class PfifImport:
    persons: int = 0
    updated: int = 0
    kept_newer: int = 0
    placeholders: int = 0
    links: int = 0
    errors: list[str] = field(default_factory=list)


def _text(node: ET.Element, ns: str, name: str) -> str:
    found = node.find(f"{{{ns}}}{name}")
    return (found.text or "").strip() if found is not None else ""


def _moment(text: str) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def parse(content: bytes) -> tuple[str, ET.Element]:
    """The PFIF version and root of a file; ValueError when it is not PFIF 1.2–1.4."""
    try:
        root = SafeET.fromstring(content)
    except (ET.ParseError, SafeET.ParseError, ValueError) as error:
        raise ValueError(f"not XML: {error}") from None
    for version, ns in NAMESPACES.items():
        if root.tag == f"{{{ns}}}pfif":
            return version, root
    raise ValueError("not a PFIF 1.2, 1.3 or 1.4 document")


def problems_of(person: ET.Element, version: str) -> list[str]:
    """The specification's mandatory fields and date formats, for one person and notes."""
    ns = NAMESPACES[version]
    found = []
    required = ("person_record_id", "source_date",
                *(("full_name",) if version == "1.4" else ("first_name", "last_name")
                  if version == "1.2" else ()))
    for name in required:
        if not _text(person, ns, name):
            found.append(f"person {_text(person, ns, 'person_record_id') or '?'}: no {name}")
    for name in ("entry_date", "source_date", "expiry_date"):
        value = _text(person, ns, name)
        if value and not DATE_FORMAT.match(value):
            found.append(f"person {_text(person, ns, 'person_record_id')}: {name} {value} "
                         "is not YYYY-MM-DDThh:mm:ssZ")
    for note in person.findall(f"{{{ns}}}note"):
        status = _text(note, ns, "status")
        if status and status not in STATUSES:
            found.append(f"note {_text(note, ns, 'note_record_id')}: status {status} "
                         "is not a PFIF status")
        for name in ("note_record_id", "author_name", "source_date", "text"):
            if not _text(note, ns, name):
                found.append(f"note {_text(note, ns, 'note_record_id') or '?'}: no {name}")
    return found


def _person_item(person: ET.Element, ns: str) -> dict:
    given = _text(person, ns, "given_name") or _text(person, ns, "first_name")
    family = _text(person, ns, "family_name") or _text(person, ns, "last_name")
    if not given and not family:
        given = _text(person, ns, "full_name")
    item = {"given_name": given[:100], "family_name": family[:100],
            "sex": {"female": "F", "male": "M"}.get(_text(person, ns, "sex"), ""),
            "origin": _text(person, ns, "home_city")[:100],
            "circumstances": _text(person, ns, "description")[:300]}
    born = _text(person, ns, "date_of_birth")
    age = _text(person, ns, "age").split("-")[0]
    if born:
        item["birth_date"] = born
    elif age.isdigit():
        item["age"] = int(age)
    return item


def import_file(content: bytes, *, user) -> PfifImport:
    result = PfifImport()
    try:
        version, root = parse(content)
    except ValueError as error:
        result.errors.append(str(error))
        return result
    ns = NAMESPACES[version]
    links: list[tuple[str, str]] = []
    for person in root.findall(f"{{{ns}}}person"):
        problems = problems_of(person, version)
        if problems:
            result.errors += problems
            continue
        pfif_id = _text(person, ns, "person_record_id")
        if pfif_id.split("/")[0] == settings.REFUGE_PFIF_DOMAIN:
            continue  # one of ours, come back
        _import_person(person, ns, pfif_id, user, result)
        for note in person.findall(f"{{{ns}}}note"):
            linked = _text(note, ns, "linked_person_record_id")
            if linked:
                links.append((pfif_id, linked))
    _link_duplicates(links, user, result)
    return result


@transaction.atomic
def _import_person(person: ET.Element, ns: str, pfif_id: str, user, result: PfifImport):
    source = _moment(_text(person, ns, "source_date"))
    expiry = _moment(_text(person, ns, "expiry_date"))
    entry = _moment(_text(person, ns, "entry_date")) or timezone.now()
    existing = SoughtPerson.objects.filter(pfif_record_id=pfif_id).first()
    if existing and existing.source_date and source and source <= existing.source_date:
        result.kept_newer += 1
        return
    item = _person_item(person, ns)
    expired = bool(expiry and expiry <= timezone.now())
    if existing is None:
        payload = {"uuid": str(uuid5(NAMESPACE, pfif_id)),
                   "enquirer_given_name": _text(person, ns, "author_name")[:100],
                   "sought": [item]}
        try:
            enquiry, _created = services.record_enquiry(payload, user=user)
        except Invalid as invalid:
            result.errors.append(f"person {pfif_id}: " + "; ".join(
                f"{e.field} {e.message}" for e in invalid.errors))
            return
        existing = enquiry.sought.get()
        result.persons += 1
    else:
        result.updated += 1
        services.update_clone(existing, item, user=user)
    existing.pfif_record_id, existing.source_date = pfif_id, source
    existing.expiry_date, existing.entry_date = expiry, entry
    existing.save(update_fields=["pfif_record_id", "source_date", "expiry_date", "entry_date"])
    if expired:
        services.make_placeholder(existing, user=user)
        result.placeholders += 1
        return
    statuses = [_text(n, ns, "status") for n in person.findall(f"{{{ns}}}note")]
    fate = next((STATUS_FATE[s] for s in reversed(statuses) if s in STATUS_FATE), None)
    if fate and fate != existing.fate:
        services.record_fate(existing, fate, user=user, note="PFIF")


def _link_duplicates(links: list[tuple[str, str]], user, result: PfifImport) -> None:
    """Links given both ways are one person recorded twice: a pair for an officer."""
    pairs = set(links)
    for first, second in pairs:
        if (second, first) not in pairs or first > second:
            continue
        one = SoughtPerson.objects.filter(pfif_record_id=first).first()
        other = SoughtPerson.objects.filter(pfif_record_id=second).first()
        if one and other:
            _, created = Candidate.objects.get_or_create(
                sought=one, kind=Candidate.SOUGHT, other_sought=other,
                defaults={"probability": 1.0, "levels": {}})
            result.links += created
