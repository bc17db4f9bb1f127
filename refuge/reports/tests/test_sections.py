"""An app adds its part of the situation picture by providing a section: the dashboard,
/api/situation and the daily report show it, and reports imports nothing of the app."""

import pytest
from django.test import Client

from refuge.conftest import bearer
from refuge.lib import situation
from refuge.lib.situation import Section, Table
from refuge.reports import pdf, queries
from refuge.reports.tests.test_daily_report import pdf_text

pytestmark = pytest.mark.django_db


def kits_figures(context):
    # A later section sees the earlier ones' figures: shelter's come first.
    return {"kits": 1234, "after_shelter": "shelter" in context.earlier}


KITS = Section(
    key="kits", order=90, figures=kits_figures,
    template="reports/tests/_kits.html",
    tables=lambda shown: [Table("Kits by province", ["Province", "Kits"],
                                [["Syunik", str(shown["kits"])]])],
    facts=lambda shown: [("Kits handed over", shown["kits"])],
)


@pytest.fixture
def kits(settings, tmp_path):
    (tmp_path / "reports" / "tests").mkdir(parents=True)
    (tmp_path / "reports" / "tests" / "_kits.html").write_text(
        '<p data-testid="kits">{{ figures.kits }} kits</p>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    situation.provide(KITS)
    yield KITS
    situation._sections.pop("kits")


def test_a_section_comes_after_those_before_it_and_sees_their_figures(kits):
    assert [s.key for s in situation.sections()][-1] == "kits"
    assert queries.situation_figures().sections["kits"] == {"kits": 1234, "after_shelter": True}


def test_the_dashboard_shows_every_section_in_its_order(kits, personas):
    client = Client()
    client.force_login(personas["analyst"])
    page = client.get("/dashboard/").content.decode()
    assert page.index('data-section="shelter"') < page.index('data-testid="kits"')
    assert "1234 kits" in page


def test_the_api_gives_each_sections_figures_under_its_key(kits, personas):
    answer = Client().get("/api/situation", **bearer(personas["analyst"])).json()
    assert answer["sections"]["kits"]["kits"] == 1234
    assert answer["sections"]["shelter"]["households_waiting"] == answer["households_waiting"]


def test_the_daily_report_prints_a_sections_tables_and_facts(kits, tmp_path):
    text = pdf_text(pdf.daily_report(queries.situation_figures(), "27.09.2023"), tmp_path)
    assert "Kits by province" in text and "Kits handed over" in text
    assert "Shelter by province" in text
