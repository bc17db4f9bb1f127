"""Tracing pages: the officers' queue, an enquiry typed keyboard-first, and a case with
its candidates, decisions, consent and reunification. Every view of a case is audited."""

import uuid

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from refuge.accounts.decorators import requires
from refuge.accounts.roles import READ_PFIF, TAKE_ENQUIRY, TRACE, can
from refuge.lib.errors import Conflict, Invalid
from refuge.registry.models import Person
from refuge.tracing import pfif, queries, services
from refuge.tracing.models import Candidate, SoughtPerson

QUEUE_SHOWN = 50
ENQUIRY_FIELDS = ("enquirer_given_name", "enquirer_family_name", "phone")
SOUGHT_FORM_FIELDS = ("given_name", "family_name", "patronymic", "sex", "birth_date", "age",
                      "origin", "last_seen_place", "last_seen_date", "circumstances",
                      "relation", "needs")


@requires(TRACE)
def queue(request):
    """Likely matches to decide, then every open request; children first in both."""
    likely = list(queries.likely_queue()[:QUEUE_SHOWN])
    sought = list(queries.open_sought()[:QUEUE_SHOWN])
    services.record_views(request.user, sought + [c.sought for c in likely],
                          via="tracing queue")
    return render(request, "tracing/queue.html", {"likely": likely, "sought": sought})


def _payload(post) -> dict:
    sought = {name: post.get(name, "").strip() for name in SOUGHT_FORM_FIELDS}
    payload = {name: post.get(name, "").strip() for name in ENQUIRY_FIELDS}
    payload["uuid"] = post.get("uuid") or str(uuid.uuid4())
    if post.get("enquirer"):
        payload["enquirer"] = post["enquirer"]
    payload["sought"] = [{k: v for k, v in sought.items() if v}]
    return payload


@requires(TAKE_ENQUIRY)
def new_enquiry(request):
    """Record who is asking and whom they seek. A registrar is told it was recorded; a
    tracing officer goes on to the case and its candidates."""
    enquirer = None
    if request.GET.get("enquirer") or request.POST.get("enquirer"):
        enquirer = Person.objects.counted().filter(
            uuid=request.GET.get("enquirer") or request.POST.get("enquirer")).first()
    errors: dict[str, str] = {}
    values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        try:
            enquiry, _created = services.record_enquiry(
                _payload(request.POST), user=request.user, post=getattr(request, "desk_post", None))
        except Invalid as invalid:
            errors = {e.field.removeprefix("sought[0]."): e.message for e in invalid.errors}
        except Conflict as conflict:
            errors = {"uuid": conflict.message}
        else:
            if can(request.user, TRACE):
                return redirect("tracing-sought", sought_uuid=enquiry.sought.first().uuid)
            messages.success(request, _("Enquiry recorded; the tracing team will follow it up."))
            return redirect("tracing-new")
    return render(request, "tracing/new.html", {
        "errors": errors, "values": values, "enquirer": enquirer,
        "client_uuid": values.get("uuid") or uuid.uuid4(),
        "sexes": Person.SEXES, "relations": Person.RELATIONSHIPS,
    }, status=422 if errors else 200)


def _case(request, sought_uuid) -> SoughtPerson:
    sought = get_object_or_404(SoughtPerson.objects.select_related(
        "enquiry__enquirer__household", "found_person__household__registered_at"),
        uuid=sought_uuid)
    services.record_views(request.user, [sought], via="tracing case")
    return sought


@requires(TRACE)
def sought_detail(request, sought_uuid):
    sought = _case(request, sought_uuid)
    candidates = [(c, queries.evidence(c), queries.candidate_name(c))
                  for c in sought.candidates.select_related(
                      "person__household__registered_at", "other_sought", "other_enquiry")]
    return render(request, "tracing/sought.html", {
        "sought": sought, "candidates": candidates, "whereabouts": queries.whereabouts(sought),
        "likely": queries.LIKELY_FOUND, "changes": sought.changes.select_related("by"),
        "fates": SoughtPerson.FATES})


ACTIONS = {
    "confirm": lambda candidate, user, post: services.confirm(candidate, user=user),
    "reject": lambda candidate, user, post: services.reject(candidate, user=user),
}


@requires(TRACE)
@require_POST
def candidate_action(request, candidate_uuid, action):
    candidate = get_object_or_404(Candidate.objects.select_related("sought"),
                                  uuid=candidate_uuid)
    try:
        ACTIONS[action](candidate, request.user, request.POST)
    except Invalid as invalid:
        messages.error(request, "; ".join(e.message for e in invalid.errors))
    return redirect("tracing-sought", sought_uuid=candidate.sought.uuid)


@requires(TRACE)
@require_POST
def sought_action(request, sought_uuid, action):
    sought = get_object_or_404(SoughtPerson, uuid=sought_uuid)
    user, post = request.user, request.POST
    try:
        if action == "consent":
            services.record_consent(sought, user=user)
        elif action == "exception":
            services.record_disclosure_exception(sought, post.get("reason", ""), user=user)
        elif action == "reunify":
            services.reunify(sought, post.get("how", ""), user=user)
        else:
            services.record_fate(sought, post.get("fate", ""), user=user,
                                 note=post.get("note", ""))
    except Invalid as invalid:
        messages.error(request, "; ".join(e.message for e in invalid.errors))
    return redirect("tracing-sought", sought_uuid=sought.uuid)


@requires(READ_PFIF)
def pfif_feed(request):
    """PFIF 1.4 persons as an Atom feed, in entry_date order (`min_entry_date`, `skip`,
    `max_results` up to 200); the sensitive fields only for those who trace."""
    since = pfif._moment(request.GET.get("min_entry_date", ""))
    if request.GET.get("min_entry_date") and since is None:
        return HttpResponseBadRequest("min_entry_date: YYYY-MM-DDThh:mm:ssZ")
    try:
        skip = int(request.GET.get("skip") or 0)
        size = int(request.GET.get("max_results") or pfif.MAX_RESULTS)
    except ValueError:
        return HttpResponseBadRequest("skip and max_results are whole numbers")
    full = can(request.user, TRACE)
    body = pfif.feed(full, since, skip, size)
    return HttpResponse(body, content_type="application/xml; charset=utf-8")
