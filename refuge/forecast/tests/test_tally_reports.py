"""The tallies as reports: people and vehicles crossed in all, hour by hour."""

from datetime import UTC, datetime, timedelta

from refuge.forecast import queries, services
from refuge.registry.models import Tally

NOW = datetime(2023, 9, 26, 10, 40, tzinfo=UTC)


def tally(crossing, people, minutes_ago):
    return Tally.objects.create(post=crossing, people_aboard=people,
                                counted_at=NOW - timedelta(minutes=minutes_ago))


def test_each_hour_ends_with_the_people_and_vehicles_crossed_so_far(crossing):
    tally(crossing, 5, 200)  # 07:20
    tally(crossing, 45, 190)  # 07:30, a bus
    tally(crossing, 4, 30)  # 10:10
    reports = queries.tally_reports(NOW)
    assert [(r.at.hour, r.at.minute) for r in reports] == [(8, 0), (9, 0), (10, 0), (10, 40)]
    assert [r.crossed for r in reports] == [50, 50, 50, 54]
    assert [r.vehicles for r in reports] == [2, 2, 2, 3]


def test_tallies_counted_after_now_are_left_out(crossing):
    tally(crossing, 5, 30)
    tally(crossing, 9, -30)
    assert queries.tally_reports(NOW)[-1].crossed == 5


def test_an_hour_without_tallies_counts_as_none_so_a_stop_reads_as_a_stop(crossing):
    tally(crossing, 5, 60 * 5)
    reports = queries.tally_reports(NOW)
    assert len(reports) == 6 and {r.crossed for r in reports} == {5}


def test_no_tallies_no_reports(db):
    assert queries.tally_reports(NOW) == []


def test_counts_older_than_the_history_are_carried_in_the_first_report(crossing):
    tally(crossing, 7, 60 * 24 * 20)
    tally(crossing, 3, 10)
    reports = queries.tally_reports(NOW)
    assert reports[0].crossed == 7 and reports[-1].crossed == 10
    assert NOW - reports[0].at <= queries.HISTORY + timedelta(hours=1)


def test_the_current_forecast_is_remembered_until_a_tally_arrives(crossing, personas):
    services.set_expected({"likely": 10_000}, user=personas["administrator"])
    for minutes in range(10, 600, 10):
        tally(crossing, 5, minutes)
    first = queries.current_forecast(NOW)
    assert queries.current_forecast(NOW + timedelta(seconds=5)) is first
    tally(crossing, 5, 1)
    again = queries.current_forecast(NOW + timedelta(seconds=5))
    assert again is not first and again.crossed == first.crossed + 5
    assert queries.current_forecast(NOW + timedelta(minutes=2)) is not again


def test_a_new_range_is_used_at_once(crossing, personas):
    services.set_expected({"likely": 10_000}, user=personas["administrator"])
    tally(crossing, 5, 10)
    first = queries.current_forecast(NOW)
    services.set_expected({"likely": 20_000}, user=personas["administrator"])
    assert queries.current_forecast(NOW).expected.likely == 20_000 != first.expected.likely


def test_pre_counted_hours_of_the_same_shape_give_the_same_reports(crossing):
    tally(crossing, 5, 200)
    tally(crossing, 45, 190)
    tally(crossing, 4, 30)
    counted = [(datetime(2023, 9, 26, 7, tzinfo=UTC), 50, 2),
               (datetime(2023, 9, 26, 10, tzinfo=UTC), 4, 1)]
    assert queries.tally_reports(NOW, counts=lambda now: counted) == queries.tally_reports(NOW)
