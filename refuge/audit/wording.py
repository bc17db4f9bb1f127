"""An audit event's details in words, in the reader's language, for the audit log page.

Events keep codes and identifiers (`{"via": "api"}`, `{"fields": ["given_name"]}`,
household UUIDs); here they become "through the API", "given name", "GOR-0000125".
Models are found by name through Django's app registry, so the audit app, which every
app writes to, imports none of them. A detail no one described yet is shown as
"key: value", never hidden.
"""

from collections.abc import Iterable
from uuid import UUID

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from refuge.audit.models import AuditEvent

# Where a record was seen or changed from.
VIA = {
    "api": gettext_lazy("through the API"),
    "api-search": gettext_lazy("in a search through the API"),
    "api-history": gettext_lazy("its history, through the API"),
    "search": gettext_lazy("in a search"),
    "household page": gettext_lazy("on the household page"),
    "person page": gettext_lazy("on the person page"),
    "card": gettext_lazy("on the registration card"),
    "site page": gettext_lazy("on a shelter site's page"),
    "desk duplicate check": gettext_lazy("in the desk's duplicate check"),
    "duplicate review": gettext_lazy("in the duplicate review"),
}
WHAT = {"name index": gettext_lazy("the desk's name index"),
        "people.csv": gettext_lazy("the list of people (people.csv)")}
# The model whose field names and statuses an event's object type uses.
MODELS = {"person": "registry.Person", "household": "registry.Household",
          "tally": "registry.Tally", "placement": "shelter.Placement",
          "proposal": "shelter.Proposal", "pair": "matching.CandidatePair",
          "allocation": "shelter.AllocationRun"}
HOUSEHOLD_KEYS = ("household", "from_household", "to_household", "linked")
# Details read in this order, whatever order the database keeps them in (PostgreSQL's
# jsonb keeps none); others follow, by name.
ORDER = ["via", "what", "results", "members", "post", "household", "from_household",
         "to_household", "linked", "merged", "site", "moved_from", "status", "changed_site",
         "fields", "conflicts", "households", "proposals"]


def describe(events: Iterable[AuditEvent]) -> None:
    """Set `.detail_text` on each event, and `.record_label` (a household's registration
    number) where there is one; a page's households and sites are read in two queries."""
    events = list(events)
    numbers = _household_numbers(events)
    sites = _site_names(events)
    for event in events:
        event.record_label = (numbers.get(str(event.object_uuid), "")
                              if event.object_type == "household" else "")
        parts = [_part(event, key, value, numbers, sites)
                 for key, value in sorted((event.detail or {}).items(), key=_reading_order)]
        event.detail_text = "; ".join(p for p in parts if p)


def _reading_order(item: tuple) -> tuple:
    key = item[0]
    return (ORDER.index(key) if key in ORDER else len(ORDER), key)


def _part(event: AuditEvent, key: str, value, numbers: dict, sites: dict) -> str:
    if key == "via":
        return str(VIA.get(value, value))
    if key == "results":
        return ngettext("%(n)s found", "%(n)s found", value) % {"n": value}
    if key == "members":
        return ngettext("%(n)s member", "%(n)s members", value) % {"n": value}
    if key == "post":
        return _("at %(post)s") % {"post": value}
    if key in ("fields", "conflicts"):
        labels = ", ".join(_field_label(event.object_type, name) for name in value)
        if key == "conflicts":
            return _("kept for review, edited on another device: %(fields)s") % {
                "fields": labels}
        return _("changed: %(fields)s") % {"fields": labels}
    if key == "status":
        return _("now %(status)s") % {"status": _status_label(event.object_type, value)}
    if key == "household":
        return _("household %(number)s") % {"number": numbers.get(value, _short(value))}
    if key == "from_household":
        return _("from %(number)s") % {"number": numbers.get(value, _short(value))}
    if key == "to_household":
        return _("to %(number)s") % {"number": numbers.get(value, _short(value))}
    if key == "linked":
        return _("with %(numbers)s") % {
            "numbers": ", ".join(numbers.get(u, _short(u)) for u in value)}
    if key == "site":
        return _("site %(site)s") % {"site": sites.get(value, _short(value))}
    if key == "moved_from":
        return _("moved from the placement %(id)s") % {"id": _short(value)}
    if key == "merged":
        return _("the record %(id)s merged into this one") % {"id": _short(value)}
    if key == "what":
        return str(WHAT.get(value, value))
    if key == "changed_site":
        return _("at another site than proposed") if value else ""
    if key == "households":
        return ngettext("%(n)s household waiting", "%(n)s households waiting", value) % {
            "n": value}
    if key == "proposals":
        return ngettext("%(n)s proposal", "%(n)s proposals", value) % {"n": value}
    return f"{capfirst(key.replace('_', ' '))}: {_plain(value)}"


def _plain(value) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return _short(value) if _is_uuid(value) else str(value)


def _model(object_type: str):
    name = MODELS.get(object_type)
    if name is None:
        return None
    try:
        return apps.get_model(name)
    except LookupError:
        return None


def _field_label(object_type: str, name: str) -> str:
    model = _model(object_type)
    try:
        return str(model._meta.get_field(name).verbose_name) if model else name
    except FieldDoesNotExist:
        return name


def _status_label(object_type: str, code: str) -> str:
    model = _model(object_type)
    try:
        choices = dict(model._meta.get_field("status").choices or ()) if model else {}
    except FieldDoesNotExist:
        choices = {}
    return str(choices.get(code, code))


def _household_numbers(events: list[AuditEvent]) -> dict[str, str]:
    wanted = {str(e.object_uuid) for e in events if e.object_type == "household"
              and e.object_uuid}
    for event in events:
        for key in HOUSEHOLD_KEYS:
            value = (event.detail or {}).get(key)
            wanted.update(v for v in (value if isinstance(value, list) else [value])
                          if _is_uuid(v))
    if not wanted:
        return {}
    household = apps.get_model("registry.Household")
    return {str(h.uuid): h.registration_number for h in
            household.objects.filter(uuid__in=wanted).select_related("registered_at")}


def _site_names(events: list[AuditEvent]) -> dict[str, str]:
    wanted = {e.detail["site"] for e in events if _is_uuid((e.detail or {}).get("site"))}
    if not wanted:
        return {}
    site = apps.get_model("shelter.Site")
    return {str(u): name for u, name in site.objects.filter(uuid__in=wanted)
            .values_list("uuid", "name")}


def _is_uuid(value) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _short(value) -> str:
    """A UUID as the log shows it: its first eight characters are enough to tell apart."""
    return f"{value[:8]}…" if _is_uuid(value) else str(value)
