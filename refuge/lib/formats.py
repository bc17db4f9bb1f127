"""Numbers and durations as the page's language writes them, for code that draws text
itself (the charts, the PDF); templates use humanize's `intcomma` and Django's
`timesince`, which end in the same place.

Every count is grouped by thousands in one way per language (refuge/formats/): 1,234 in
English, 1 234 in Armenian and Russian (a no-break space).
"""

from datetime import datetime

from django.utils.formats import number_format
from django.utils.timesince import timesince
from django.utils.translation import ngettext_lazy

# Django's own words for timesince, here so that Refuge's catalogues carry them: Django's
# Armenian catalogue has none, and "3 days, 13 hours" stayed in English. The msgids are
# Django's, so its timesince filter finds these translations as well.
TIME_STRINGS = {
    "year": ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    "month": ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    "week": ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    "day": ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    "hour": ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    "minute": ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
}


def grouped(value: int | float) -> str:
    """A count with its thousands grouped as the current language groups them."""
    return number_format(value, force_grouping=True)


def since(moment: datetime, now: datetime | None = None) -> str:
    """How long ago, in the current language: "3 days, 13 hours", "3 дня, 13 часов"."""
    return timesince(moment, now, time_strings=TIME_STRINGS)
