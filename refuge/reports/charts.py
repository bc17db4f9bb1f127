"""Charts drawn on the server as SVG: no script, no CDN, readable on a small screen.

The same drawings, in the same colours, are shown on the dashboard and the daily report
page, and embedded in the daily report PDF (fpdf2 draws SVG). The colours, the legend and
the measured labels are refuge.lib.charts', shared with the other apps' charts.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from refuge.lib.charts import (  # noqa: F401 (the colours are used from here too)
    AXIS,
    CROSSED,
    FEMALE,
    GRID,
    INK,
    MALE,
    NEEDS,
    PLACED,
    REGISTERED,
    SWATCH,
    TEXT_SIZE,
    legend,
    nice_max,
    svg,
    text,
    width_of,
)
from refuge.lib.formats import grouped

Series = tuple[str, list[int], str]  # name, values, colour


def _frame(width: int, height: int, series_names: list[tuple[str, str]],
           maximum: int) -> tuple[list[str], float, float, float]:
    """The legend above, then the value axis: gridlines at 0, ¼, ½, ¾ and the top, their
    values on the left, and the axis line. Returns the parts, left, top and bottom."""
    labels = [grouped(round(maximum * step / 4)) for step in range(5)]
    left = max(width_of(label) for label in labels) + 10
    parts, legend_height = legend(series_names, left, 2, width - 8)
    top, bottom = legend_height + 10, height - 24
    for step, label in enumerate(labels):
        y = bottom - (bottom - top) * step / 4
        parts.append(f'<line x1="{left:.1f}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}"/>')
        parts.append(text(left - 5, y + 4, label, "end"))
    parts.append(f'<line x1="{left:.1f}" x2="{left:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" '
                 f'stroke="{AXIS}"/>')
    parts.append(f'<line x1="{left:.1f}" x2="{width - 8}" y1="{bottom:.1f}" '
                 f'y2="{bottom:.1f}" stroke="{AXIS}"/>')
    return parts, left, top, bottom


def _label_step(labels: list[str], room: float) -> int:
    """Show every n-th label on the time axis, so that neighbours never touch."""
    widest = max([width_of(label) for label in labels] + [1])
    return max(1, int(len(labels) * (widest + 6) / max(room, 1)) + 1)


def bars(labels: list[str], series: list[Series], title: str, width: int = 460,
         height: int = 220) -> SafeString:
    """Series side by side per label, e.g. crossed and registered per day."""
    maximum = nice_max(max([v for _n, values, _c in series for v in values] + [0]))
    parts, left, top, bottom = _frame(width, height, [(n, c) for n, _v, c in series], maximum)
    slot = (width - left - 8) / max(len(labels), 1)
    bar = max(min(slot * 0.8 / max(len(series), 1), 28), 1.5)
    step = _label_step(labels, width - left - 8)
    for i, label in enumerate(labels):
        x = left + i * slot + (slot - bar * len(series)) / 2
        for j, (_name, values, colour) in enumerate(series):
            h = (bottom - top) * max(values[i], 0) / maximum
            parts.append(f'<rect x="{x + j * bar:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{colour}"><title>{escape(label)}: '
                         f"{grouped(values[i])}</title></rect>")
        if i % step == 0:
            parts.append(text(left + (i + 0.5) * slot, height - 8, label, "middle"))
    return svg(width, height, parts, title)


def lines(labels: list[str], series: list[Series], title: str, expected: int = 0,
          expected_name: str = "", width: int = 460, height: int = 220) -> SafeString:
    """Totals to date as lines, with the expected population as a dashed line."""
    maximum = nice_max(max([v for _n, values, _c in series for v in values] + [expected, 0]))
    names = [(n, c) for n, _v, c in series]
    parts, left, top, bottom = _frame(width, height, names, maximum)
    span = max(len(labels) - 1, 1)
    right = width - 16

    def x_of(i: int) -> float:
        return left + 8 + (right - left - 8) * i / span

    for _name, values, colour in series:
        if values:
            points = " ".join(f"{x_of(i):.1f},{bottom - (bottom - top) * v / maximum:.1f}"
                              for i, v in enumerate(values))
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                         f'stroke-width="2.5"/>')
    if expected:
        y = bottom - (bottom - top) * expected / maximum
        parts.append(f'<line x1="{left:.1f}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{INK}" stroke-dasharray="5 4"/>')
        parts.append(text(width - 10, y - 4, f"{expected_name} {grouped(expected)}", "end"))
    step = _label_step(labels, right - left)
    for i, label in enumerate(labels):
        if i % step == 0:
            parts.append(text(x_of(i), height - 8, label, "middle"))
    return svg(width, height, parts, title)


def horizontal_bars(rows: list[tuple[str, int]], title: str, colour: str = CROSSED,
                    width: int = 420) -> SafeString:
    """One bar per row, its name on the left (on two lines where it is long) and its
    value at its end."""
    label_width = min(max([width_of(label) for label, _v in rows] + [0]) + 12, width * 0.5)
    labels = [wrapped(label, label_width - 12) for label, _v in rows]
    row_height = 30 if any(len(lines) > 1 for lines in labels) else 22
    height = max(len(rows), 1) * row_height + 8
    maximum = max([value for _label, value in rows] + [1])
    widest_value = max([width_of(grouped(value)) for _label, value in rows] + [0])
    room = width - label_width - widest_value - 12
    parts = []
    for i, ((label, value), lines) in enumerate(zip(rows, labels, strict=True)):
        y = 4 + i * row_height
        middle = y + row_height / 2
        w = room * value / maximum
        if len(lines) == 1:
            parts.append(text(label_width - 6, middle + 4, lines[0], "end"))
        else:
            parts.append(text(label_width - 6, middle - 2, lines[0], "end", size=10))
            parts.append(text(label_width - 6, middle + 9, lines[1], "end", size=10))
        parts.append(f'<rect x="{label_width:.1f}" y="{middle - 8:.1f}" width="{w:.1f}" '
                     f'height="16" fill="{colour}"><title>{escape(label)}: {grouped(value)}'
                     f"</title></rect>")
        parts.append(text(label_width + w + 4, middle + 4, grouped(value)))
    return svg(width, height, parts, title)


def wrapped(text: str, room: float) -> list[str]:
    """The text on one line, or on two at a space (the second cut with an ellipsis if
    it is still too long), at the smaller size two lines are drawn in."""
    if width_of(text) <= room:
        return [text]
    words, first = text.split(), ""
    while words and width_of(f"{first} {words[0]}".strip(), 10) <= room:
        first = f"{first} {words.pop(0)}".strip()
    if not first:  # one word wider than the room
        return [shortened(text, room)]
    return [first, shortened(" ".join(words), room, 10)]


def shortened(text: str, room: float, size: float = TEXT_SIZE) -> str:
    """The text, cut with an ellipsis where it would be wider than `room`."""
    if width_of(text, size) <= room:
        return text
    while text and width_of(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def pyramid(rows: list[dict], title: str, names: tuple[str, str],
            width: int = 420) -> SafeString:
    """Women to the left, men to the right, oldest at the top, each age group named in
    the middle and each bar with its number."""
    row_height, middle = 16, width / 2
    band = max([width_of(row["band"]) for row in rows] + [20]) + 12
    widest_value = max([width_of(grouped(max(r["F"], r["M"]))) for r in rows] + [0])
    half = middle - band / 2 - widest_value - 10
    parts, legend_height = legend([(names[0], FEMALE), (names[1], MALE)], 8, 2, width - 8)
    top = legend_height + 6
    height = top + len(rows) * row_height + 4
    maximum = max([max(r["F"], r["M"]) for r in rows] + [1])
    for i, row in enumerate(rows):
        y = top + i * row_height
        female, male = half * row["F"] / maximum, half * row["M"] / maximum
        bar_height = row_height - 3
        parts.append(f'<rect x="{middle - band / 2 - female:.1f}" y="{y}" width="{female:.1f}" '
                     f'height="{bar_height}" fill="{FEMALE}"><title>{escape(names[0])} '
                     f'{escape(row["band"])}: {grouped(row["F"])}</title></rect>')
        parts.append(f'<rect x="{middle + band / 2:.1f}" y="{y}" width="{male:.1f}" '
                     f'height="{bar_height}" fill="{MALE}"><title>{escape(names[1])} '
                     f'{escape(row["band"])}: {grouped(row["M"])}</title></rect>')
        parts.append(text(middle, y + 11, row["band"], "middle"))
        parts.append(text(middle - band / 2 - female - 3, y + 11, grouped(row["F"]), "end",
                           size=10))
        parts.append(text(middle + band / 2 + male + 3, y + 11, grouped(row["M"]), size=10))
    return svg(width, height, parts, title)


@dataclass(frozen=True)
class Size:
    """Chart sizes in SVG units: the dashboard's, or a smaller sheet for the PDF, where
    the same text size then prints larger beside the charts' width."""

    wide: int = 460
    tall: int = 220
    narrow: int = 420


SCREEN = Size()
PAGE = Size(wide=380, tall=210, narrow=380)


def situation(picture, size: Size = SCREEN) -> dict[str, SafeString]:
    """Every chart of the situation picture, for the dashboard, the daily report page
    and the PDF alike."""
    days = [d.day.strftime("%d.%m") for d in picture.days]
    crossed, registered, placed = (pgettext("figure caption", "crossed"),
                                   pgettext("figure caption", "registered"),
                                   pgettext("figure caption", "placed"))
    crossing = [p for p in picture.posts if p.kind == "crossing"]
    reception = [p for p in picture.posts if p.kind != "crossing"]
    hours = picture.hours
    return {
        "daily_chart": bars(days, [
            (crossed, [d.crossed for d in picture.days], CROSSED),
            (registered, [d.registered for d in picture.days], REGISTERED),
            (placed, [d.placed for d in picture.days], PLACED),
        ], _("People crossed, registered and placed per day"), size.wide, size.tall),
        "cumulative_chart": lines(days, [
            (crossed, [d.crossed_total for d in picture.days], CROSSED),
            (registered, [d.registered_total for d in picture.days], REGISTERED),
            (placed, [d.placed_total for d in picture.days], PLACED),
        ], _("People crossed, registered and placed to date"), picture.expected,
            _("expected"), size.wide, size.tall),
        "hourly_chart": bars(
            [timezone.localtime(h.hour).strftime("%H") for h in hours], [
                (crossed, [h.crossed for h in hours], CROSSED),
                (registered, [h.registered for h in hours], REGISTERED),
                (placed, [h.placed for h in hours], PLACED),
            ], _("People crossed, registered and placed per hour, last 24 hours"),
            size.wide, size.tall),
        "crossing_chart": horizontal_bars(
            [(p.name, p.crossed) for p in crossing], _("People crossed per crossing point"),
            CROSSED, size.narrow),
        "reception_chart": horizontal_bars(
            [(p.name, p.registered) for p in reception],
            _("People registered per reception centre"), REGISTERED, size.narrow),
        "pyramid_chart": pyramid(picture.pyramid, _("Age and sex"), (_("female"), _("male")),
                                 size.narrow),
        "needs_chart": horizontal_bars(
            [(f"{n['label']} ({n['code']})", n["people"]) for n in picture.needs],
            _("People with specific needs"), NEEDS, size.wide),
    }
