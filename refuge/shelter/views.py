from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from refuge.accounts.decorators import requires
from refuge.accounts.roles import MANAGE_SHELTER
from refuge.audit import services as audit
from refuge.lib.errors import Conflict, Invalid
from refuge.lib.formats import grouped
from refuge.lib.uuids import uuid_or_none
from refuge.registry.models import Household, Person
from refuge.shelter import imports, queries, services, sites
from refuge.shelter.allocation import STEP_FREE_NEEDS, VULNERABILITY
from refuge.shelter.forms import ImportForm, SiteForm
from refuge.shelter.models import AllocationRun, Placement, Proposal, Site

WAITING_SHOWN = 50
UNPLACED_SHOWN = 20
PROPOSALS_PER_PAGE = 100


def _waiting_rows():
    households = list(queries.waiting_households()[:WAITING_SHOWN])
    needs: dict[int, set] = {}
    for household_id, codes in Person.objects.counted().filter(
            household__in=households).exclude(needs="").values_list("household_id", "needs"):
        needs.setdefault(household_id, set()).update(codes.split(","))
    return [{"household": h, "needs": sorted(needs.get(h.pk, set())),
             "step_free": bool(needs.get(h.pk, set()) & STEP_FREE_NEEDS),
             "priority": bool(needs.get(h.pk, set()) & VULNERABILITY.keys())} for h in households]


@requires(MANAGE_SHELTER)
def board(request):
    """Occupancy by site and province, households waiting, and today's placements."""
    sites = queries.occupancy()
    return render(request, "shelter/board.html", {
        "sites": sites,
        "provinces": queries.by_province(sites),
        "open_sites": [s for s in sites if s.site.is_open and s.free > 0],
        "waiting": _waiting_rows(),
        "waiting_count": queries.waiting_households().count(),
        "today": queries.placed_today()[:50],
    })


def _problem_message(problem: Invalid | Conflict) -> str:
    return problem.errors[0].message if isinstance(problem, Invalid) else problem.message


def _act(request, action, success) -> bool:
    """Do `action`; say `success` (text, or a function of what the action returned)."""
    try:
        done = action()
    except (Invalid, Conflict) as problem:
        messages.error(request, _problem_message(problem))
        return False
    messages.success(request, success(done) if callable(success) else success)
    return True


def _confirmed(request) -> bool:
    return request.POST.get("confirm") == "1"


def _confirm(request, *, title: str, question: str, consequences: list[str], button: str,
             back: str):
    """Ask before an act that cannot simply be taken back: a page that posts the same
    form again with confirm=1 (no JavaScript, no dialog), its button focused so Enter
    confirms, and a way back."""
    fields = [(name, value) for name, values in request.POST.lists() for value in values
              if name not in ("csrfmiddlewaretoken", "confirm")]
    return render(request, "shelter/confirm.html", {
        "title": title, "question": question, "consequences": consequences,
        "button": button, "back": back, "action": request.path, "fields": fields})


def _local_time(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@requires(MANAGE_SHELTER)
@require_http_methods(["POST"])
def place(request):
    household = get_object_or_404(Household, uuid=uuid_or_none(request.POST.get("household")))
    site = Site.objects.filter(uuid=uuid_or_none(request.POST.get("site"))).first()
    if site is None:
        messages.error(request, _("Choose a site."))
        return redirect("shelter")
    number = household.registration_number
    if request.POST.get("check_in"):
        _act(request, lambda: services.place(household, site, user=request.user),
             lambda placement: ngettext(
                 "%(number)s is checked in at %(site)s: %(people)s bed taken.",
                 "%(number)s is checked in at %(site)s: %(people)s beds taken.",
                 placement.people) % {"number": number, "site": site.name,
                                      "people": placement.people})
    else:
        _act(request, lambda: services.reserve(household, site, user=request.user),
             lambda placement: ngettext(
                 "%(people)s bed reserved for %(number)s at %(site)s until %(until)s; "
                 "check the household in when it arrives.",
                 "%(people)s beds reserved for %(number)s at %(site)s until %(until)s; "
                 "check the household in when it arrives.",
                 placement.people) % {"number": number, "site": site.name,
                                      "people": placement.people,
                                      "until": _local_time(placement.expires_at)})
    return redirect("shelter")


@requires(MANAGE_SHELTER)
def site_detail(request, site_uuid):
    site = get_object_or_404(Site, uuid=site_uuid)
    occupancy = queries.occupancy(Site.objects.filter(pk=site.pk))[0]
    residents = list(queries.residents(site))
    audit.record_views(request.user, "person",
                       [p.uuid for r in residents for p in r.household.members.all()],
                       "site page")
    return render(request, "shelter/site.html", {
        "site": site, "occupancy": occupancy, "residents": residents,
        "reserved": site.placements.holding_beds().filter(status=Placement.RESERVED)
                        .select_related("household__registered_at")
                        .order_by("expires_at"),
        "rooms": site.rooms.all(),
        "other_sites": [s for s in queries.occupancy(Site.objects.exclude(pk=site.pk))
                        if s.site.is_open and s.free > 0],
    })


@requires(MANAGE_SHELTER)
@require_http_methods(["POST"])
def placement_action(request, placement_uuid, action):
    placement = get_object_or_404(Placement.objects.select_related("site", "household"),
                                  uuid=uuid_or_none(placement_uuid))
    number, site = placement.household.registration_number, placement.site
    back = reverse("shelter-site", args=[site.uuid])
    values = {"number": number, "site": site.name, "people": placement.people}
    if action == "check-in":
        _act(request, lambda: services.check_in(placement, user=request.user),
             _("%(number)s is checked in at %(site)s.") % values)
    elif action in ("cancel", "check-out"):
        confirm = _release(request, placement, action, values, back)
        if confirm is not None:
            return confirm
    elif action == "move":
        _move(request, placement, number)
    return redirect(back)


def _release(request, placement, action: str, values: dict, back: str):
    """Cancel a reservation or check a household out, once confirmed: the confirmation
    page to show, or None when it is done (or refused, with a message)."""
    words = _release_words(action, values)
    if placement.status != words["from"]:
        messages.error(request, words["not_here"] % {
            **values, "status": placement.get_status_display()})
    elif not _confirmed(request):
        return _confirm(
            request, title=words["title"], question=words["question"],
            consequences=[ngettext(
                "Its %(people)s bed is free again for someone else.",
                "Its %(people)s beds are free again for someone else.",
                placement.people) % values, words["then"]],
            button=words["button"], back=back)
    else:
        _act(request, lambda: services.check_out(placement, user=request.user),
             words["done"])
    return None


def _move(request, placement, number: str) -> None:
    target = Site.objects.filter(uuid=uuid_or_none(request.POST.get("site"))).first()
    if target is None:
        messages.error(request, _("Choose a site."))
        return
    _act(request, lambda: services.move(placement, target, user=request.user),
         lambda moved: (_("%(number)s is moved to %(site)s and checked in there.")
                        if moved.status == Placement.CHECKED_IN else
                        _("The reservation of %(number)s is moved to %(site)s."))
         % {"number": number, "site": target.name})


def _release_words(action: str, values: dict) -> dict:
    """What cancelling a reservation or checking a household out says: both free beds,
    so both ask first; `from` is the status the placement must be in."""
    people = values["people"]
    if action == "cancel":
        return {
            "from": Placement.RESERVED,
            "not_here": _("%(number)s is not reserved here (%(status)s): nothing to cancel."),
            "title": _("Cancel a reservation"),
            "question": _("Cancel the reservation of %(number)s at %(site)s?") % values,
            "then": _("The household is waiting for a place again."),
            "button": _("Cancel the reservation"),
            "done": ngettext("The reservation of %(number)s at %(site)s is cancelled: "
                             "%(people)s bed is free again.",
                             "The reservation of %(number)s at %(site)s is cancelled: "
                             "%(people)s beds are free again.", people) % values}
    return {
        "from": Placement.CHECKED_IN,
        "not_here": _("%(number)s is not checked in here (%(status)s): nothing to check out."),
        "title": _("Check out"),
        "question": _("Check %(number)s out of %(site)s?") % values,
        "then": _("Its members are no longer counted as placed; to move the household to "
                  "another site, use Move instead."),
        "button": _("Check out"),
        "done": ngettext("%(number)s is checked out of %(site)s: %(people)s bed is free again.",
                         "%(number)s is checked out of %(site)s: %(people)s beds are free "
                         "again.", people) % values}


@requires(MANAGE_SHELTER)
@require_http_methods(["GET", "POST"])
def site_form(request, site_uuid=None):
    site = get_object_or_404(Site, uuid=site_uuid) if site_uuid else None
    errors = {}
    if request.method == "POST":
        data = {name: request.POST.get(name, "") for name in SiteForm.Meta.fields}
        for flag in ("step_free", "accessible_bathroom", "is_open"):
            data[flag] = request.POST.get(flag) == "on"
        try:
            if site is None:
                site = sites.create_site(data, user=request.user)
            else:
                site = sites.update_site(site, data, user=request.user)
        except Invalid as invalid:
            errors = {e.field: e.message for e in invalid.errors}
        else:
            messages.success(request, _("Saved."))
            return redirect("shelter-site", site_uuid=site.uuid)
    form = SiteForm(request.POST or None, instance=site)
    return render(request, "shelter/site_form.html", {"form": form, "site": site,
                                                      "errors": errors},
                  status=422 if errors else 200)


@requires(MANAGE_SHELTER)
@require_http_methods(["GET", "POST"])
def import_sites(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            text = form.cleaned_data["file"].read().decode("utf-8")
        except UnicodeDecodeError:
            form.add_error("file", _("the file is not UTF-8 text"))
        else:
            result = imports.import_sites(text, user=request.user)
            if not result.errors:
                messages.success(request, " ".join([
                    ngettext("%(n)s site created.", "%(n)s sites created.", result.created)
                    % {"n": grouped(result.created)},
                    ngettext("%(n)s site updated.", "%(n)s sites updated.", result.updated)
                    % {"n": grouped(result.updated)}]))
                return redirect("shelter")
    return render(request, "shelter/import.html", {"form": form, "result": result},
                  status=422 if (result and result.errors) or form.errors else 200)


@requires(MANAGE_SHELTER)
def allocation(request):
    """The latest allocator run: its proposals to accept, change or reject."""
    run = AllocationRun.objects.first()
    # The latest run's proposals, and those of no run: families reunited by tracing.
    undecided = (Proposal.objects.filter(Q(run=run) | Q(run__isnull=True) if run
                                         else Q(run__isnull=True), status=Proposal.PROPOSED)
                 .select_related("household__registered_at", "site"))
    page = Paginator(undecided, PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))
    unplaced = run.unplaced_messages(UNPLACED_SHOWN) if run else []
    numbers = {str(h.uuid): h for h in Household.objects.filter(
        uuid__in=[uuid for uuid, _reason in unplaced]).select_related("registered_at")}
    return render(request, "shelter/allocation.html", {
        "run": run, "page": page,
        "decided": run.proposals.exclude(status=Proposal.PROPOSED).count() if run else 0,
        "unplaced": [(numbers[u], reason) for u, reason in unplaced if u in numbers],
        "unplaced_count": len(run.unplaced) if run else 0,
        "waiting_count": queries.waiting_households().count(),
    })


@requires(MANAGE_SHELTER)
@require_http_methods(["POST"])
def run_allocation(request):
    try:
        run = services.propose_placements(user=request.user)
    except Invalid as invalid:
        messages.error(request, invalid.errors[0].message)
        return redirect("shelter-allocation")
    count = run.proposals.count()
    messages.success(request, " ".join([
        ngettext("%(count)s proposal in %(seconds)s s.", "%(count)s proposals in %(seconds)s s.",
                 count) % {"count": grouped(count), "seconds": number_format(run.seconds, 1)},
        ngettext("%(left)s household without a place.", "%(left)s households without a place.",
                 len(run.unplaced)) % {"left": grouped(len(run.unplaced))}]))
    return redirect("shelter-allocation")


def _back_to_page(request):
    page = request.POST.get("page", "")
    url = reverse("shelter-allocation")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


@requires(MANAGE_SHELTER)
@require_http_methods(["GET", "POST"])
def proposal_detail(request, proposal_uuid):
    """One proposal, to accept at the proposed site or another."""
    proposal = get_object_or_404(Proposal.objects.select_related(
        "household__registered_at", "site", "run"), uuid=proposal_uuid)
    step_free = any(set(m.needs.split(",")) & STEP_FREE_NEEDS
                    for m in proposal.household.members.exclude(needs=""))
    sites = [s for s in queries.occupancy(Site.objects.filter(is_open=True))
             if s.free >= proposal.people and (s.site.step_free or not step_free)]
    return render(request, "shelter/proposal.html", {
        "proposal": proposal, "sites": sites, "step_free": step_free})


@requires(MANAGE_SHELTER)
@require_http_methods(["POST"])
def proposal_action(request, proposal_uuid, action):
    proposal = get_object_or_404(Proposal.objects.select_related("household__registered_at",
                                                                 "site"),
                                 uuid=uuid_or_none(proposal_uuid))
    number = proposal.household.registration_number
    if action == "accept":
        site = Site.objects.filter(uuid=uuid_or_none(request.POST.get("site"))).first()
        chosen = site or proposal.site
        _act(request, lambda: services.accept_proposal(proposal, user=request.user, site=site),
             lambda placement: _("%(number)s: beds reserved at %(site)s until %(until)s.") % {
                 "number": number, "site": chosen.name,
                 "until": _local_time(placement.expires_at)})
    else:
        _act(request, lambda: services.reject_proposal(proposal, user=request.user),
             _("Proposal for %(number)s rejected; that site will not be proposed for it "
               "again.") % {"number": number})
    return _back_to_page(request)


@requires(MANAGE_SHELTER)
@require_http_methods(["POST"])
def accept_proposals(request):
    """Accept every proposal listed on the page the manager was looking at, once they
    confirmed."""
    chosen = [uuid_or_none(u) for u in request.POST.getlist("proposal")[:PROPOSALS_PER_PAGE]]
    proposals = list(Proposal.objects.filter(
        uuid__in=[u for u in chosen if u], status=Proposal.PROPOSED)
        .select_related("household__registered_at", "site"))
    if not proposals:
        messages.error(request, _("These proposals are already decided."))
        return _back_to_page(request)
    if not _confirmed(request):
        return _confirm_acceptance(request, proposals)
    accepted, problems = 0, []
    for proposal in proposals:
        try:
            services.accept_proposal(proposal, user=request.user)
        except (Invalid, Conflict) as problem:
            problems.append(f"{proposal.household.registration_number}: "
                            f"{_problem_message(problem)}")
        else:
            accepted += 1
    messages.success(request, ngettext(
        "%(count)s proposal accepted: its beds are reserved.",
        "%(count)s proposals accepted: their beds are reserved.", accepted)
        % {"count": grouped(accepted)})
    for problem in problems:
        messages.error(request, problem)
    return _back_to_page(request)


def _confirm_acceptance(request, proposals):
    """The page that says what accepting the listed proposals reserves, and where."""
    count, beds = len(proposals), sum(p.people for p in proposals)
    sites = len({p.site_id for p in proposals})
    page = request.POST.get("page", "")
    back = reverse("shelter-allocation") + (f"?page={page}" if page.isdigit() else "")
    return _confirm(
        request, title=_("Accept proposals"),
        question=ngettext("Accept the %(count)s proposal on this page?",
                          "Accept the %(count)s proposals on this page?", count)
        % {"count": count},
        consequences=[
            ngettext("%(beds)s bed is reserved until %(until)s.",
                     "%(beds)s beds are reserved until %(until)s.", beds)
            % {"beds": beds, "until": _local_time(
                timezone.now() + timedelta(hours=services.reservation_hours()))},
            ngettext("The households go to %(sites)s site.",
                     "The households go to %(sites)s sites.", sites) % {"sites": sites},
            _("Each household is then expected at its site: check it in there when it "
              "arrives.")],
        button=ngettext("Accept %(count)s proposal", "Accept %(count)s proposals", count)
        % {"count": count}, back=back)
