"""The forecast in the situation picture: /api/situation's `sections.forecast`, the
dashboard's chart and alerts, and the daily report's facts and tables."""


import pytest
from django.utils import translation

from refuge.conftest import bearer
from refuge.forecast import services
from refuge.forecast.situation import NO_CROSSING, NO_EXPECTED, READY
from refuge.forecast.tests.tallies import burst
from refuge.reports import queries as picture_queries
from refuge.shelter.models import Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def expected(personas):
    return services.set_expected({"low": 90_000, "likely": 100_000, "high": 120_000},
                                 user=personas["administrator"])[0]


@pytest.fixture
def syunik(db):
    # 2,000 people an hour, a quarter of whom need a place: 500 beds an hour.
    return Site.objects.create(name="Goris school", province="Syunik", beds=4_000)


def situation(client, user) -> dict:
    response = client.get("/api/situation", **bearer(user))
    assert response.status_code == 200, response.content
    return response.json()["sections"]["forecast"]


def test_an_analyst_sees_the_forecast_in_the_situation(client, personas, crossing, expected,
                                                         syunik):
    burst(crossing)
    forecast = situation(client, personas["analyst"])
    assert forecast["status"] == READY and forecast["crossed"] == 12_000
    assert [h["hours"] for h in forecast["horizons"]] == [6, 12, 24, 48]
    for h in forecast["horizons"]:
        assert 12_000 <= h["p10"] <= h["p50"] <= h["p90"] <= expected.range.ceiling
    assert forecast["still_to_come"]["p50"] == forecast["total"]["p50"] - 12_000
    assert forecast["over"]["p50"] is not None
    assert forecast["desks"]["backlog"] == 12_000  # nobody registered yet
    assert len(forecast["chart"]["path"]) == 49 and forecast["chart"]["observed"]


def test_free_beds_run_out_by_province_as_an_alert_with_its_code(client, personas, crossing,
                                                                  expected, syunik):
    burst(crossing)
    forecast = situation(client, personas["analyst"])
    rows = {row["province"]: row for row in forecast["beds"]["provinces"]}
    assert set(rows) == {"Syunik", None}  # the province, then all of them
    assert rows["Syunik"]["free"] == 4_000
    runs_out = rows["Syunik"]["runs_out_in"]
    assert 4 < runs_out["p10"] <= runs_out["p50"] < 12  # about 8 h at 500 an hour
    alert = next(a for a in forecast["alerts"] if a["code"] == "beds_run_out")
    assert alert["params"]["province"] == "Syunik"
    assert set(alert) == {"code", "params"}  # translated where it is shown


def test_before_a_range_or_a_tally_the_section_says_what_is_missing(client, personas, crossing):
    assert situation(client, personas["analyst"]) == {"status": NO_EXPECTED}
    services.set_expected({"likely": 100_000}, user=personas["administrator"])
    assert situation(client, personas["analyst"])["status"] == NO_CROSSING


def test_the_dashboard_shows_the_chart_and_the_bed_alert_in_each_language(
        client, personas, crossing, expected, syunik):
    burst(crossing)
    client.force_login(personas["analyst"])
    for language, words in [("en", "free beds in Syunik run out in about"),
                            ("hy", "Սյունիք"), ("ru", "Сюник")]:
        with translation.override(language):
            page = client.get("/dashboard/?part=1", HTTP_ACCEPT_LANGUAGE=language)
        html = page.content.decode()
        assert 'data-section="forecast"' in html and 'data-testid="forecast-chart"' in html
        alerts = html.split('data-testid="forecast-alerts"')[1].split("</ul>")[0]
        assert words in alerts, language


def test_the_daily_report_has_the_forecast_facts_and_tables(personas, crossing, expected,
                                                            syunik):
    burst(crossing)
    picture = picture_queries.situation_figures()
    titles = [t.title for t in picture_queries.section_tables(picture)]
    assert {"Arrival forecast", "Free beds in the forecast", "Forecast alerts"} <= set(titles)
    labels = [label for label, _value in picture_queries.section_facts(picture)]
    assert "Crossed in all in 24 h (forecast)" in labels
