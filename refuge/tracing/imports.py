"""Tracing requests from a field team's CSV or an incident's list of the missing: one
sought person per row, rows sharing `enquiry_ref` one enquiry. Every bad row is reported
with its line and reason and the good rows are kept; a `request_ref` imported before is
skipped, so a file imported twice adds nothing. Each request is matched at once."""

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import NAMESPACE_URL, uuid5

from django.utils.translation import gettext as _

from refuge.lib.csvfiles import read_rows, report_line
from refuge.lib.errors import FieldError, Invalid
from refuge.tracing import services
from refuge.tracing.models import Enquiry, SoughtPerson

REQUIRED_COLUMNS = ["request_ref", "sought_given_name"]
OPTIONAL_COLUMNS = ["enquiry_ref", "sought_family_name", "sought_patronymic", "sought_sex",
                    "sought_birth_date", "sought_age", "sought_place_of_origin",
                    "last_seen_place", "last_seen_date", "enquirer_given_name",
                    "enquirer_family_name", "relation", "phone", "status"]
# Column of the file → field of a sought person.
SOUGHT_COLUMNS = {"sought_given_name": "given_name", "sought_family_name": "family_name",
                  "sought_patronymic": "patronymic", "sought_sex": "sex",
                  "sought_birth_date": "birth_date", "sought_age": "age",
                  "sought_place_of_origin": "origin", "last_seen_place": "last_seen_place",
                  "last_seen_date": "last_seen_date", "relation": "relation"}
COLUMN_OF = {f"sought[0].{name}": column for column, name in SOUGHT_COLUMNS.items()}
# A mass missing list's statuses, as the fates tracing keeps.
STATUS_WORDS = {"missing": SoughtPerson.MISSING, "found": SoughtPerson.ALIVE,
                "alive": SoughtPerson.ALIVE, "found_alive": SoughtPerson.ALIVE,
                "deceased": SoughtPerson.DECEASED, "dead": SoughtPerson.DECEASED}
# Armenian or Russian enquiry references are kept as given; the UUID is derived from them.
NAMESPACE = uuid5(NAMESPACE_URL, "https://refuge.example/tracing/enquiry")


@dataclass
class TracingImport:
    requests: int = 0
    enquiries: int = 0
    already: int = 0
    errors: list[str] = field(default_factory=list)


def _sought_item(row: dict) -> dict:
    item = {name: row[column] for column, name in SOUGHT_COLUMNS.items() if row.get(column)}
    item["reference"] = row["request_ref"]
    return item


def _checked(line: int, row: dict, errors: list[str]) -> tuple[dict, str] | None:
    """The enquiry payload of a row, or None with its problems reported."""
    problems = []
    if not row.get("request_ref"):
        problems.append(FieldError("request_ref", _("is empty")))
    status = (row.get("status") or "").strip().lower().replace(" ", "_")
    if status and status not in STATUS_WORDS:
        problems.append(FieldError("status", _("%(value)s is not one of: %(allowed)s") % {
            "value": row["status"], "allowed": "missing, found alive, deceased"}))
    payload = {"uuid": str(uuid5(NAMESPACE, row.get("enquiry_ref") or row["request_ref"])),
               "reference": row.get("enquiry_ref") or "",
               "enquirer_given_name": row.get("enquirer_given_name", ""),
               "enquirer_family_name": row.get("enquirer_family_name", ""),
               "phone": row.get("phone", ""), "sought": [_sought_item(row)]}
    try:
        services.clean_enquiry(payload)
    except Invalid as invalid:
        problems += [FieldError(COLUMN_OF.get(e.field, e.field), e.message)
                     for e in invalid.errors]
    if problems:
        report_line(line, problems, errors)
        return None
    return payload, STATUS_WORDS.get(status, "")


def import_tracing(text: str, *, user, progress: Callable[[int], None] | None = None,
                   ) -> TracingImport:
    result = TracingImport()
    known = set(SoughtPerson.objects.exclude(reference=None).values_list("reference", flat=True))
    for line, row in read_rows(text, REQUIRED_COLUMNS, OPTIONAL_COLUMNS, result.errors):
        if progress:
            progress(1)
        if row.get("request_ref") in known:
            result.already += 1
            continue
        checked = _checked(line, row, result.errors)
        if checked is None:
            continue
        payload, fate = checked
        enquiry = Enquiry.objects.filter(uuid=payload["uuid"]).first()
        if enquiry is None:
            enquiry, _created = services.record_enquiry(payload, user=user)
            sought = enquiry.sought.get(reference=row["request_ref"])
            result.enquiries += 1
        else:
            sought = services.add_sought(enquiry, payload["sought"], user=user)[0]
        if fate and fate != sought.fate:
            services.record_fate(sought, fate, user=user, note=_("imported list"))
        known.add(row["request_ref"])
        result.requests += 1
    return result
