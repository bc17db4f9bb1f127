"""The hour of a datetime column, the same on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta, timezone

from django.db.models import Count

from refuge.lib.hours import as_hour, utc_hour
from refuge.registry.models import Tally


def test_the_database_groups_moments_by_their_utc_hour(crossing):
    yerevan = timezone(timedelta(hours=4))
    for moment in (datetime(2023, 9, 26, 8, 59, 59, tzinfo=yerevan),
                   datetime(2023, 9, 26, 4, 0, tzinfo=UTC),
                   datetime(2023, 9, 26, 9, 0, tzinfo=yerevan)):
        Tally.objects.create(post=crossing, people_aboard=1, counted_at=moment)
    rows = (Tally.objects.annotate(hour=utc_hour("counted_at")).values("hour")
            .annotate(n=Count("id")).order_by("hour").values_list("hour", "n"))
    assert [(as_hour(hour), n) for hour, n in rows] == [
        (datetime(2023, 9, 26, 4, tzinfo=UTC), 2), (datetime(2023, 9, 26, 5, tzinfo=UTC), 1)]
