from datetime import datetime
from uuid import UUID

from ninja import Router, Schema

from refuge.accounts.roles import READ_AUDIT, ensure
from refuge.audit.models import AuditEvent
from refuge.lib.pagination import DEFAULT_PAGE_SIZE, page

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    at: datetime
    user: str | None
    action: str
    object_type: str
    object_uuid: UUID | None
    detail: dict


class AuditPage(Schema):
    items: list[AuditEventOut]
    next_cursor: str | None


@router.get("", response=AuditPage)
def list_events(request, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE,
                object_uuid: UUID | None = None):
    ensure(request.user, READ_AUDIT)
    events = AuditEvent.objects.select_related("user")
    if object_uuid:
        events = events.filter(object_uuid=object_uuid)
    items, next_cursor = page(events, cursor, size)
    return {
        "items": [
            {"at": e.at, "user": e.user.get_username() if e.user else None, "action": e.action,
             "object_type": e.object_type, "object_uuid": e.object_uuid, "detail": e.detail}
            for e in items
        ],
        "next_cursor": next_cursor,
    }
