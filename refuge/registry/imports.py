"""People from a CSV file, for real use (another agency's list) and for evaluation.

Columns: record_id, household_ref, given_name, family_name, patronymic, sex, birth_date,
place_of_origin; others are ignored. Rows sharing household_ref form one household.
The whole file is checked before anything is saved: every bad row is reported with its
line number and field, and with any, nothing is saved (unless the bad rows are to be
skipped, when the good ones are). A record_id already imported is skipped, so importing a
file twice adds nothing.
"""

import re
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.accounts.models import Post
from refuge.lib import dates
from refuge.lib.csvfiles import read_rows, report_line
from refuge.lib.errors import Problems, shown
from refuge.registry import recording
from refuge.registry.models import Household, Person, RegistrationEvent
from refuge.registry.validation import clean_name, clean_text, require_a_name

REQUIRED_COLUMNS = ["record_id", "given_name", "family_name"]
OPTIONAL_COLUMNS = ["household_ref", "patronymic", "sex", "birth_date", "place_of_origin"]
IMPORTED = uuidlib.UUID("6f1d3f0e-8a7c-4c55-9a53-2f7b6d0e9c11")
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
SEXES = {"": "U", "U": "U", "F": "F", "M": "M", "FEMALE": "F", "MALE": "M"}
BATCH = 5000
IMPORT_POST = "IMPORT"


@dataclass
class PeopleImport:
    people: int = 0
    households: int = 0
    already: int = 0
    good_rows: int = 0
    errors: list[str] = field(default_factory=list)
    bad_rows: int = 0

    @property
    def refused(self) -> bool:
        """Bad rows were found and, as they were not to be skipped, nothing was saved."""
        return bool(self.errors) and not (self.people or self.already)


def import_post() -> Post:
    post, _created = Post.objects.get_or_create(
        code=IMPORT_POST, defaults={"kind": Post.RECEPTION, "name": "Imported records"})
    return post


def import_people(text: str, *, user, post: Post | None = None,
                  progress: Callable[[int], None] | None = None,
                  skip_bad_rows: bool = False) -> PeopleImport:
    """Register the people of CSV text, all of it checked first.

    The checking pass reads the whole file and reports every bad row (and any line that
    cannot be read as CSV) in `errors`, by line and field. With any, nothing is saved,
    unless `skip_bad_rows`: then the good rows are saved, and the bad ones stay reported.
    `progress` is told of each row checked, then of each row saved."""
    result = PeopleImport()
    rows = checked_rows(text, result, progress)
    if result.errors and not skip_bad_rows:
        return result
    post = post or import_post()
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        _save(batch, post, user, result)
        if progress:
            progress(len(batch))
    return result


def checked_rows(text: str, result: PeopleImport,
                 progress: Callable[[int], None] | None = None) -> list[tuple[str, dict]]:
    """The checking pass: each good row cleaned, the bad ones reported in the result."""
    seen: dict[str, int] = {}
    rows: list[tuple[str, dict]] = []
    of_rows = 0  # problems of rows read, as against a file that stops being readable
    for line, row in read_rows(text, REQUIRED_COLUMNS, OPTIONAL_COLUMNS, result.errors):
        before = len(result.errors)
        cleaned = clean_row(row, line, seen, result.errors)
        if cleaned:
            rows.append(cleaned)
        else:
            result.bad_rows += 1
            of_rows += len(result.errors) - before
        if progress:
            progress(1)
    if len(result.errors) > of_rows and rows:
        result.bad_rows += 1  # the line from which the file could not be read
    result.good_rows = len(rows)
    return rows


def clean_row(row: dict, line: int, seen: dict[str, int], errors: list[str]
              ) -> tuple[str, dict] | None:
    """(household_ref, person fields) for a good row; a bad row's problems go to `errors`."""
    problems = Problems()
    record_id = row.get("record_id", "")
    if not record_id:
        problems.add("record_id", _("is empty"))
    elif len(record_id) > 64:
        problems.add("record_id", _("is longer than 64 characters"))
    elif record_id in seen:
        problems.add("record_id", _("%(id)s is already on line %(line)s")
                     % {"id": record_id, "line": seen[record_id]})
    fields = {name: clean_name(row.get(name, ""), name, problems)
              for name in ("given_name", "family_name", "patronymic")}
    require_a_name(fields, "", problems)
    sex = SEXES.get(row.get("sex", "").upper())
    if sex is None:
        problems.add("sex", _("must be F, M or empty, not %(value)s")
                     % {"value": shown(row["sex"])})
    born = _birth_date(row.get("birth_date", ""), problems)
    origin = clean_text(row.get("place_of_origin", ""), "place_of_origin", problems, 100)
    if problems.errors:
        report_line(line, problems.errors, errors)
        return None
    seen[record_id] = line
    return row.get("household_ref") or f"record:{record_id}", {
        **fields, "record_id": record_id, "sex": sex, "birth_date": born.value,
        "birth_precision": born.precision, "origin": origin}


def _birth_date(text: str, problems: Problems) -> dates.BirthDate:
    if not text:
        return dates.BirthDate(None, dates.UNKNOWN)
    if not ISO_DATE.match(text):
        problems.add("birth_date", _("%(text)s is not YYYY, YYYY-MM or YYYY-MM-DD")
                     % {"text": text})
        return dates.BirthDate(None, dates.UNKNOWN)
    try:
        return dates.parse_birth_date(text)
    except dates.BirthDateError as error:
        problems.add("birth_date", str(error))
        return dates.BirthDate(None, dates.UNKNOWN)


@transaction.atomic
def _save(batch: list[tuple[str, dict]], post: Post, user, result: PeopleImport) -> None:
    """Register one batch of rows as the desk registers a household (refuge.registry.
    recording), many households to a statement."""
    already = set(Person.objects.filter(record_id__in=[p["record_id"] for _r, p in batch])
                  .values_list("record_id", flat=True))
    result.already += len(already)
    batch = [(ref, person) for ref, person in batch if person["record_id"] not in already]
    if not batch:
        return
    now = timezone.now()
    registrations = _registrations(batch, post, user, now)
    recording.record(list(registrations.values()), user=user, now=now)
    result.households += sum(not r.added for r in registrations.values())
    result.people += len(batch)


def _registrations(batch: list[tuple[str, dict]], post: Post, user, now
                   ) -> dict[str, recording.Registered]:
    """The registration of each household ref in the batch: a new household the first
    time the ref is seen, people added to it after."""
    uuids = {ref: uuidlib.uuid5(IMPORTED, f"household:{ref}") for ref, _p in batch}
    found = {h.uuid: h for h in Household.objects.filter(uuid__in=uuids.values())}
    focal_taken = set(Person.objects.filter(household__in=found.values(),
                                            relationship=Person.FOCAL_POINT)
                      .values_list("household_id", flat=True))
    registrations: dict[str, recording.Registered] = {}
    for ref, fields in batch:
        registered = registrations.get(ref) or _registration(ref, uuids[ref], found, post,
                                                             user, now)
        registrations[ref] = registered
        household = registered.household
        first = not registered.people and (household.pk not in focal_taken)
        person = Person(uuid=uuidlib.uuid5(IMPORTED, f"person:{fields['record_id']}"),
                        household=household, registered_at=post, registered_on=now,
                        relationship=Person.FOCAL_POINT if first else "other_relative",
                        **fields)
        person.derive_search_forms()
        registered.people.append(person)
    return registrations


def _registration(ref: str, uuid: uuidlib.UUID, found: dict, post: Post, user, now
                  ) -> recording.Registered:
    household = found.get(uuid)
    added = household is not None
    if household is None:
        household = Household(uuid=uuid, group=uuid, registered_at=post, registered_on=now)
    # People added to a household imported before are an event of their own.
    event_uuid = uuidlib.uuid5(IMPORTED, f"added:{ref}:{now.isoformat()}") if added else uuid
    event = RegistrationEvent(
        uuid=event_uuid, household=household, post=post, desk="import", user=user, at=now,
        body_hash="import",
        kind=RegistrationEvent.ADDED if added else RegistrationEvent.REGISTERED)
    return recording.Registered(household, [], event, added=added, audit={"via": "import"})
