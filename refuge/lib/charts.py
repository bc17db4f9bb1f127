"""What every chart drawn on the server shares: its colours, its text and its legend.

Charts are SVG built as text (no script, no CDN, readable on a small screen; fpdf2 draws
them in the PDF too). Labels are measured with the report font (refuge.lib.fonts), so a
legend's swatch never covers its label in any language. The situation picture's charts
are refuge/reports/charts.py; an app's own part of the picture (the forecast) draws with
these, so that the dashboard reads as one.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from refuge.lib.fonts import text_width

CROSSED = "#0b5cad"
REGISTERED = "#e07b00"
PLACED = "#1d6b34"
FEMALE = "#b4457f"
MALE = "#2f7d8c"
NEEDS = "#7a4fa3"
# A forecast: its median drawn dashed in a darker orange than the registered, over its
# 80 % band in a pale one.
FORECAST = "#b35c00"
BAND = "#f2c48d"
GRID = "#d5dae1"
AXIS = "#5b6675"
INK = "#1c2430"
TEXT_SIZE = 11
FONT = f'font-family="system-ui, Noto Sans, DejaVu Sans, sans-serif" font-size="{TEXT_SIZE}"'
SWATCH, GAP = 10, 14  # a legend's square, and the space between two entries
# Measured text is given this much more room: fonts differ a little between systems.
ROOM = 1.1


def width_of(label: str, size: float = TEXT_SIZE) -> float:
    return ROOM * text_width(label, size)


def svg(width: int, height: float, body: list[str], title: str) -> SafeString:
    return mark_safe(
        f'<svg viewBox="0 0 {width} {height:.0f}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def text(x: float, y: float, label: str, anchor: str = "start", size: int = TEXT_SIZE,
         colour: str = INK) -> str:
    size_attribute = f' font-size="{size}"' if size != TEXT_SIZE else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{colour}"'
            f"{size_attribute}>{escape(label)}</text>")


def nice_max(value: int) -> int:
    """The top of a value axis: the value rounded up to a number read at a glance."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return value


def swatch(x: float, y: float, colour: str, kind: str = "box") -> str:
    """A legend's mark: a square ("box"), a line ("line") or a dashed line ("dash")."""
    if kind == "box":
        return f'<rect x="{x:.1f}" y="{y:.1f}" width="{SWATCH}" height="{SWATCH}" fill="{colour}"/>'
    dash = ' stroke-dasharray="5 2"' if kind == "dash" else ""
    middle = y + SWATCH / 2
    return (f'<line x1="{x:.1f}" x2="{x + SWATCH:.1f}" y1="{middle:.1f}" y2="{middle:.1f}" '
            f'stroke="{colour}" stroke-width="2.5"{dash}/>')


def legend(entries: list[tuple], x: float, y: float, right: float) -> tuple[list[str], float]:
    """Swatch and name for each series, (name, colour) or (name, colour, kind of swatch),
    left to right from (x, y), on as many lines as `right` leaves room for; returns the
    parts and the height they take."""
    parts, line_height, left, first = [], TEXT_SIZE + 5, x, y
    for name, colour, *kind in entries:
        needed = SWATCH + 4 + width_of(name)
        if x > left and x + needed > right:
            x, y = left, y + line_height
        parts.append(swatch(x, y, colour, *kind))
        parts.append(text(x + SWATCH + 4, y + SWATCH - 1, name))
        x += needed + GAP
    return parts, (y - first + line_height) if entries else 0
