"""The forecast from the registry's tallies: the counts as reports, and the forecast now."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db.models import Count, Max, Sum
from django.utils import timezone

from refuge.forecast import flow
from refuge.forecast.models import ExpectedPopulation
from refuge.lib.hours import as_hour, utc_hour
from refuge.registry.models import (
    CrossingFigure,
    Household,
    RegistrationEvent,
    RegistrationFigure,
    Tally,
)

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


def figure_counts(now: datetime) -> list[tuple[datetime, int, int]]:
    """The same hourly counts from the pre-counted crossing figures, which read in a few
    milliseconds where the tallies take a scan (the dashboard's)."""
    return [(as_hour(hour), people, vehicles) for hour, people, vehicles in
            CrossingFigure.objects.filter(hour__lte=now).values("hour")
            .annotate(people=Sum("people"), vehicles=Sum("vehicles"))
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
_last: dict[Counts, tuple] = {}


def current_forecast(now: datetime | None = None,
                     counts: Counts = tally_counts) -> flow.Forecast | None:
    found = current(now, counts)
    return found[0] if found else None


def current(now: datetime | None = None, counts: Counts = tally_counts
            ) -> tuple[flow.Forecast, list[flow.Report]] | None:
    """The forecast from every tally so far and the expected range in force, with the
    reports it was made from; None before there is a range or a tally. Run again only when
    a tally arrives or the range changes, or a minute has passed (a flow that stops is news
    too, and so is a corrected tally)."""
    now = now or timezone.now()
    expected = ExpectedPopulation.objects.current()
    if expected is None:
        return None
    state = _state(counts)
    if not state["n"]:
        return None
    key = (expected.range, expected.set_at, tuple(sorted(state.items())),
           now.replace(second=0, microsecond=0))
    with _lock:  # one remembered per source of counts (the API's tallies, the dashboard's)
        if counts in _last and _last[counts][0] == key:
            return _last[counts][1]
    reports = tally_reports(now, counts)
    if not reports:  # every tally is timed after now (a device's clock ahead)
        return None
    result = flow.forecast(reports, expected.range, issued_at=now)
    with _lock:
        _last[counts] = (key, (result, reports))
    return result, reports


def _state(counts: Counts) -> dict:
    """What changes when the counts do. The pre-counted figures are a few rows an hour:
    their sums change with any tally added, removed or corrected. The tallies: a new or
    removed one changes these (read from indexes); a corrected one is taken in within the
    minute, when the key changes anyway."""
    if counts is figure_counts:
        return CrossingFigure.objects.aggregate(
            n=Count("id"), people=Sum("people"), vehicles=Sum("vehicles"), last=Max("hour"))
    return Tally.objects.aggregate(n=Count("id"), last=Max("id"), last_at=Max("counted_at"))


def forget() -> None:
    with _lock:
        _last.clear()


# Households asked whether they need a place, fewer than this, say too little of the share
# that will: until then a quarter is assumed, about the share housed by the state in 2023.
FEWEST_ASKED = 20
ASSUMED_NEEDING = 0.25


def needing_share() -> tuple[float, bool]:
    """The share of registered households (asked) that needed a place to stay, and whether
    it was measured (False: too few asked, ASSUMED_NEEDING)."""
    asked = dict(Household.objects.filter(status=Household.ACTIVE)
                 .exclude(accommodation=Household.NOT_ASKED).values_list("accommodation")
                 .annotate(n=Count("id")).order_by())
    total = sum(asked.values())
    if total < FEWEST_ASKED:
        return ASSUMED_NEEDING, False
    return asked.get(Household.NEEDS_PLACE, 0) / total, True


# Desks that registered someone this recently are open; their pace is read over as long.
DESK_WINDOW = timedelta(hours=2)
# The registrations read to find them, newest first: more than any window has held.
RECENT_REGISTRATIONS = 5_000
# A desk's pace before any is measured: group pre-registration takes about 3 minutes for
# a family of five (DOMAIN), so about 100 people an hour.
ASSUMED_PER_DESK = 100.0


def registered() -> int:
    return RegistrationFigure.objects.filter(need="").aggregate(n=Sum("people"))["n"] or 0


def desk_pace(now: datetime) -> tuple[int, float, bool]:
    """Desks open (a desk of a reception centre, or a user where no desk was named, that
    registered a household within DESK_WINDOW), the people an hour each registers, and
    whether that pace was measured (False: ASSUMED_PER_DESK)."""
    since = now - DESK_WINDOW
    recent = (RegistrationEvent.objects.order_by("-id")
              .values_list("at", "post_id", "desk", "user_id")[:RECENT_REGISTRATIONS])
    desks = {(post, desk or f"user {user}") for at, post, desk, user in recent
             if since < at <= now}
    people = (RegistrationFigure.objects.filter(need="", hour__gte=_hour(since), hour__lte=now)
              .aggregate(n=Sum("people"))["n"] or 0)
    if not desks or not people:
        return len(desks), ASSUMED_PER_DESK, False
    # The figures' hours begin at the hour `since` falls in: the window read is that long.
    hours = (now - _hour(since)).total_seconds() / 3600
    return len(desks), people / hours / len(desks), True
