"""The UTC hour of a datetime column, computed by the database itself.

SQLite keeps datetimes as UTC text whose first 13 characters are the hour; Django's
TruncHour would call back into Python for every row there (about 20 µs a row: 0.4 s for
a week of tallies).
"""

from datetime import UTC, datetime

from django.db import connection
from django.db.models import CharField
from django.db.models.functions import Cast, Substr, TruncHour


def utc_hour(field: str):
    """An expression for the hour `field` falls in; read its values with as_hour()."""
    if connection.vendor == "sqlite":
        return Substr(Cast(field, CharField()), 1, 13)
    return TruncHour(field, tzinfo=UTC)


def as_hour(value) -> datetime:
    if isinstance(value, str):
        return datetime.strptime(value, "%Y-%m-%d %H").replace(tzinfo=UTC)
    return value.astimezone(UTC)
