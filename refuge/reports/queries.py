"""The situation picture: every figure a coordinator asks for, from the pre-counted rows."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.accounts.models import Post
from refuge.lib import situation as sections
from refuge.registry.models import (
    AGE_BANDS,
    UNKNOWN_AGE,
    CrossingFigure,
    Household,
    Person,
    RegistrationFigure,
    SpecificNeed,
)
from refuge.reports.models import SituationSettings

CHILD_BANDS = {i for i, (_low, high) in enumerate(AGE_BANDS) if high < 18}
ELDERLY_BANDS = {i for i, (low, _high) in enumerate(AGE_BANDS) if low >= 60}


@dataclass
class Day:
    day: date
    crossed: int = 0
    registered: int = 0
    placed: int = 0
    crossed_total: int = 0
    registered_total: int = 0
    placed_total: int = 0


@dataclass
class Hour:
    hour: datetime
    crossed: int = 0
    registered: int = 0
    placed: int = 0


@dataclass
class PostFigures:
    code: str
    name: str
    kind: str
    province: str
    crossed: int = 0
    crossed_today: int = 0
    registered: int = 0
    registered_today: int = 0


@dataclass
class Picture:
    as_of: datetime
    expected: int
    crossed: int
    registered: int
    placed: int
    households: int
    days: list[Day]
    hours: list[Hour]
    posts: list[PostFigures]
    pyramid: list[dict]
    needs: list[dict]
    sexes: dict = field(default_factory=dict)
    # The apps' own parts of the picture, by key (refuge.lib.situation): shelter's beds
    # by province, and whatever other apps provide.
    sections: dict[str, dict] = field(default_factory=dict)

    @property
    def backlog(self) -> int:
        return max(self.crossed - self.registered, 0)

    @property
    def crossed_share(self) -> int | None:
        return round(100 * self.crossed / self.expected) if self.expected else None

    @property
    def registered_share(self) -> int | None:
        return round(100 * self.registered / self.expected) if self.expected else None


@dataclass(frozen=True)
class ShownSection:
    """A section of the picture as the dashboard shows it."""

    key: str
    template: str
    figures: dict


def shown_sections(picture: Picture) -> list[ShownSection]:
    return [ShownSection(section.key, section.template, picture.sections[section.key])
            for section in sections.sections()
            if section.template and section.key in picture.sections]


def section_facts(picture: Picture) -> list[tuple[str, int | str]]:
    """The sections' lines for the report's table of facts, in their order."""
    return [fact for section in sections.sections()
            if section.facts and section.key in picture.sections
            for fact in section.facts(picture.sections[section.key])]


def section_tables(picture: Picture) -> list[sections.Table]:
    return [table for section in sections.sections()
            if section.tables and section.key in picture.sections
            for table in section.tables(picture.sections[section.key])]


def fact_rows(picture: Picture) -> list[list[tuple[str, int | str]]]:
    """The report's facts after the day's crossed, registered and placed, two to a row:
    the backlog, the sections' facts, then the expected population and its share."""
    facts = [(_("Waiting to register"), picture.backlog), *section_facts(picture)]
    rows = [facts[i:i + 2] for i in range(0, len(facts), 2)]
    if picture.expected:
        rows.append([(_("Expected population"), picture.expected),
                     (_("Crossed of expected"), f"{picture.crossed_share}%")])
    return rows


def local_days():
    """local_day for many moments at once: the zone looked up once, each hour converted once
    (figures repeat the same few hundred hours thousands of times)."""
    zone = timezone.get_current_timezone()

    @lru_cache(maxsize=8192)
    def day_of(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    return day_of


def situation_figures(now: datetime | None = None, hours_back: int = 24,
                      with_sections: bool = True) -> Picture:
    """Every figure of the situation. Without the apps' sections (shelter occupancy by
    province is the most costly part with a million people) for the exports and the home
    page, which do not show them."""
    now = now or timezone.now()
    crossing_rows = list(CrossingFigure.objects.values_list("hour", "post_id", "people"))
    people_rows = list(
        RegistrationFigure.objects.filter(need="").values("hour", "post_id")
        .annotate(n=Sum("people")).values_list("hour", "post_id", "n")
    )
    placement_rows = [(hour, None, people) for hour, people in sections.series("placed")]
    day_of = local_days()
    today = day_of(now)
    posts = {p.pk: PostFigures(p.code, p.shown_name, p.kind, p.province)
             for p in Post.objects.all()}
    for hour, post_id, people in crossing_rows:
        posts[post_id].crossed += people
        if day_of(hour) == today:
            posts[post_id].crossed_today += people
    for hour, post_id, people in people_rows:
        posts[post_id].registered += people
        if day_of(hour) == today:
            posts[post_id].registered_today += people
    households = Household.objects.filter(status=Household.ACTIVE).count()
    situation = SituationSettings.current()
    return Picture(
        as_of=now,
        expected=situation.expected_population,
        crossed=sum(p.crossed for p in posts.values()),
        registered=sum(p.registered for p in posts.values()),
        placed=Person.objects.filter(status=Person.PLACED).count(),
        households=households,
        days=_days(crossing_rows, people_rows, placement_rows, day_of),
        hours=_hours(crossing_rows, people_rows, placement_rows, now, hours_back),
        posts=list(posts.values()),
        pyramid=pyramid(),
        needs=needs(),
        sexes=dict(RegistrationFigure.objects.filter(need="").values_list("sex")
                   .annotate(n=Sum("people")).order_by()),
        sections=sections.figures(now) if with_sections else {},
    )


def _days(crossing_rows, people_rows, placement_rows, day_of) -> list[Day]:
    by_day: dict[date, Day] = {}
    for hour, _post, people in crossing_rows:
        day = day_of(hour)
        by_day.setdefault(day, Day(day)).crossed += people
    for hour, _post, people in people_rows:
        day = day_of(hour)
        by_day.setdefault(day, Day(day)).registered += people
    for hour, _post, people in placement_rows:
        day = day_of(hour)
        by_day.setdefault(day, Day(day)).placed += people
    if not by_day:
        return []
    first, last = min(by_day), max(by_day)
    # However old a date someone typed, the series has at most REFUGE_FIGURE_DAYS days:
    # what came before its first day is in that day's running totals.
    first = max(first, last - timedelta(days=settings.REFUGE_FIGURE_DAYS - 1))
    before = [day for moment, day in by_day.items() if moment < first]
    crossed = sum(day.crossed for day in before)
    registered = sum(day.registered for day in before)
    placed = sum(day.placed for day in before)
    days = []
    for offset in range((last - first).days + 1):
        day = by_day.get(first + timedelta(days=offset), Day(first + timedelta(days=offset)))
        crossed += day.crossed
        registered += day.registered
        placed += day.placed
        day.crossed_total, day.registered_total, day.placed_total = crossed, registered, placed
        days.append(day)
    return days


def _hours(crossing_rows, people_rows, placement_rows, now: datetime,
           hours_back: int) -> list[Hour]:
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=hours_back - 1)
    hours = {start + timedelta(hours=h): Hour(start + timedelta(hours=h))
             for h in range(hours_back)}
    for rows, attribute in ((crossing_rows, "crossed"), (people_rows, "registered"),
                            (placement_rows, "placed")):
        for hour, _post, people in rows:
            if hour in hours:
                setattr(hours[hour], attribute, getattr(hours[hour], attribute) + people)
    return list(hours.values())


def pyramid() -> list[dict]:
    """People by age group and sex, oldest group first, as a pyramid is drawn."""
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for band, sex, people in (RegistrationFigure.objects.filter(need="")
                              .values_list("age_band", "sex").annotate(n=Sum("people"))
                              .order_by()):
        counts[(band, sex)] += people
    rows = []
    for index in reversed(range(len(AGE_BANDS))):
        low, high = AGE_BANDS[index]
        label = f"{low}+" if high >= 120 else f"{low}–{high}"
        rows.append({"band": label, "F": counts[(index, "F")], "M": counts[(index, "M")]})
    rows.append({"band": "?", "F": counts[(UNKNOWN_AGE, "F")], "M": counts[(UNKNOWN_AGE, "M")]})
    return rows


def needs() -> list[dict]:
    counted = dict(RegistrationFigure.objects.exclude(need="").values_list("need")
                   .annotate(n=Sum("people")).order_by())
    return [{"code": code, "label": label, "people": counted.get(code, 0)}
            for code, label in SpecificNeed.CODES.items()]


def by_date_and_province() -> list[dict]:
    """People registered per day and province, with sex and age groups, for partners."""
    posts = {p.pk: p for p in Post.objects.all()}
    day_of = local_days()
    rows: dict[tuple[date, str], dict] = {}
    for hour, post_id, sex, band, people in (
            RegistrationFigure.objects.filter(need="")
            .values_list("hour", "post_id", "sex", "age_band").annotate(n=Sum("people"))
            .order_by()):
        province = posts[post_id].province
        row = rows.setdefault((day_of(hour), province), {
            "date": day_of(hour), "province": province, "people": 0, "female": 0,
            "male": 0, "children": 0, "elderly": 0})
        row["people"] += people
        if sex == "F":
            row["female"] += people
        elif sex == "M":
            row["male"] += people
        if band in CHILD_BANDS:
            row["children"] += people
        elif band in ELDERLY_BANDS:
            row["elderly"] += people
    return [rows[key] for key in sorted(rows)]


def overview() -> dict:
    """Totals per post, from the pre-counted figures (see refuge.reports), so the home
    page stays fast with a million people registered."""
    situation = situation_figures(with_sections=False)
    households = dict(
        Household.objects.values_list("registered_at_id").annotate(n=Count("id")).order_by()
    )
    codes = dict(Post.objects.values_list("code", "pk"))
    posts = [
        {
            "code": post.code,
            "name": post.name,
            "kind": post.kind,
            "crossed_today": post.crossed_today,
            "crossed": post.crossed,
            "households_registered": households.get(codes[post.code], 0),
            "people_registered": post.registered,
        }
        for post in situation.posts
    ]
    return {
        "crossed": situation.crossed,
        "registered": situation.registered,
        "backlog": situation.backlog,
        "posts": posts,
    }
