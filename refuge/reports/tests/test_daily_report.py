"""The daily report PDF: local time, the dashboard's own charts with legends and axes,
a shelter section, whole words in its headings, and no nearly empty last page."""

import re
import shutil
import subprocess
import uuid
from datetime import UTC, datetime

import pytest
from django.utils import translation
from PIL import Image

from refuge.accounts.models import Post
from refuge.conftest import make_household, member
from refuge.lib import fonts
from refuge.registry import crossings
from refuge.reports import charts, pdf, queries
from refuge.shelter.models import Placement, Site

pytestmark = pytest.mark.django_db


def poppler(tool: str) -> str:
    if not shutil.which(tool):
        pytest.skip(f"{tool} is missing: scripts/test installs Debian's poppler-utils")
    return tool


def pdf_text(document: bytes, tmp_path) -> str:
    (tmp_path / "report.pdf").write_bytes(document)
    return subprocess.run([poppler("pdftotext"), str(tmp_path / "report.pdf"), "-"],
                          capture_output=True, check=True, timeout=60).stdout.decode()


def pages(document: bytes, tmp_path) -> list[Image.Image]:
    (tmp_path / "report.pdf").write_bytes(document)
    subprocess.run([poppler("pdftoppm"), "-r", "60", "-png", str(tmp_path / "report.pdf"),
                    str(tmp_path / "page")], check=True, timeout=60)
    return [Image.open(path).convert("RGB") for path in sorted(tmp_path.glob("page*.png"))]


@pytest.fixture
def goris(registrar, personas):
    """Two families registered at Goris, one of them placed in a Kapan hotel, people
    crossing at Kornidzor."""
    reception = Post.objects.create(kind=Post.RECEPTION, code="GOR", province="Syunik",
                                    name="Goris reception centre",
                                    name_hy="Գորիսի ընդունման կենտրոն",
                                    name_ru="Центр приёма в Горисе")
    crossing = Post.objects.create(kind=Post.CROSSING, code="KOR", name="Kornidzor crossing",
                                   province="Syunik")
    placed = make_household(reception, registrar,
                            member("Anahit", sex="F", birth_date="1950", needs=["OP"]),
                            member("Armen", relationship="spouse", sex="M", birth_date="1948"))
    make_household(reception, registrar, member("Karine", sex="F", birth_date="1990"),
                   member("Mariam", relationship="child", sex="F", birth_date="age 2"))
    hotel = Site.objects.create(name="Kapan hotel 1", province="Syunik", beds=40)
    Placement.objects.create(household=placed, site=hotel, people=2,
                             status=Placement.CHECKED_IN)
    crossings.record_tally({"uuid": str(uuid.uuid4()), "people_aboard": 9}, user=registrar,
                          post=crossing)


def report(language: str) -> bytes:
    with translation.override(language):
        picture = queries.situation_figures()
        return pdf.daily_report(picture, "27.09.2023")


def test_the_as_of_time_is_in_the_deployments_time_zone(goris, tmp_path, settings):
    settings.TIME_ZONE = "Asia/Yerevan"
    late_evening_in_utc = datetime(2023, 9, 27, 21, 30, tzinfo=UTC)  # 01:30 on the 28th
    picture = queries.situation_figures(now=late_evening_in_utc)
    with translation.override("hy"):
        assert pdf.as_of_text(picture) == "28.09.2023 01:30-ի դրությամբ"
        text = pdf_text(pdf.daily_report(picture, "28.09.2023"), tmp_path)
    assert "28.09.2023 01:30" in text and "27.09.2023 21:30" not in text


@pytest.mark.parametrize("language", ["en", "hy", "ru"])
def test_the_report_has_the_dashboards_charts_shelter_and_posts_on_one_page(
        goris, tmp_path, language):
    document = report(language)
    with translation.override(language):
        text = pdf_text(document, tmp_path)
        for caption in ("crossed", "registered", "placed"):  # the charts' legends
            assert translation.pgettext("figure caption", caption) in text
        for words in (translation.gettext("female"), translation.gettext("male"), "80+",
                      "0–4", translation.gettext("Shelter by province"),
                      translation.gettext("Posts"), *translation.gettext(
                          "Households placed").split()):
            assert words in text, words
    assert ("Գորիսի ընդունման կենտրոն" in text) == (language == "hy")
    assert re.search(r"Сюник|Սյունիք|Syunik", text)
    sheets = pages(document, tmp_path)
    assert len(sheets) == 1, "two families fit on one page"
    colours = {sheets[0].getpixel((x, y)) for x in range(0, sheets[0].width, 2)
               for y in range(0, sheets[0].height, 2)}
    for colour in (charts.CROSSED, charts.REGISTERED, charts.FEMALE, charts.MALE):
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert any(all(abs(a - b) < 12 for a, b in zip(rgb, pixel, strict=True))
                   for pixel in colours), colour


def test_armenian_headings_wrap_between_words_never_inside_one(goris, tmp_path):
    with translation.override("hy"):
        text = pdf_text(report("hy"), tmp_path)
        headings = [translation.gettext(h) for h in (
            "Free beds", "Households placed", "Households waiting for a place",
            "Crossed today", "Registered today", "Sites")]
    lines = {line.strip() for line in text.splitlines()}
    for heading in headings:
        for word in heading.split():
            assert any(word in line for line in lines), word


def test_the_shelter_section_counts_beds_and_households_by_province(goris, registrar):
    vayk = Post.objects.create(kind=Post.RECEPTION, code="VAY", name="Vayk reception centre",
                               province="Vayots Dzor")
    make_household(vayk, registrar, member("Lilit"))
    picture = queries.situation_figures()
    shelter = picture.sections["shelter"]
    rows = {row["province"]: row for row in shelter["provinces"]}
    assert rows["Syunik"] == {"province": "Syunik", "sites": 1, "beds": 40, "taken": 2,
                              "free": 38, "households_placed": 1, "households_waiting": 1}
    assert rows["Vayots Dzor"] == {"province": "Vayots Dzor", "sites": 0, "beds": 0,
                                   "taken": 0, "free": 0, "households_placed": 0,
                                   "households_waiting": 1}
    assert sum(row["households_waiting"] for row in shelter["provinces"]) == (
        shelter["households_waiting"])


def test_a_report_that_would_leave_a_few_lines_on_a_last_page_is_set_on_fewer_pages(
        goris, registrar):
    for code in range(9):  # enough posts for the table to run over the first page
        Post.objects.create(kind=Post.RECEPTION, code=f"P{code}", province="Kotayk",
                            name=f"Abovyan reception centre {code}")
    picture = queries.situation_figures()
    with translation.override("hy"):
        loose = pdf._draw(picture, "27.09.2023", None, pdf.NORMAL)
        assert loose.pages_count == 2 and loose.get_y() - pdf.MARGIN < pdf.NEARLY_EMPTY
        document = pdf.daily_report(picture, "27.09.2023")
    assert document.count(b"/Type /Page\n") == 1


def test_a_legend_never_puts_a_swatch_on_a_label():
    names = ["անցել են սահմանը", "գրանցված են", "տեղավորված են", "սպասում են"]
    parts, height = charts.legend([(n, "#000") for n in names], 50, 2, 300)
    assert height > charts.TEXT_SIZE * 2, "four long names take two lines"

    def at(part):
        return tuple(float(v) for v in re.search(r'x="([\d.]+)" y="([\d.]+)"', part).groups())

    swatches = [at(p) for p in parts if "<rect" in p]
    labels = [(at(p), re.search(r">(.*)<", p).group(1)) for p in parts if "<text" in p]
    for ((x, _y), name), (next_x, next_y), (swatch_x, swatch_y) in zip(
            labels, swatches[1:], swatches, strict=False):
        assert x > swatch_x + charts.SWATCH, name
        if next_y == swatch_y:  # the next entry on the same line
            assert x + fonts.text_width(name, charts.TEXT_SIZE) < next_x, name
        assert x + fonts.text_width(name, charts.TEXT_SIZE) <= 300 + 1, name

