"""The generator of exodus curves covers what a forecast must survive."""

from datetime import datetime, timedelta

import numpy as np
import pytest

from refuge.forecast import curves


def hourly_flow(curve: curves.Curve) -> np.ndarray:
    return np.diff(curve.truth)


def test_a_surge_starts_slowly_then_runs_level_at_the_road_s_capacity_and_stops_at_once():
    curve = curves.generate(7, family="surge", schedule="hourly")
    flow = hourly_flow(curve)
    busy = int(np.argmax(flow > 0.5 * flow.max()))
    first_hours = flow[: max(busy - 6, 1)]
    assert first_hours.mean() < 0.2 * flow.max()  # a slow start
    plateau = flow[(flow > 0.75 * flow.max())]
    assert len(plateau) >= 12  # a day or so at the road's capacity
    assert plateau.std() / plateau.mean() < 0.15
    last_busy = int(np.flatnonzero(flow > 0.5 * flow.max())[-1])
    assert flow[last_busy + 6] < 0.2 * flow.max()  # from full flow to a trickle in hours


def test_reports_come_late_and_hours_apart_when_asked():
    sparse = curves.generate(3, schedule="sparse")
    gaps = np.diff([(r.at - sparse.start).total_seconds() / 3600 for r in sparse.reports])
    assert np.median(gaps) > 8
    hourly = curves.generate(3, schedule="hourly")
    late = [hourly.truth_at(r.at) - r.crossed for r in hourly.reports]
    assert max(late) > 0 and min(late) >= 0  # counts lag the truth, never run ahead
    assert any(r.vehicles is None for r in hourly.reports)  # some rows have no vehicles


@pytest.mark.parametrize("error", [-0.2, 0.2])
def test_the_expected_total_is_a_fifth_off_when_asked(error):
    curve = curves.generate(11, expected_error=error)
    assert curve.expected.likely == pytest.approx(curve.total * (1 + error), rel=1e-3)
    assert curve.expected.low <= curve.expected.likely <= curve.expected.high


def test_every_family_and_schedule_can_be_drawn_and_counts_only_grow():
    for i, family in enumerate(curves.FAMILIES):
        for schedule in curves.SCHEDULES:
            curve = curves.generate(i, family, schedule)
            counts = [r.crossed for r in curve.reports]
            assert counts == sorted(counts) and counts[-1] == curve.total
            assert curve.reports[-1].at == curve.end


def test_interruptions_close_the_road_for_hours():
    flow = hourly_flow(curves.generate(5, family="interrupted"))
    busy = np.flatnonzero(flow > 0)
    gaps = np.flatnonzero(flow[busy[0]:busy[-1]] == 0)
    assert len(gaps) >= 2


def test_the_2023_shape_passes_through_the_public_figures():
    curve = curves.shaped_2023()
    at = curves.YEREVAN

    def crossed(y, m, d, h):
        return curve.truth_at(datetime(y, m, d, h, tzinfo=at))

    assert crossed(2023, 9, 24, 22) == pytest.approx(1050, rel=0.05)
    assert crossed(2023, 9, 26, 0) == pytest.approx(9000, rel=0.05)
    assert crossed(2023, 9, 27, 0) - crossed(2023, 9, 26, 0) == pytest.approx(22_800, rel=0.03)
    assert crossed(2023, 9, 28, 0) - crossed(2023, 9, 27, 0) == pytest.approx(26_600, rel=0.03)
    assert crossed(2023, 9, 28, 22) == pytest.approx(78_300, rel=0.01)
    assert curve.total == 100_625 and curve.end <= datetime(2023, 10, 4, tzinfo=at)
    late = curve.truth_at(datetime(2023, 10, 2, 12, tzinfo=at))
    assert curve.total - late < 200  # under a hundred a day from 2 October


def test_the_reported_2023_curve_cites_every_figure():
    assert all(source.startswith("https://") for *_r, source in curves.KARABAKH_2023)
    reports = curves.reported_2023()
    assert reports[0].crossed == 377 and reports[-1].crossed == 100_625
    assert [r.crossed for r in reports] == sorted(r.crossed for r in reports)
    assert reports[-1].vehicles == 21_195
    assert all(b.at - a.at >= timedelta(hours=2) for a, b in zip(reports, reports[1:],
                                                                  strict=False))
