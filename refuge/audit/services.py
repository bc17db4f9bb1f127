from collections.abc import Iterable
from uuid import UUID

from refuge.audit.models import AuditEvent
from refuge.lib.inserts import insert_rows


def record(user, action: str, object_type: str = "", object_uuid: UUID | None = None,
           **detail) -> None:
    # A prepared insert: this runs on every registration, the desk's hot path.
    insert_rows([AuditEvent(
        user=user if user and user.is_authenticated else None,
        action=action,
        object_type=object_type,
        object_uuid=object_uuid,
        detail=detail,
    )])


def record_views(user, object_type: str, uuids: Iterable[UUID], via: str) -> None:
    """One audit event per person shown, in one prepared insert (a search shows fifty)."""
    insert_rows([
        AuditEvent(
            user=user if user.is_authenticated else None,
            action=AuditEvent.VIEW,
            object_type=object_type,
            object_uuid=uuid,
            detail={"via": via},
        )
        for uuid in uuids
    ])
