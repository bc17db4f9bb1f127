"""What-if plans on files: sites and households read from CSV, the plan written as CSV.

`refuge allocate` runs the same allocator the shelter board does. The columns are
documented in the README; a file with a missing column or a bad row is reported
line by line and nothing is planned.
"""

import csv
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from refuge.lib.csvfiles import read_rows, report_line
from refuge.lib.errors import Invalid, Problems
from refuge.registry.validation import clean_flag, clean_needs, clean_text, clean_whole_number
from refuge.shelter.allocation import FreeSite, Plan, Waiting
from refuge.shelter.allocation.messages import Message
from refuge.shelter.sites import clean_site

SITE_COLUMNS = ["name", "province", "beds"]
SITE_OPTIONAL = ["site_ref", "taken", "step_free", "is_open"]
HOUSEHOLD_COLUMNS = ["household_ref", "adults"]
HOUSEHOLD_OPTIONAL = ["children", "needs", "step_free", "province", "relatives_site"]
PLAN_COLUMNS = ["household_ref", "part", "parts", "adults", "children", "site_ref",
                "site_name", "province", "reasons", "reason_codes"]


@dataclass
class Rows:
    items: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_sites(text: str) -> Rows:
    """Sites with their free beds; closed sites are read, and offer none."""
    result, refs = Rows(), set()
    for line, row in read_rows(text, SITE_COLUMNS, SITE_OPTIONAL, result.errors):
        problems = Problems()
        try:
            site = clean_site({**row, "is_open": row.get("is_open") or "yes"})
        except Invalid as invalid:
            report_line(line, invalid.errors, result.errors)
            continue
        taken = clean_whole_number(row.get("taken") or 0, "taken", problems)
        if taken > site["beds"]:
            problems.add("taken", _("%(taken)s is more than the %(beds)s beds")
                         % {"taken": taken, "beds": site["beds"]})
        ref = row.get("site_ref") or site["name"]
        if ref in refs:
            problems.add("site_ref", _("%(ref)s is in the file twice") % {"ref": ref})
        refs.add(ref)
        if problems.errors:
            report_line(line, problems.errors, result.errors)
            continue
        free = site["beds"] - taken if site["is_open"] else 0
        result.items.append(FreeSite(ref, site["name"], site["province"], site["beds"], free,
                                     site["step_free"]))
    return result


def read_households(text: str) -> Rows:
    """Households in the order they have waited: the first row has waited longest."""
    result, refs = Rows(), set()
    for line, row in read_rows(text, HOUSEHOLD_COLUMNS, HOUSEHOLD_OPTIONAL, result.errors):
        problems = Problems()
        ref = clean_text(row.get("household_ref"), "household_ref", problems, 100)
        if not ref:
            problems.add("household_ref", _("is required"))
        elif ref in refs:
            problems.add("household_ref", _("%(ref)s is in the file twice") % {"ref": ref})
        refs.add(ref)
        adults = clean_whole_number(row.get("adults"), "adults", problems)
        children = clean_whole_number(row.get("children") or 0, "children", problems)
        if adults + children < 1 and not problems.errors:
            problems.add("adults", _("a household needs at least one person"))
        needs = clean_needs(row.get("needs", ""), "needs", problems)
        if problems.errors:
            report_line(line, problems.errors, result.errors)
            continue
        result.items.append(Waiting(
            ref, adults, children, order=len(result.items),
            needs=frozenset(filter(None, needs.split(","))),
            step_free=clean_flag(row.get("step_free")), province=row.get("province", ""),
            relatives_sites=(row["relatives_site"],) if row.get("relatives_site") else ()))
    return result


def write_plan(plan: Plan, sites: list[FreeSite], out) -> None:
    """One row per proposal, then one per household left without a place (no site,
    and the reason): the reasons in the active language, and their codes."""
    by_ref = {site.ref: site for site in sites}
    writer = csv.writer(out)
    writer.writerow(PLAN_COLUMNS)
    for p in plan.proposals:
        site = by_ref[p.site]
        writer.writerow([p.household, p.part, p.parts, p.adults, p.children, site.ref,
                         site.name, site.province, *_words_and_codes(p.reasons)])
    for household, reason in plan.unplaced.items():
        writer.writerow([household, "", "", "", "", "", "", "", *_words_and_codes([reason])])


def _words_and_codes(reasons: list[Message]) -> tuple[str, str]:
    return "; ".join(map(str, reasons)), "; ".join(reason.code for reason in reasons)
