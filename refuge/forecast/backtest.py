"""Backtests on a curve of reports: for every report, the forecast issued at its time from it
and the reports before it only, then scored against what came (linear between reports).

`refuge forecast --curve` reads and writes these files; the benchmark scores generated
curves the same way, against their true hourly counts.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.forecast import flow
from refuge.forecast.flow import Band, Expected, Report
from refuge.lib.csvfiles import read_rows

COLUMNS = ["time", "cumulative_crossed"]
OPTIONAL = ["vehicles"]
OUT_COLUMNS = ["issued_at", "target_time", "p10", "p50", "p90"]
OFFSET = re.compile(r"(Z|[+-]\d\d(:?\d\d)?)$")

Method = Callable[[Sequence[Report], Expected, datetime, float], Band]


@dataclass(frozen=True)
class CurveRow:
    line: int
    time: str  # as read, for issued_at
    report: Report


@dataclass(frozen=True)
class Issued:
    row: CurveRow
    target: datetime
    band: Band

    @property
    def target_text(self) -> str:
        return same_style(self.target, self.row.time)


@dataclass(frozen=True)
class Score:
    rows: int  # forecasts scored
    mean_error: float  # mean absolute percentage error of the median, in %
    max_error: float
    coverage: float | None  # share of truths within p10-p90, in %

    def summary(self) -> str:
        if not self.rows:
            return _("no forecast's target lies within the file, so none was scored")
        text = _("%(rows)s forecasts scored: mean absolute error %(mean).1f %%, "
                 "maximum %(max).1f %%") % {"rows": self.rows, "mean": self.mean_error,
                                            "max": self.max_error}
        if self.coverage is not None:
            text += _(", p10-p90 covered the truth in %(coverage).0f %% of them") % {
                "coverage": self.coverage}
        return text


def read_curve(text: str) -> tuple[list[CurveRow], list[str]]:
    """The rows of a curve file and the problems found, by line. Times without an offset
    are local time (REFUGE_TIME_ZONE); times must go forward and counts never down."""
    errors: list[str] = []
    rows: list[CurveRow] = []
    last: CurveRow | None = None
    for line, raw in read_rows(text, COLUMNS, OPTIONAL, errors):
        problems = []
        moment = parse_time(raw["time"])
        if moment is None:
            problems.append(("time", _("%(value)s is not a date and time (ISO 8601, e.g. "
                                       "2023-09-26T08:00 or 2023-09-26T08:00+04:00)")
                             % {"value": raw["time"] or _("(empty)")}))
        crossed = whole_number(raw["cumulative_crossed"])
        if crossed is None:
            problems.append(("cumulative_crossed", _("%(value)s is not a whole number of "
                                                     "people") % {
                "value": raw["cumulative_crossed"] or _("(empty)")}))
        vehicles = None
        if raw.get("vehicles"):
            vehicles = whole_number(raw["vehicles"])
            if vehicles is None:
                problems.append(("vehicles", _("%(value)s is not a whole number of vehicles")
                                 % {"value": raw["vehicles"]}))
        if last and moment and moment <= last.report.at:
            problems.append(("time", _("%(value)s is not after the row before (line "
                                       "%(line)s)") % {"value": raw["time"], "line": last.line}))
        if last and crossed is not None and crossed < last.report.crossed:
            problems.append(("cumulative_crossed", _(
                "%(value)s is fewer than the %(before)s of the row before: the count is of "
                "people crossed in all") % {"value": crossed, "before": last.report.crossed}))
        earlier_vehicles = [r.report.vehicles for r in rows if r.report.vehicles is not None]
        if vehicles is not None and earlier_vehicles and vehicles < earlier_vehicles[-1]:
            problems.append(("vehicles", _("%(value)s is fewer than the %(before)s before it: "
                                           "the count is of vehicles in all")
                             % {"value": vehicles, "before": earlier_vehicles[-1]}))
        for field, message in problems:
            errors.append(_("line %(line)s: %(field)s %(message)s")
                          % {"line": line, "field": field, "message": message})
        if not problems:
            last = CurveRow(line, raw["time"], Report(moment, crossed, vehicles))
            rows.append(last)
    if not rows and not errors:
        errors.append(_("the file has no rows"))
    return rows, errors


def parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def whole_number(text: str) -> int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if not np.isfinite(value) or value < 0 or value != int(value) or value > 1e9:
        return None
    return int(value)


def same_style(moment: datetime, example: str) -> str:
    """`moment` written as `example` was: with its offset (or Z), or in local time without
    one; with its separator; and to the second only if it had seconds."""
    example = example.strip()
    written = datetime.fromisoformat(example)
    if timezone.is_naive(written):
        moment = timezone.localtime(moment).replace(tzinfo=None)
    else:
        moment = moment.astimezone(written.tzinfo)
    separator = " " if " " in example else "T"
    clock = OFFSET.sub("", example.split(separator)[1]) if separator in example else ""
    text = moment.isoformat(sep=separator,
                            timespec="seconds" if clock.count(":") >= 2 else "minutes")
    return text[:-6] + "Z" if example.endswith("Z") and text.endswith("+00:00") else text


def ours(reports: Sequence[Report], expected: Expected, issued_at: datetime,
         hours: float) -> Band:
    return flow.forecast(reports, expected, issued_at, horizons=(hours,)).horizons[hours]


def backtest(rows: Sequence[CurveRow], expected: Expected, hours: float,
             method: Method = ours, progress: Callable[[], None] | None = None,
             only: Callable[[CurveRow], bool] | None = None) -> list[Issued]:
    """The forecast issued at each row's time, from that row and those before it."""
    reports = [r.report for r in rows]
    issued = []
    for i, row in enumerate(rows):
        if only is None or only(row):
            band = method(reports[:i + 1], expected, row.report.at, hours)
            issued.append(Issued(row, row.report.at + timedelta(hours=hours), band))
        if progress:
            progress()
    return issued


def file_truth(rows: Sequence[CurveRow]) -> Callable[[datetime], float | None]:
    """People crossed in all at a moment within the file, linear between its rows."""
    first, last = rows[0].report.at, rows[-1].report.at
    times = np.array([(r.report.at - first).total_seconds() for r in rows])
    counts = np.array([float(r.report.crossed) for r in rows])

    def truth(moment: datetime) -> float | None:
        if moment < first or moment > last:
            return None
        return float(np.interp((moment - first).total_seconds(), times, counts))

    return truth


def score(issued: Iterable[Issued], truth: Callable[[datetime], float | None],
          with_interval: bool = True) -> Score:
    errors, covered = [], []
    for item in issued:
        actual = truth(item.target)
        if actual is None or actual <= 0:
            continue
        errors.append(abs(item.band.p50 - actual) / actual * 100)
        covered.append(item.band.covers(actual))
    if not errors:
        return Score(0, 0.0, 0.0, None)
    return Score(len(errors), float(np.mean(errors)), float(np.max(errors)),
                 float(np.mean(covered) * 100) if with_interval else None)


def write_issued(issued: Iterable[Issued], out) -> None:
    writer = csv.writer(out)
    writer.writerow(OUT_COLUMNS)
    for item in issued:
        band = item.band.rounded()
        writer.writerow([item.row.time, item.target_text, int(band.p10), int(band.p50),
                         int(band.p90)])


def issued_csv(issued: Iterable[Issued]) -> str:
    out = io.StringIO()
    write_issued(issued, out)
    return out.getvalue()
