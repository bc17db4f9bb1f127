"""The arrival forecast against its baselines, 24 h ahead (issue 19).

    .venv/bin/python bench/forecast.py [--seeds 2] [--horizon 24] [--db sqlite|postgres]

Every generated curve (each family of exodus, each report schedule, the expected total a
fifth low, right and a fifth high; seeds apart from those the parameters were tuned on),
the hourly curve shaped on 2023 and the government's own 2023 reports are backtested:
at every report from the moment a tenth of the expected total has crossed, the forecast
issued then from that report and those before it, scored against the truth at the target
(generated curves: their true hourly counts; the 2023 reports: linear between reports).
Our forecast and the three baselines (the last 24 hours again capped at the expected
total, a logistic fit, a Gompertz fit) run on the same rows. Targets: mean absolute error
at most 4 %, maximum at most 15 %, p10-p90 covering the truth 75-85 % of the time.

Then the cost of one forecast: in-process from reports, and with --db from the tallies of
a 2023-sized exodus (21,195 vehicles over six days) in a database of its own.
"""

import argparse
import os
import statistics
import time
from collections import defaultdict
from datetime import timedelta

import common  # noqa: F401  (puts the repository on sys.path)
import numpy as np

METHODS = ["ours", "naive", "logistic", "gompertz"]


def setup_django(env: dict | None = None) -> None:
    if env:
        os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    import django

    django.setup()


def curve_set(seeds: int, first: int = 0):
    from refuge.forecast import curves

    chosen = []
    for fi, family in enumerate(curves.FAMILIES):
        for si, schedule in enumerate(curves.SCHEDULES):
            for ei, error in enumerate((-0.2, 0.0, 0.2)):
                for k in range(first, first + seeds):
                    seed = 1000 * fi + 100 * si + 10 * ei + k
                    chosen.append((family, schedule, error,
                                   curves.generate(seed, family, schedule, error)))
    return chosen


def scored(curve_rows, expected, hours, method, truth):
    from refuge.forecast import backtest

    threshold = 0.1 * expected.likely
    issued = backtest.backtest(curve_rows, expected, hours, method=method,
                               only=lambda row: row.report.crossed >= threshold)
    records = []
    for item in issued:
        actual = truth(item.target)
        if actual is None:
            continue
        records.append((abs(item.band.p50 - actual) / actual * 100, item.band.covers(actual)))
    return records


def as_rows(reports):
    from refuge.forecast.backtest import CurveRow

    return [CurveRow(i + 2, r.at.isoformat(), r) for i, r in enumerate(reports)]


def run_methods(curve_rows, expected, hours, truth):
    from refuge.forecast import backtest, baselines

    methods = {"ours": backtest.ours, "naive": baselines.naive,
               "logistic": baselines.logistic, "gompertz": baselines.gompertz}
    return {name: scored(curve_rows, expected, hours, methods[name], truth) for name in METHODS}


def line(label: str, results: dict) -> str:
    parts = [f"{label:34s}"]
    for name in METHODS:
        records = results[name]
        if not records:
            parts.append(f"{name} -")
            continue
        errors = [e for e, _c in records]
        text = f"{name} {np.mean(errors):5.2f} {np.max(errors):5.1f}"
        if name == "ours":
            text += f" {100 * np.mean([c for _e, c in records]):3.0f}%"
        parts.append(text)
    return " | ".join(parts)


def summarise(title: str, groups: dict) -> None:
    print(f"\n== {title}: mean and max absolute % error of the median (and p10-p90 coverage)")
    for label, results in groups.items():
        print(line(label, results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=2, help="curves per family, schedule "
                        "and error of the expected total")
    parser.add_argument("--first-seed", type=int, default=0, help="the curves' seeds end in "
                        "this digit and the next ones: 0-1 are the benchmark's, 2-3 were "
                        "tuned on, 5-6 held out")
    parser.add_argument("--horizon", type=float, default=24)
    parser.add_argument("--db", choices=["sqlite", "postgres"], help="also time the forecast "
                        "from a database's tallies")
    parser.add_argument("--cost-only", action="store_true", help="skip the backtests")
    args = parser.parse_args()
    env = common.db_env(args.db, "forecast") if args.db else None
    setup_django(env)
    if args.cost_only:
        cost()
        if args.db:
            cost_from_database(args.db)
        return
    from refuge.forecast import backtest, curves
    from refuge.forecast.flow import Expected

    started = time.monotonic()
    pooled = defaultdict(list)
    per_curve = defaultdict(list)
    by = {key: defaultdict(lambda: defaultdict(list)) for key in ("family", "schedule", "error")}
    chosen = curve_set(args.seeds, args.first_seed)
    print(f"== {len(chosen)} generated curves (seeds ending {args.first_seed}-"
          f"{args.first_seed + args.seeds - 1}), {args.horizon:g} h ahead, scored from a tenth "
          "of the expected total")
    for family, schedule, error, curve in chosen:
        results = run_methods(as_rows(curve.reports), curve.expected, args.horizon,
                              lambda moment, c=curve: c.truth_at(moment)
                              if moment <= c.end else None)
        print(line(curve.name, results))
        for name, records in results.items():
            pooled[name] += records
            per_curve[name].append(records)
            for key, value in (("family", family), ("schedule", schedule),
                               ("error", f"{error:+.0%}")):
                by[key][value][name] += records
    for key, groups in by.items():
        summarise(f"by {key}", groups)
    summarise("all generated curves", {"pooled": pooled})
    for name in METHODS:
        maxima = [max(e for e, _c in r) for r in per_curve[name] if r]
        means = [np.mean([e for e, _c in r]) for r in per_curve[name] if r]
        print(f"   {name:9s} curves with mean <= 4 %: {sum(m <= 4 for m in means)}/{len(means)}"
              f", with max <= 15 %: {sum(m <= 15 for m in maxima)}/{len(maxima)}")

    real = {}
    shaped = curves.shaped_2023()
    real["shaped 2023, hourly"] = run_methods(
        as_rows(shaped.reports), shaped.expected, args.horizon,
        lambda moment: shaped.truth_at(moment) if moment <= shaped.end else None)
    reported = as_rows(curves.reported_2023())
    for label, expected in (("reported 2023 (120,000-145,000)", Expected(120_000, 120_000,
                                                                         145_000)),
                            ("reported 2023 (120,000)", Expected.around(120_000))):
        real[label] = run_methods(reported, expected, args.horizon,
                                  backtest.file_truth(reported))
    summarise("2023", real)
    errors = [round(e, 1) for e, _c in real["reported 2023 (120,000-145,000)"]["ours"]]
    print(f"   reported 2023, ours, row by row: {errors}")
    print(f"== backtests took {time.monotonic() - started:.0f} s")
    cost()
    if args.db:
        cost_from_database(args.db)


def cost() -> None:
    from refuge.forecast import curves, flow

    shaped = curves.shaped_2023()
    for hours in (24, 72, 144, 226):
        reports = [r for r in shaped.reports if r.at <= shaped.start + timedelta(hours=hours)]
        flow.forecast(reports, shaped.expected)
        times = []
        for _ in range(20):
            t = time.perf_counter()
            flow.forecast(reports, shaped.expected)
            times.append((time.perf_counter() - t) * 1000)
        print(f"== one forecast from {len(reports)} hourly reports (with its hourly path): "
              f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms "
              f"(load {os.getloadavg()[0]:.1f})")


def cost_from_database(db: str) -> None:
    from datetime import UTC, datetime

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from refuge.accounts.models import Post
    from refuge.forecast import curves, queries, services
    from refuge.registry.models import Tally

    call_command("migrate", verbosity=0)
    post, _ = Post.objects.get_or_create(code="BENCHX", defaults=dict(
        kind=Post.CROSSING, name="Bench crossing", province="Syunik"))
    shaped = curves.shaped_2023()
    now = datetime(2023, 9, 30, 12, tzinfo=UTC)
    if not Tally.objects.filter(post=post).exists():
        rng = np.random.default_rng(1)
        tallies = []
        flow = np.diff(shaped.truth)
        for h, people in enumerate(flow):
            vehicles = int(round(people / 4.75))
            for _ in range(vehicles):
                at = shaped.start + timedelta(hours=h + float(rng.uniform()))
                tallies.append(Tally(post=post, people_aboard=5, counted_at=at))
        Tally.objects.bulk_create(tallies, batch_size=2000)
    admin = get_user_model().objects.filter(is_superuser=True).first()
    services.set_expected({"low": 100_000, "likely": 120_000, "high": 145_000}, user=admin)
    count = Tally.objects.count()
    times = []
    for i in range(20):
        queries.forget()
        t = time.perf_counter()
        queries.current_forecast(now + timedelta(seconds=i))
        times.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    queries.current_forecast(now + timedelta(seconds=19))
    remembered = (time.perf_counter() - t) * 1000
    print(f"== {db}: the forecast from {count:,} tallies (reading them included): median "
          f"{statistics.median(times):.1f} ms, max {max(times):.1f} ms; unchanged tallies, "
          f"remembered: {remembered:.1f} ms (load {os.getloadavg()[0]:.1f}, "
          f"{timezone.now():%Y-%m-%d})")
    section_cost(db, now)


def section_cost(db: str, now) -> None:
    """The forecast's part of the situation picture (the dashboard's, /api/situation's):
    the forecast from the pre-counted crossing figures, beds, desks and alerts."""
    from refuge.forecast import queries
    from refuge.forecast.situation import SECTION
    from refuge.lib.situation import Context, sections
    from refuge.registry import counting
    from refuge.registry.models import CrossingFigure

    if not CrossingFigure.objects.exists():
        counting.recount()
    earlier = {s.key: s.figures(Context(now)) for s in sections() if s.order < SECTION.order}
    times = []
    for i in range(20):
        queries.forget()
        t = time.perf_counter()
        SECTION.figures(Context(now + timedelta(seconds=i), earlier))
        times.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    SECTION.figures(Context(now + timedelta(seconds=19), earlier))
    remembered = (time.perf_counter() - t) * 1000
    print(f"== {db}: the forecast's section of the situation picture (from the crossing "
          f"figures, with beds, desks, alerts and the chart's series): median "
          f"{statistics.median(times):.1f} ms, max {max(times):.1f} ms; unchanged tallies, "
          f"remembered: {remembered:.1f} ms (load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
