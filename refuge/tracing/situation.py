"""Tracing's part of the situation picture (refuge.lib.situation): open, found and
reunified requests by province, with no names, for every role that reads figures.

A request's province is where its enquiry was recorded, or else where the enquirer's
household was registered."""

from django.db.models import Count, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from refuge.lib.formats import grouped
from refuge.lib.provinces import shown as province_shown
from refuge.lib.situation import Context, Section, Table
from refuge.tracing.models import SoughtPerson

STATUSES = (SoughtPerson.OPEN, SoughtPerson.FOUND, SoughtPerson.REUNIFIED)


def by_province() -> list[dict]:
    rows = (SoughtPerson.objects.order_by()
            .annotate(province=Coalesce(
                NullIf("enquiry__recorded_at__province", Value("")),
                NullIf("enquiry__enquirer__household__registered_at__province", Value("")),
                Value("")))
            .values("province")
            .annotate(**{status: Count("id", filter=Q(status=status)) for status in STATUSES},
                      children=Count("id", filter=Q(status=SoughtPerson.OPEN, child=True)))
            .order_by("province"))
    return [dict(row) for row in rows]


def figures(context: Context) -> dict:
    provinces = by_province()
    return {"provinces": provinces,
            **{status: sum(p[status] for p in provinces) for status in (*STATUSES, "children")}}


def tables(shown: dict) -> list[Table]:
    """Printed once there is a request: a report from before tracing began is as it was."""
    if not shown["provinces"]:
        return []
    headings = [_("Province"), _("Open requests"), _("Found"), _("Reunified"),
                _("Children sought")]
    rows = [[province_shown(p["province"]) or "—",
             *(grouped(p[key]) for key in (*STATUSES, "children"))]
            for p in shown["provinces"]]
    return [Table(_("Tracing by province"), headings, rows,
                  empty=_("No tracing request is recorded yet."))]


def facts(shown: dict) -> list[tuple[str, int]]:
    return [(_("Open tracing requests"), shown["open"])] if shown["provinces"] else []


SECTION = Section(key="tracing", order=40, figures=figures,
                  template="tracing/_situation.html",
                  tables=tables, facts=facts)
