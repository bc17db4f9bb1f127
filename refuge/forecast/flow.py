"""The arrival forecast: how many people will have crossed in 6, 12, 24 and 48 hours, how
many are still to come, and when the influx is likely to be over, each with an 80 % interval.

A Monte Carlo over what nobody knows: the total that will cross in the end, and the flow
from now on. Each of PARTICLES draws a total from the administrator's expected range
(widened by a fifth either way: the 2023 total was below every estimate), a road capacity
and a flow that starts near the rate the reports show and wanders from there; the flow is
held under the road's capacity and stops when that draw's population has crossed. The
draws that disagree with how the flow has fallen so far (people leave in proportion to
those still behind, so a falling flow says how many are left) count for less. The
percentiles of the draws are the forecast. Why this method, and how it was calibrated,
are in the README; its figures in docs/benchmarks.md.

Pure functions of the reports passed in: nothing after `issued_at` is ever read, and the
same reports give the same forecast (the draws are seeded).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

PEOPLE_PER_VEHICLE = 4.75  # 2023: 100,625 people in 21,195 vehicles, buses included
WIDEN = 0.2  # the expected total may be wrong by a fifth either way
HORIZONS = (6, 12, 24, 48)
PARTICLES = 1000
SEED = 20230924

# A crossing point's road carries so many vehicles an hour at most (2023's Hakari bridge:
# about 250 at its peak, with checks); the prior for a road not yet seen full.
ROAD_VEHICLES_PER_HOUR = 250.0
ROAD_SPREAD = 0.4  # log-normal sigma of that prior

# How the flow is read and how it moves, calibrated on generated curves (bench/forecast.py).
BIN_HOURS = 2.0  # reports closer than this are read together
FASTEST_HOURS = 4.0  # the road's capacity is at least the fastest flow over this long
RATE_OFFSET = 5.0  # people an hour added before taking logs, so that no flow is finite
OBSERVATION_NOISE = 0.1  # log of a bin's rate, beyond counting noise
LEVEL_NOISE = 0.06  # how far the log of the flow may jump, per square-root hour
SLOPE_NOISE = 0.012  # how fast its trend may change
TREND_PRIOR = 0.05  # the trend before anything is seen, per hour
VOLATILITY = 0.12  # log-rate random walk of the forecast, per square-root hour
TREND_MEMORY = 4.0  # hours over which a trend fades
TREND_LIMIT = 0.3  # per hour, either way
REVERT_HOURS = 48.0  # how long the forecast's wander takes to drift back
LOOKBACK = 72.0  # hours of bins that say how the flow is falling
FALLEN = 0.7  # below this share of its peak, the flow is no longer held by the road
DEPLETION_NOISE = 0.3
EFFECTIVE_SHARE = 0.25  # of the draws, at least, still count after weighting
PRIOR_FLAT = 0.2  # how the expected range is read: see Prior
# A flow that falls to almost nothing at once is a road closed (or a crossing point that
# stopped reporting), or the end: the odds between the two come from the expected range.
STALL_SHARE = 0.25  # a flow below this share of the day's best has stalled
CLOSURES_AN_HOUR = 1 / 72  # how often a road closes
CLOSURE_HOURS = 4.0  # and for how long, on average
END_FLOOR = 2e-4  # the least chance an hour that it is over, even far below the range
# The influx is over once fewer than this share of the expected total arrive in a day, for
# good (2023: from 30 September, when about 400 came, against 22,000 a day before).
OVER_SHARE = 0.01
LONG_STEP = 6.0  # hours per step after the first two days
LONG_HOURS = 24 * 21  # nothing is forecast further than this


@dataclass(frozen=True)
class Report:
    """People (and, where known, vehicles) crossed in all by a moment."""

    at: datetime
    crossed: int
    vehicles: int | None = None


@dataclass(frozen=True)
class Expected:
    """The administrator's range for the total that will cross."""

    low: int
    likely: int
    high: int

    @property
    def floor(self) -> int:
        return int(self.low * (1 - WIDEN))

    @property
    def ceiling(self) -> int:
        """The most the forecast ever says will cross (unless more already have)."""
        return int(round(self.high * (1 + WIDEN)))

    @classmethod
    def around(cls, likely: int, low: int | None = None, high: int | None = None):
        return cls(low if low is not None else likely, likely,
                   high if high is not None else likely)


@dataclass(frozen=True)
class Band:
    """A median and an 80 % interval."""

    p10: float
    p50: float
    p90: float

    def rounded(self) -> "Band":
        return Band(round(self.p10), round(self.p50), round(self.p90))

    def covers(self, value: float) -> bool:
        return self.p10 <= value <= self.p90


@dataclass
class Forecast:
    issued_at: datetime
    crossed: int  # by the last report
    rate: float  # people an hour now, the median of the draws
    capacity: float  # people an hour the road can take, the median of the draws
    horizons: dict[float, Band]  # people crossed in all by issued_at + hours
    total: Band  # people crossed in all when it is over
    over_in: Band  # hours from issued_at until it is over (inf: later than LONG_HOURS)
    path: list[tuple[datetime, Band]] = field(default_factory=list)  # hourly, for the chart
    expected: Expected | None = None
    range_exceeded: bool = False  # more have crossed than the expected range allows
    stalled_hours: float | None = None  # since the flow fell at once to almost nothing
    reopen_chance: float | None = None  # that it comes back (a closure, not the end)

    @property
    def still_to_come(self) -> Band:
        return Band(*(max(v - self.crossed, 0) for v in
                      (self.total.p10, self.total.p50, self.total.p90)))

    def over_at(self) -> tuple[datetime | None, datetime | None, datetime | None]:
        return tuple(None if not np.isfinite(h) else self.issued_at + timedelta(hours=h)
                     for h in (self.over_in.p10, self.over_in.p50, self.over_in.p90))

    def at(self, hours: float) -> Band:
        return self.horizons[hours]


def forecast(reports: Sequence[Report], expected: Expected, issued_at: datetime | None = None,
             horizons: Sequence[float] = HORIZONS, particles: int = PARTICLES,
             hourly: bool = True) -> Forecast:
    """The forecast issued at `issued_at` (by default the last report's time) from the
    reports up to then; later reports are left out. `hourly` adds the path for the chart."""
    issued_at = issued_at or reports[-1].at
    seen = [r for r in reports if r.at <= issued_at]
    if not seen:
        raise ValueError("no report at or before issued_at")
    hours = np.array([(r.at - issued_at).total_seconds() / 3600 for r in seen])
    crossed = np.maximum.accumulate(np.array([float(r.crossed) for r in seen]))
    now = float(crossed[-1])
    rng = np.random.default_rng(SEED)
    bins = _bins(hours, crossed)
    level, slope, cov = _filter(bins, _people_per_vehicle(seen))
    state = rng.multivariate_normal([level, slope], cov, particles, method="cholesky")
    capacity = _capacity(hours, crossed, seen, rng, particles)
    # The log of each draw's flow (plus RATE_OFFSET): below log(RATE_OFFSET) is no flow at
    # all, and the further below, the longer it takes to come back.
    latent = np.minimum(state[:, 0], np.log(capacity + RATE_OFFSET))
    start = np.exp(latent) - RATE_OFFSET
    trend = np.clip(state[:, 1], -TREND_LIMIT, TREND_LIMIT)
    prior = Prior(expected)
    exceeded = now >= prior.ceiling * 0.999
    if exceeded:  # the range is out of date: what is left is read from the flow alone
        total = now + max(np.median(start), 0.0) * rng.exponential(24.0, particles)
    else:
        total = prior.draw(now, rng, particles)
    weights = _depletion_weights(bins, total)
    restart = np.full(particles, np.inf)
    stall = _stall(bins)
    reopen = _closure_odds(stall, prior, now) if stall is not None else None
    if stall is not None:
        closed = rng.uniform(0, 1, particles) < reopen
        restart[closed] = rng.exponential(CLOSURE_HOURS, int(closed.sum()))
    # The draws start from the last report; the forecast's clock from issued_at.
    lag = -float(hours[-1])
    steps, times = _steps(max([48.0, *horizons]) + lag)
    path = _simulate(now, latent, trend, capacity, total, steps, rng, restart,
                     stall.before if stall else 0.0)
    times = times - lag
    hourly_path = list(zip([issued_at + timedelta(hours=h) for h in range(49)],
                           _bands(_at(path, times, np.arange(49.0)), weights),
                           strict=True)) if hourly else []
    return Forecast(
        issued_at=issued_at, crossed=int(now), rate=max(float(np.median(start)), 0.0),
        capacity=float(np.median(capacity)),
        horizons={h: _band(_at(path, times, h), weights) for h in horizons},
        total=_band(path[-1], weights),
        over_in=_band(_over_in(path, times, OVER_SHARE * max(expected.likely, now)), weights),
        path=hourly_path, expected=expected, range_exceeded=bool(exceeded),
        stalled_hours=stall.hours if stall else None, reopen_chance=reopen,
    )


@dataclass
class Bin:
    """People crossed between two reports (merged until at least BIN_HOURS long)."""

    start: float  # hours from issued_at (negative)
    end: float
    people: float
    crossed: float  # in all by the middle of the bin

    @property
    def rate(self) -> float:
        return self.people / (self.end - self.start)

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2


def _bins(hours: np.ndarray, crossed: np.ndarray) -> list[Bin]:
    """From the newest report back, so that the newest reports are never merged away."""
    bins = []
    i = len(hours) - 1
    while i > 0:
        j = i - 1
        while j > 0 and hours[i] - hours[j] < BIN_HOURS:
            j -= 1
        if hours[i] > hours[j]:
            bins.append(Bin(hours[j], hours[i], crossed[i] - crossed[j],
                            (crossed[i] + crossed[j]) / 2))
        i = j
    return bins[::-1]


def _filter(bins: list[Bin], per_vehicle: float) -> tuple[float, float, np.ndarray]:
    """A local linear trend Kalman filter on the log of the flow: its level and slope an
    hour at the newest report, and their covariance. Sparse reports leave it unsure."""
    if not bins:
        return float(np.log(RATE_OFFSET + 50.0)), 0.0, np.diag([2.0**2, TREND_PRIOR**2])
    x = np.array([np.log(bins[0].rate + RATE_OFFSET), 0.0])
    cov = np.diag([1.0**2, TREND_PRIOR**2])
    t = bins[0].middle
    for b in bins:
        x, cov = _predict(x, cov, b.middle - t)
        t = b.middle
        noise = OBSERVATION_NOISE**2 + _counting_noise(b, per_vehicle)
        gain = cov[:, 0] / (cov[0, 0] + noise)
        x = x + gain * (np.log(b.rate + RATE_OFFSET) - x[0])
        cov = cov - np.outer(gain, cov[0, :])
    x, cov = _predict(x, cov, bins[-1].end - t)  # to the newest report
    return float(x[0]), float(x[1]), (cov + cov.T) / 2


def _counting_noise(b: Bin, per_vehicle: float) -> float:
    """The variance of log(rate + RATE_OFFSET) that counting whole vehicles leaves: about
    per_vehicle / people when many crossed, and, when none did, as if one vehicle might
    have (a long bin with nobody says more than a short one)."""
    hours = b.end - b.start
    spread = per_vehicle * (b.rate + per_vehicle / hours) / hours
    return spread / (b.rate + RATE_OFFSET) ** 2


def _predict(x: np.ndarray, cov: np.ndarray, dt: float):
    move = np.array([[1.0, dt], [0.0, 1.0]])
    q = np.array([[LEVEL_NOISE**2 * dt + SLOPE_NOISE**2 * dt**3 / 3, SLOPE_NOISE**2 * dt**2 / 2],
                  [SLOPE_NOISE**2 * dt**2 / 2, SLOPE_NOISE**2 * dt]])
    return move @ x, move @ cov @ move.T + q


def _capacity(hours: np.ndarray, crossed: np.ndarray, seen: Sequence[Report], rng,
              particles: int) -> np.ndarray:
    """People an hour the road can take, for each draw: at least the fastest flow seen over
    FASTEST_HOURS (or between two reports further apart, with more room above it, since
    the flow between them may have peaked higher), and a road-sized prior until then."""
    fastest, room = 0.0, 0.1
    for i in range(1, len(hours)):
        window = max(FASTEST_HOURS, hours[i] - hours[i - 1])
        if hours[i] - window < hours[0]:
            continue
        rate = (crossed[i] - np.interp(hours[i] - window, hours, crossed)) / window
        if rate > fastest:
            fastest, room = rate, 0.1 + 0.02 * window
    per_vehicle = _people_per_vehicle(seen)
    prior = per_vehicle * ROAD_VEHICLES_PER_HOUR * np.exp(rng.normal(0, ROAD_SPREAD, particles))
    return np.maximum(prior, fastest * np.exp(np.abs(rng.normal(0, room, particles))))


def _people_per_vehicle(seen: Sequence[Report]) -> float:
    known = [r for r in seen if r.vehicles]
    if known and known[-1].vehicles > 20:
        return float(np.clip(known[-1].crossed / known[-1].vehicles, 1.0, 40.0))
    return PEOPLE_PER_VEHICLE


class Prior:
    """What the administrator's range says of the total: as likely below the likely value
    as above it, over the range widened by a fifth either way; on each side PRIOR_FLAT of
    it spread evenly, the rest more often nearer the likely value."""

    def __init__(self, expected: Expected):
        self.floor, self.ceiling = float(expected.floor), float(max(expected.ceiling, 1))
        self.floor = min(self.floor, self.ceiling - 1)
        likely = float(min(max(expected.likely, self.floor + 0.5), self.ceiling - 0.5))
        self.grid = np.linspace(self.floor, self.ceiling, 801)
        below = self.grid <= likely
        peak = np.where(below, (self.grid - self.floor) / (likely - self.floor),
                        (self.ceiling - self.grid) / (self.ceiling - likely))
        side = np.where(below, likely - self.floor, self.ceiling - likely)
        # Each side's density integrates to one half.
        self.density = 0.5 * (PRIOR_FLAT / side + (1 - PRIOR_FLAT) * 2 * peak / side)
        self.cdf = np.concatenate([[0.0], np.cumsum((self.density[1:] + self.density[:-1]) / 2
                                                    * np.diff(self.grid))])

    def draw(self, now: float, rng, particles: int) -> np.ndarray:
        """Totals of at least `now`, by the inverse CDF (stratified, then shuffled)."""
        low = float(np.interp(now, self.grid, self.cdf))
        u = low + (self.cdf[-1] - low) * (np.arange(particles)
                                          + rng.uniform(0, 1, particles)) / particles
        totals = np.interp(u, self.cdf, self.grid)
        rng.shuffle(totals)
        return np.maximum(totals, now)

    def end_hazard(self, now: float, flow: float) -> float:
        """The chance an hour that the population runs out now, at this flow."""
        left = self.cdf[-1] - float(np.interp(now, self.grid, self.cdf))
        if left <= 0:
            return 1.0
        density = float(np.interp(now, self.grid, self.density, left=0.0, right=0.0))
        return max(density * flow / left, END_FLOOR)


def _depletion_weights(bins: list[Bin], total: np.ndarray) -> np.ndarray:
    """How well each draw's total explains the flow falling since its last peak.

    People leave in proportion to those still at home, so while the flow is below the
    road's capacity and falling, rate / (total - crossed) stays about level for the true
    total: a total far too large needs the flow to have stayed up, one too small to have
    fallen faster."""
    recent = [b for b in bins if b.end > bins[-1].end - LOOKBACK]
    if len(recent) < 3:
        return np.ones_like(total)
    peak = int(np.argmax([b.rate for b in recent]))
    falling = [b for b in recent[peak + 1:] if b.rate < FALLEN * recent[peak].rate]
    # Only a flow that has fallen well below its peak, and is still down, says who is
    # left: on a road at capacity the queue hides it, and a wobble is not a fall.
    # A road closed for hours is not the population running out: the fall is read from
    # when it last reopened.
    top = recent[peak].rate
    reopened = [k + 1 for k in range(len(falling) - 1)
                if falling[k].rate < STALL_SHARE * top <= falling[k + 1].rate]
    if reopened:
        falling = falling[reopened[-1]:]
    if len(falling) < 3 or falling[-1] is not recent[-1]:
        return np.ones_like(total)
    rates = np.log(np.array([b.rate for b in falling]) + RATE_OFFSET)
    # Nor is a flow that has stopped falling (one that wobbles on a road it fills, or
    # comes back): only a fall that goes on says how many are left.
    half = len(rates) // 2
    if rates[half:].mean() >= rates[:half].mean():
        return np.ones_like(total)
    behind = np.log(np.maximum(total[:, None] - np.array([b.crossed for b in falling])[None, :],
                               1.0))
    residual = rates[None, :] - behind
    residual -= residual.mean(axis=1, keepdims=True)
    misfit = (residual**2).sum(axis=1)
    return _tempered(-(misfit - misfit.min()) / (2 * DEPLETION_NOISE**2))


def _tempered(log_weights: np.ndarray) -> np.ndarray:
    """Weights from log-weights, flattened just enough that the draws they keep are worth
    at least EFFECTIVE_SHARE of them all: the people-leave-in-proportion rule is only
    roughly true, and a few draws must never decide the forecast alone."""
    def weights(power: float) -> np.ndarray:
        w = np.exp(power * (log_weights - log_weights.max()))
        return w / w.sum()

    def effective(w: np.ndarray) -> float:
        return 1.0 / float(np.sum(w**2)) / len(w)

    if effective(weights(1.0)) >= EFFECTIVE_SHARE:
        return weights(1.0)
    low, high = 0.0, 1.0
    for _ in range(30):
        middle = (low + high) / 2
        low, high = (middle, high) if effective(weights(middle)) >= EFFECTIVE_SHARE \
            else (low, middle)
    return weights(low)


@dataclass
class Stall:
    hours: float  # since the flow fell
    before: float  # people an hour before it fell


def _stall(bins: list[Bin]) -> Stall | None:
    """The flow of the newest bins fell at once to under STALL_SHARE of the day before's."""
    found = None
    for j in range(len(bins) - 1, 0, -1):
        earlier = [b.rate for b in bins[:j] if b.end >= bins[j].start - 24]
        before = max(earlier, default=0.0)
        if before < 10 * RATE_OFFSET or max(b.rate for b in bins[j:]) >= STALL_SHARE * before:
            break
        if bins[j - 1].rate >= 2 * STALL_SHARE * before:  # it fell at once, not bit by bit
            # Where in its bin it fell, had it gone from `before` to nothing there.
            inside = bins[j - 1] if bins[j - 1].rate < 0.9 * before else bins[j]
            fell = inside.start + (inside.end - inside.start) * inside.rate / before
            found = Stall(hours=-fell, before=before)
    return found


def _closure_odds(stall: Stall, prior: Prior, now: float) -> float:
    """The chance the road is closed and the flow comes back, rather than over: a closure
    that has lasted this long, against the population running out just here."""
    closure = CLOSURES_AN_HOUR * np.exp(-stall.hours / CLOSURE_HOURS)
    return float(closure / (closure + prior.end_hazard(now, stall.before)))


def _simulate(now, latent, trend, capacity, total, steps, rng, restart, before) -> np.ndarray:
    """Cumulative crossings of each draw at the end of each step (row 0: now).

    The log of each draw's flow is its latent start, carried on by its trend (fading over
    TREND_MEMORY hours), plus a wander that drifts back over REVERT_HOURS, so that in a
    day it moves like a random walk but weeks ahead it stays within reason. A draw whose
    road reopens at `restart` hours goes back to the flow of `before`."""
    particles = len(latent)
    path = np.empty((len(steps) + 1, particles))
    path[0] = now
    base = latent.copy()
    wander = np.zeros(particles)
    log_cap = np.log(capacity + RATE_OFFSET)
    position = np.full(particles, now)
    shocks = rng.normal(0, 1, (len(steps), particles))
    slope = trend.copy()
    elapsed = 0.0
    reopened = np.log(before + RATE_OFFSET) + rng.normal(0, 0.2, particles)
    for k, dt in enumerate(steps):
        base = np.minimum(base + slope * dt, log_cap)
        slope = slope * np.exp(-dt / TREND_MEMORY)
        wander = wander * np.exp(-dt / REVERT_HOURS) + VOLATILITY * np.sqrt(dt) * shocks[k]
        opening = (restart >= elapsed) & (restart < elapsed + dt)
        if opening.any():
            base = np.where(opening, np.minimum(reopened, log_cap), base)
            slope = np.where(opening, 0.0, slope)
            wander = np.where(opening, 0.0, wander)
        flow = np.maximum(np.exp(np.minimum(base + wander, log_cap)) - RATE_OFFSET, 0.0)
        position = np.minimum(position + flow * dt, total)
        path[k + 1] = position
        elapsed += dt
    return path


def _steps(first: float):
    """Step lengths: an hour up to `first` hours, then LONG_STEP hours up to LONG_HOURS."""
    short = int(np.ceil(first))
    long = int(np.ceil((LONG_HOURS - short) / LONG_STEP))
    steps = np.concatenate([np.ones(short), np.full(max(long, 0), LONG_STEP)])
    times = np.concatenate([[0.0], np.cumsum(steps)])
    return steps, times


def _at(path: np.ndarray, times: np.ndarray, hours) -> np.ndarray:
    """Each draw's cumulative count `hours` after issued_at (one moment, or an array of
    them: one row each), linear between steps."""
    moments = np.atleast_1d(np.asarray(hours, dtype=float))
    i = np.clip(np.searchsorted(times, moments, side="right") - 1, 0, len(times) - 2)
    share = np.clip((moments - times[i]) / (times[i + 1] - times[i]), 0.0, 1.0)
    rows = path[i] + (path[i + 1] - path[i]) * share[:, None]
    return rows if np.ndim(hours) else rows[0]


def _over_in(path: np.ndarray, times: np.ndarray, trickle: float) -> np.ndarray:
    """Hours after issued_at until each draw's arrivals in a day stay under `trickle` for
    good; inf when a day's arrivals are still above it at the end of LONG_HOURS."""
    grid = np.arange(max(times[0], 0.0), times[-1] + 1e-9, LONG_STEP)
    day = int(round(24 / LONG_STEP))
    at = _at(path, times, grid)
    coming = at[day:] - at[:-day]  # the next day's arrivals, from each moment
    busy = coming >= trickle
    last = len(busy) - 1 - np.argmax(busy[::-1], axis=0)
    over = np.where(busy.any(axis=0), grid[np.minimum(last + 1, len(grid) - 1)], grid[0])
    return np.where(busy[-1], np.inf, over)


def _band(values: np.ndarray, weights: np.ndarray) -> Band:
    return _bands(values[None, :], weights)[0]


def _bands(values: np.ndarray, weights: np.ndarray) -> list[Band]:
    """The weighted 10th, 50th and 90th percentiles of each row of `values`."""
    order = np.argsort(values, axis=1)
    cumulative = np.cumsum(weights[order], axis=1)
    cumulative /= cumulative[:, -1:]
    picks = []
    for q in (0.1, 0.5, 0.9):
        at = np.minimum((cumulative < q).sum(axis=1), values.shape[1] - 1)
        picks.append(np.take_along_axis(values, order[np.arange(len(values)), at][:, None],
                                        axis=1)[:, 0])
    return [Band(float(a), float(b), float(c)) for a, b, c in zip(*picks, strict=True)]
