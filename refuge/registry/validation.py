"""Check what a desk, the API or an import sends, field by field.

Every problem is a FieldError naming the field the way the API's error shape
does (`members[2].birth_date`), with a message fit to show beside that field.
Nothing is saved unless the whole household is clean.
"""

from datetime import date, datetime, timedelta
from uuid import UUID

import phonenumbers
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from refuge.lib import dates, names
from refuge.lib.errors import Problems, shown
from refuge.registry.models import Document, Household, Person, SpecificNeed

MAX_MEMBERS = 60
MAX_DOCUMENTS = 10
RELATIONSHIPS = {code for code, _label in Person.RELATIONSHIPS}
SEXES = {code for code, _label in Person.SEXES}
DOCUMENT_KINDS = {code for code, _label in Document.KINDS}
STATUSES = {code for code, _label in Person.STATUSES}


def clean_phone(text: str | None, where: str, problems: Problems) -> str:
    raw = (text or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, settings.REFUGE_PHONE_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        problems.add(where, _("%(text)s is not a valid phone number") % {"text": raw})
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def readable_phone(stored: str) -> str:
    """A phone number as kept (+37477123456) the way people read it (+374 77 123456)."""
    try:
        number = phonenumbers.parse(stored, settings.REFUGE_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return stored
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_name(text: str | None, where: str, problems: Problems) -> str:
    """A name as typed; only surrounding white space is trimmed."""
    if text is None:
        return ""
    if text and not text.strip():
        problems.add(where, _("is blank: leave it empty if it is unknown"))
        return ""
    value = text.strip()
    if value and (problem := names.name_problem(value)):
        problems.add(where, problem)
    return value


def clean_text(text: str | None, where: str, problems: Problems, max_length: int) -> str:
    value = (text or "").strip()
    if len(value) > max_length:
        problems.add(where, _("is longer than %(max)s characters") % {"max": max_length})
    elif names.forbidden_char(value) is not None:
        problems.add(where, _("contains an invisible or control character"))
    return value


# Sex as one letter on any keyboard layout: Latin M/F, Armenian Ա (արական) and Ի (իգական),
# Russian М (мужской) and Ж (женский); the desk shows the word it read.
SEX_LETTERS = {"M": "M", "F": "F", "U": "U", "М": "M", "Ж": "F", "Ա": "M", "Ի": "F"}


def clean_sex(value, where: str, problems: Problems) -> str:
    letter = str(value or "").strip().upper()
    if letter in SEX_LETTERS:
        return SEX_LETTERS[letter]
    return clean_choice(letter or None, SEXES, where, problems, "U")


def clean_choice(value: str | None, allowed: set[str], where: str, problems: Problems,
                 default: str) -> str:
    if value in (None, ""):
        return default
    if value not in allowed:
        problems.add(
            where,
            _("%(value)s is not one of: %(allowed)s")
            % {"value": shown(value), "allowed": ", ".join(sorted(allowed))},
        )
        return default
    return value


# What every integer column holds in every database Refuge runs on.
LARGEST_WHOLE_NUMBER = 2**31 - 1


def clean_whole_number(value, where: str, problems: Problems, minimum: int = 0,
                       maximum: int = LARGEST_WHOLE_NUMBER) -> int:
    text = str(value).strip()
    try:
        number = int(text) if len(text) <= 20 else None
    except (TypeError, ValueError):
        number = None
    if number is None:
        problems.add(where, _("%(value)s is not a whole number") % {"value": shown(text)})
        return minimum
    if number < minimum:
        problems.add(where, _("must be at least %(min)s") % {"min": minimum})
    elif number > maximum:
        problems.add(where, _("must be at most %(max)s") % {"max": maximum})
        return maximum
    return number


def clean_flag(value) -> bool:
    """Yes or no, as a checkbox, JSON or a CSV cell gives it."""
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "true", "yes", "y", "on"}


def clean_needs(codes, where: str, problems: Problems) -> str:
    if isinstance(codes, str):
        codes = codes.replace(",", " ").replace(";", " ").split()
    cleaned = []
    for code in codes or []:
        upper = str(code).strip().upper()
        if upper not in SpecificNeed.CODES:
            problems.add(
                where,
                _("%(code)s is not a specific-needs code (%(codes)s)")
                % {"code": code, "codes": ", ".join(SpecificNeed.CODES)},
            )
        elif upper not in cleaned:
            cleaned.append(upper)
    return ",".join(cleaned)


def clean_birth_date(text: str | None, where: str, problems: Problems, today: date):
    try:
        return dates.parse_birth_date(text, today)
    except dates.BirthDateError as error:
        problems.add(where, str(error))
        return dates.BirthDate(None, dates.UNKNOWN)


def clean_documents(documents, where: str, problems: Problems) -> list[dict]:
    cleaned = []
    if len(documents or []) > MAX_DOCUMENTS:
        problems.add(where, _("at most %(max)s documents") % {"max": MAX_DOCUMENTS})
        return []
    for index, document in enumerate(documents or []):
        at = f"{where}[{index}]"
        kind = clean_choice(document.get("kind"), DOCUMENT_KINDS, f"{at}.kind", problems,
                            Document.PASSPORT)
        number = (document.get("number") or "").strip()
        if not number:
            problems.add(f"{at}.number", _("is empty"))
        elif len(number) > 40 or not any(ch.isalnum() for ch in number):
            problems.add(f"{at}.number", _("%(text)s is not a document number") % {"text": number})
        elif names.forbidden_char(number) is not None:
            problems.add(f"{at}.number", _("contains an invisible or control character"))
        cleaned.append({"kind": kind, "number": number})
    return cleaned


def clean_person_fields(member: dict, where: str, problems: Problems, today: date) -> dict:
    """The fields a person has, checked; used for new members and for edits alike."""
    cleaned: dict = {}
    for name_field in ("given_name", "family_name", "patronymic"):
        if name_field in member:
            cleaned[name_field] = clean_name(member[name_field], f"{where}{name_field}", problems)
    if "sex" in member:
        cleaned["sex"] = clean_sex(member["sex"], f"{where}sex", problems)
    if "birth_date" in member:
        birth = clean_birth_date(member["birth_date"], f"{where}birth_date", problems, today)
        cleaned["birth_date"], cleaned["birth_precision"] = birth.value, birth.precision
    if "relationship" in member:
        cleaned["relationship"] = clean_choice(
            member["relationship"], RELATIONSHIPS, f"{where}relationship", problems,
            "other_relative",
        )
    if "needs" in member:
        cleaned["needs"] = clean_needs(member["needs"], f"{where}needs", problems)
    if "phone" in member:
        cleaned["phone"] = clean_phone(member["phone"], f"{where}phone", problems)
    for text_field, max_length in (("origin", 100), ("destination", 200)):
        if text_field in member:
            cleaned[text_field] = clean_text(member[text_field], f"{where}{text_field}",
                                             problems, max_length)
    if "status" in member:
        cleaned["status"] = clean_choice(member["status"], STATUSES, f"{where}status", problems,
                                         Person.REGISTERED)
    return cleaned


def require_a_name(cleaned: dict, where: str, problems: Problems) -> None:
    if not cleaned.get("given_name") and not cleaned.get("family_name"):
        already = any(e.field in (f"{where}given_name", f"{where}family_name")
                      for e in problems.errors)
        if not already:
            problems.add(f"{where}given_name",
                         _("a person needs a given name or a family name"))


def clean_same_as(value, where: str, problems: Problems) -> UUID | None:
    """The person registered before whom a desk said this member is, if any."""
    if not value:
        return None
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        problems.add(where, _("%(value)s is not a UUID") % {"value": shown(value)})
        return None


def clean_not_same_as(values, where: str, problems: Problems) -> list[UUID]:
    """The registered people a registrar said this member is not."""
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    cleaned = []
    for value in values or []:
        person = clean_same_as(value, where, problems)
        if person and person not in cleaned:
            cleaned.append(person)
    return cleaned


ACCOMMODATION = {code for code, _label in Household.ACCOMMODATION}


def clean_household(payload: dict, today: date | None = None) -> dict:
    """The household a desk or the API sent, checked whole; raises Invalid listing every problem."""
    today = today or timezone.localdate()  # the reception centre's day, not the server's
    problems = Problems()
    joining = clean_same_as(payload.get("household"), "household", problems)
    accommodation = clean_choice(payload.get("accommodation"), ACCOMMODATION, "accommodation",
                                 problems, Household.NOT_ASKED)
    phone = clean_phone(payload.get("phone"), "phone", problems)
    origin = clean_text(payload.get("origin"), "origin", problems, 100)
    destination = clean_text(payload.get("destination"), "destination", problems, 200)
    members_in = payload.get("members") or []
    if not members_in:
        problems.add("members", _("a household needs at least one member"))
    if len(members_in) > MAX_MEMBERS:
        problems.add("members", _("at most %(max)s members") % {"max": MAX_MEMBERS})
        members_in = []
    members = []
    for index, member in enumerate(members_in):
        where = f"members[{index}]."
        default_relationship = Person.FOCAL_POINT if index == 0 else "other_relative"
        member = {**member, "relationship": member.get("relationship") or default_relationship}
        cleaned = clean_person_fields(member, where, problems, today)
        require_a_name(cleaned, where, problems)
        cleaned["documents"] = clean_documents(member.get("documents"), f"{where}documents",
                                               problems)
        cleaned["uuid"] = member.get("uuid")
        cleaned["same_as"] = clean_same_as(member.get("same_as"), f"{where}same_as", problems)
        cleaned["not_same_as"] = clean_not_same_as(member.get("not_same_as"),
                                                   f"{where}not_same_as", problems)
        cleaned.setdefault("origin", origin)
        cleaned.setdefault("destination", destination)
        if not cleaned["origin"]:
            cleaned["origin"] = origin
        if not cleaned["destination"]:
            cleaned["destination"] = destination
        members.append(cleaned)
    focal = [i for i, m in enumerate(members) if m.get("relationship") == Person.FOCAL_POINT]
    if members and len(focal) != 1:
        problems.add(
            f"members[{focal[1] if len(focal) > 1 else 0}].relationship",
            _("a household has exactly one focal point"),
        )
    problems.raise_if_any()
    if phone and not members[focal[0]].get("phone"):
        members[focal[0]]["phone"] = phone
    return {"members": members, "household": joining, "accommodation": accommodation}


def clean_people_aboard(value, problems: Problems) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 120:
        problems.add("people_aboard", _("must be a whole number from 1 to 120"))
        return 0
    return value


# A device's clock may run a little fast; more than this ahead is a mistake.
CLOCK_SKEW = timedelta(minutes=10)


def clean_moment(value, where: str, problems: Problems) -> datetime | None:
    """A moment sent by a device: ISO 8601 with a time zone, not in the future."""
    moment = value
    if isinstance(value, str):
        moment = parse_datetime(value.strip())
    if not isinstance(moment, datetime):
        problems.add(where, _("%(value)s is not a date and time (ISO 8601)")
                     % {"value": shown(value)})
        return None
    if timezone.is_naive(moment):
        problems.add(where, _("needs a time zone, e.g. 2023-09-26T14:05:00+04:00"))
        return None
    if moment > timezone.now() + CLOCK_SKEW:
        problems.add(where, _("%(value)s is in the future") % {"value": shown(value)})
    return moment
