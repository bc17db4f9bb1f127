"""What the registry is asked: find people by name in any script, document, phone or number."""

import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from refuge.accounts.models import Post
from refuge.lib import names
from refuge.lib.errors import Problems
from refuge.registry.models import (
    Document,
    EditConflict,
    Household,
    Person,
    Tally,
    document_key,
)
from refuge.registry.numbers import parse_registration_number, registration_number
from refuge.registry.validation import clean_phone

SEARCH_LIMIT = 50
PHONE_LIKE = re.compile(r"^\+?[\d\s\-()]{6,}$")


@dataclass
class SearchResult:
    people: list[Person] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    understood_as: str = ""
    problem: str = ""


def people_for_display() -> QuerySet:
    return Person.objects.select_related("household__registered_at").prefetch_related(
        "documents")


def search(text: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Registration number, phone, document number, or names in any script, in that order.

    A registration number that finds nothing (a wrong check digit, say) is reported in
    `problem`, unless the text found someone as a phone, document or name."""
    query = (text or "").strip()
    if not query:
        return SearchResult()
    number = look_up_number(query)
    if number.household is not None:
        people = list(people_for_display().filter(household=number.household))
        return SearchResult(people, [number.household], "registration number")
    result = _search_people(query, limit)
    if not result.people and number.names_a_post:
        result.problem = number.problem
    return result


def _search_people(query: str, limit: int) -> SearchResult:
    if PHONE_LIKE.match(query):
        people = _by_phone(query, limit)
        if people:
            return SearchResult(people, _households_of(people), "phone")
    people = _by_document(query, limit)
    if people:
        return SearchResult(people, _households_of(people), "document")
    people = _by_name(query, limit)
    return SearchResult(people, _households_of(people), "name")


NOT_A_NUMBER, CHECK_DIGIT, NOT_FOUND = "not_a_number", "check_digit", "not_found"


@dataclass
class NumberLookup:
    """What a typed registration number found: the household, or why not, in words."""

    household: Household | None = None
    problem: str = ""
    # What went wrong, for a caller that answers in codes: NOT_A_NUMBER, CHECK_DIGIT or
    # NOT_FOUND.
    reason: str = ""
    # The text is shaped like a number whose centre code is a post's: a problem is then
    # about a registration number, not a name or document that only looks like one.
    names_a_post: bool = False


def look_up_number(text: str) -> NumberLookup:
    """The household a registration number names, however it was typed, or the problem
    in words: a wrong check digit, no such household, or not a number at all."""
    typed = parse_registration_number(text or "")
    if typed is None:
        return NumberLookup(problem=_("%(text)s is not a registration number (like "
                                      "GOR-0001234)") % {"text": (text or "").strip()[:40]},
                            reason=NOT_A_NUMBER)
    if typed.check_ok:
        household = (Household.objects.select_related("registered_at")
                     .filter(pk=typed.household_id, registered_at__code__in=typed.codes)
                     .first())
        if household is not None:
            return NumberLookup(household, names_a_post=True)
    known = list(Post.objects.filter(code__in=typed.codes).values_list("code", flat=True))
    shown = f"{known[0]}-{typed.digits}" if known else str(typed)
    if not typed.check_ok:
        reason = CHECK_DIGIT
        problem = _("%(number)s: the check digit is wrong; check the number on the card")
    else:
        reason = NOT_FOUND
        problem = _("%(number)s: no household has this number")
    return NumberLookup(problem=problem % {"number": shown}, reason=reason,
                        names_a_post=bool(known))


def household_by_number(text: str) -> Household | None:
    """The household a registration number names, or None for a mistyped one."""
    return look_up_number(text).household


def _households_of(people: list[Person]) -> list[Household]:
    seen: dict[int, Household] = {}
    for person in people:
        seen.setdefault(person.household_id, person.household)
    return list(seen.values())


def _by_phone(query: str, limit: int) -> list[Person]:
    phone = clean_phone(query, "q", Problems())
    if not phone:
        return []
    return list(people_for_display().filter(phone=phone)[:limit])


def _by_document(query: str, limit: int) -> list[Person]:
    key = document_key(query)
    if len(key) < 4 or not any(ch.isdigit() for ch in key):
        return []
    person_ids = Document.objects.filter(number_key=key).values("person_id")[:limit]
    return list(people_for_display().filter(pk__in=person_ids))


def _by_name(query: str, limit: int) -> list[Person]:
    """Every word of the query must be one of the person's names, in any script.

    A word can be a given name, a family name or a father's name, and a
    father's name can be typed in any form (Самвелович, Սամվելի, Samvel).
    With two words or more, the database starts from pairs of names through
    the composite indexes, so a common given name does not mean a long scan.
    """
    words = names.WORD.findall(query)[:6]
    keys = [(names.search_key(w), names.search_key(names.patronymic_stem(w))) for w in words]
    keys = [k for k in keys if k[0]]
    if not keys:
        return []
    found = people_for_display()
    if len(keys) > 1:
        pairs = Q()
        for first, (key, _father) in enumerate(keys):
            for second, (other, other_father) in enumerate(keys):
                if first != second:
                    pairs |= Q(family_key=key, given_key=other)
                    pairs |= Q(given_key=key, patronymic_key=other_father)
                    pairs |= Q(family_key=key, patronymic_key=other_father)
        found = found.filter(pairs)
    for key, father_key in keys:
        found = found.filter(Q(given_key=key) | Q(family_key=key) | Q(patronymic_key=father_key))
    return list(found.order_by()[:limit])


HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
HISTORY_LABELS = {"created": gettext_lazy("created"), "changed": gettext_lazy("changed"),
                  "deleted": gettext_lazy("deleted")}
UNTRACKED = {"history_id", "history_date", "history_change_reason", "history_type",
             "history_user", "history_user_id", "id", "version"}


def person_changes(person: Person) -> list[dict]:
    """The person's history, newest first, naming the fields each change touched."""
    records = list(person.history.select_related("history_user").order_by("-history_date"))
    changes = []
    # People bulk-loaded (the demo, an import) may have no history at all.
    for newer, older in zip(records, [*records[1:], None][:len(records)], strict=True):
        if older is None:
            fields = []
        else:
            fields = sorted(c.field for c in newer.diff_against(older).changes
                            if c.field not in UNTRACKED)
        changes.append({
            "at": newer.history_date,
            "user": newer.history_user.get_username() if newer.history_user else None,
            "kind": HISTORY_TYPES.get(newer.history_type, newer.history_type),
            "fields": fields,
        })
    return changes


def labelled_changes(person: Person) -> list[dict]:
    """The person's history for a page: kinds and field names in the user's language."""
    return [
        {**change, "kind_label": HISTORY_LABELS.get(change["kind"], change["kind"]),
         "field_labels": [field_label(name) for name in change["fields"]]}
        for change in person_changes(person)
    ]


TALLY_FIELDS = ("people_aboard", "vehicle_ref", "note")


def tally_changes(tally: Tally) -> list[dict]:
    """A count's history, newest first: when, by whom, and each field's value before and
    after (a count, a plate and a note: nothing that names a person)."""
    records = list(tally.history.select_related("history_user")
                   .order_by("history_date", "history_id"))
    changes, before = [], None
    for record in records:
        fields = [] if before is None else [
            {"field": name, "label": field_label(name, Tally),
             "before": getattr(before, name), "after": getattr(record, name)}
            for name in TALLY_FIELDS if getattr(before, name) != getattr(record, name)]
        kind = HISTORY_TYPES.get(record.history_type, record.history_type)
        changes.append({
            "at": record.history_date,
            "user": record.history_user.get_username() if record.history_user else None,
            "kind": kind, "kind_label": HISTORY_LABELS.get(kind, kind), "fields": fields,
        })
        before = record
    return changes[::-1]


def corrected_tallies(tallies: list[Tally]) -> set[int]:
    """Of these tallies, the ids of those corrected since they were counted."""
    return set(Tally.history.filter(id__in=[t.pk for t in tallies], history_type="~")
               .values_list("id", flat=True))


def field_label(name: str, model: type[Person | Household | Tally] = Person) -> str:
    """A person's (or household's) field name as the screen shows it, in the user's
    language."""
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field since removed still shows its name
        return name


def open_conflicts(record: Person | Household) -> list[EditConflict]:
    """Edits made on two devices that wait for someone to choose, each with `.label` and
    `.current`, the value now (changed again since the conflict, perhaps): keeping it is
    what "keep" does."""
    conflicts = list(record.conflicts.filter(status=EditConflict.OPEN)
                     .select_related("proposed_by"))
    for conflict in conflicts:
        conflict.label = field_label(conflict.field, type(record))
        conflict.current = (record.household.registration_number
                            if conflict.field == "household" and isinstance(record, Person)
                            else stored_text(getattr(record, conflict.field, "")))
    return conflicts


def stored_text(value) -> str:
    """A field's value as an edit conflict keeps it: text, dates as YYYY-MM-DD."""
    return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)


def name_index(post: Post) -> list[str]:
    """The name keys of people registered at `post` and in its province, compact, for a
    desk to warn of people already registered when it has no network:
    "family key|given key|birth year|registration number" per person."""
    people = Person.objects.counted().filter(Q(registered_at=post) | Q(
        registered_at__province=post.province) if post.province else Q(registered_at=post))
    return [f"{family}|{given}|{born.year if born else ''}|"
            f"{registration_number(code, household_id)}"
            for family, given, born, household_id, code in people.exclude(
                family_key="", given_key="").values_list(
                "family_key", "given_key", "birth_date", "household_id",
                "household__registered_at__code").iterator(chunk_size=10000)]


def crossed_today(post: Post) -> int:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    total = Tally.objects.filter(post=post, counted_at__gte=start).aggregate(n=Sum("people_aboard"))
    return total["n"] or 0
