"""Exports of the figures for partners (aggregates, small cells suppressed) and of
people for the roles allowed to see names (written to the audit log)."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook

from refuge.accounts.models import Post
from refuge.lib import provinces
from refuge.lib.disclosure import suppress
from refuge.registry.models import CrossingFigure, Person
from refuge.reports import queries

COLUMNS = [
    # key, header, HXL hashtag
    ("date", gettext_noop("Date"), "#date"),
    ("province", gettext_noop("Province"), "#adm1+name"),
    ("province_code", gettext_noop("Province code"), "#adm1+code"),
    ("people", gettext_noop("People registered"), "#affected+idps+ind"),
    ("female", gettext_noop("Female"), "#affected+idps+ind+f"),
    ("male", gettext_noop("Male"), "#affected+idps+ind+m"),
    ("children", gettext_noop("Children (under 18)"), "#affected+idps+ind+children"),
    ("elderly", gettext_noop("Elderly (60 and over)"), "#affected+idps+ind+elderly"),
    # Counted at the crossing, not registered: a tag that "#affected+idps" does not match.
    ("crossed", gettext_noop("People crossed"), "#affected+crossed+ind"),
]
COUNT_KEYS = ["crossed", "people", "female", "male", "children", "elderly"]


def by_date_and_province() -> list[dict]:
    """Crossed and registered people per day and province, small cells suppressed."""
    rows = {(r["date"], r["province"]): {**r, "crossed": 0} for r in
            queries.by_date_and_province()}
    province_of = dict(Post.objects.values_list("pk", "province"))
    day_of = queries.local_days()
    for hour, post_id, people in CrossingFigure.objects.values_list("hour", "post_id", "people"):
        key = (day_of(hour), province_of[post_id])
        row = rows.setdefault(key, {"date": key[0], "province": key[1], "crossed": 0,
                                    **{k: 0 for k in COUNT_KEYS if k != "crossed"}})
        row["crossed"] += people
    table = []
    for key in sorted(rows):
        row = rows[key]
        shown = {k: suppress(row[k]) for k in COUNT_KEYS}
        # With the total shown, one hidden sex could be worked out from the other.
        if shown["female"] == "" or shown["male"] == "":
            shown["female"] = shown["male"] = ""
        table.append({
            "date": row["date"].isoformat(),
            "province": row["province"],
            "province_code": provinces.code_of(row["province"]),
            **shown,
        })
    return table


def figures_csv(hxl: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([str(_(header)) for _key, header, _tag in COLUMNS])
    if hxl:
        writer.writerow([tag for _key, _header, tag in COLUMNS])
    for row in by_date_and_province():
        writer.writerow([row[key] for key, _header, _tag in COLUMNS])
    return out.getvalue()


def figures_xlsx() -> bytes:
    """The figures a coordinator opens in a spreadsheet, one sheet per table."""
    picture = queries.situation_figures(with_sections=False)
    book = Workbook()
    sheet = book.active
    sheet.title = "By date and province"
    sheet.append([str(_(header)) for _key, header, _tag in COLUMNS])
    sheet.append([tag for _key, _header, tag in COLUMNS])
    for row in by_date_and_province():
        sheet.append([row[key] for key, _header, _tag in COLUMNS])
    # Running totals are left out: the difference of two would reveal a hidden day.
    daily = book.create_sheet("Daily")
    daily.append(["Date", "Crossed", "Registered"])
    for day in picture.days:
        daily.append([day.day, suppress(day.crossed), suppress(day.registered)])
    posts = book.create_sheet("Posts")
    posts.append(["Code", "Post", "Kind", "Province", "Crossed", "Registered"])
    for post in picture.posts:
        posts.append([post.code, post.name, post.kind, post.province, suppress(post.crossed),
                      suppress(post.registered)])
    ages = book.create_sheet("Age and sex")
    ages.append(["Age", "Female", "Male"])
    for row in picture.pyramid:
        ages.append([row["band"], suppress(row["F"]), suppress(row["M"])])
    needs = book.create_sheet("Specific needs")
    needs.append(["Code", "Need", "People"])
    for need in picture.needs:
        needs.append([need["code"], str(need["label"]), suppress(need["people"])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PEOPLE_COLUMNS = ["registration_number", "relationship", "given_name", "family_name",
                  "patronymic", "latin_name", "sex", "birth_date", "birth_precision", "origin",
                  "destination", "phone", "status", "needs", "registered_at", "registered_on"]


def people_csv_rows() -> Iterator[str]:
    """Every person, one CSV line at a time, for the roles allowed to see names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return value

    writer.writerow(PEOPLE_COLUMNS)
    yield flush()
    people = Person.objects.counted().select_related("household__registered_at").order_by("id")
    for person in people.iterator(chunk_size=2000):
        household = person.household
        writer.writerow([spreadsheet_safe(value) for value in [
            household.registration_number, person.relationship, person.given_name,
            person.family_name, person.patronymic, person.latin_name, person.sex,
            person.birth_date or "", person.birth_precision, person.origin,
            person.destination, person.phone, person.status, " ".join(person.need_codes),
            household.registered_at.code, household.registered_on.isoformat(),
        ]])
        yield flush()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula is kept as text (a leading ')."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not value[1:2].isdigit():
        return "'" + value
    return value


def export_name(kind: str, extension: str, day: date) -> str:
    return f"refuge-{kind}-{day.isoformat()}.{extension}"


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    content_type: str
    build: Callable[[], bytes]


CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = {
    "csv": Format("figures", "csv", CSV_TYPE, lambda: figures_csv().encode()),
    "hxl": Format("figures-hxl", "csv", CSV_TYPE, lambda: figures_csv(hxl=True).encode()),
    "xlsx": Format("figures", "xlsx",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   figures_xlsx),
}
