"""The tally screen at a crossing point: a big number, one field per vehicle, and the last
counts of this post, each correctable from its row, with its history."""

import uuid

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from refuge.accounts.decorators import requires
from refuge.accounts.models import Post
from refuge.accounts.roles import COUNT_CROSSINGS
from refuge.lib.errors import Invalid
from refuge.registry import crossings, queries, services
from refuge.registry.forms import TallyForm
from refuge.registry.models import Tally


@requires(COUNT_CROSSINGS, needs_post=Post.CROSSING)
@require_http_methods(["GET", "POST"])
def tally(request):
    """A big number and one field: people in this vehicle, Enter."""
    form = TallyForm(request.POST or None, initial={"uuid": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        try:
            crossings.record_tally(
                {**form.cleaned_data, "uuid": str(form.cleaned_data["uuid"])},
                user=request.user, post=request.desk_post,
            )
        except Invalid as invalid:
            for error in invalid.errors:
                form.add_error(error.field if error.field in form.fields else None,
                               error.message)
        except services.Conflict as conflict:
            form.add_error(None, conflict.message)
        else:
            return redirect("tally")
    return _tally_page(request, form)


RECENT_TALLIES = 8


def _tally_page(request, form: TallyForm, correcting: dict | None = None):
    """The tally screen; `correcting` holds a correction that was refused, with its values
    as typed and the errors by field, to show in its row."""
    recent = list(request.desk_post.tallies.order_by("-counted_at", "-id")[:RECENT_TALLIES])
    corrected = queries.corrected_tallies(recent)
    rows = []
    for tally in recent:
        row = {"tally": tally, "corrected": tally.pk in corrected, "errors": {},
               "values": {name: getattr(tally, name) for name in queries.TALLY_FIELDS}}
        if correcting and correcting["uuid"] == tally.uuid:
            row["values"].update(correcting["values"])
            row["errors"] = correcting["errors"]
        rows.append(row)
    return render(request, "registry/tally.html", {
        "form": form,
        "crossed_today": queries.crossed_today(request.desk_post),
        "recent": rows,
        "correcting": bool(correcting),
    }, status=422 if form.errors or correcting else 200)


@requires(COUNT_CROSSINGS, needs_post=Post.CROSSING)
@require_http_methods(["POST"])
def correct_tally(request, tally_uuid):
    """Correct one of the last counts of this crossing point, from its row on the tally
    screen."""
    tally = get_object_or_404(Tally, uuid=tally_uuid, post=request.desk_post)
    values = {name: request.POST.get(name, "") for name in queries.TALLY_FIELDS}
    changes = {**values, "people_aboard": _whole_number(values["people_aboard"])}
    before = tally.people_aboard
    try:
        crossings.correct_tally(tally, changes, user=request.user)
    except Invalid as invalid:
        errors = {e.field: e.message for e in invalid.errors}
        form = TallyForm(initial={"uuid": uuid.uuid4()})
        return _tally_page(request, form, {"uuid": tally.uuid, "values": values,
                                           "errors": errors})
    at = timezone.localtime(tally.counted_at).strftime("%H:%M")
    if before != tally.people_aboard:
        messages.success(request, _("The count of %(time)s is corrected: %(before)s → "
                                    "%(after)s people.") % {
            "time": at, "before": before, "after": tally.people_aboard})
    else:
        messages.success(request, _("The count of %(time)s is corrected.") % {"time": at})
    return redirect("tally")


def _whole_number(text: str):
    """A number typed in a form, as an int when it is one; as typed otherwise, so that
    validation names the problem."""
    text = text.strip()
    return int(text) if text.isdecimal() else text


@requires(COUNT_CROSSINGS, needs_post=Post.CROSSING)
def tally_history(request, tally_uuid):
    """Who changed a count, what and when."""
    tally = get_object_or_404(Tally, uuid=tally_uuid, post=request.desk_post)
    return render(request, "registry/tally_history.html", {
        "tally": tally, "changes": queries.tally_changes(tally)})
