"""GET /api/forecast: the forecast from the tallies, for every role that sees figures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from refuge.conftest import bearer
from refuge.forecast import services
from refuge.registry.models import Tally


def count(crossing, people_an_hour: int, hours: int, end=None):
    """Tallies of buses of 50 for `hours` hours up to `end` (now)."""
    end = end or timezone.now()
    buses = people_an_hour // 50
    Tally.objects.bulk_create([
        Tally(post=crossing, people_aboard=50,
              counted_at=end - timedelta(hours=hours) + timedelta(hours=h + (b + 0.5) / buses))
        for h in range(hours) for b in range(buses)])


@pytest.fixture
def expected(personas):
    return services.set_expected({"low": 90_000, "likely": 100_000, "high": 120_000},
                                 user=personas["administrator"])[0]


def test_an_analyst_sees_the_forecast(client, personas, crossing, expected):
    count(crossing, 1000, 12)
    response = client.get("/api/forecast", **bearer(personas["analyst"]))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["crossed"] == 12_000
    assert [h["hours"] for h in data["horizons"]] == [6, 12, 24, 48]
    day = data["horizons"][2]
    assert 12_000 < day["p10"] <= day["p50"] <= day["p90"] <= expected.range.ceiling
    # A flow of about a thousand an hour goes on: the median adds roughly a day of it.
    assert 30_000 < day["p50"] < 40_000
    assert 900 < data["rate_per_hour"] < 1100
    assert data["still_to_come"]["p50"] == data["total"]["p50"] - 12_000
    assert data["expected"]["likely"] == 100_000
    assert len(data["path"]) == 49 and data["path"][0]["p50"] == 12_000
    assert data["over"]["p50"] is not None
    assert all("@" not in str(v) for v in data.values())  # figures only, no people


def test_every_role_with_figures_sees_it_and_an_outsider_does_not(client, personas, crossing,
                                                                 expected):
    count(crossing, 500, 4)
    for role in ["registrar", "shelter_manager", "tracing_officer", "aid_officer", "analyst",
                 "administrator"]:
        assert client.get("/api/forecast", **bearer(personas[role])).status_code == 200, role
    assert client.get("/api/forecast", **bearer(personas["outsider"])).status_code == 403
    assert client.get("/api/forecast").status_code == 401


def test_without_an_expected_population_it_says_what_to_set(client, personas, crossing):
    count(crossing, 500, 4)
    response = client.get("/api/forecast", **bearer(personas["analyst"]))
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "expected"


def test_before_any_tally_it_says_there_is_nothing_to_forecast(client, personas, expected):
    response = client.get("/api/forecast", **bearer(personas["analyst"]))
    assert response.status_code == 409
    assert response.json()["errors"] == [{"field": "crossed",
                                          "message": "no crossing has been counted yet"}]


def test_a_new_tally_changes_the_forecast_at_once(client, personas, crossing, expected):
    count(crossing, 1000, 6)
    before = client.get("/api/forecast", **bearer(personas["analyst"])).json()
    Tally.objects.create(post=crossing, people_aboard=40, counted_at=timezone.now())
    after = client.get("/api/forecast", **bearer(personas["analyst"])).json()
    assert after["crossed"] == before["crossed"] + 40


def test_more_crossed_than_the_range_allows_raises_an_alert(client, personas, crossing):
    services.set_expected({"likely": 4_000}, user=personas["administrator"])
    count(crossing, 1000, 6)
    data = client.get("/api/forecast", **bearer(personas["analyst"])).json()
    assert data["range_exceeded"] is True
    assert data["alerts"][0]["code"] == "range_exceeded"
    assert data["alerts"][0]["params"] == {"crossed": 6000, "ceiling": 4800}
    assert "set the expected population again" in data["alerts"][0]["message"]


def test_alerts_are_in_the_reader_s_language(client, personas, crossing):
    services.set_expected({"likely": 4_000}, user=personas["administrator"])
    count(crossing, 1000, 6)
    data = client.get("/api/forecast", HTTP_ACCEPT_LANGUAGE="ru",
                      **bearer(personas["analyst"])).json()
    assert data["alerts"][0]["code"] == "range_exceeded"
    assert "set the expected" not in data["alerts"][0]["message"]


def test_the_openapi_schema_has_the_forecast(client):
    schema = client.get("/api/openapi.json").json()
    assert "/api/forecast" in schema["paths"]
    assert "post" in schema["paths"]["/api/forecast/expected"]
    assert "ForecastOut" in schema["components"]["schemas"]
