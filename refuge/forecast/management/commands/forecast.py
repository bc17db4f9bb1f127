import math
from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.formats import date_format
from tqdm import tqdm

from refuge.forecast import backtest, flow, queries
from refuge.forecast.flow import Band, Expected, Forecast
from refuge.forecast.models import ExpectedPopulation
from refuge.forecast.services import clean_range
from refuge.lib.csvfiles import read_file
from refuge.lib.errors import Problems

LONGEST_HORIZON = 24 * 14


class Command(BaseCommand):
    help = ("Forecast arrivals. With --curve, backtest a curve of reports: for every row, the "
            "forecast issued at its time from it and the rows before it, written to --out, "
            "then one line scoring the forecasts whose target lies within the file. Without "
            "--curve, print the forecast from the tallies in the database.")

    def add_arguments(self, parser):
        parser.add_argument("--curve", type=Path,
                            help="CSV: time (ISO 8601, local time with or without an offset), "
                                 "cumulative_crossed [, vehicles]")
        parser.add_argument("--expected", type=int, help="people expected to cross in all "
                            "(with --curve; without it, the range set in Refuge is used)")
        parser.add_argument("--expected-low", type=int, help="the least expected (default: "
                            "--expected)")
        parser.add_argument("--expected-high", type=int, help="the most expected (default: "
                            "--expected)")
        parser.add_argument("--horizon", type=float, help="hours ahead of each row")
        parser.add_argument("--out", type=Path, help="the forecasts, as CSV: issued_at, "
                            "target_time, p10, p50, p90")
        parser.add_argument("--scored-from", type=float, default=0.0, metavar="PERCENT",
                            help="score only rows once this share of --expected has crossed "
                                 "(the benchmark scores from 10)")

    def handle(self, *args, **options):
        if options["curve"]:
            self._backtest(options)
        else:
            self._current(options)

    def _expected(self, options, required: bool) -> Expected | None:
        given = [options["expected"], options["expected_low"], options["expected_high"]]
        if not required and all(v is None for v in given):
            return None
        problems = Problems()
        expected = clean_range(options["expected_low"], options["expected"],
                               options["expected_high"], problems)
        if problems.errors:
            names = {"likely": "--expected", "low": "--expected-low", "high": "--expected-high"}
            raise CommandError("; ".join(f"{names.get(e.field, e.field)} {e.message}"
                                         for e in problems.errors))
        return expected

    def _backtest(self, options):
        expected = self._expected(options, required=True)
        horizon = options["horizon"]
        if horizon is None or not math.isfinite(horizon) or not 0 < horizon <= LONGEST_HORIZON:
            raise CommandError(f"--horizon must be more than 0 and at most {LONGEST_HORIZON} "
                               "hours")
        if options["out"] is None:
            raise CommandError("--out is required with --curve")
        if not 0 <= options["scored_from"] < 100:
            raise CommandError("--scored-from must be a percentage from 0 to less than 100")
        path = options["curve"]
        rows, errors = backtest.read_curve(read_file(path))
        if errors:
            for error in errors:
                self.stderr.write(f"{path}: {error}")
            raise CommandError(f"{len(errors)} problem(s) in {path}; nothing was forecast")
        with tqdm(total=len(rows), unit="row", desc="Forecasting", disable=None) as bar:
            issued = backtest.backtest(rows, expected, horizon, progress=bar.update)
        with open(options["out"], "w", newline="", encoding="utf-8") as out:
            backtest.write_issued(issued, out)
        threshold = expected.likely * options["scored_from"] / 100
        scored = [i for i in issued if i.row.report.crossed >= threshold]
        score = backtest.score(scored, backtest.file_truth(rows))
        self.stdout.write(f"{len(issued):,} forecasts {horizon:g} h ahead written to "
                          f"{options['out']}; {score.summary()}.")

    def _current(self, options):
        for name in ("horizon", "out"):
            if options[name] is not None:
                raise CommandError(f"--{name} needs --curve")
        _ensure_migrated()
        now = timezone.now()
        override = self._expected(options, required=False)
        if override is None:
            row = ExpectedPopulation.objects.current()
            if row is None:
                raise CommandError("no expected population is set: set one through POST "
                                   "/api/forecast/expected, or give --expected")
            who = row.set_by.get_username() if row.set_by else "?"
            expected, source = row.range, f"set by {who} on {_when(row.set_at)}"
        else:
            expected, source = override, "from --expected"
        reports = queries.tally_reports(now)
        if not reports:
            raise CommandError("no tally has been counted yet: there is nothing to forecast "
                               "from")
        self.stdout.write(describe(flow.forecast(reports, expected, issued_at=now), source))


def _ensure_migrated() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise CommandError("the database is not migrated: run `refuge migrate` first")


def _when(moment) -> str:
    if moment is None:
        return "not within three weeks"
    return date_format(timezone.localtime(moment), "j E H:i")


def _people(band: Band) -> str:
    return f"{band.p50:>9,.0f}  (80 %: {band.p10:,.0f}–{band.p90:,.0f})"


def describe(forecast: Forecast, source: str) -> str:
    e = forecast.expected
    rows = []
    for hours, band in sorted(forecast.horizons.items()):
        at = forecast.issued_at + timedelta(hours=hours)
        rows.append((f"by {_when(at)} (+{hours:g} h)", _people(band)))
    rows.append(("in all", _people(forecast.total)))
    rows.append(("still to come", _people(forecast.still_to_come)))
    width = max(len(label) for label, _value in rows)
    low, middle, high = forecast.over_at()
    lines = [
        f"Forecast issued {_when(forecast.issued_at)} ({timezone.get_current_timezone_name()}): "
        f"{forecast.crossed:,} crossed, about {forecast.rate:,.0f} an hour now.",
        *(f"  {label:<{width}} {value}" for label, value in rows),
        f"  likely over by {_when(middle)} (80 %: {_when(low)} – {_when(high)})",
        f"Expected {e.low:,}–{e.likely:,}–{e.high:,} ({source}); the forecast allows "
        f"{e.floor:,}–{e.ceiling:,}.",
    ]
    if forecast.range_exceeded:
        lines.append("More have crossed than the expected range allows: set it again.")
    if forecast.stalled_hours is not None:
        lines.append(f"The flow stopped {forecast.stalled_hours:.0f} h ago: "
                     f"{100 * forecast.reopen_chance:.0f} % likely a closed road or a crossing "
                     "point not reporting, otherwise the end.")
    return "\n".join(lines)
