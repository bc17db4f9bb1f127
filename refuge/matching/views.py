"""The review queue: possible duplicates, one pair at a time, and households to link."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from refuge.accounts.decorators import requires
from refuge.accounts.roles import CONFIGURE, EDIT_PEOPLE, can
from refuge.audit import services as audit
from refuge.lib.errors import Invalid
from refuge.matching import jobs, queries, services
from refuge.matching.models import CandidatePair, HouseholdMatch, MatchingRun, Merge

HOUSEHOLDS_PER_PAGE = 25


@requires(EDIT_PEOPLE)
def queue(request):
    """The likeliest open pair, with the queue's size and the households to link."""
    pairs = queries.review_queue()
    pair = pairs.first()
    if pair is not None:
        return redirect("matching-pair", pair_uuid=pair.uuid)
    return render(request, "matching/queue.html", _queue_context(request))


def _queue_context(request) -> dict:
    households = Paginator(queries.household_queue(), HOUSEHOLDS_PER_PAGE)
    # Recent merges show a registration number, never a name, and are logged as seen.
    merges = list(Merge.objects.filter(undone_at__isnull=True).select_related(
        "kept__household")[:10])
    if merges:
        audit.record_views(request.user, "person", [m.kept.uuid for m in merges],
                           via="recent merges")
    return {"open_count": queries.review_queue().count(),
            "run": MatchingRun.objects.first(),
            "households": households.get_page(request.GET.get("page")),
            "merges": merges}


@requires(EDIT_PEOPLE)
def pair_detail(request, pair_uuid):
    pair = get_object_or_404(CandidatePair.objects.select_related(
        "person_a__household__registered_at", "person_b__household__registered_at"),
        uuid=pair_uuid)
    audit.record_views(request.user, "person", [pair.person_a.uuid, pair.person_b.uuid],
                       via="duplicate review")
    return render(request, "matching/pair.html", {
        "open_count": queries.review_queue().count(), "pair": pair,
        "evidence": queries.evidence_rows(pair.levels),
        "merge": pair.merges.filter(undone_at__isnull=True).first(),
    })


@requires(EDIT_PEOPLE)
@require_http_methods(["POST"])
def pair_action(request, pair_uuid, action):
    pair = get_object_or_404(CandidatePair, uuid=pair_uuid)
    act = {"merge": services.merge_pair, "reject": services.reject_pair,
           "skip": services.skip_pair}[action]
    try:
        done = act(pair, user=request.user)
    except Invalid as invalid:
        messages.error(request, invalid.errors[0].message)
        return redirect("matching-pair", pair_uuid=pair.uuid)
    if action == "merge":
        messages.success(request, _merged_message(request, done))
    else:
        messages.success(request, {
            "reject": _("Kept apart: this pair will not be proposed again."),
            "skip": _("Skipped: the pair goes to the back of the queue.")}[action])
    return redirect("matching")


def _merged_message(request, merge: Merge) -> str:
    """"Merged", with the button that undoes it right there (Alt+U)."""
    return format_html(
        '{} <form method="post" action="{}" class="inline">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<button accesskey="u" data-testid="undo-merge">{}</button></form>',
        _("Merged: the later record now points to the earlier one."),
        reverse("matching-unmerge", args=[merge.uuid]), get_token(request),
        _("Undo the merge"))


@requires(EDIT_PEOPLE)
@require_http_methods(["POST"])
def unmerge(request, merge_uuid):
    merge = get_object_or_404(Merge, uuid=merge_uuid)
    try:
        services.unmerge(merge, user=request.user)
    except Invalid as invalid:
        messages.error(request, invalid.errors[0].message)
    else:
        messages.success(request, _("Unmerged: both records are back as they were."))
    return redirect("matching-pair", pair_uuid=merge.pair.uuid) if merge.pair else redirect(
        "matching")


@requires(EDIT_PEOPLE)
@require_http_methods(["POST"])
def household_action(request, match_uuid, action):
    match = get_object_or_404(HouseholdMatch, uuid=match_uuid)
    try:
        services.decide_household_match(match, link=action == "link", user=request.user)
    except Invalid as invalid:
        messages.error(request, invalid.errors[0].message)
    else:
        messages.success(request, _("Households linked as parts of one.") if action == "link"
                         else _("Households kept apart."))
    return redirect("matching-households")


@requires(EDIT_PEOPLE)
def households(request):
    return render(request, "matching/queue.html", {**_queue_context(request),
                                                   "households_only": True})


@requires(EDIT_PEOPLE)
@require_http_methods(["GET", "POST"])
def search_registry(request):
    """The search of the whole registry for duplicates: its progress, and for an
    administrator the button that starts it."""
    may_start = can(request.user, CONFIGURE)
    if request.method == "POST":
        if not may_start:
            raise PermissionDenied
        try:
            jobs.start(request.user)
        except jobs.AlreadyRunning:
            messages.error(request, _("A search for duplicates is already running: its "
                                      "progress is below."))
        return redirect("matching-search")
    job = jobs.latest()
    return render(request, "matching/search.html", {
        "job": job, "progress": jobs.progress(job) if job else None, "may_start": may_start,
        "open_count": queries.review_queue().count(), "steps": list(jobs.STEPS.values())})


@requires(EDIT_PEOPLE)
def search_progress(request):
    """The latest search's progress as JSON, for the page to show without reloading."""
    job = jobs.latest()
    return JsonResponse({"job": jobs.progress(job) if job else None,
                         "open_count": queries.review_queue().count()})
