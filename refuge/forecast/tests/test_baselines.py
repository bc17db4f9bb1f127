"""The baselines the forecast is scored against."""

from datetime import datetime, timedelta

import numpy as np
import pytest

from refuge.forecast import baselines
from refuge.forecast.flow import Expected, Report

START = datetime(2023, 9, 25, tzinfo=datetime.now().astimezone().tzinfo)


def along(curve, hours: int) -> list[Report]:
    return [Report(START + timedelta(hours=h), int(curve(h))) for h in range(hours + 1)]


def test_the_naive_forecast_repeats_the_last_day_capped_at_the_expected_total():
    reports = along(lambda h: 500 * h, 48)
    assert baselines.naive(reports, Expected.around(100_000), hours=24).p50 == 24_000 + 12_000
    assert baselines.naive(reports, Expected.around(30_000), hours=24).p50 == 30_000
    # never below what has crossed, even when the expected total is behind
    assert baselines.naive(reports, Expected.around(10_000), hours=24).p50 == 24_000


def test_the_naive_forecast_uses_what_there_is_in_the_first_day():
    reports = along(lambda h: 1000 * h, 6)
    assert baselines.naive(reports, Expected.around(100_000), hours=6).p50 == 12_000


@pytest.mark.parametrize("fit, curve", [
    (baselines.logistic, lambda h: baselines.logistic_curve(h, 100_000, 60, 12)),
    (baselines.gompertz, lambda h: baselines.gompertz_curve(h, 100_000, 60, 20)),
])
def test_a_fit_recovers_a_curve_of_its_own_shape(fit, curve):
    reports = along(curve, 60)
    predicted = fit(reports, Expected.around(100_000), hours=24).p50
    assert predicted == pytest.approx(curve(84), rel=0.01)


def test_a_fit_misses_an_abrupt_stop_short_of_the_logistic():
    # a level flow that stops at once: the logistic fit mid-way overshoots what comes
    reports = along(lambda h: min(1000 * h, 50_000), 60)
    predicted = baselines.logistic(reports, Expected.around(100_000), hours=24).p50
    assert predicted > 50_000 * 1.02
    assert not np.isnan(predicted)


def test_too_few_reports_fall_back_to_the_naive_forecast():
    reports = along(lambda h: 100 * h, 2)
    assert baselines.logistic(reports, Expected.around(1000), hours=1).p50 == \
        baselines.naive(reports, Expected.around(1000), hours=1).p50
