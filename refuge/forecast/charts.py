"""The forecast as an SVG chart drawn on the server: people crossed in all so far, the
forecast's median and its 80 % band for the next two days, against the expected total.

In the manner of refuge/reports/charts.py: no script, no CDN, readable on a small screen.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np
from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from refuge.forecast.flow import Forecast, Report

# Every colour of the chart, in one place.
COLOURS = {
    "observed": "#0b5cad",
    "median": "#b35c00",
    "band": "#f2c48d",
    "expected": "#1c2430",
    "now": "#6b7685",
    "grid": "#d5dae1",
    "ink": "#1c2430",
}
FONT = 'font-family="system-ui, Noto Sans, DejaVu Sans, sans-serif" font-size="12"'


def _scale(value: float) -> tuple[float, float]:
    """The top of the y axis and the step between its lines: 4 or 5 round steps."""
    rough = max(value, 1) / 4
    magnitude = 10 ** np.floor(np.log10(rough))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
    return float(step * np.ceil(max(value, 1) / step)), float(step)


def _count(value: float) -> str:
    return number_format(int(round(value)), force_grouping=True)


def chart(forecast: Forecast, reports: Sequence[Report], hours_back: int = 48,
          width: int = 480, height: int = 240) -> SafeString:
    """Observed counts for `hours_back` hours, then the forecast for the 48 hours of its
    path (run the forecast with hourly=True)."""
    c = COLOURS
    band_label = _("%(share)s %% interval") % {"share": 80}
    now_label = pgettext("forecast chart", "now")
    expected_label = pgettext("forecast chart", "expected")
    left, right, top, bottom = 58, width - 10, 42, height - 28
    start = forecast.issued_at - timedelta(hours=hours_back)
    end = forecast.path[-1][0] if forecast.path else forecast.issued_at
    observed = [(r.at, r.crossed) for r in reports if start <= r.at <= forecast.issued_at]
    before = [r for r in reports if r.at < start]
    if before:
        observed.insert(0, (start, before[-1].crossed))
    expected = forecast.expected.likely if forecast.expected else 0
    top_value = max([v for _at, v in observed] + [b.p90 for _at, b in forecast.path]
                    + [expected, forecast.crossed, 1])
    maximum, step = _scale(top_value)
    span = (end - start).total_seconds() or 1.0

    def x(moment: datetime) -> float:
        return left + (right - left) * (moment - start).total_seconds() / span

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / maximum

    parts = []
    for value in np.arange(0, maximum + step / 2, step):
        level = y(value)
        parts.append(f'<line x1="{left}" x2="{right}" y1="{level:.1f}" y2="{level:.1f}" '
                     f'stroke="{c["grid"]}"/>')
        parts.append(f'<text x="{left - 4}" y="{level + 4:.1f}" text-anchor="end" '
                     f'fill="{c["ink"]}">{_count(value)}</text>')
    tick = _first_tick(start)
    while tick <= end:  # a tick every 12 hours; midnights carry the date
        midnight = localtime(tick).hour == 0
        parts.append(f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{bottom}" '
                     f'y2="{bottom + (6 if midnight else 3)}" stroke="{c["ink"]}"/>')
        if midnight:
            parts.append(f'<text x="{x(tick):.1f}" y="{height - 14}" text-anchor="middle" '
                         f'fill="{c["ink"]}">{escape(date_format(localtime(tick), "j M"))}'
                         f"</text>")
        tick += timedelta(hours=12)
    if forecast.path:
        upper = [f"{x(at):.1f},{y(b.p90):.1f}" for at, b in forecast.path]
        lower = [f"{x(at):.1f},{y(b.p10):.1f}" for at, b in reversed(forecast.path)]
        parts.append(f'<polygon points="{" ".join(upper + lower)}" fill="{c["band"]}" '
                     f'fill-opacity="0.8"><title>{escape(band_label)}</title>'
                     f"</polygon>")
        median = " ".join(f"{x(at):.1f},{y(b.p50):.1f}" for at, b in forecast.path)
        parts.append(f'<polyline points="{median}" fill="none" stroke="{c["median"]}" '
                     f'stroke-width="2.5" stroke-dasharray="6 3"/>')
    if observed:
        points = " ".join(f"{x(at):.1f},{y(v):.1f}" for at, v in observed)
        parts.append(f'<polyline points="{points}" fill="none" stroke="{c["observed"]}" '
                     f'stroke-width="2.5"/>')
    now = x(forecast.issued_at)
    parts.append(f'<line x1="{now:.1f}" x2="{now:.1f}" y1="{top}" y2="{bottom}" '
                 f'stroke="{c["now"]}" stroke-dasharray="2 3"/>')
    parts.append(f'<text x="{now + 3:.1f}" y="{top + 10}" fill="{c["now"]}">'
                 f"{escape(now_label)}</text>")
    if expected and expected <= maximum:
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y(expected):.1f}" '
                     f'y2="{y(expected):.1f}" stroke="{c["expected"]}" '
                     f'stroke-dasharray="5 4"/>')
        parts.append(f'<text x="{left + 4}" y="{y(expected) - 4:.1f}" fill="{c["expected"]}">'
                     f"{escape(expected_label)} {_count(expected)}</text>")
    parts += _legend(left, right, [(pgettext("forecast chart", "crossed"), c["observed"], "line"),
                                   (pgettext("forecast chart", "forecast"), c["median"], "dash"),
                                   (band_label, c["band"], "box")])
    title = _summary(forecast)
    return mark_safe(
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f"<title>{escape(title)}</title>{''.join(parts)}</svg>"
    )


def _first_tick(start: datetime) -> datetime:
    local = localtime(start)
    tick = local.replace(minute=0, second=0, microsecond=0)
    while tick < local or tick.hour % 12:
        tick += timedelta(hours=1)
    return tick


def _legend(left: float, right: float, entries: list[tuple[str, str, str]]) -> list[str]:
    """One row above the plot, an equal slot per entry (text of any script fits its slot)."""
    parts, slot = [], (right - left) / len(entries)
    for i, (name, colour, kind) in enumerate(entries):
        x = left + i * slot
        if kind == "box":
            parts.append(f'<rect x="{x:.1f}" y="5" width="16" height="10" fill="{colour}"/>')
        else:
            dash = ' stroke-dasharray="6 3"' if kind == "dash" else ""
            parts.append(f'<line x1="{x:.1f}" x2="{x + 16:.1f}" y1="10" y2="10" '
                         f'stroke="{colour}" stroke-width="2.5"{dash}/>')
        parts.append(f'<text x="{x + 21:.1f}" y="14" fill="{COLOURS["ink"]}">'
                     f"{escape(name)}</text>")
    return parts


def _summary(forecast: Forecast) -> str:
    day = forecast.horizons.get(24)
    text = _("Arrivals: %(crossed)s crossed so far") % {"crossed": _count(forecast.crossed)}
    if day is not None:
        text += "; " + _("in 24 h about %(p50)s in all (80 %%: %(p10)s–%(p90)s)") % {
            "p50": _count(day.p50), "p10": _count(day.p10), "p90": _count(day.p90)}
    return text
