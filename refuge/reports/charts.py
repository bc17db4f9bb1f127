"""Charts drawn on the server as SVG: no script, no CDN, readable on a small screen."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CROSSED = "#0b5cad"
REGISTERED = "#e07b00"
FEMALE = "#b4457f"
MALE = "#2f7d8c"
GRID = "#d5dae1"
INK = "#1c2430"
FONT = 'font-family="system-ui, Noto Sans, DejaVu Sans, sans-serif" font-size="11"'


def _svg(width: int, height: int, body: list[str], title: str) -> SafeString:
    return mark_safe(
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _nice_max(value: int) -> int:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return value


def _axis(width, height, left, bottom, top, maximum) -> list[str]:
    parts = []
    for fraction in (0, 0.5, 1):
        y = bottom - (bottom - top) * fraction
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="{INK}">'
                     f"{int(maximum * fraction):,}</text>")
    return parts


PLACED = "#1d6b34"

Series = tuple[str, list[int], str]  # name, values, colour


def bars(labels: list[str], series: list[Series], title: str, width: int = 460,
         height: int = 220) -> SafeString:
    """Series side by side per label, e.g. crossed and registered per day."""
    left, top, bottom = 56, 24, height - 28
    maximum = _nice_max(max([v for _n, values, _c in series for v in values] + [0]))
    parts = _axis(width, height, left, bottom, top, maximum)
    slot = (width - left - 8) / max(len(labels), 1)
    bar = max(min(slot * 0.8 / max(len(series), 1), 28), 1.5)
    step = max(1, len(labels) // 12)
    for i, label in enumerate(labels):
        x = left + i * slot + slot * 0.1
        for j, (_name, values, colour) in enumerate(series):
            h = (bottom - top) * max(values[i], 0) / maximum
            parts.append(f'<rect x="{x + j * bar:.1f}" y="{bottom - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{colour}"><title>{escape(label)}: '
                         f"{values[i]:,}</title></rect>")
        if i % step == 0:
            parts.append(f'<text x="{x + bar:.1f}" y="{height - 10}" text-anchor="middle" '
                         f'fill="{INK}">{escape(label)}</text>')
    parts += _legend(width, [(name, colour) for name, _v, colour in series])
    return _svg(width, height, parts, title)


def lines(labels: list[str], series: list[Series], title: str, expected: int = 0,
          expected_name: str = "", width: int = 460, height: int = 220) -> SafeString:
    """Totals to date as lines, with the expected population as a dashed line."""
    left, top, bottom = 56, 24, height - 28
    maximum = _nice_max(max([v for _n, values, _c in series for v in values] + [expected, 0]))
    parts = _axis(width, height, left, bottom, top, maximum)
    span = max(len(labels) - 1, 1)

    def point(i, value):
        x = left + (width - left - 16) * i / span
        return f"{x:.1f},{bottom - (bottom - top) * value / maximum:.1f}"

    for _name, values, colour in series:
        if values:
            points = " ".join(point(i, v) for i, v in enumerate(values))
            parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" '
                         f'stroke-width="2.5"/>')
    if expected:
        y = bottom - (bottom - top) * expected / maximum
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="{INK}" stroke-dasharray="5 4"/>')
        parts.append(f'<text x="{width - 10}" y="{y - 4:.1f}" text-anchor="end" fill="{INK}">'
                     f"{escape(expected_name)} {expected:,}</text>")
    step = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % step == 0:
            x = left + (width - left - 16) * i / span
            parts.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" '
                         f'fill="{INK}">{escape(label)}</text>')
    parts += _legend(width, [(name, colour) for name, _v, colour in series])
    return _svg(width, height, parts, title)


def horizontal_bars(rows: list[tuple[str, int]], title: str, colour: str = CROSSED,
                    width: int = 420, label_width: int = 150) -> SafeString:
    row_height = 22
    height = max(len(rows), 1) * row_height + 8
    maximum = max([value for _label, value in rows] + [1])
    parts = []
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row_height
        w = (width - label_width - 60) * value / maximum
        parts.append(f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" '
                     f'fill="{INK}">{escape(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="16" '
                     f'fill="{colour}"/>')
        parts.append(f'<text x="{label_width + w + 4:.1f}" y="{y + 15}" fill="{INK}">'
                     f"{value:,}</text>")
    return _svg(width, height, parts, title)


def pyramid(rows: list[dict], title: str, names: tuple[str, str],
            width: int = 420) -> SafeString:
    """Women to the left, men to the right, oldest at the top."""
    row_height, middle, label = 16, width / 2, 40
    height = len(rows) * row_height + 30
    maximum = max([max(r["F"], r["M"]) for r in rows] + [1])
    half = middle - label / 2 - 44
    parts = []
    for i, row in enumerate(rows):
        y = 4 + i * row_height
        female, male = half * row["F"] / maximum, half * row["M"] / maximum
        bar_height = row_height - 3
        parts.append(f'<rect x="{middle - label / 2 - female:.1f}" y="{y}" width="{female:.1f}" '
                     f'height="{bar_height}" fill="{FEMALE}"><title>{row["F"]:,}</title></rect>')
        parts.append(f'<rect x="{middle + label / 2:.1f}" y="{y}" width="{male:.1f}" '
                     f'height="{bar_height}" fill="{MALE}"><title>{row["M"]:,}</title></rect>')
        parts.append(f'<text x="{middle}" y="{y + 11}" text-anchor="middle" fill="{INK}">'
                     f'{escape(row["band"])}</text>')
        parts.append(f'<text x="{middle - label / 2 - female - 3:.1f}" y="{y + 11}" '
                     f'text-anchor="end" fill="{INK}" font-size="9">{row["F"]:,}</text>')
        parts.append(f'<text x="{middle + label / 2 + male + 3:.1f}" y="{y + 11}" '
                     f'fill="{INK}" font-size="9">{row["M"]:,}</text>')
    legend_y = height - 8
    parts.append(f'<text x="{middle - label}" y="{legend_y}" text-anchor="end" '
                 f'fill="{FEMALE}">{escape(names[0])}</text>')
    parts.append(f'<text x="{middle + label}" y="{legend_y}" fill="{MALE}">'
                 f"{escape(names[1])}</text>")
    return _svg(width, height, parts, title)


def _legend(width: int, entries: list[tuple[str, str]]) -> list[str]:
    parts, x = [], width - 8
    for name, colour in reversed(entries):
        parts.append(f'<text x="{x}" y="12" text-anchor="end" fill="{INK}">{escape(name)}</text>')
        x -= 7 * len(name) + 6
        parts.append(f'<rect x="{x - 10}" y="3" width="10" height="10" fill="{colour}"/>')
        x -= 22
    return parts
