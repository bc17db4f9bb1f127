"""What the forecast means for beds and desks, and the alerts it raises.

Pure functions of a forecast and plain numbers (free beds by province, the share of
households that needed a place, desks and their pace), so that this app imports no other
domain app: the dashboard gathers the numbers and passes them in.

The forecast's hourly path is a median and an 80 % band of people crossed in all. Since
every draw's count only ever grows, "beds run out by hour t" happens exactly when the
arrivals by t exceed the free beds, so the 10th percentile of when beds run out comes
from the 90th percentile of arrivals, and so on.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.utils.formats import date_format, number_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from refuge.forecast.flow import Band, Forecast
from refuge.lib.provinces import shown as province_shown

PATH_HOURS = 48  # the forecast's hourly path reaches this far
ALERT_HOURS = 24  # beds or desks in trouble within this many hours raise an alert
MOST_DESKS = 10_000


def _arrivals(forecast: Forecast) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Hours from issued_at, and people arriving after issued_at by each, per percentile."""
    if not forecast.path:
        raise ValueError("the forecast has no hourly path: run it with hourly=True")
    hours = np.array([(at - forecast.issued_at).total_seconds() / 3600
                      for at, _band in forecast.path])
    arrivals = {q: np.array([max(getattr(band, q) - forecast.crossed, 0.0)
                             for _at, band in forecast.path]) for q in ("p10", "p50", "p90")}
    return hours, arrivals


def _first_reach(hours: np.ndarray, values: np.ndarray, level: float) -> float:
    """The first hour (linear between hours) at which `values` reach `level`; inf if never."""
    if level <= 0:
        return 0.0
    above = np.flatnonzero(values >= level)
    if not len(above):
        return math.inf
    i = int(above[0])
    if i == 0:
        return 0.0
    share = (level - values[i - 1]) / max(values[i] - values[i - 1], 1e-9)
    return float(hours[i - 1] + share * (hours[i] - hours[i - 1]))


@dataclass(frozen=True)
class Beds:
    """Free beds in a province (or in all, when `province` is None) against the arrivals
    that will need a place there."""

    province: str | None
    free: int
    need: dict[float, Band]  # people needing a place there among arrivals by issued_at + h
    runs_out_in: Band  # hours from issued_at; inf: not within PATH_HOURS


def beds(forecast: Forecast, needing_share: float, free_beds: Mapping[str, int],
         shares: Mapping[str, float] | None = None,
         horizons: tuple[float, ...] = (6, 12, 24, 48)) -> list[Beds]:
    """Beds by province, then all provinces together.

    `needing_share`: the share of registered households that needed a place so far
    (0 to 1). `free_beds`: free beds by province. `shares`: the share of people given a
    place who went to each province so far (by default in proportion to the free beds);
    the row for all provinces takes the sum of the shares of those listed."""
    if not 0 <= needing_share <= 1:
        raise ValueError("needing_share must be from 0 to 1")
    hours, arrivals = _arrivals(forecast)
    if shares is None:
        all_free = sum(max(n, 0) for n in free_beds.values())
        shares = {p: max(n, 0) / all_free if all_free else 0.0 for p, n in free_beds.items()}
    rows = []
    places = [(p, free_beds[p], min(max(shares.get(p, 0.0), 0.0), 1.0)) for p in free_beds]
    places.append((None, sum(max(n, 0) for n in free_beds.values()),
                   min(sum(share for _p, _free, share in places), 1.0)))
    for province, free, share in places:
        per_arrival = needing_share * share
        need = {h: Band(*(float(np.interp(h, hours, arrivals[q])) * per_arrival
                          for q in ("p10", "p50", "p90"))) for h in horizons}
        if per_arrival <= 0:
            runs_out = Band(math.inf, math.inf, math.inf) if free > 0 else Band(0, 0, 0)
        else:
            level = max(free, 0) / per_arrival
            runs_out = Band(_first_reach(hours, arrivals["p90"], level),
                            _first_reach(hours, arrivals["p50"], level),
                            _first_reach(hours, arrivals["p10"], level))
        rows.append(Beds(province, int(free), need, runs_out))
    return rows


@dataclass(frozen=True)
class Desks:
    """The registration backlog (people crossed and not yet registered)."""

    backlog: int  # now
    desks_open: int
    per_desk: float  # people an hour a desk registers
    backlog_at: dict[float, Band]  # with the desks open now, by issued_at + h
    cleared_in: Band  # hours until it is cleared with the desks open now; inf: not in 48 h
    clear_by: datetime
    desks_needed: Band  # desks that would clear it by `clear_by`, for fewer or more arrivals


def _backlog(start: float, arrivals: np.ndarray, hours: np.ndarray, pace: float) -> np.ndarray:
    """The backlog at each hour: it grows with arrivals and shrinks by `pace` an hour, never
    below none. (Lindley's recursion b[i] = max(b[i-1] + x[i], 0) in closed form: the
    running total less its lowest point below nought so far.)"""
    change = np.diff(arrivals) - pace * np.diff(hours)
    total = start + np.concatenate(([0.0], np.cumsum(change)))
    return total - np.minimum.accumulate(np.minimum(total, 0.0))


def desks(forecast: Forecast, registered: int, desks_open: int, per_desk: float,
          clear_by: datetime, horizons: tuple[float, ...] = (6, 12, 24, 48)) -> Desks:
    """The backlog ahead at the desks open now, and how many desks would clear it by
    `clear_by` (at most PATH_HOURS ahead; later is read as PATH_HOURS)."""
    if per_desk <= 0:
        raise ValueError("per_desk must be more than 0 people an hour")
    if desks_open < 0:
        raise ValueError("desks_open must be 0 or more")
    hours, arrivals = _arrivals(forecast)
    backlog_now = max(forecast.crossed - registered, 0)
    by = min(max((clear_by - forecast.issued_at).total_seconds() / 3600, 0.0), PATH_HOURS)
    paths = {q: _backlog(backlog_now, arrivals[q], hours, desks_open * per_desk)
             for q in ("p10", "p50", "p90")}
    backlog_at = {h: Band(*(float(np.interp(h, hours, paths[q])) for q in ("p10", "p50", "p90")))
                  for h in horizons}
    pace = desks_open * per_desk
    cleared = {q: _cleared(hours, paths[q], arrivals[q], pace) for q in paths}
    needed = {q: _desks_needed(backlog_now, arrivals[q], hours, per_desk, by) for q in paths}
    return Desks(backlog_now, desks_open, per_desk, backlog_at,
                 Band(cleared["p10"], cleared["p50"], cleared["p90"]), clear_by,
                 Band(needed["p10"], needed["p50"], needed["p90"]))


def _cleared(hours: np.ndarray, backlog: np.ndarray, arrivals: np.ndarray,
             pace: float) -> float:
    """The moment no backlog is left (within the hour it empties, at that hour's net
    pace); inf if not within the path."""
    if backlog[0] < 0.5:
        return 0.0
    for i in range(1, len(hours)):
        if backlog[i] < 0.5:
            dt = hours[i] - hours[i - 1]
            net = pace - (arrivals[i] - arrivals[i - 1]) / dt
            return float(hours[i - 1] + min(backlog[i - 1] / net, dt))
    return math.inf


def _desks_needed(backlog: float, arrivals: np.ndarray, hours: np.ndarray, per_desk: float,
                  by: float) -> int:
    """The fewest desks with no backlog left at `by` hours (found by halving)."""
    def left(desks: int) -> float:
        path = _backlog(backlog, arrivals, hours, desks * per_desk)
        return float(np.interp(by, hours, path))

    if left(0) < 0.5:
        return 0
    low, high = 0, 1
    while left(high) >= 0.5:
        low, high = high, high * 2
        if high > MOST_DESKS:
            return MOST_DESKS
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if left(middle) < 0.5 else (middle, high)
    return high


# Alerts: codes with parameters, translated only when shown.
BEDS_RUN_OUT = "beds_run_out"
DESKS_SHORT = "desks_short"
BACKLOG_GROWS = "backlog_grows"
RANGE_EXCEEDED = "range_exceeded"
BELOW_RANGE = "below_range"
FLOW_STALLED = "flow_stalled"
OVER_SOON = "over_soon"


@dataclass(frozen=True)
class Alert:
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return alert_message(self)

    def as_dict(self) -> dict:
        return {"code": self.code, "params": self.params, "message": self.message}


def alerts(forecast: Forecast, beds_rows: list[Beds] | None = None,
           desks_outlook: Desks | None = None) -> list[Alert]:
    """The few things a coordinator should know now, most urgent first."""
    found: list[tuple[float, Alert]] = []
    if forecast.range_exceeded and forecast.expected:
        found.append((0, Alert(RANGE_EXCEEDED, {"crossed": forecast.crossed,
                                                "ceiling": forecast.expected.ceiling})))
    rows = beds_rows or []
    if sum(row.province is not None for row in rows) == 1:  # all of them is that one
        rows = [row for row in rows if row.province is not None]
    for row in rows:
        if row.runs_out_in.p50 <= ALERT_HOURS:
            found.append((row.runs_out_in.p50, Alert(BEDS_RUN_OUT, {
                "province": row.province, "hours": _hours(row.runs_out_in.p50),
                "low": _hours(row.runs_out_in.p10), "high": _hours(row.runs_out_in.p90)})))
    if desks_outlook is not None:
        d = desks_outlook
        if d.desks_needed.p50 > d.desks_open:
            found.append((10, Alert(DESKS_SHORT, {
                "open": d.desks_open, "needed": int(d.desks_needed.p50),
                "high": int(d.desks_needed.p90), "by": d.clear_by.isoformat()})))
        later = d.backlog_at.get(24)
        if later is not None and later.p50 > d.backlog * 1.1 and later.p50 >= 100:
            found.append((20, Alert(BACKLOG_GROWS, {"now": d.backlog,
                                                    "later": round(later.p50), "hours": 24})))
    if forecast.stalled_hours is not None and forecast.reopen_chance is not None:
        found.append((5, Alert(FLOW_STALLED, {"hours": _hours(forecast.stalled_hours),
                                              "chance": round(100 * forecast.reopen_chance)})))
    if forecast.expected and not forecast.range_exceeded \
            and forecast.total.p90 < forecast.expected.low:
        found.append((30, Alert(BELOW_RANGE, {"total": round(forecast.total.p50),
                                              "low": forecast.expected.low})))
    if forecast.over_in.p50 <= ALERT_HOURS and forecast.crossed:
        over = forecast.over_at()[1]
        found.append((40, Alert(OVER_SOON, {"at": over.isoformat()})))
    return [alert for _order, alert in sorted(found, key=lambda item: item[0])]


def _hours(value: float) -> int | None:
    return None if not math.isfinite(value) else max(int(round(value)), 0)


def _number(value) -> str:
    return number_format(value, force_grouping=True)


def _moment(text: str) -> str:
    return date_format(localtime(datetime.fromisoformat(text)), "j E H:i")


def _beds_message(p: dict) -> str:
    """Beds running out, in one province (its name in the reader's language) or in all."""
    values = {"province": province_shown(p["province"] or ""), "hours": p["hours"],
              "low": p["low"], "high": p["high"]}
    if p["province"] is None:
        if not p["hours"] and not p["high"]:
            return _("free beds have run out in all provinces")
        if p["high"] is None:
            return _("free beds in all provinces run out in about %(hours)s h (80 %%: "
                     "%(low)s h to later than two days)") % values
        return _("free beds in all provinces run out in about %(hours)s h (80 %%: "
                 "%(low)s–%(high)s h)") % values
    if not p["hours"] and not p["high"]:
        return _("free beds have run out in %(province)s") % values
    if p["high"] is None:
        return _("free beds in %(province)s run out in about %(hours)s h (80 %%: "
                 "%(low)s h to later than two days)") % values
    return _("free beds in %(province)s run out in about %(hours)s h (80 %%: "
             "%(low)s–%(high)s h)") % values


def alert_message(alert: Alert) -> str:
    """An alert in the reader's language."""
    p = alert.params
    if alert.code == BEDS_RUN_OUT:
        return _beds_message(p)
    if alert.code == DESKS_SHORT:
        return _("%(needed)s desks would clear the registration backlog by %(by)s "
                 "(%(high)s if more arrive); %(open)s are open") % {
            "needed": _number(p["needed"]), "high": _number(p["high"]),
            "open": _number(p["open"]), "by": _moment(p["by"])}
    if alert.code == BACKLOG_GROWS:
        return _("the registration backlog grows from %(now)s to about %(later)s people in "
                 "%(hours)s h at the desks open now") % {
            "now": _number(p["now"]), "later": _number(p["later"]), "hours": p["hours"]}
    if alert.code == RANGE_EXCEEDED:
        return _("%(crossed)s people have crossed, more than the expected range allows "
                 "(%(ceiling)s): set the expected population again") % {
            "crossed": _number(p["crossed"]), "ceiling": _number(p["ceiling"])}
    if alert.code == BELOW_RANGE:
        return _("the forecast total, about %(total)s, is below the expected range "
                 "(from %(low)s): the influx may end sooner than planned for") % {
            "total": _number(p["total"]), "low": _number(p["low"])}
    if alert.code == FLOW_STALLED:
        return _("the flow stopped %(hours)s h ago: a closed road or a crossing point not "
                 "reporting (%(chance)s %% likely), or the end of the influx") % {
            "hours": p["hours"], "chance": p["chance"]}
    if alert.code == OVER_SOON:
        return _("the influx is likely to be over by %(at)s") % {"at": _moment(p["at"])}
    return alert.code
