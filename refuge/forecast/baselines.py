"""The forecasts ours is scored against, in the same runs: the last 24 hours again (capped at
the expected total), a logistic curve and a Gompertz curve fitted to every report so far.

Each takes what `flow.forecast` takes and answers the people crossed in all by
`issued_at + hours`, as a Band whose three values are the same (none of them gives an
interval).
"""

import warnings
from collections.abc import Sequence
from datetime import datetime

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit

from refuge.forecast.flow import Band, Expected, Report


def _seen(reports: Sequence[Report], issued_at: datetime | None):
    issued_at = issued_at or reports[-1].at
    seen = [r for r in reports if r.at <= issued_at]
    hours = np.array([(r.at - issued_at).total_seconds() / 3600 for r in seen])
    crossed = np.maximum.accumulate(np.array([float(r.crossed) for r in seen]))
    return hours, crossed


def _point(value: float) -> Band:
    return Band(value, value, value)


def naive(reports: Sequence[Report], expected: Expected, issued_at: datetime | None = None,
          hours: float = 24) -> Band:
    """What crossed in the last 24 hours crosses again in the next, capped at the expected
    total (and never below what has crossed)."""
    times, crossed = _seen(reports, issued_at)
    now = crossed[-1]
    span = min(24.0, times[-1] - times[0])
    rate = (now - np.interp(times[-1] - span, times, crossed)) / span if span > 0 else 0.0
    ahead = hours - times[-1]
    return _point(max(now, min(now + rate * ahead, float(expected.likely))))


def logistic_curve(t, total, middle, scale):
    return total / (1 + np.exp(-(t - middle) / scale))


def gompertz_curve(t, total, middle, scale):
    return total * np.exp(-np.exp(-(t - middle) / scale))


def _fitted(curve, reports, expected, issued_at, hours) -> Band:
    times, crossed = _seen(reports, issued_at)
    now = crossed[-1]
    if len(times) < 4:
        return naive(reports, expected, issued_at, hours)
    start = [max(float(expected.likely), now * 1.05), 0.0, 12.0]
    bounds = ([now, times[0] - 24 * 20, 0.5], [max(now, expected.likely) * 5 + 1,
                                                24 * 30, 24 * 10])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OptimizeWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            params, _cov = curve_fit(curve, times, crossed, p0=start, bounds=bounds,
                                     max_nfev=2000)
    except (RuntimeError, ValueError):
        return naive(reports, expected, issued_at, hours)
    return _point(max(now, float(curve(hours, *params))))


def logistic(reports: Sequence[Report], expected: Expected, issued_at: datetime | None = None,
             hours: float = 24) -> Band:
    """A logistic curve fitted by least squares to every report so far."""
    return _fitted(logistic_curve, reports, expected, issued_at, hours)


def gompertz(reports: Sequence[Report], expected: Expected, issued_at: datetime | None = None,
             hours: float = 24) -> Band:
    """A Gompertz curve (a slow end, a quick start) fitted to every report so far."""
    return _fitted(gompertz_curve, reports, expected, issued_at, hours)
