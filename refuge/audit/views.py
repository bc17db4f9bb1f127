from django.shortcuts import render

from refuge.accounts.decorators import requires
from refuge.accounts.roles import READ_AUDIT
from refuge.audit import wording
from refuge.audit.models import AuditEvent
from refuge.lib.pagination import BadCursor, page


@requires(READ_AUDIT)
def audit_log(request):
    try:
        events, next_cursor = page(AuditEvent.objects.select_related("user"),
                                   request.GET.get("cursor"), 100)
    except BadCursor:
        events, next_cursor = page(AuditEvent.objects.select_related("user"), None, 100)
    wording.describe(events)
    return render(request, "audit/log.html", {"events": events, "next_cursor": next_cursor})
