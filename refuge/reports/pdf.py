"""The daily situation report as a PDF, drawn with fpdf2 in a font that has Armenian
and Cyrillic letters (DejaVu Sans, from Debian's fonts-dejavu-core).

Its charts are the dashboard's own SVG drawings (refuge.reports.charts), embedded as
they are, so charts and their colours are defined once. Sections are kept whole on a
page, tables wrap their headings and repeat them on a new page, and a report is set
tightly when that fits it on one page or spares a nearly empty last one.
"""

import io
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF

from refuge.lib.fonts import (  # noqa: F401 (FontMissing and the rest are used from here)
    REPORT_FONTS,
    FontMissing,
    font_path,
    prepare_fonts,
    report_font,
)
from refuge.lib.formats import grouped
from refuge.lib.provinces import shown as province_shown
from refuge.lib.situation import Table
from refuge.reports import charts
from refuge.reports.queries import Day, Picture, fact_rows, section_tables

FONT = "DejaVu Sans"  # the name the charts' SVG asks for, so their text is drawn in it
MARGIN = 15  # mm
INK, MUTED, RULE, HEADING_FILL = (28, 36, 48), (91, 102, 117), (213, 218, 225), (238, 241, 245)
# A last page holding less than this (mm) is not worth a sheet of paper.
NEARLY_EMPTY = 70


@dataclass(frozen=True)
class Spacing:
    """How tightly a report is set: tightly to fit one page (charts' text still 6 pt),
    normally when it runs over anyway."""

    row: float = 6.0  # a table row, mm
    text: float = 9.0  # pt
    gap: float = 4.0  # between sections, mm
    chart_size: charts.Size = charts.PAGE


NORMAL = Spacing()
TIGHT = Spacing(row=4.6, text=7.5, gap=1.5,  # charts' text still 6 pt
                chart_size=charts.Size(wide=450, tall=190, narrow=450))


class Report(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text
        for style, name in REPORT_FONTS.items():
            self.add_font(FONT, style, str(report_font(name)))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=MARGIN)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, "", 7)
        self.set_text_color(*MUTED)
        self.cell(0, 4, self.footer_text, align="L")
        self.set_x(MARGIN)
        self.cell(0, 4, f"{self.page_no()}/{{nb}}", align="R")
        self.set_text_color(*INK)

    @property
    def room(self) -> float:
        """Height left on this page, mm."""
        return self.h - MARGIN - self.get_y()


def daily_report(picture: Picture, day_label: str, day: Day | None = None) -> bytes:
    """The day's report: figures, charts, the apps' sections (shelter by province) and
    posts. On one page, set tightly, whenever it fits there (drawn once); longer reports
    are set normally, unless that leaves a nearly empty last page that the tight setting
    avoids."""
    tight = _draw(picture, day_label, day, TIGHT)
    if tight.pages_count == 1:
        return bytes(tight.output())
    report = _draw(picture, day_label, day, NORMAL)
    if report.pages_count > tight.pages_count and report.get_y() - MARGIN < NEARLY_EMPTY:
        report = tight
    return bytes(report.output())


def as_of_text(picture: Picture) -> str:
    """When the figures were read, in the deployment's time zone (REFUGE_TIME_ZONE)."""
    return _("as of %(moment)s") % {
        "moment": date_format(timezone.localtime(picture.as_of), "SHORT_DATETIME_FORMAT")}


def _draw(picture: Picture, day_label: str, day: Day | None, spacing: Spacing) -> Report:
    title = _("Daily situation report")
    report = Report(f"Refuge · {title} · {day_label} · {as_of_text(picture)}")
    report.add_page()
    report.set_font(FONT, "B", 16)
    report.multi_cell(0, 8, f"{title} · {day_label}", new_x="LMARGIN", new_y="NEXT")
    report.set_font(FONT, "", 10)
    report.set_text_color(*MUTED)
    report.cell(0, 6, as_of_text(picture), new_x="LMARGIN", new_y="NEXT")
    report.set_text_color(*INK)
    report.ln(spacing.gap)
    _figures(report, picture, day or Day(timezone.localdate()), spacing)
    drawings = charts.situation(picture, spacing.chart_size)
    _charts(report, spacing, (_("Per day"), drawings["daily_chart"]),
            (_("To date"), drawings["cumulative_chart"]))
    _charts(report, spacing, (_("Age and sex"), drawings["pyramid_chart"]),
            (_("Specific needs"), drawings["needs_chart"]))
    for table in section_tables(picture):
        _section_table(report, table, spacing)
    _posts(report, picture, spacing)
    return report


def _heading(report: Report, text: str, spacing: Spacing, keep: float) -> None:
    """A section's heading, on a new page unless `keep` mm of the section fit below it."""
    if report.room < 8 + keep:
        report.add_page()
    report.set_font(FONT, "B", 12)
    report.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    report.set_font(FONT, "", spacing.text)


def _figures(report: Report, picture: Picture, today: Day, spacing: Spacing) -> None:
    pairs = [
        [(_("People crossed on this day"), today.crossed),
         (_("People crossed to date"), picture.crossed)],
        [(_("People registered on this day"), today.registered),
         (_("People registered to date"), picture.registered)],
        [(_("People placed in shelter on this day"), today.placed),
         (_("People in shelter now"), picture.placed)],
        *fact_rows(picture),
    ]
    rows = [[text for label, value in pair for text in (label, _number(value))]
            + ["", ""] * (2 - len(pair)) for pair in pairs]
    _table(report, rows, ("LEFT", "RIGHT", "LEFT", "RIGHT"), spacing, headings=False)


def _charts(report: Report, spacing: Spacing, *charts_with_titles) -> None:
    """Charts side by side, each under its own heading, kept on one page."""
    gap = 6
    width = (report.epw - gap * (len(charts_with_titles) - 1)) / len(charts_with_titles)
    sized = [(title, _for_pdf(svg), width * _aspect(svg)) for title, svg in charts_with_titles]
    height = max(h for _t, _s, h in sized)
    report.ln(spacing.gap)
    if report.room < height + 9:
        report.add_page()
    top = report.get_y()
    for i, (title, svg, _h) in enumerate(sized):
        x = MARGIN + i * (width + gap)
        report.set_xy(x, top)
        report.set_font(FONT, "B", 11)
        report.cell(width, 7, title)
        report.image(io.BytesIO(svg.encode()), x=x, y=top + 8, w=width)
    report.set_xy(MARGIN, top + 8 + height)


def _section_table(report: Report, table: Table, spacing: Spacing) -> None:
    report.ln(spacing.gap)
    _heading(report, table.title, spacing, keep=spacing.row * 4)
    if not table.rows:
        report.cell(0, spacing.row, table.empty, new_x="LMARGIN", new_y="NEXT")
        return
    _table(report, [table.headings, *table.rows],
           ("LEFT",) + ("RIGHT",) * (len(table.headings) - 1), spacing)


def _posts(report: Report, picture: Picture, spacing: Spacing) -> None:
    headings = [_("Post"), _("Province"), _("Crossed today"), _("Crossed"),
                _("Registered today"), pgettext("people column", "Registered")]
    rows = [[post.name, province_shown(post.province), *(
        _number(value) if post.kind == kind else "" for kind, value in (
            ("crossing", post.crossed_today), ("crossing", post.crossed),
            ("reception", post.registered_today), ("reception", post.registered)))]
        for post in picture.posts]
    report.ln(spacing.gap)
    _heading(report, _("Posts"), spacing, keep=spacing.row * 4)
    _table(report, [headings, *rows], ("LEFT", "LEFT") + ("RIGHT",) * 4, spacing)


def _table(report: Report, rows: list[list[str]], aligns: tuple, spacing: Spacing,
           headings: bool = True) -> None:
    """A table whose cells wrap at spaces onto as many lines as they need (Armenian
    headings are long), with its headings again at the top of a new page. Drawn cell by
    cell: fpdf2's own tables took three times as long."""
    widths = _widths(report, rows, headings, spacing)
    report.set_draw_color(*RULE)
    head = rows[0] if headings else None

    def draw(values: list[str], bold: bool) -> None:
        report.set_font(FONT, "B" if bold else "", spacing.text)
        line = spacing.row * 0.75
        cells = [_lines(report, str(v), w - 3) for v, w in zip(values, widths, strict=True)]
        height = max(len(c) for c in cells) * line + 2
        if report.room < height:
            report.add_page()
            if head is not None and values is not head:
                draw(head, bold=True)
                report.set_font(FONT, "", spacing.text)
        top, x = report.get_y(), MARGIN
        if bold:
            report.set_fill_color(*HEADING_FILL)
            report.rect(MARGIN, top, sum(widths), height, style="F")
        for lines, width, align in zip(cells, widths, aligns, strict=True):
            y = top + (height - len(lines) * line) / 2
            for text in lines:
                report.set_xy(x + 1.5, y)
                report.cell(width - 3, line, text, align=align[0])
                y += line
            x += width
        report.line(MARGIN, top + height, MARGIN + sum(widths), top + height)
        report.set_xy(MARGIN, top + height)

    for number, values in enumerate(rows):
        draw(values, bold=headings and number == 0)
    report.set_font(FONT, "", spacing.text)


def _lines(report: Report, text: str, room: float) -> list[str]:
    """The text cut at spaces into lines no wider than `room` (a longer word alone)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and report.get_string_width(f"{lines[-1]} {word}") <= room:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _widths(report: Report, rows: list[list[str]], headings: bool,
            spacing: Spacing) -> tuple[float, ...]:
    """Each column as wide as its longest word (a heading's, in bold) or value needs,
    so that no word is broken; what is left goes to the text columns."""
    padding = 4
    needed = [0.0] * len(rows[0])
    for number, values in enumerate(rows):
        bold = headings and number == 0
        report.set_font(FONT, "B" if bold else "", spacing.text)
        for column, value in enumerate(values):
            words = str(value).split() if bold else [str(value)]
            widest = max((report.get_string_width(w) for w in words), default=0)
            needed[column] = max(needed[column], widest + padding)
    report.set_font(FONT, "", spacing.text)
    spare = max(report.epw - sum(needed), 0)
    body = rows[1:] if headings else rows
    text_columns = [c for c in range(len(needed))
                    if any(str(row[c]) and not _is_number(row[c]) for row in body)] or [0]
    return tuple(width + (spare / len(text_columns) if c in text_columns else 0)
                 for c, width in enumerate(needed))


def _is_number(value) -> bool:
    return bool(re.fullmatch(r"[\d\s\xa0,.%]+", str(value)))


def _number(value) -> str:
    return grouped(value) if isinstance(value, int) else str(value)


def _for_pdf(svg: str) -> str:
    """The chart without its tooltips (<title>), which a page cannot show."""
    return re.sub(r"<title>.*?</title>", "", str(svg))


def _aspect(svg: str) -> float:
    """Height over width, from the chart's viewBox."""
    _x, _y, width, height = map(float, re.search(r'viewBox="([^"]+)"', str(svg)).group(1)
                                .split())
    return height / width
