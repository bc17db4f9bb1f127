"""UUIDs typed or posted by hand, which may be anything."""

from uuid import UUID


def uuid_or_none(value) -> UUID | None:
    """The UUID in `value`, or None when it is missing or malformed, so a look-up by it
    finds nothing instead of failing."""
    try:
        return UUID(str(value).strip()) if value else None
    except ValueError:
        return None
