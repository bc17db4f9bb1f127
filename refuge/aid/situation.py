"""Aid's part of the situation picture (refuge.lib.situation): per programme and
province, the people entitled, the people reached and the amounts given (handed over at a
point or paid), on the dashboard, in /api/situation and in the daily report."""

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from refuge.aid.models import Cycle, Entitlement, HandOver, Payment, PaymentLine
from refuge.lib.disclosure import suppress
from refuge.lib.formats import grouped
from refuge.lib.provinces import shown as province_shown
from refuge.lib.situation import Context, Section, Table


def by_programme_and_province() -> list[dict]:
    """Entitled and reached people, and the amount given, per programme and province
    (where the household registered), over the approved cycles."""
    given = Exists(HandOver.objects.filter(entitlement=OuterRef("pk")))
    paid = Exists(PaymentLine.objects.filter(entitlement=OuterRef("pk"),
                                             payment__status=Payment.PAID))
    reached = Q(given=True) | Q(paid=True)
    rows = (Entitlement.objects.filter(status=Entitlement.DUE, cycle__status=Cycle.APPROVED)
            .annotate(given=given, paid=paid)
            .values("cycle__programme__name", "cycle__programme__unit",
                    "household__registered_at__province")
            .annotate(entitled=Count("person_id", distinct=True),
                      reached=Count("person_id", distinct=True, filter=reached),
                      amount=Sum("amount", filter=reached))
            .order_by("cycle__programme__name", "household__registered_at__province"))
    return [{"programme": r["cycle__programme__name"], "unit": r["cycle__programme__unit"],
             "province": r["household__registered_at__province"] or "",
             "entitled": r["entitled"], "reached": r["reached"], "given": r["amount"] or 0}
            for r in rows]


def for_partners(rows: list[dict]) -> list[dict]:
    """The same rows with counts of people under 5 left blank."""
    return [{**r, "entitled": suppress(r["entitled"]), "reached": suppress(r["reached"]),
             "given": r["given"] if r["reached"] == 0 or suppress(r["reached"]) != "" else ""}
            for r in rows]


def figures(context: Context) -> dict:
    return {"programmes": by_programme_and_province()}


def tables(shown: dict) -> list[Table]:
    """The printed table, left out while no cycle is approved (no aid, no page space)."""
    if not shown["programmes"]:
        return []
    headings = [_("Programme"), _("Province"), _("People entitled"), _("People reached"),
                _("Given")]
    rows = [[r["programme"], province_shown(r["province"]) or "—", grouped(r["entitled"]),
             grouped(r["reached"]), f"{grouped(r['given'])} {r['unit']}"]
            for r in shown["programmes"]]
    return [Table(_("Aid by programme and province"), headings, rows)]


def facts(shown: dict) -> list[tuple[str, int]]:
    if not shown["programmes"]:
        return []
    return [(_("People reached by aid"), sum(r["reached"] for r in shown["programmes"]))]


SECTION = Section(key="aid", order=30, figures=figures, template="aid/_situation.html",
                  tables=tables, facts=facts)
