"""Pages of data protection: recording a person's consent at the household page."""

import uuid

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from refuge.accounts.decorators import requires
from refuge.accounts.roles import RECORD_CONSENT
from refuge.lib.errors import Conflict, Invalid
from refuge.registry import consent
from refuge.registry.models import Household, Person


@requires(RECORD_CONSENT)
@require_http_methods(["POST"])
def record_consent(request, household_uuid):
    """A member's yes or no to one use of their data, from the household page's form."""
    household = get_object_or_404(Household, uuid=household_uuid)
    person = get_object_or_404(Person, uuid=_uuid(request.POST.get("person")),
                               household=household)
    client_uuid = _uuid(request.POST.get("uuid"))
    answer = request.POST.get("given", "")
    try:
        if answer not in ("yes", "no"):
            raise Invalid([])
        consent.record_consent(person, request.POST.get("purpose", ""), answer == "yes",
                               user=request.user, uuid=client_uuid,
                               form=request.POST.get("form", "verbal"))
    except Invalid as invalid:
        messages.error(request, invalid.errors[0].message if invalid.errors
                       else _("Choose yes or no."))
    except Conflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("Consent recorded."))
    return redirect(reverse("household", args=[household.uuid]) + "#consent")


def _uuid(text: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(text or "")
    except ValueError:
        return None
