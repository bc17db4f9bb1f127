"""The forecast as an SVG chart drawn on the server: people crossed in all so far, the
forecast's median and its 80 % band for the next two days, against the expected total.

Drawn from the section's plain figures (`series`), so the dashboard draws what
/api/situation gives, with the colours, text and legend of every chart
(refuge.lib.charts).
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from refuge.forecast.flow import Forecast, Report
from refuge.lib.charts import (
    AXIS,
    BAND,
    CROSSED,
    FORECAST,
    GRID,
    INK,
    legend,
    nice_max,
    svg,
    text,
    width_of,
)
from refuge.lib.formats import grouped

HOURS_BACK = 48  # observed counts shown before now


def series(forecast: Forecast, reports: Sequence[Report], hours_back: int = HOURS_BACK) -> dict:
    """What the chart draws, as plain values: the counts seen for `hours_back` hours, or
    since the first ([time, crossed]), the forecast's hourly path ([time, p10, p50, p90]),
    the expected total and when the forecast was issued; times in ISO 8601."""
    start = forecast.issued_at - timedelta(hours=hours_back)
    if reports and reports[0].at > start:  # no empty days before the first count
        start = min(reports[0].at, forecast.issued_at - timedelta(hours=1))
    observed = [(r.at, r.crossed) for r in reports if start <= r.at <= forecast.issued_at]
    before = [r for r in reports if r.at < start]
    if before:
        observed.insert(0, (start, before[-1].crossed))
    return {
        "issued_at": forecast.issued_at.isoformat(),
        "start": start.isoformat(),
        "expected": forecast.expected.likely if forecast.expected else 0,
        "observed": [[at.isoformat(), int(n)] for at, n in observed],
        "path": [[at.isoformat(), round(b.p10), round(b.p50), round(b.p90)]
                 for at, b in forecast.path],
    }


def chart(data: dict, width: int = 480, height: int = 250) -> SafeString:
    """Observed counts, then the forecast's median and 80 % band (see `series`)."""
    band_label = _("%(share)s %% interval") % {"share": 80}
    issued_at = datetime.fromisoformat(data["issued_at"])
    start = datetime.fromisoformat(data["start"])
    observed = [(datetime.fromisoformat(at), n) for at, n in data["observed"]]
    path = [(datetime.fromisoformat(at), p10, p50, p90) for at, p10, p50, p90 in data["path"]]
    expected = data["expected"]
    end = path[-1][0] if path else issued_at
    maximum = nice_max(max([n for _at, n in observed] + [p90 for *_rest, p90 in path]
                           + [expected, 1]))
    labels = [grouped(round(maximum * step / 4)) for step in range(5)]
    left = max(width_of(label) for label in labels) + 10
    right = width - 10
    parts, legend_height = legend([(pgettext("forecast chart", "crossed"), CROSSED, "line"),
                                   (pgettext("forecast chart", "forecast"), FORECAST, "dash"),
                                   (band_label, BAND)], left, 2, right)
    top, bottom = legend_height + 12, height - 26
    span = (end - start).total_seconds() or 1.0

    def x(moment: datetime) -> float:
        return left + (right - left) * (moment - start).total_seconds() / span

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / maximum

    for step, label in enumerate(labels):
        level = y(maximum * step / 4)
        parts.append(f'<line x1="{left:.1f}" x2="{right}" y1="{level:.1f}" y2="{level:.1f}" '
                     f'stroke="{GRID}"/>')
        parts.append(text(left - 5, level + 4, label, "end"))
    tick = _first_tick(start)
    while tick <= end:  # a tick every 12 hours; midnights carry the date
        midnight = localtime(tick).hour == 0
        parts.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{bottom}" '
                     f'y2="{bottom + (6 if midnight else 3)}" stroke="{AXIS}"/>')
        if midnight:
            parts.append(text(x(tick), height - 8, date_format(localtime(tick), "j M"),
                              "middle"))
        tick += timedelta(hours=12)
    if path:
        upper = [f"{x(at):.1f},{y(p90):.1f}" for at, _p10, _p50, p90 in path]
        lower = [f"{x(at):.1f},{y(p10):.1f}" for at, p10, _p50, _p90 in reversed(path)]
        parts.append(f'<polygon points="{" ".join(upper + lower)}" fill="{BAND}" '
                     f'fill-opacity="0.8"><title>{escape(band_label)}</title></polygon>')
        median = " ".join(f"{x(at):.1f},{y(p50):.1f}" for at, _p10, p50, _p90 in path)
        parts.append(f'<polyline points="{median}" fill="none" stroke="{FORECAST}" '
                     f'stroke-width="2.5" stroke-dasharray="6 3"/>')
    if observed:
        points = " ".join(f"{x(at):.1f},{y(n):.1f}" for at, n in observed)
        parts.append(f'<polyline points="{points}" fill="none" stroke="{CROSSED}" '
                     f'stroke-width="2.5"/>')
    now = x(issued_at)
    parts.append(f'<line x1="{now:.1f}" x2="{now:.1f}" y1="{top}" y2="{bottom}" '
                 f'stroke="{AXIS}" stroke-dasharray="2 3"/>')
    parts.append(text(now + 3, top + 10, pgettext("forecast chart", "now"), colour=AXIS))
    if expected:
        parts.append(f'<line x1="{left:.1f}" x2="{right}" y1="{y(expected):.1f}" '
                     f'y2="{y(expected):.1f}" stroke="{INK}" stroke-dasharray="5 4"/>')
        expected_label = pgettext("forecast chart", "expected")
        parts.append(text(left + 4, y(expected) - 4, f"{expected_label} {grouped(expected)}"))
    parts.append(f'<line x1="{left:.1f}" x2="{left:.1f}" y1="{top}" y2="{bottom}" '
                 f'stroke="{AXIS}"/>')
    return svg(width, height, parts, _summary(observed, path, issued_at))


def _first_tick(start: datetime) -> datetime:
    local = localtime(start)
    tick = local.replace(minute=0, second=0, microsecond=0)
    while tick < local or tick.hour % 12:
        tick += timedelta(hours=1)
    return tick


def _summary(observed: list, path: list, issued_at: datetime) -> str:
    crossed = observed[-1][1] if observed else 0
    title = _("Arrivals: %(crossed)s crossed so far") % {"crossed": grouped(crossed)}
    day = [row for row in path if row[0] == issued_at + timedelta(hours=24)]
    if day:
        _at, p10, p50, p90 = day[0]
        title += "; " + _("in 24 h about %(p50)s in all (80 %%: %(p10)s–%(p90)s)") % {
            "p50": grouped(p50), "p10": grouped(p10), "p90": grouped(p90)}
    return title
