"""Sites from a CSV file, checked row by row: all of it is saved, or none of it."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from refuge.lib.csvfiles import read_rows, report_line
from refuge.lib.errors import Invalid
from refuge.shelter import sites
from refuge.shelter.models import Site

REQUIRED_COLUMNS = ["name", "province", "beds"]
OPTIONAL_COLUMNS = ["name_hy", "name_ru", "kind", "community", "address", "latitude",
                    "longitude", "step_free", "accessible_bathroom", "family_rooms", "contact",
                    "organisation", "is_open"]


@dataclass
class SiteImport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def import_sites(text: str, *, user) -> SiteImport:
    """Create or update sites (matched on name and province) from CSV text.

    Every bad row is reported with its line number and reason; if there is any,
    nothing is saved, so a half-imported file never leaves sites half-changed.
    """
    result = SiteImport()
    rows = []
    seen: dict[tuple[str, str], tuple[int, dict]] = {}
    for line, data in read_rows(text, REQUIRED_COLUMNS, OPTIONAL_COLUMNS, result.errors):
        if "is_open" in data and data["is_open"] == "":
            data["is_open"] = "yes"
        try:
            cleaned = sites.clean_site(data)
        except Invalid as invalid:
            report_line(line, invalid.errors, result.errors)
            continue
        key = (cleaned["name"], cleaned["province"])
        if key in seen:  # the same site twice in one file is one site
            first_line, first = seen[key]
            if first != cleaned:
                result.errors.append(_("line %(line)s: %(name)s in %(province)s is on line "
                                       "%(first)s already, with other values") % {
                    "line": line, "name": key[0], "province": key[1], "first": first_line})
            continue
        seen[key] = (line, cleaned)
        site = Site.objects.filter(name=cleaned["name"], province=cleaned["province"]).first()
        if site is not None and cleaned["beds"] < site.placements.beds_taken():
            result.errors.append(_("line %(line)s: beds %(beds)s is fewer than the %(taken)s "
                                   "beds already taken") % {
                "line": line, "beds": cleaned["beds"], "taken": site.placements.beds_taken()})
            continue
        rows.append((site, cleaned))
    if result.errors:
        return result
    with transaction.atomic():
        for site, cleaned in rows:
            if site is None:
                site = Site(**cleaned)
                result.created += 1
            else:
                for name, value in cleaned.items():
                    setattr(site, name, value)
                result.updated += 1
            site._history_user = user
            site.save()
    return result
