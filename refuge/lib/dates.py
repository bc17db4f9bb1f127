"""Forgiving birth dates: what a registrar types, read into a date and its precision."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.dates import MONTHS, MONTHS_ALT
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

EXACT = "day"
MONTH = "month"
YEAR = "year"
ESTIMATED = "estimated"
UNKNOWN = "unknown"
MAX_AGE = 120

# How typed birth dates are read, as data: parse_birth_date below reads these rules, and
# so does the desk's JavaScript (shipped by refuge.registry.rules), so a date reads the
# same on the screen as in the registry. Patterns are written in the part of regular
# expressions Python and JavaScript share ([0-9], not \d, which Python widens).
RULES = {
    "unknown": ["", "?", "-", "unknown", "неизвестно", "անհայտ"],
    "patterns": [
        {"regex": r"^([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?$",
         "parts": ["year", "month", "day"]},
        {"regex": r"^([0-9]{1,2})[./]([0-9]{1,2})[./]([0-9]{4})$",
         "parts": ["day", "month", "year"]},
        {"regex": r"^([0-9]{1,2})[./]([0-9]{4})$", "parts": ["month", "year"]},
        {"regex": r"^(?:age|возраст|տարիք)?\s*([0-9]{1,3})\s*"
                  r"(?:y|yrs|years|лет|года|год|г\.|տ\.?|տարեկան)?$",
         "parts": ["age"]},
    ],
    "max_age": MAX_AGE,
    # An age alone is read as half a year past the last birthday: the least wrong guess,
    # and it keeps age_on(birth, today) equal to the age given.
    "days_past_birthday": 182,
}
PATTERNS = [(re.compile(p["regex"], re.IGNORECASE), p["parts"]) for p in RULES["patterns"]]


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
    if raw.lower() in RULES["unknown"]:
        return BirthDate(None, UNKNOWN)
    for pattern, names in PATTERNS:
        if match := pattern.match(raw):
            parts = {name: int(g) if g else None for name, g in zip(names, match.groups(),
                                                                     strict=True)}
            if "age" in parts:
                return _from_age(parts["age"], today)
            return _checked(raw, parts["year"], parts.get("month"), parts.get("day"), today)
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
    return BirthDate(years_before(today, age) - timedelta(days=RULES["days_past_birthday"]),
                     ESTIMATED)


# How the desk reads a date back to the registrar before saving, so a day and month typed
# the wrong way round show at once ("4 November 1972", not "1972-11-04").
READINGS = {
    EXACT: _lazy("%(day)s %(month)s %(year)s"),
    MONTH: _lazy("%(month)s %(year)s"),
    YEAR: "%(year)s",
    ESTIMATED: _lazy("about %(year)s"),
}


def reading(birth: BirthDate) -> str:
    """What the desk shows for a date it read: '14 April 1972', 'about 2016'."""
    if birth.value is None:
        return str(_("unknown"))
    # With a day, the month's form for dates ("10 декабря 1939"), else its name alone.
    months = MONTHS_ALT if birth.precision == EXACT else MONTHS
    return str(READINGS[birth.precision]) % {
        "day": birth.value.day, "month": months[birth.value.month], "year": birth.value.year}


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def age_on(value: date | None, today: date) -> int | None:
    if value is None:
        return None
    return today.year - value.year - ((today.month, today.day) < (value.month, value.day))
