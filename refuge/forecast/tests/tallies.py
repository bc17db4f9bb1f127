"""Tallies for the forecast's tests, counted into the pre-counted figures as every tally is."""

from datetime import timedelta

from django.utils import timezone

from refuge.registry.counting import count_tallies
from refuge.registry.models import Tally


def burst(crossing, people_an_hour: int = 2000, hours: int = 6) -> None:
    """Buses of 50 for `hours` hours up to now."""
    now, buses = timezone.now(), people_an_hour // 50
    tallies = Tally.objects.bulk_create([
        Tally(post=crossing, people_aboard=50,
              counted_at=now - timedelta(hours=hours) + timedelta(hours=h + (b + 0.5) / buses))
        for h in range(hours) for b in range(buses)])
    count_tallies(tallies)
