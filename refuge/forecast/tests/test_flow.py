"""The forecast itself: what it may never say, what it may not read, and how sure it is."""

from datetime import datetime, timedelta

import numpy as np
import pytest

from refuge.forecast import curves, flow
from refuge.forecast.flow import Expected, Report

START = datetime(2023, 9, 25, 0, 0, tzinfo=curves.YEREVAN)


def steady(rate: float, hours: int, every: float = 1.0, start: float = 0.0) -> list[Report]:
    times = np.arange(0, hours + 1e-9, every)
    return [Report(START + timedelta(hours=float(t)), int(start + rate * t)) for t in times]


@pytest.mark.parametrize("seed", range(6))
def test_it_never_says_more_than_the_expected_high_nor_less_than_has_crossed(seed):
    curve = curves.generate(seed, expected_error=[-0.2, 0.0, 0.2][seed % 3])
    ceiling = curve.expected.ceiling
    for i in range(3, len(curve.reports), max(len(curve.reports) // 12, 1)):
        seen = curve.reports[: i + 1]
        result = flow.forecast(seen, curve.expected, particles=300)
        crossed = max(r.crossed for r in seen)
        # Once more have crossed than the range allows, only the floor still holds.
        bound = np.inf if result.range_exceeded else ceiling
        for band in [*result.horizons.values(), result.total]:
            assert crossed <= band.p10 <= band.p50 <= band.p90 <= bound, (curve.name, i, band)
        for _at, band in result.path:
            assert crossed <= band.p10 and band.p90 <= bound


def test_the_bounds_hold_when_the_flow_would_run_past_them():
    # 2,000 an hour for a day with 60,000 at most expected: the forecast stops at the high.
    reports = steady(2000, 24)
    result = flow.forecast(reports, Expected(40_000, 45_000, 50_000), horizons=(48, 200))
    assert result.horizons[200].p90 <= 60_000
    assert result.horizons[48].p50 <= 60_000
    assert result.total.p90 <= 60_000


def test_once_more_have_crossed_than_the_range_allows_it_forecasts_from_the_flow():
    reports = steady(1000, 30)
    result = flow.forecast(reports, Expected.around(20_000))
    assert result.range_exceeded
    assert result.horizons[6].p50 > 30_000  # the flow goes on
    assert result.horizons[6].p10 >= 30_000


def test_it_reads_nothing_after_issued_at():
    curve = curves.shaped_2023()
    issued_at = curve.reports[80].at
    whole = flow.forecast(curve.reports, curve.expected, issued_at=issued_at)
    cut = flow.forecast(curve.reports[:81], curve.expected, issued_at=issued_at)
    assert whole.horizons == cut.horizons and whole.total == cut.total
    # and what comes later would have changed it
    later = flow.forecast(curve.reports[:90], curve.expected)
    assert later.horizons[24] != whole.horizons[24]


def test_the_same_reports_give_the_same_forecast():
    curve = curves.shaped_2023()
    assert flow.forecast(curve.reports[:60], curve.expected).horizons == \
        flow.forecast(curve.reports[:60], curve.expected).horizons


@pytest.mark.parametrize("hours", [36, 70, 90, 110])
def test_intervals_widen_when_reports_are_sparse(hours):
    # (Hours before the end, when the flow rather than the total bounds what comes.)
    curve = curves.shaped_2023()
    issued_at = curve.start + timedelta(hours=hours)
    hourly = [r for r in curve.reports if r.at <= issued_at]
    sparse = [r for r in hourly if (issued_at - r.at).total_seconds() % (12 * 3600) == 0]
    assert len(sparse) < len(hourly) / 10

    def width(reports, ahead):
        band = flow.forecast(reports, curve.expected, horizons=(ahead,)).horizons[ahead]
        return band.p90 - band.p10

    assert width(sparse, 6) > 1.2 * width(hourly, 6)
    assert width(sparse, 24) > width(hourly, 24)


def test_intervals_widen_as_the_last_report_ages():
    reports = steady(800, 24)
    fresh = flow.forecast(reports, Expected.around(100_000)).horizons[12]
    old = flow.forecast(reports, Expected.around(100_000),
                        issued_at=reports[-1].at + timedelta(hours=6)).horizons[12]
    assert old.p90 - old.p10 > fresh.p90 - fresh.p10


def test_a_steady_flow_goes_on_and_is_held_under_the_road_s_capacity():
    result = flow.forecast(steady(900, 36), Expected.around(200_000))
    assert 900 * 0.9 < result.rate < 900 * 1.1
    day = result.horizons[24]
    assert day.p10 < 36 * 900 + 24 * 900 < day.p90
    # no draw runs faster than a busy road for two days on end
    assert result.horizons[48].p90 < 36 * 900 + 48 * 900 * 2.5


def test_a_flow_that_stops_far_below_the_expected_total_is_read_as_a_closed_road():
    reports = steady(1000, 30)
    last = reports[-1]
    reports += [Report(last.at + timedelta(hours=h), last.crossed) for h in (1, 2, 3)]
    result = flow.forecast(reports, Expected.around(120_000))
    assert result.stalled_hours == pytest.approx(3, abs=0.6)
    assert result.reopen_chance > 0.9
    assert result.horizons[24].p50 > last.crossed + 10_000  # it comes back


def test_a_flow_that_stops_near_the_expected_total_is_read_as_the_end():
    reports = steady(1000, 96)  # 96,000 crossed of about 100,000 expected
    last = reports[-1]
    reports += [Report(last.at + timedelta(hours=h), last.crossed + 3 * h) for h in range(1, 13)]
    result = flow.forecast(reports, Expected(90_000, 100_000, 110_000))
    assert result.reopen_chance < 0.2
    assert result.horizons[24].p50 < last.crossed + 2_000
    assert result.over_in.p50 < 24


def test_a_falling_flow_says_how_many_are_left():
    # People leave at 3 % an hour of the 60,000 still at home: the flow halves every day.
    at_home, crossed, reports = 60_000.0, 20_000.0, []
    for h in range(49):
        reports.append(Report(START + timedelta(hours=h), int(crossed)))
        leaving = at_home * 0.03
        at_home, crossed = at_home - leaving, crossed + leaving
    # The administrator expects far more (120,000) than will come (80,000).
    expected = Expected(90_000, 120_000, 140_000)
    result = flow.forecast(reports, expected)
    assert result.total.p10 <= 20_000 + 60_000 <= result.total.p90
    assert result.total.p50 < 90_000
    # The prior alone would say more: the fall of the flow is what brought it down.
    unweighted = flow.Prior(expected).draw(crossed, np.random.default_rng(1), 4000)
    assert np.median(unweighted) > 100_000


def test_a_road_that_closed_and_reopened_is_not_read_as_the_population_running_out():
    # 900 an hour, then 560 (the road slower), closed for six hours, 560 again: the flow
    # fell, but not because fewer are left, so the expected 44,000 still holds.
    rates = [900] * 10 + [560] * 20 + [0] * 6 + [560] * 14
    crossed = np.concatenate([[0], np.cumsum(rates)])
    reports = [Report(START + timedelta(hours=h), int(c)) for h, c in enumerate(crossed)]
    result = flow.forecast(reports, Expected.around(44_000))
    assert result.total.p50 <= 44_000 * 1.02


def test_a_single_report_gives_a_wide_forecast_within_bounds():
    result = flow.forecast([Report(START, 500)], Expected.around(10_000))
    band = result.horizons[24]
    assert 500 <= band.p10 < band.p90 <= 12_000
    assert band.p90 - band.p10 > 1_000


def test_vehicles_set_how_many_people_a_full_road_carries():
    buses = [Report(r.at, r.crossed, r.crossed // 40) for r in steady(300, 12)]
    cars = [Report(r.at, r.crossed, r.crossed // 3) for r in steady(300, 12)]
    by_bus = flow.forecast(buses, Expected.around(100_000))
    by_car = flow.forecast(cars, Expected.around(100_000))
    assert by_bus.capacity > 5 * by_car.capacity


def test_a_forecast_costs_at_most_100_ms():
    import time

    curve = curves.shaped_2023()  # five days of hourly reports, the hourly path included
    flow.forecast(curve.reports[:120], curve.expected)
    took = []
    for _ in range(5):
        started = time.perf_counter()
        flow.forecast(curve.reports[:120], curve.expected)
        took.append(time.perf_counter() - started)
    assert min(took) < 0.1  # the quickest of five: other work on the machine adds to the rest
