"""Forgiving birth dates: what a registrar types, read into a date and its precision."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

EXACT = "day"
MONTH = "month"
YEAR = "year"
ESTIMATED = "estimated"
UNKNOWN = "unknown"
MAX_AGE = 120

UNKNOWN_WORDS = {"", "?", "unknown", "неизвестно", "անհայտ", "-"}
ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
DAY_FIRST = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
MONTH_YEAR = re.compile(r"^(\d{1,2})[./](\d{4})$")
AGE = re.compile(r"^(?:age|возраст|տարիք)?\s*(\d{1,3})\s*(?:y|yrs|years|лет|года|год|տ)?$", re.I)


class BirthDateError(ValueError):
    pass


@dataclass(frozen=True)
class BirthDate:
    value: date | None
    precision: str

    def describe(self) -> str:
        """How the desk reads it back, e.g. 'about 2016' or 'April 1972'."""
        return describe(self.value, self.precision)


def describe(value: date | None, precision: str) -> str:
    if value is None or precision == UNKNOWN:
        return _("unknown")
    if precision == EXACT:
        return value.isoformat()
    if precision == MONTH:
        return f"{value.year}-{value.month:02d}"
    if precision == YEAR:
        return str(value.year)
    return _("about %(year)s") % {"year": value.year}


def parse_birth_date(text: str | None, today: date | None = None) -> BirthDate:
    """Read 1972, 1972-04, 1972-04-14, 14.04.1972, 14/04/1972, 04.1972 or 'age 7'.

    Raises BirthDateError with a message fit to show next to the field.
    """
    today = today or date.today()
    raw = (text or "").strip()
    if raw.lower() in UNKNOWN_WORDS:
        return BirthDate(None, UNKNOWN)
    if match := ISO.match(raw):
        year, month, day = (int(g) if g else None for g in match.groups())
        return _checked(raw, year, month, day, today)
    if match := DAY_FIRST.match(raw):
        day, month, year = (int(g) for g in match.groups())
        return _checked(raw, year, month, day, today)
    if match := MONTH_YEAR.match(raw):
        month, year = (int(g) for g in match.groups())
        return _checked(raw, year, month, None, today)
    if match := AGE.match(raw):
        return _from_age(int(match.group(1)), today)
    raise BirthDateError(
        _("%(text)s is not a date: write 1972, 1972-04, 14.04.1972 or age 7") % {"text": raw}
    )


def _checked(raw: str, year: int, month: int | None, day: int | None, today: date) -> BirthDate:
    try:
        value = date(year, month or 1, day or 1)
    except ValueError:
        raise BirthDateError(_("%(text)s is not a real date") % {"text": raw}) from None
    precision = EXACT if day else MONTH if month else YEAR
    if value > today:
        raise BirthDateError(_("%(text)s is in the future") % {"text": raw})
    if today.year - year > MAX_AGE:
        raise BirthDateError(
            _("%(text)s is more than %(max)s years ago") % {"text": raw, "max": MAX_AGE}
        )
    return BirthDate(value, precision)


def _from_age(age: int, today: date) -> BirthDate:
    if age > MAX_AGE:
        raise BirthDateError(
            _("an age of %(age)s is over %(max)s") % {"age": age, "max": MAX_AGE}
        )
    # Half a year past the last birthday is the least wrong guess when only an age is
    # known, and it keeps age_on(birth, today) equal to the age that was given.
    return BirthDate(years_before(today, age) - timedelta(days=182), ESTIMATED)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def age_on(value: date | None, today: date) -> int | None:
    if value is None:
        return None
    return today.year - value.year - ((today.month, today.day) < (value.month, value.day))
