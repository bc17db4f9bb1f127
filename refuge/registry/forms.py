"""Read the desk's HTML form into the same payload the API takes.

The desk posts one row of fields per member (members-0-given_name, ...), so
the page works without JavaScript; validation is the registry's, shared with
the API, so the messages are the same everywhere.
"""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from refuge.lib import dates
from refuge.registry.models import Document, Person

MEMBER_FIELDS = ["relationship", "given_name", "family_name", "patronymic", "sex",
                 "birth_date", "needs", "document_kind", "document_number", "same_as",
                 "not_same_as"]
MEMBER_KEY = re.compile(r"^members-(\d+)-(\w+)$")


def household_payload(post_data) -> tuple[dict, list[int]]:
    """The desk form as an API-shaped payload, and the form rows its members came from
    (empty rows are dropped, so member 2 may be row 3)."""
    rows: dict[int, dict] = {}
    for key, value in post_data.items():
        match = MEMBER_KEY.match(key)
        if match and match.group(2) in MEMBER_FIELDS:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = value
    members, kept = [], []
    for index in sorted(rows)[:MAX_ROWS + 1]:
        row = rows[index]
        if not any((row.get(f) or "").strip() for f in
                   ("given_name", "family_name", "birth_date", "document_number")):
            continue
        member = {f: row.get(f, "") for f in MEMBER_FIELDS[:6]}
        member["needs"] = (row.get("needs") or "").replace(",", " ").split()
        number = (row.get("document_number") or "").strip()
        member["documents"] = (
            [{"kind": row.get("document_kind") or Document.PASSPORT, "number": number}]
            if number else []
        )
        if (row.get("same_as") or "").strip():
            # The registrar linked this row to a person registered before.
            member["same_as"] = row["same_as"].strip()
        if (row.get("not_same_as") or "").strip():
            # ... or said it is not the person registered before that the desk showed.
            member["not_same_as"] = row["not_same_as"].split()
        members.append(member)
        kept.append(index)
    return {
        "uuid": post_data.get("household_uuid", ""),
        "phone": post_data.get("phone", ""),
        "origin": post_data.get("origin", ""),
        "destination": post_data.get("destination", ""),
        "members": members,
        # Left out when not chosen, so a body hashes as it did before the field existed.
        **({"accommodation": post_data["accommodation"]}
           if post_data.get("accommodation") else {}),
        # The household registered before that the new members are added to.
        **({"household": joining} if (joining := _chosen(post_data, "household")) else {}),
        # Added by the service worker to a household kept while offline.
        **({"registered_on": post_data["registered_on"]}
           if post_data.get("registered_on") else {}),
    }, kept


def member_rows(post_data, errors: dict[str, str], count: int) -> list[dict]:
    """The rows to show again after an error, exactly as typed, with their errors."""
    rows = []
    for index in range(count):
        row = {"index": index}
        for name in MEMBER_FIELDS:
            row[name] = post_data.get(f"members-{index}-{name}", "") if post_data else ""
        row["errors"] = {
            name: errors.get(f"members[{index}].{name}", "") for name in MEMBER_FIELDS
        }
        row["birth_reading"] = _reading(row["birth_date"])
        rows.append(row)
    return rows


def _chosen(post_data, name: str) -> str:
    """A field the form may post twice (a hidden default and the button pressed)."""
    values = post_data.getlist(name) if hasattr(post_data, "getlist") else [post_data.get(name)]
    return next((v for v in reversed(values) if v), "")


def _reading(typed: str) -> str:
    """How the desk read a birth date, shown again beside it after a failed save."""
    if not typed.strip():
        return ""
    try:
        return dates.reading(dates.parse_birth_date(typed, timezone.localdate()))
    except dates.BirthDateError:
        return ""


MAX_ROWS = 60  # as many members as a household may have (validation.MAX_MEMBERS)


def row_count(post_data) -> int:
    """Rows to show again: as far as the highest row posted, never more than MAX_ROWS."""
    indices = [int(m.group(1)) for k in post_data if (m := MEMBER_KEY.match(k))]
    return min(max(indices) + 1, MAX_ROWS) if indices else 0


class SearchForm(forms.Form):
    q = forms.CharField(max_length=200, label=_("Name, document, phone or registration number"))


class TallyForm(forms.Form):
    people_aboard = forms.IntegerField(min_value=1, max_value=120, label=_("People in vehicle"))
    vehicle_ref = forms.CharField(max_length=40, required=False, label=_("Plate or number"))
    note = forms.CharField(max_length=200, required=False, label=_("Note"))
    uuid = forms.UUIDField(widget=forms.HiddenInput)
    # Set by the page when the vehicle is counted, so a count sent later keeps its time.
    counted_at = forms.CharField(required=False, widget=forms.HiddenInput)


class PersonForm(forms.Form):
    relationship = forms.ChoiceField(choices=Person.RELATIONSHIPS, label=_("Relation"))
    given_name = forms.CharField(max_length=100, required=False, strip=False,
                                 label=_("Given name"))
    family_name = forms.CharField(max_length=100, required=False, strip=False,
                                  label=_("Family name"))
    patronymic = forms.CharField(max_length=100, required=False, strip=False,
                                 label=_("Father's name"))
    sex = forms.ChoiceField(choices=Person.SEXES, label=_("Sex"))
    birth_date = forms.CharField(max_length=40, required=False, label=_("Born"))
    needs = forms.CharField(max_length=100, required=False, label=_("Needs"))
    phone = forms.CharField(max_length=30, required=False, label=_("Phone"))
    origin = forms.CharField(max_length=100, required=False, label=_("From"))
    destination = forms.CharField(max_length=200, required=False, label=_("Going to"))
    status = forms.ChoiceField(choices=Person.STATUSES, label=_("Status"))
