"""A coordinator opens the dashboard after a burst of tallies and reads the forecast: its
chart and the alert that free beds run out; in Debian's Chromium, through Playwright."""

import os

import pytest

from refuge.conftest import make_user, sign_in
from refuge.forecast import services
from refuge.forecast.tests.tallies import burst
from refuge.shelter.models import Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def exodus(crossing):
    administrator = make_user("admin", "administrator")
    services.set_expected({"low": 90_000, "likely": 100_000, "high": 120_000},
                          user=administrator)
    Site.objects.create(name="Goris school", province="Syunik", beds=4_000)
    Site.objects.create(name="Vayk college", province="Vayots Dzor", beds=1_500)
    burst(crossing, 600, 18)  # a slow start, then the surge of the last six hours
    burst(crossing, 2_000, 6)
    make_user("coordinator", "analyst")


def test_the_dashboard_shows_the_forecast_chart_and_the_bed_alert(live_server, page, exodus):
    sign_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/dashboard/")
    chart = page.get_by_test_id("forecast-chart").locator(".chart-wide")
    assert chart.locator("svg polygon").count() == 1  # the 80 % band
    assert chart.locator("svg polyline").count() == 2  # counts seen, and the median
    assert chart.locator("svg").bounding_box()["width"] > 300
    alerts = page.get_by_test_id("forecast-alerts")
    assert "free beds in Syunik run out in about" in alerts.inner_text()
    assert page.get_by_test_id("forecast-beds").locator("tbody tr").count() == 3
    if folder := os.environ.get("REFUGE_SCREENSHOTS"):  # to look at it in each language
        for language in ("en", "hy", "ru"):
            page.context.add_cookies([{"name": "django_language", "value": language,
                                       "url": live_server.url}])
            for width in (1366, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{live_server.url}/dashboard/")
                page.locator('[data-section="forecast"]').screenshot(
                    path=f"{folder}/forecast-{language}-{width}.png")
