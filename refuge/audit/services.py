from collections.abc import Iterable
from uuid import UUID

from refuge.audit.models import AuditEvent


def record(user, action: str, object_type: str = "", object_uuid: UUID | None = None,
           **detail) -> None:
    AuditEvent.objects.create(
        user=user if user and user.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_uuid=object_uuid,
        detail=detail,
    )


def record_views(user, object_type: str, uuids: Iterable[UUID], via: str) -> None:
    """One audit event per person shown, in one insert (a search shows fifty)."""
    AuditEvent.objects.bulk_create([
        AuditEvent(
            user=user if user.is_authenticated else None,
            action=AuditEvent.VIEW,
            object_type=object_type,
            object_uuid=uuid,
            detail={"via": via},
        )
        for uuid in uuids
    ])
