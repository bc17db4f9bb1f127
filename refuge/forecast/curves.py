"""Exodus curves for the forecast's tests and benchmark.

`generate()` draws one: a population decides to leave (slowly at first, then in a surge,
sometimes in two waves), queues for a road that takes so many vehicles an hour (fewer at
night, now and then closed for a few hours), and crosses until nobody is left; counts are
reported late and at uneven times, some hours apart, and the expected total the
administrator sets may be a fifth above or below the truth. `shaped_2023()` follows the
public figures of the September 2023 exodus hour by hour (DOMAIN.md), and
`KARABAKH_2023` is what the Armenian government actually reported, each figure with
where it was published.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from refuge.forecast.flow import PEOPLE_PER_VEHICLE, Expected, Report

YEREVAN = timezone(timedelta(hours=4))
FAMILIES = ("surge", "gradual", "waves", "interrupted")
SCHEDULES = ("hourly", "irregular", "sparse")


@dataclass
class Curve:
    name: str
    start: datetime  # hour 0 of `truth`
    truth: np.ndarray  # people crossed in all at the end of each hour from `start`
    reports: list[Report]
    expected: Expected

    @property
    def total(self) -> int:
        return int(self.truth[-1])

    def truth_at(self, moment: datetime) -> float:
        hours = (moment - self.start).total_seconds() / 3600
        return float(np.interp(hours, np.arange(len(self.truth)), self.truth))

    @property
    def end(self) -> datetime:
        return self.start + timedelta(hours=len(self.truth) - 1)


def generate(seed: int, family: str | None = None, schedule: str | None = None,
             expected_error: float | None = None) -> Curve:
    """One exodus. `expected_error` is how far the administrator's likely total is from the
    truth (+0.2: a fifth too high); drawn between -0.2 and +0.2 when not given."""
    rng = np.random.default_rng(seed)
    family = family or FAMILIES[rng.integers(len(FAMILIES))]
    schedule = schedule or SCHEDULES[rng.integers(len(SCHEDULES))]
    if expected_error is None:
        expected_error = float(rng.uniform(-0.2, 0.2))
    total = float(rng.uniform(20_000, 150_000))
    vehicles_an_hour = rng.uniform(120, 400)
    capacity = vehicles_an_hour * PEOPLE_PER_VEHICLE
    slow = rng.uniform(6, 36)  # hours of trickle before the surge
    hazard = _hazard(rng, family, slow, capacity / total)
    flow = _cross(rng, family, total, capacity, hazard)
    truth = np.concatenate([[0.0], np.cumsum(flow)])
    start = datetime(2023, 9, 24, int(rng.integers(0, 24)), tzinfo=YEREVAN)
    reports = _reports(rng, schedule, start, truth)
    likely = total * (1 + expected_error)
    expected = Expected(int(likely * rng.uniform(0.85, 1.0)), int(likely),
                        int(likely * rng.uniform(1.0, 1.25)))
    name = f"{family}-{schedule}-{expected_error:+.0%}-{seed}"
    return Curve(name, start, truth, reports, expected)


def _hazard(rng, family: str, slow: float, full: float) -> np.ndarray:
    """The share of those still at home who set off in each hour. At `full`, those setting
    off would just fill the road: a surge is several times that, a gradual exodus less."""
    hours = np.arange(24 * 24)
    trickle = rng.uniform(0.0005, 0.003)
    if family == "gradual":
        peak = max(rng.uniform(0.4, 0.9) * full, 0.025)
    else:
        peak = min(rng.uniform(2, 8) * full, 0.3)
    rise = rng.uniform(3, 18)
    surge = trickle + (peak - trickle) / (1 + np.exp(-(hours - slow - 2 * rise) / rise * 2))
    if family == "waves":
        lull = slow + rng.uniform(30, 60)
        dip = 1 / (1 + np.exp(-(hours - lull) / 3)) - 1 / (1 + np.exp(-(hours - lull - 18) / 3))
        surge = surge * (1 - 0.85 * dip)
    return surge


def _cross(rng, family: str, total: float, capacity: float, hazard: np.ndarray) -> np.ndarray:
    """People crossing in each hour: those who set off queue for the road."""
    hours = len(hazard)
    at_home, queue = total, 0.0
    wobble = 0.0
    flow = np.zeros(hours)
    closed = set()
    if family == "interrupted":
        for _ in range(rng.integers(2, 5)):
            begin = int(rng.integers(24, 24 * 5))
            closed.update(range(begin, begin + int(rng.integers(2, 7))))
    for h in range(hours):
        leaving = at_home * hazard[h]
        at_home -= leaving
        queue += leaving
        wobble = 0.9 * wobble + rng.normal(0, 0.08)
        night = 0.85 if (h % 24) in range(1, 6) else 1.0
        road = 0.0 if h in closed else capacity * night * np.exp(wobble)
        flow[h] = min(queue, road)
        queue -= flow[h]
        if h > 24 and queue < 1 and at_home < 0.001 * total:
            break
    # The main flow is over; the last few hundred (those still at home, and some who
    # waited) come in over the next three days, fewer each day, as in 2023.
    stop = h + 1
    stragglers = at_home + queue + total * rng.uniform(0.0005, 0.002)
    flow[:stop] *= (total - stragglers) / max(flow[:stop].sum(), 1.0)
    after = np.exp(-np.arange(24 * 3) / 24.0)
    late = rng.poisson(stragglers * after / after.sum())
    return np.concatenate([np.round(flow[:stop]), late])


def _reports(rng, schedule: str, start: datetime, truth: np.ndarray) -> list[Report]:
    """What the crossing points reported: counts late by up to an hour (tallies still on
    their way), at times that depend on the schedule; vehicles in most reports."""
    hours = len(truth) - 1
    begin = float(np.flatnonzero(truth > 0)[0]) + rng.uniform(0.5, 3)
    times = []
    t = begin
    while t < hours:
        times.append(t)
        if schedule == "hourly":
            t += rng.uniform(0.8, 1.2)
        elif schedule == "irregular":
            t += rng.choice([1, 1, 2, 2, 3, 4, 6]) * rng.uniform(0.9, 1.1)
        else:  # morning and evening statements, like the government's in 2023
            local = (start + timedelta(hours=t)).hour
            t += rng.uniform(10, 14) if local < 12 else rng.uniform(9, 13)
    times.append(float(hours))
    grid = np.arange(len(truth))
    reports = []
    vehicles = 0.0
    per_vehicle = PEOPLE_PER_VEHICLE * np.exp(rng.normal(0, 0.05))
    for t in times:
        late = rng.uniform(0, 1.0) if schedule != "sparse" and t < hours else 0.0
        crossed = max(int(np.interp(t - late, grid, truth)),
                      reports[-1].crossed if reports else 0)
        vehicles = max(vehicles, crossed / per_vehicle)
        known = rng.uniform() < 0.8
        moment = start + timedelta(hours=round(t * 60) / 60)
        reports.append(Report(moment, crossed, int(vehicles) if known else None))
    return reports


def shaped_2023() -> Curve:
    """Hourly crossings shaped on the 2023 figures: DOMAIN.md's 1,050 by 24 September at
    22:00, 22,800 crossed on the 26th and 26,600 on the 27th, 78,300 by the evening of the
    28th and 100,625 by 3 October, with the government's reports (KARABAKH_2023) for the
    hours between; a flow that held until the evening of the 29th and ran out overnight.
    Reported every hour, each count up to half an hour late (tallies on their way), against
    the authorities' 120,000 and the 2015 census's 145,000."""
    start = datetime(2023, 9, 24, 12, tzinfo=YEREVAN)
    anchors = [((9, 24, 12), 0), ((9, 24, 18), 377), ((9, 24, 22), 1_050),
               ((9, 25, 17), 6_650), ((9, 26, 0), 9_000), ((9, 26, 8), 13_550),
               ((9, 26, 20), 28_120), ((9, 27, 0), 31_800), ((9, 27, 8), 42_502),
               ((9, 27, 12), 47_115), ((9, 28, 0), 58_400), ((9, 28, 8), 65_036),
               ((9, 28, 14), 70_500), ((9, 28, 22), 78_300), ((9, 29, 6), 84_770),
               ((9, 29, 20), 98_625), ((9, 29, 23), 99_975), ((9, 30, 2), 100_275),
               ((9, 30, 12), 100_417), ((10, 1, 12), 100_490), ((10, 2, 16), 100_520),
               ((10, 3, 12), 100_625)]
    hours = [(datetime(2023, m, d, h, tzinfo=YEREVAN) - start).total_seconds() / 3600
             for (m, d, h), _count in anchors]
    truth = np.interp(np.arange(int(hours[-1]) + 1), hours, [c for _at, c in anchors])
    rng = np.random.default_rng(2023)
    reports = []
    for h in range(4, len(truth)):
        late = rng.uniform(0, 0.5)
        crossed = max(int(np.interp(h - late, np.arange(len(truth)), truth)),
                      reports[-1].crossed if reports else 0)
        reports.append(Report(start + timedelta(hours=h), crossed,
                              int(crossed / PEOPLE_PER_VEHICLE)))
    return Curve("shaped-2023-hourly", start, truth, reports,
                 Expected(120_000, 120_000, 145_000))


# What the Armenian government reported, as published (local time, UTC+4): moment,
# people crossed in all, vehicles in all where given, and where it was published.
KARABAKH_2023 = [
    ("2023-09-24T18:00+04:00", 377, None, "https://tass.com/world/1679727"),
    ("2023-09-24T22:00+04:00", 1_050, None, "https://rossaprimavera.ru/news/c5bbcba8"),
    ("2023-09-25T17:00+04:00", 6_650, None,
     "https://1lurer.am/hy/2023/09/25/As-of-17-00-6-650-forcibly-displaced-persons-entered-"
     "Armenia-from-Nagorno-Karabakh/1002069"),
    ("2023-09-26T08:00+04:00", 13_550, None,
     "https://hyetert.org/2023/09/26/about-13550-internally-displaced-persons-relocate-to-"
     "armenia-from-nagorno-karabakh/ (TASS)"),
    ("2023-09-26T20:00+04:00", 28_120, None,
     "https://infoline.ua/ru/news/main/world/iz-nagornogo-karabaha-v-armeniyu-vehali-bolee-"
     "28-tysyach-chelovek_420803.html"),
    ("2023-09-27T08:00+04:00", 42_502, None,
     "https://www.pravda.com.ua/rus/news/2023/09/27/7421652/"),
    ("2023-09-27T12:00+04:00", 47_115, None,
     "https://www.pravda.com.ua/rus/news/2023/09/27/7421652/"),
    ("2023-09-28T08:00+04:00", 65_036, None,
     "https://absatz.media/news/49306-bolee-65-tysyach-zhitelej-karabaha-pribyli-v-armeniyu"),
    ("2023-09-28T10:00+04:00", 66_500, None, "https://armenpress.am/ar/article/1120710/amp"),
    ("2023-09-28T14:00+04:00", 70_500, None, "https://arabicradio.ir/news/173095"),
    ("2023-09-28T20:00+04:00", 76_407, 15_914,
     "https://www.ilovekyiv.org/almost-100000-displaced-persons-left-nagorno-karabakh-for-"
     "armenia/"),
    ("2023-09-28T22:00+04:00", 78_354, None,
     "https://pledgetimes.com/the-armenian-government-reported-the-arrival-of-more-than-78-"
     "thousand-people-from-karabakh/"),
    ("2023-09-29T06:00+04:00", 84_770, None, "https://www.panarmenian.net/eng/news/309834/"),
    ("2023-09-29T20:00+04:00", 98_625, 20_892,
     "https://www.ilovekyiv.org/almost-100000-displaced-persons-left-nagorno-karabakh-for-"
     "armenia/"),
    # The daily briefings of 30 September to 3 October give no hour; they were held
    # around midday.
    ("2023-09-30T12:00+04:00", 100_417, 21_043,
     "https://nsn.fm/society/bolee-100-tysyach-chelovek-pereehali-iz-nagornogo-karabaha-v-"
     "armeniu"),
    ("2023-10-01T12:00+04:00", 100_490, 21_103,
     "https://armenian-genocide.org/Karabakh.71/current_category.433/nagorno-karabakh_"
     "detail.html"),
    ("2023-10-01T20:00+04:00", 100_514, None,
     "https://radiosvoboda.org/amp/news-karabakh-pereselentsi-virmeniya/32618195.html"),
    ("2023-10-02T16:00+04:00", 100_520, 21_107,
     "https://www.thearmenianreport.com/post/100-520-forcibly-displaced-persons-enter-"
     "armenia-from-artsakh-as-of-monday-october-2nd"),
    ("2023-10-03T12:00+04:00", 100_625, 21_195, "https://archive.armlife.am/ru/news/275692.html"),
]


def reported_2023() -> list[Report]:
    return [Report(datetime.fromisoformat(at), crossed, vehicles)
            for at, crossed, vehicles, _source in KARABAKH_2023]


def curve_csv(reports: list[Report]) -> str:
    """Reports as the CSV `refuge forecast --curve` reads."""
    lines = ["time,cumulative_crossed,vehicles"]
    for r in reports:
        vehicles = "" if r.vehicles is None else str(r.vehicles)
        lines.append(f"{r.at.isoformat(timespec='minutes')},{r.crossed},{vehicles}")
    return "\n".join(lines) + "\n"
