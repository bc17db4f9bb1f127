"""The daily situation report as a PDF, drawn with fpdf2 in a font that has Armenian
and Cyrillic letters (DejaVu Sans, from Debian's fonts-dejavu-core)."""

import os
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF

from refuge.reports.queries import Day, Picture

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts")]


class FontMissing(RuntimeError):
    pass


def font_path(name: str) -> Path:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    raise FontMissing(
        f"{name} was not found in {', '.join(map(str, FONT_DIRS))}: "
        "install it with 'apt-get install fonts-dejavu-core'"
    )


def _bars(pdf: FPDF, x: float, y: float, width: float, height: float,
          labels: list[str], series: list[tuple[list[int], tuple[int, int, int]]]) -> None:
    maximum = max([v for values, _colour in series for v in values] + [1])
    slot = width / max(len(labels), 1)
    bar = min(slot * 0.4, 8)
    pdf.set_draw_color(200, 200, 200)
    pdf.line(x, y + height, x + width, y + height)
    for i, label in enumerate(labels):
        for j, (values, colour) in enumerate(series):
            h = height * values[i] / maximum
            pdf.set_fill_color(*colour)
            pdf.rect(x + i * slot + j * bar + slot * 0.1, y + height - h, bar, h, style="F")
        pdf.set_xy(x + i * slot, y + height + 1)
        pdf.set_font_size(7)
        pdf.cell(slot, 4, label, align="C")
    pdf.set_font_size(10)


# What a report may print: Latin, Greek, Cyrillic, Armenian and Georgian letters, with
# punctuation, currency, letter-like signs (№), arrows and the like.
REPORT_CHARACTERS = [(0x20, 0x36F), (0x370, 0x3FF), (0x400, 0x52F), (0x530, 0x58F),
                     (0x10A0, 0x10FF), (0x1E00, 0x1EFF), (0x2000, 0x214F), (0x2190, 0x22FF),
                     (0x25A0, 0x25FF), (0xFB13, 0xFB17)]


@cache
def report_font(name: str) -> Path:
    """The font cut down to REPORT_CHARACTERS, a third of its glyphs: loading the whole
    of DejaVu took half of a report's time. Made once, under var/fonts/; where that
    cannot be written, the whole font is used."""
    source = font_path(name)
    stat = source.stat()
    target = (Path(settings.VAR_DIR) / "fonts"
              / f"{source.stem}-report-{stat.st_size}-{stat.st_mtime_ns}.ttf")
    if target.exists():
        return target
    options = subset.Options()
    options.layout_features = ["*"]
    options.drop_tables += ["FFTM"]  # a timestamp table fontTools cannot cut, and warns of
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for first, last in REPORT_CHARACTERS
                                 for c in range(first, last + 1)])
    font = TTFont(source)
    subsetter.subset(font)
    partial = target.with_name(f"{target.name}.{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        font.save(partial)
        os.replace(partial, target)  # whole or not at all, if two processes race
    except OSError:
        return source
    return target


REPORT_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}  # by style


def prepare_fonts() -> None:
    """Cut the report fonts now (about a second), not in a coordinator's first request."""
    for name in REPORT_FONTS.values():
        report_font(name)


def _blank_document() -> FPDF:
    pdf = FPDF(format="A4")
    for style, name in REPORT_FONTS.items():
        pdf.add_font("DejaVu", style, str(report_font(name)))
    pdf.set_auto_page_break(True, margin=15)
    return pdf


def daily_report(picture: Picture, day_label: str, day: Day | None = None) -> bytes:
    pdf = _blank_document()
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 10, _("Daily situation report"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    as_of = _("as of %(moment)s") % {
        "moment": date_format(picture.as_of, "SHORT_DATETIME_FORMAT")}
    pdf.cell(0, 6, f"{day_label} · {as_of}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    figures = []
    if day is not None:
        figures += [
            (_("People crossed on this day"), day.crossed),
            (_("People registered on this day"), day.registered),
        ]
    figures += [
        (_("People crossed"), picture.crossed),
        (_("People registered"), picture.registered),
        (_("Waiting to register"), picture.backlog),
        (_("Households waiting for a place"), picture.households_waiting),
    ]
    if picture.expected:
        figures.append((_("Expected population"), picture.expected))
    pdf.set_font("DejaVu", "B", 11)
    for label, value in figures:
        pdf.cell(95, 7, label, border="B")
        pdf.cell(40, 7, f"{value:,}", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    if picture.crossed_share is not None:
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(0, 7, _("%(share)s%% of the expected population have crossed")
                 % {"share": picture.crossed_share}, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, _("Crossed and registered per day"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    top = pdf.get_y()
    _bars(pdf, 15, top + 2, 180, 45, [d.day.strftime("%d.%m") for d in picture.days],
          [([d.crossed for d in picture.days], (11, 92, 173)),
           ([d.registered for d in picture.days], (224, 123, 0)),
           ([max(d.placed, 0) for d in picture.days], (29, 107, 52))])
    pdf.set_y(top + 55)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, _("Posts"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    headers = ((_("Post"), 80), (_("Crossed"), 35),
               (pgettext("people column", "Registered"), 35), (_("Today"), 30))
    for header, width in headers:
        pdf.cell(width, 6, header, border="B")
    pdf.ln()
    for post in picture.posts:
        today = post.crossed_today if post.kind == "crossing" else post.registered_today
        total = post.crossed if post.kind == "crossing" else post.registered
        pdf.cell(80, 6, post.name)
        pdf.cell(35, 6, f"{post.crossed:,}" if post.kind == "crossing" else "")
        pdf.cell(35, 6, f"{post.registered:,}" if post.kind != "crossing" else "")
        pdf.cell(30, 6, f"{today:,} / {total:,}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, _("Age and sex"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    maximum = max([max(r["F"], r["M"]) for r in picture.pyramid] + [1])
    for row in picture.pyramid:
        y = pdf.get_y()
        female, male = 60 * row["F"] / maximum, 60 * row["M"] / maximum
        pdf.set_fill_color(180, 69, 127)
        pdf.rect(95 - female, y + 0.5, female, 3.5, style="F")
        pdf.set_fill_color(47, 125, 140)
        pdf.rect(115, y + 0.5, male, 3.5, style="F")
        pdf.set_xy(95, y)
        pdf.cell(20, 4.5, row["band"], align="C")
        pdf.set_xy(15, y)
        pdf.cell(20, 4.5, f"{row['F']:,}")
        pdf.set_xy(180, y)
        pdf.cell(20, 4.5, f"{row['M']:,}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, _("Specific needs"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for need in picture.needs:
        pdf.cell(20, 5.5, need["code"])
        pdf.cell(110, 5.5, str(need["label"]))
        pdf.cell(30, 5.5, f"{need['people']:,}", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
