"""The forecast from the registry's tallies: the counts as reports, and the forecast now."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Max, Sum
from django.utils import timezone

from refuge.forecast import flow
from refuge.forecast.models import ExpectedPopulation
from refuge.lib.hours import as_hour, utc_hour
from refuge.registry.models import Tally

# The forecast reads at most this far back: older counts say nothing of the flow now,
# and what crossed before is carried in the first report's total.
HISTORY = timedelta(days=14)


Counts = Callable[[datetime], list[tuple[datetime, int, int]]]


def tally_counts(now: datetime) -> list[tuple[datetime, int, int]]:
    """(UTC hour, people, vehicles) crossed in each hour with tallies, up to `now`; each
    tally is one vehicle. Tallies counted after `now` are left out."""
    counted = Tally.objects.filter(counted_at__lte=now)
    return [(as_hour(hour), people, vehicles) for hour, people, vehicles in
            counted.annotate(hour=utc_hour("counted_at")).values("hour")
            .annotate(people=Sum("people_aboard"), vehicles=Count("id"))
            .order_by("hour").values_list("hour", "people", "vehicles")]


def tally_reports(now: datetime | None = None, counts: Counts = tally_counts) -> list[flow.Report]:
    """People and vehicles crossed in all at the end of every hour since the first tally,
    the last at `now`; hours without tallies count as none, so a flow that stopped reads as
    stopped. `counts` gives the hourly counts: the tallies by default; pre-counted figures
    of the same shape will do, and read faster."""
    now = now or timezone.now()
    hours = counts(now)
    if not hours:
        return []
    first = max(hours[0][0], _hour(now - HISTORY))
    people = vehicles = 0
    by_hour = {}
    for hour, in_hour, vehicles_in_hour in hours:
        if hour < first:  # carried into the first report
            people += in_hour
            vehicles += vehicles_in_hour
        else:
            by_hour[hour] = (in_hour, vehicles_in_hour)
    reports = [flow.Report(first, people, vehicles)] if people else []
    hour = first
    while hour <= now:
        in_hour, vehicles_in_hour = by_hour.get(hour, (0, 0))
        people += in_hour
        vehicles += vehicles_in_hour
        end = min(hour + timedelta(hours=1), now)
        if not reports or end > reports[-1].at:
            reports.append(flow.Report(end, people, vehicles))
        hour += timedelta(hours=1)
    return reports


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


_lock = threading.Lock()
_last: dict = {}


def current_forecast(now: datetime | None = None,
                     counts: Counts = tally_counts) -> flow.Forecast | None:
    """The forecast from every tally so far and the expected range in force; None before
    there is a range or a tally. Run again only when a tally arrives or the range changes,
    or a minute has passed (a flow that stops is news too, and so is a corrected tally)."""
    now = now or timezone.now()
    expected = ExpectedPopulation.objects.current()
    if expected is None:
        return None
    # A new or removed tally changes these (read from indexes); a corrected one is taken
    # in within the minute, when the key changes anyway.
    state = Tally.objects.aggregate(n=Count("id"), last=Max("id"), last_at=Max("counted_at"))
    if not state["n"]:
        return None
    key = (expected.range, expected.set_at, tuple(sorted(state.items())),
           now.replace(second=0, microsecond=0), counts)
    with _lock:
        if _last.get("key") == key:
            return _last["forecast"]
    reports = tally_reports(now, counts)
    if not reports:  # every tally is timed after now (a device's clock ahead)
        return None
    result = flow.forecast(reports, expected.range, issued_at=now)
    with _lock:
        _last.update(key=key, forecast=result)
    return result


def forget() -> None:
    with _lock:
        _last.clear()
