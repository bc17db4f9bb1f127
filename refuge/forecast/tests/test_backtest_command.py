"""`refuge forecast --curve`: a backtest on a file, row by row, with no peeking ahead."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from refuge.forecast import backtest, curves
from refuge.forecast.flow import Expected

CURVE = curves.curve_csv(curves.reported_2023())


def run(tmp_path, text, *args):
    path = tmp_path / "curve.csv"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("forecast", "--curve", str(path), "--out", str(out), *args,
                 stdout=stdout, stderr=stderr)
    return out, stdout.getvalue(), stderr.getvalue()


def rows_of(path) -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def test_it_writes_a_forecast_for_every_row_and_ends_with_a_score(tmp_path):
    out, stdout, _ = run(tmp_path, CURVE, "--expected", "120000", "--expected-high", "145000",
                         "--horizon", "24")
    rows = rows_of(out)
    assert list(rows[0]) == ["issued_at", "target_time", "p10", "p50", "p90"]
    assert len(rows) == len(curves.KARABAKH_2023)
    assert rows[5]["issued_at"] == "2023-09-27T08:00+04:00"
    assert rows[5]["target_time"] == "2023-09-28T08:00+04:00"
    assert int(rows[5]["p10"]) <= int(rows[5]["p50"]) <= int(rows[5]["p90"]) <= 174_000
    summary = stdout.strip().splitlines()[-1]
    assert summary.startswith(f"{len(rows)} forecasts 24 h ahead written to ")
    assert "forecasts scored: mean absolute error" in summary
    assert "maximum" in summary and "p10-p90 covered the truth in" in summary


def test_the_summary_scores_only_targets_within_the_file(tmp_path):
    issued = backtest.backtest(backtest.read_curve(CURVE)[0], Expected(120_000, 120_000,
                                                                       145_000), 24)
    rows = backtest.read_curve(CURVE)[0]
    score = backtest.score(issued, backtest.file_truth(rows))
    within = [i for i in issued if i.target <= rows[-1].report.at]
    assert score.rows == len(within) < len(issued)
    # the first scored forecast, by hand: truth linear between the reports around its target
    first = within[0]
    truth = backtest.file_truth(rows)(first.target)
    assert rows[0].report.crossed < truth < rows[-1].report.crossed
    errors = [abs(i.band.p50 - backtest.file_truth(rows)(i.target)) /
              backtest.file_truth(rows)(i.target) * 100 for i in within]
    assert score.mean_error == pytest.approx(sum(errors) / len(errors))
    assert score.max_error == pytest.approx(max(errors))


def test_a_truncated_file_gives_the_same_row_as_the_whole_file(tmp_path):
    whole, _, _ = run(tmp_path, CURVE, "--expected", "120000", "--horizon", "12")
    lines = CURVE.splitlines()
    for cut in (4, 9, 14):
        part = tmp_path / f"part{cut}"
        part.mkdir()
        short, _, _ = run(part, "\n".join(lines[: cut + 1]) + "\n", "--expected", "120000",
                          "--horizon", "12")
        assert rows_of(short)[-1] == rows_of(whole)[cut - 1]


def test_times_keep_the_style_they_were_written_in(tmp_path, settings):
    text = ("time,cumulative_crossed\n2023-09-26 08:00:00,13550\n2023-09-26 20:00:00,28120\n"
            "2023-09-27 08:00:00,42502\n")
    out, _, _ = run(tmp_path, text, "--expected", "120000", "--horizon", "6.5")
    rows = rows_of(out)
    assert [r["issued_at"] for r in rows] == ["2023-09-26 08:00:00", "2023-09-26 20:00:00",
                                              "2023-09-27 08:00:00"]
    assert rows[0]["target_time"] == "2023-09-26 14:30:00"
    utc = "time,cumulative_crossed\n2023-09-26T04:00Z,13550\n2023-09-26T16:00Z,28120\n"
    rows = rows_of(run(tmp_path, utc, "--expected", "120000", "--horizon", "24")[0])
    assert rows[1]["issued_at"] == "2023-09-26T16:00Z"
    assert rows[1]["target_time"] == "2023-09-27T16:00Z"


@pytest.mark.parametrize("text, message", [
    ("when,people\n2023-09-26T08:00,1\n",
     "the file has no column time, cumulative_crossed"),
    ("time,cumulative_crossed\n26/09/2023 8am,100\n",
     "line 2: time 26/09/2023 8am is not a date and time (ISO 8601"),
    ("time,cumulative_crossed\n2023-09-26T08:00,\n",
     "line 2: cumulative_crossed (empty) is not a whole number of people"),
    ("time,cumulative_crossed\n2023-09-26T08:00,12.5\n",
     "line 2: cumulative_crossed 12.5 is not a whole number of people"),
    ("time,cumulative_crossed\n2023-09-26T08:00,-3\n",
     "line 2: cumulative_crossed -3 is not a whole number of people"),
    ("time,cumulative_crossed,vehicles\n2023-09-26T08:00,100,lots\n",
     "line 2: vehicles lots is not a whole number of vehicles"),
    ("time,cumulative_crossed\n2023-09-26T08:00,100\n2023-09-26T07:00,200\n",
     "line 3: time 2023-09-26T07:00 is not after the row before (line 2)"),
    ("time,cumulative_crossed\n2023-09-26T08:00,100\n2023-09-26T09:00,90\n",
     "line 3: cumulative_crossed 90 is fewer than the 100 of the row before"),
    ("time,cumulative_crossed,vehicles\n2023-09-26T08:00,100,30\n2023-09-26T09:00,150,20\n",
     "line 3: vehicles 20 is fewer than the 30 before it"),
    ("time,cumulative_crossed\n", "the file has no rows"),
])
def test_bad_rows_are_reported_by_line_and_nothing_is_written(tmp_path, text, message):
    path = tmp_path / "curve.csv"
    path.write_text(text, encoding="utf-8")
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was forecast"):
        call_command("forecast", "--curve", str(path), "--out", str(tmp_path / "out.csv"),
                     "--expected", "1000", "--horizon", "24", stderr=stderr)
    assert message in stderr.getvalue()
    assert not (tmp_path / "out.csv").exists()


def test_every_bad_row_is_reported_not_just_the_first(tmp_path):
    text = "time,cumulative_crossed\nyesterday,1\n2023-09-26T08:00,x\n2023-09-26T09:00,5\n"
    stderr = io.StringIO()
    path = tmp_path / "curve.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="2 problem"):
        call_command("forecast", "--curve", str(path), "--out", str(tmp_path / "o.csv"),
                     "--expected", "1000", "--horizon", "24", stderr=stderr)
    assert "line 2:" in stderr.getvalue() and "line 3:" in stderr.getvalue()


@pytest.mark.parametrize("args, message", [
    (["--horizon", "24"], "--expected is required"),
    (["--expected", "0", "--horizon", "24"], "--expected must be from 1 to"),
    (["--expected", "100", "--expected-low", "200", "--horizon", "24"],
     "--expected-low must be at most the likely value"),
    (["--expected", "100", "--expected-high", "50", "--horizon", "24"],
     "--expected-high must be at least the likely value"),
    (["--expected", "100"], "--horizon must be more than 0"),
    (["--expected", "100", "--horizon", "-2"], "--horizon must be more than 0"),
    (["--expected", "100", "--horizon", "nan"], "--horizon must be more than 0"),
])
def test_bad_arguments_say_what_is_wrong(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run(tmp_path, CURVE, *args)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("forecast", "--curve", str(tmp_path / "nope.csv"), "--out",
                     str(tmp_path / "o.csv"), "--expected", "1000", "--horizon", "24")


def test_scored_from_leaves_out_the_first_rows(tmp_path):
    _, everything, _ = run(tmp_path, CURVE, "--expected", "120000", "--horizon", "24")
    _, from_ten, _ = run(tmp_path, CURVE, "--expected", "120000", "--horizon", "24",
                         "--scored-from", "10")
    assert int(everything.split("; ")[1].split()[0]) > int(from_ten.split("; ")[1].split()[0])


def test_rows_far_apart_are_forecast_too(tmp_path):
    reports = curves.shaped_2023().reports[::7]
    out, stdout, _ = run(tmp_path, curves.curve_csv(reports), "--expected", "120000",
                         "--horizon", "48")
    rows = rows_of(out)
    assert len(rows) == len(reports)
    first = rows[0]
    assert backtest.parse_time(first["target_time"]) - backtest.parse_time(
        first["issued_at"]) == timedelta(hours=48)


def test_without_a_curve_it_prints_the_forecast_from_the_tallies(personas, crossing):
    from django.utils import timezone

    from refuge.forecast import services
    from refuge.registry.models import Tally

    services.set_expected({"low": 90_000, "likely": 100_000, "high": 120_000},
                          user=personas["administrator"])
    now = timezone.now()
    Tally.objects.bulk_create([Tally(post=crossing, people_aboard=5,
                                     counted_at=now - timedelta(minutes=3 * i))
                               for i in range(1, 200)])
    stdout = io.StringIO()
    call_command("forecast", stdout=stdout)
    text = stdout.getvalue()
    assert "995 crossed, about" in text
    assert "(+24 h)" in text and "(80 %:" in text and "still to come" in text
    assert "Expected 90,000–100,000–120,000 (set by administrator on" in text


def test_without_a_curve_or_a_range_it_says_how_to_set_one(db):
    with pytest.raises(CommandError, match="no expected population is set"):
        call_command("forecast")


def test_without_a_curve_or_tallies_it_says_there_is_nothing_to_forecast(db):
    with pytest.raises(CommandError, match="no tally has been counted yet"):
        call_command("forecast", "--expected", "1000")


def test_on_a_database_not_yet_migrated_it_says_what_to_run(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["REFUGE_VAR_DIR"] = str(tmp_path / "var")
    done = subprocess.run([sys.executable, "-m", "refuge.cli", "forecast"],
                          cwd=Path(__file__).resolve().parents[3], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines()[-1] == (
        "CommandError: the database is not migrated: run `refuge migrate` first")
