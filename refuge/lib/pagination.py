"""Cursor pagination: lists are walked by id, never returned whole."""

import base64

from django.db.models import QuerySet

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class BadCursor(ValueError):
    pass


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(str(last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return int(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        raise BadCursor(cursor) from None


def page(queryset: QuerySet, cursor: str | None, size: int) -> tuple[list, str | None]:
    """Newest first: the items after `cursor`, and the cursor for the page after them."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    if cursor:
        queryset = queryset.filter(pk__lt=decode_cursor(cursor))
    items = list(queryset.order_by("-pk")[: size + 1])
    next_cursor = encode_cursor(items[size - 1].pk) if len(items) > size else None
    return items[:size], next_cursor
