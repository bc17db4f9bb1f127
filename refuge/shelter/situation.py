"""Shelter's part of the situation picture (refuge.lib.situation): households still
needing a place, and beds by province, on the dashboard, in /api/situation and in the
daily report; and the people checked in and out, for the picture's "placed" series."""

from django.utils.translation import gettext as _

from refuge.lib.formats import grouped
from refuge.lib.provinces import shown as province_shown
from refuge.lib.situation import Context, Section, Table
from refuge.shelter import queries

PROVINCE_COLUMNS = ("sites", "beds", "taken", "free", "households_placed", "households_waiting")


def figures(context: Context) -> dict:
    return {
        "households_waiting": queries.households_waiting(),
        # Households nobody asked whether they need a place: neither waiting nor housed.
        "households_not_asked": queries.households_not_asked(),
        "provinces": queries.province_occupancy(),
    }


def tables(shown: dict) -> list[Table]:
    headings = [_("Province"), _("Sites"), _("Beds"), _("Taken"), _("Free beds"),
                _("Households placed"), _("Households waiting for a place")]
    rows = [[province_shown(p["province"]) or "—", *(grouped(p[key]) for key in PROVINCE_COLUMNS)]
            for p in shown["provinces"]]
    return [Table(_("Shelter by province"), headings, rows,
                  empty=_("No shelter sites are recorded yet."))]


def facts(shown: dict) -> list[tuple[str, int]]:
    return [(_("Households waiting for a place"), shown["households_waiting"])]


SECTION = Section(key="shelter", order=10, figures=figures,
                  template="shelter/_situation.html", tables=tables, facts=facts,
                  series={"placed": queries.placement_changes})
