"""The font reports are drawn in: DejaVu Sans (Debian's fonts-dejavu-core), which has
Armenian and Cyrillic letters. The PDF embeds it, cut down to the scripts a report
prints; the charts measure their labels with it."""

import os
from functools import cache
from pathlib import Path

from django.conf import settings
from fontTools import subset
from fontTools.ttLib import TTFont

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts")]
REPORT_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}  # by style
# What a report may print: Latin, Greek, Cyrillic, Armenian and Georgian letters, with
# punctuation, currency, letter-like signs (№), arrows and the like.
REPORT_CHARACTERS = [(0x20, 0x36F), (0x370, 0x3FF), (0x400, 0x52F), (0x530, 0x58F),
                     (0x10A0, 0x10FF), (0x1E00, 0x1EFF), (0x2000, 0x214F), (0x2190, 0x22FF),
                     (0x25A0, 0x25FF), (0xFB13, 0xFB17)]
# Text measured without the font counts this many ems a character, about DejaVu's widest
# Armenian letters, so that it is never narrower than what is drawn.
FALLBACK_EM = 0.7


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


def prepare_fonts() -> None:
    """Cut the report fonts now (about a second), not in a coordinator's first request."""
    for name in REPORT_FONTS.values():
        report_font(name)


@cache
def _advances(bold: bool) -> dict[int, float]:
    """Each character's advance in DejaVu Sans, in ems (empty without the font)."""
    try:
        font = TTFont(report_font(REPORT_FONTS["B" if bold else ""]), lazy=True)
    except FontMissing:
        return {}
    metrics, per_em = font["hmtx"].metrics, font["head"].unitsPerEm
    return {code: metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """How wide `text` is at font size `size`, in the same unit. DejaVu is wider than
    the sans fonts browsers use, so a label measured here fits on a page as well."""
    advances = _advances(bold)
    return size * sum(advances.get(ord(c), FALLBACK_EM) for c in text)
