"""Dates, times, durations and counts as each language writes them: day first and a
24-hour clock everywhere, durations in the page's language, thousands grouped one way."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from refuge.lib.formats import grouped, since

GORIS_AFTERNOON = datetime(2023, 9, 27, 16, 5, tzinfo=ZoneInfo("Asia/Yerevan"))


def rendered(text: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load humanize %}" + text).render(Context(context))


@pytest.mark.parametrize(("language", "short", "long"), [
    ("en", "2023-09-27 16:05", "27 Sep 2023, 16:05"),
    ("hy", "27.09.2023 16:05", "27.09.2023, 16:05"),
    ("ru", "27.09.2023 16:05", "27 сентября 2023 г., 16:05"),
])
def test_dates_are_day_first_with_a_24_hour_clock(language, short, long):
    moment = {"moment": GORIS_AFTERNOON}
    assert rendered('{{ moment|date:"SHORT_DATETIME_FORMAT" }}', language, **moment) == short
    assert rendered('{{ moment|date:"DATETIME_FORMAT" }}', language, **moment) == long
    assert rendered("{{ moment|time }}", language, **moment) == "16:05"


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "3 days, 13 hours"), ("hy", "3 օր, 13 ժամ"), ("ru", "3 дня, 13 часов")])
def test_how_long_ago_is_in_the_page_language(language, expected):
    then = GORIS_AFTERNOON - timedelta(days=3, hours=13)
    text = rendered("{{ then|timesince:now }}", language, then=then, now=GORIS_AFTERNOON)
    assert text.replace("\xa0", " ") == expected
    with translation.override(language):
        assert since(then, GORIS_AFTERNOON).replace("\xa0", " ") == expected


def test_russian_durations_take_all_three_plural_forms():
    with translation.override("ru"):
        words = [since(GORIS_AFTERNOON - timedelta(hours=n), GORIS_AFTERNOON) for n in (1, 2, 5)]
    assert [w.replace("\xa0", " ") for w in words] == ["1 час", "2 часа", "5 часов"]


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "100,625"), ("hy", "100\xa0625"), ("ru", "100\xa0625")])
def test_counts_are_grouped_one_way_in_pages_and_in_drawn_text(language, expected):
    assert rendered("{{ n|intcomma }}", language, n=100625) == expected
    with translation.override(language):
        assert grouped(100625) == expected
        assert grouped(625) == "625"
