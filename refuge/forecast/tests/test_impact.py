"""What the forecast means for beds and desks, and its alerts: pure functions of numbers."""

import math
from datetime import datetime, timedelta

import pytest
from django.utils import translation

from refuge.forecast import impact
from refuge.forecast.flow import Band, Expected, Forecast

NOW = datetime(2023, 9, 26, 12, 0).astimezone()


def made_up(rate_low: float, rate: float, rate_high: float, crossed: int = 10_000,
            **fields) -> Forecast:
    """A forecast whose hourly path grows at three steady rates: easy to check by hand."""
    path = [(NOW + timedelta(hours=h), Band(crossed + rate_low * h, crossed + rate * h,
                                            crossed + rate_high * h)) for h in range(49)]
    horizons = {h: path[h][1] for h in (6, 12, 24, 48)}
    values = dict(issued_at=NOW, crossed=crossed, rate=rate, capacity=rate * 1.5,
                  horizons=horizons, total=Band(60_000, 80_000, 100_000),
                  over_in=Band(40, 60, 90), path=path,
                  expected=Expected(70_000, 80_000, 100_000))
    values.update(fields)
    return Forecast(**values)


def test_beds_run_out_when_arrivals_needing_a_place_pass_the_free_beds():
    forecast = made_up(600, 1000, 1500)
    # A third need a place; Syunik takes half of them and has 1,500 free beds.
    rows = impact.beds(forecast, 1 / 3, {"Syunik": 1500, "Kotayk": 6000},
                       shares={"Syunik": 0.5, "Kotayk": 0.5})
    syunik = rows[0]
    assert syunik.province == "Syunik" and syunik.free == 1500
    # 1,500 beds / (1,000 an hour x 1/3 x 1/2) = 9 h; 1,500 an hour: 6 h; 600: 15 h
    assert syunik.runs_out_in == Band(pytest.approx(6), pytest.approx(9), pytest.approx(15))
    assert syunik.need[24].p50 == pytest.approx(24 * 1000 / 6)
    total = rows[-1]
    assert total.province is None and total.free == 7500
    assert total.runs_out_in.p50 == pytest.approx(7500 / (1000 / 3))


def test_beds_that_outlast_the_forecast_never_run_out_in_it():
    rows = impact.beds(made_up(10, 20, 30), 0.2, {"Lori": 5000})
    assert rows[0].runs_out_in.p50 == math.inf
    assert impact.alerts(made_up(10, 20, 30), rows) == []


def test_shares_default_to_where_the_free_beds_are():
    rows = impact.beds(made_up(600, 1000, 1500), 0.5, {"Syunik": 1000, "Ararat": 3000})
    assert rows[0].need[12].p50 == pytest.approx(12 * 1000 * 0.5 * 0.25)
    assert rows[0].runs_out_in.p50 == pytest.approx(rows[1].runs_out_in.p50)


def test_no_free_beds_have_run_out_already():
    assert impact.beds(made_up(600, 1000, 1500), 0.3, {"Syunik": 0})[0].runs_out_in.p50 == 0


def test_a_bed_alert_reads_as_coordinators_say_it():
    forecast = made_up(600, 1000, 1500)
    rows = impact.beds(forecast, 1 / 3, {"Syunik": 1500}, shares={"Syunik": 0.5})
    alerts = impact.alerts(forecast, rows)
    assert alerts[0].code == impact.BEDS_RUN_OUT
    assert alerts[0].params == {"province": "Syunik", "hours": 9, "low": 6, "high": 15}
    with translation.override("en"):
        assert alerts[0].message == "free beds in Syunik run out in about 9 h (80 %: 6–15 h)"


def test_the_backlog_grows_at_too_few_desks_and_the_desks_needed_are_counted():
    forecast = made_up(600, 1000, 1500, crossed=30_000)
    outlook = impact.desks(forecast, registered=25_000, desks_open=5, per_desk=100,
                           clear_by=NOW + timedelta(hours=24))
    assert outlook.backlog == 5_000
    # 1,000 arrive an hour and 500 are registered: the backlog grows by 500 an hour.
    assert outlook.backlog_at[24].p50 == pytest.approx(5_000 + 24 * 500)
    assert outlook.backlog_at[24].p10 == pytest.approx(5_000 + 24 * 100)
    assert outlook.cleared_in.p50 == math.inf
    # To clear 5,000 + 24,000 in 24 h at 100 an hour a desk: 29,000 / 2,400 -> 13 desks.
    assert outlook.desks_needed.p50 == 13
    assert outlook.desks_needed.p10 < 13 < outlook.desks_needed.p90
    codes = [a.code for a in impact.alerts(forecast, desks_outlook=outlook)]
    assert codes == [impact.DESKS_SHORT, impact.BACKLOG_GROWS]


def test_enough_desks_clear_the_backlog_and_raise_no_alert():
    forecast = made_up(100, 200, 300, crossed=30_000)
    outlook = impact.desks(forecast, registered=29_000, desks_open=10, per_desk=100,
                           clear_by=NOW + timedelta(hours=12))
    assert outlook.cleared_in.p50 == pytest.approx(1000 / 800)
    assert outlook.desks_needed.p50 <= 10
    assert impact.alerts(forecast, desks_outlook=outlook) == []


@pytest.mark.parametrize("kwargs", [{"per_desk": 0}, {"desks_open": -1}])
def test_desks_refuse_impossible_numbers(kwargs):
    values = {"registered": 0, "desks_open": 3, "per_desk": 100,
              "clear_by": NOW + timedelta(hours=6), **kwargs}
    with pytest.raises(ValueError):
        impact.desks(made_up(1, 2, 3), **values)


def test_a_stalled_flow_a_range_passed_and_an_end_in_sight_raise_alerts():
    stalled = made_up(0, 1, 2, stalled_hours=3.2, reopen_chance=0.91)
    assert [a.params for a in impact.alerts(stalled) if a.code == impact.FLOW_STALLED] == [
        {"hours": 3, "chance": 91}]
    passed = made_up(500, 900, 1200, crossed=130_000, range_exceeded=True)
    assert impact.alerts(passed)[0].code == impact.RANGE_EXCEEDED
    ending = made_up(0, 5, 10, over_in=Band(2, 6, 20), total=Band(60_100, 60_200, 60_400))
    codes = [a.code for a in impact.alerts(ending)]
    assert codes == [impact.BELOW_RANGE, impact.OVER_SOON]


@pytest.mark.parametrize("language", ["hy", "ru"])
def test_alerts_are_translated_when_shown(language):
    forecast = made_up(600, 1000, 1500)
    rows = impact.beds(forecast, 1 / 3, {"Syunik": 1500}, shares={"Syunik": 0.5})
    alert = impact.alerts(forecast, rows)[0]
    with translation.override(language):
        message = alert.message
    assert {"hy": "Սյունիք", "ru": "Сюник"}[language] in message and "9" in message
    assert "free beds" not in message and "Syunik" not in message  # the province too
