from datetime import date

import pytest

from refuge.lib.dates import BirthDateError, parse_birth_date

TODAY = date(2023, 9, 28)


@pytest.mark.parametrize(("typed", "value", "precision"), [
    ("1972", date(1972, 1, 1), "year"),
    ("1972-04", date(1972, 4, 1), "month"),
    ("1972-04-14", date(1972, 4, 14), "day"),
    ("14.04.1972", date(1972, 4, 14), "day"),
    ("14/04/1972", date(1972, 4, 14), "day"),
    ("04.1972", date(1972, 4, 1), "month"),
    ("age 7", date(2016, 3, 30), "estimated"),
    ("7", date(2016, 3, 30), "estimated"),
    ("", None, "unknown"),
    ("unknown", None, "unknown"),
])
def test_it_reads_what_registrars_type(typed, value, precision):
    birth = parse_birth_date(typed, TODAY)
    assert (birth.value, birth.precision) == (value, precision)


def test_it_describes_an_estimate_as_about_a_year():
    assert parse_birth_date("age 7", TODAY).describe() == "about 2016"


@pytest.mark.parametrize(("typed", "message"), [
    ("2031", "2031 is in the future"),
    ("2023-10", "2023-10 is in the future"),
    ("29.09.2023", "29.09.2023 is in the future"),
    ("1890", "1890 is more than 120 years ago"),
    ("age 121", "an age of 121 is over 120"),
    ("1972-13-01", "1972-13-01 is not a real date"),
    ("31.02.1980", "31.02.1980 is not a real date"),
    ("yesterday", "yesterday is not a date"),
])
def test_it_rejects_impossible_dates_with_a_reason(typed, message):
    with pytest.raises(BirthDateError) as error:
        parse_birth_date(typed, TODAY)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize("age", [0, 1, 17, 18, 59, 60, 119, 120])
@pytest.mark.parametrize("today", [date(2023, 3, 1), date(2023, 9, 28), date(2024, 2, 29)])
def test_an_age_gives_back_that_age_on_the_day(age, today):
    from refuge.lib.dates import age_on

    birth = parse_birth_date(f"age {age}", today)
    assert age_on(birth.value, today) == age
    assert birth.value <= today
