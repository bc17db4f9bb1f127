"""The distribution point: find a household by its card or number, see what each member
is due and has received, hand everything due over with one key, print a receipt."""

from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refuge.accounts.decorators import requires
from refuge.accounts.models import Post
from refuge.accounts.roles import HAND_OVER_AID
from refuge.aid import queries, services
from refuge.aid.models import Distribution
from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib.errors import Conflict, FieldError, Invalid
from refuge.registry.models import Household


@requires(HAND_OVER_AID, needs_post=Post.RECEPTION)
def point(request):
    """GET shows the point (and a household, `?household=`); POST hands over. A hand-over
    kept offline is sent to POST /api/aid/distributions instead (offline.js)."""
    if request.method == "POST":
        return _hand_over(request)
    household = None
    if request.GET.get("household"):
        household = get_object_or_404(Household.objects.select_related("registered_at"),
                                      uuid=request.GET["household"])
    done = None
    if request.GET.get("done"):
        done = Distribution.objects.filter(uuid=request.GET["done"]).first()
    return _render_point(request, household, done=done)


def _render_point(request, household, *, done=None, problem="", status=200, typed=""):
    # A number refused (a wrong check digit) stays in the field, to mend, not to retype.
    context = {"done": done, "problem": problem, "household": household, "typed": typed}
    if household is not None:
        audit.record(request.user, AuditEvent.VIEW, "household", household.uuid,
                     via="aid point")
        rows = queries.household_entitlements(household)
        due = queries.due_now(rows)
        context.update(rows=rows, due=due, received=[e for r in rows for e in r.received],
                       receivers=[r.person for r in rows],
                       receiver=_likely_receiver(rows, due),
                       totals=queries.totals_by_unit(due))
    return render(request, "aid/point.html", context, status=status)


def _likely_receiver(rows, due):
    """Who most likely takes it: the recipient of most of what is due, else the first."""
    if due:
        counts: dict[int, int] = {}
        for entitlement in due:
            counts[entitlement.recipient_id] = counts.get(entitlement.recipient_id, 0) + 1
        best = max(counts, key=counts.get)
        for row in rows:
            if row.person.pk == best:
                return row.person
    return rows[0].person if rows else None


@requires(HAND_OVER_AID, needs_post=Post.RECEPTION)
@require_POST
def find(request):
    """A scanned card's code or a typed registration number: the household, or why not."""
    found = queries.look_up(request.POST.get("q", ""))
    if found.household is None:
        status = 404 if found.reason == queries.NOT_FOUND else 422
        return _render_point(request, None, problem=found.problem, status=status,
                             typed=request.POST.get("q", "")[:100])
    return redirect(f"/aid/?household={found.household.uuid}")


def _hand_over(request):
    body = {"uuid": request.POST.get("uuid", ""),
            "entitlements": request.POST.getlist("entitlements"),
            "received_by": request.POST.get("received_by", "")}
    if request.POST.get("at"):
        body["at"] = request.POST["at"]
    household = Household.objects.filter(uuid=request.POST.get("household") or None).first()
    try:
        if not services.is_uuid(body["uuid"]):
            raise Invalid([FieldError("uuid", _("must be a UUID"))])
        distribution, _created = services.hand_over(body, user=request.user,
                                                    point=request.desk_post)
    except services.AlreadyHandedOver as refused:
        return _render_point(request, household, problem=refused.message, status=409)
    except (Invalid, Conflict) as refused:
        errors = refused.errors if isinstance(refused, Invalid) else [refused]
        return _render_point(request, household, problem="; ".join(
            str(e.message) for e in errors), status=422)
    return redirect(f"/aid/?household={distribution.household.uuid}&done={distribution.uuid}")


@requires(HAND_OVER_AID)
def receipt(request, distribution_uuid):
    """A printable receipt: what was handed over, to whom, where and when."""
    distribution = get_object_or_404(
        Distribution.objects.select_related("household__registered_at", "point",
                                            "received_by", "handed_by"),
        uuid=distribution_uuid)
    lines = [h.entitlement for h in distribution.hand_overs.select_related(
        "entitlement__person", "entitlement__cycle__programme")]
    audit.record(request.user, AuditEvent.VIEW, "household", distribution.household.uuid,
                 via="aid receipt")
    return render(request, "aid/receipt.html", {
        "distribution": distribution, "lines": lines,
        "totals": queries.totals_by_unit(lines),
        "autoprint": request.GET.get("print") == "1"})
