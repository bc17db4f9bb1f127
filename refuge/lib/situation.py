"""The situation picture's sections, provided by the apps that know their figures.

The reports app draws the dashboard, `/api/situation` and the daily PDF from the
registry's pre-counted figures. Everything else a coordinator reads there (shelter by
province, tracing cases, aid reached, the forecast) is a Section that its own app
provides in AppConfig.ready(), so reports imports none of those apps and a new app adds
its part of the picture without editing reports.

A section's figures are aggregates only (no names: every role that reads figures,
analysts included, sees them) and plain JSON values, since `/api/situation` returns them
as they are under the section's key.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Table:
    """A table of the printed report: headings and rows of text, as shown."""

    title: str
    headings: list[str]
    rows: list[list[str]]
    # Printed instead of the table when it has no rows.
    empty: str = ""


@dataclass(frozen=True)
class Context:
    """What a section's figures are worked out for."""

    now: datetime
    # The figures of the sections before this one, by key: a later section (the
    # forecast's beds) may read an earlier one's (shelter's free beds).
    earlier: dict = field(default_factory=dict)


# (hour, people) rows: the changes an app adds to one of the picture's hourly series.
Series = Callable[[], list[tuple[datetime, int]]]


@dataclass(frozen=True)
class Section:
    key: str
    # Where it comes on the dashboard and in the report: lower first.
    order: int
    figures: Callable[[Context], dict]
    # The dashboard's part, rendered with {"figures": ..., "section": ...}; "" for none.
    template: str = ""
    # The printed report's tables, from the figures; None for none.
    tables: Callable[[dict], list[Table]] | None = None
    # Lines for the report's table of facts, (label, count or text), from the figures.
    facts: Callable[[dict], list[tuple[str, int | str]]] | None = None
    # Hourly changes to the picture's series, by name ("placed": people checked in, +,
    # and out, -, of shelter), so the picture's charts need not know who counts them.
    series: dict[str, Series] = field(default_factory=dict)


_sections: dict[str, Section] = {}


def provide(section: Section) -> None:
    """Add (or replace, for a reloaded app) a section of the situation picture."""
    _sections[section.key] = section


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def figures(now: datetime) -> dict[str, dict]:
    """Every section's figures, in order, each seeing those before it."""
    found: dict[str, dict] = {}
    for section in sections():
        found[section.key] = section.figures(Context(now, dict(found)))
    return found


def series(name: str) -> list[tuple[datetime, int]]:
    """The hourly changes every section adds to one series."""
    return [row for section in sections() if name in section.series
            for row in section.series[name]()]
