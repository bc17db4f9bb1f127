"""The desk reads names, birth dates and sex letters by the registry's own rules: one table
of inputs, read by Python and by the desk's JavaScript in Debian's Chromium, gives the same
answers."""

from datetime import date
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from refuge.lib import dates, names
from refuge.lib.errors import Problems
from refuge.registry.validation import clean_sex

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

BIRTH_DATES = [
    "1972", "1972-04", "1972-4", "1972-04-14", "14.04.1972", "14/04/1972", "04.1972",
    "4/1972", "age 7", "7", "Age 7", "7 y", "7 years", "7 лет", "возраст 7", "7 год",
    "տարիք 7", "7 տ", "7 տ.", "7 տարեկան", "0", "age 0", "120", "age 121", "", "?", "-",
    "unknown", "Unknown", "неизвестно", "անհայտ", "2031", "2023-10", "29.09.2023",
    "1890", "0050", "1972-13-01", "31.02.1980", "29.02.2000", "29.02.1999", "yesterday",
    " 1972 ", "1972-04-14 ", "١٩٧٢", "7 months",
]
# In January an age reads one year earlier than a subtraction of years would say.
DAYS = [date(2024, 1, 15), date(2023, 9, 28), date(2024, 2, 29), date(2023, 12, 31)]
SEX_LETTERS = ["M", "m", "F", "f", "М", "м", "Ж", "ж", "Ա", "ա", "Ի", "ի", "", "U", "X", "Մ"]
NAMES = ["Hovhannisyan", "Оганесян", "Հովհաննիսյան", "Ованесян", "Ghazaryan", "Казарян",
         "Ղազարյան", "Yeghiazaryan", "Եղիազարյան", "Егиазарян", "Vardan", "Վարդան", "Вардан",
         "Shchukin", "Щукин", "Ոսկանյան", "Оганесянц", "Sargsyan", "Саркисян", "José",
         "Mariam-Anna", "O'Brien", "Ցոլակ", "Ruzan", "Ռուզաննա", "Ёлкина", "Էմմա", "ԵՒա",
         "Եվա", "ვახტანგი", "محمد", "Lilit2", "Գ. Մկրտչյան", "Ашот Григорьевич", "Ուռուտյան"]
ERRORS = {"is in the future": "future", "more than": "too_old", "an age of": "too_old",
          "not a real date": "not_real", "is not a date": "not_a_date"}


def python_reads(text: str, today: date) -> dict:
    try:
        birth = dates.parse_birth_date(text, today)
    except dates.BirthDateError as error:
        return {"error": next(code for words, code in ERRORS.items() if words in str(error))}
    return {"value": birth.value.isoformat() if birth.value else None,
            "precision": birth.precision}


def python_sex(letter: str) -> str:
    problems = Problems()
    sex = clean_sex(letter, "sex", problems)
    return "" if problems.errors else sex


@pytest.fixture
def reading_page(browser):
    rules = Client().get("/rules.js").content.decode()
    page = browser.new_page()
    page.set_content("<!doctype html><title>reading</title>")
    page.add_script_tag(content=rules)
    page.add_script_tag(path=str(Path(__file__).parents[2] / "static/refuge/js/reading.js"))
    yield page
    page.close()


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_the_desk_reads_birth_dates_as_the_registry_does(reading_page, today):
    read = reading_page.evaluate(
        "([texts, y, m, d]) => texts.map(t => RefugeDates.parse(t, new Date(y, m - 1, d)))",
        [BIRTH_DATES, today.year, today.month, today.day])
    assert dict(zip(BIRTH_DATES, read, strict=True)) == {
        text: python_reads(text, today) for text in BIRTH_DATES}


def test_the_desk_reads_sex_letters_as_the_registry_does(reading_page):
    read = reading_page.evaluate("letters => letters.map(l => RefugeSex.read(l))", SEX_LETTERS)
    assert dict(zip(SEX_LETTERS, read, strict=True)) == {
        letter: python_sex(letter) for letter in SEX_LETTERS}


def test_the_desk_makes_the_same_names_and_keys_as_the_server(reading_page):
    read = reading_page.evaluate(
        "names => names.map(n => [RefugeNames.toLatin(n), RefugeNames.searchKey(n)])", NAMES)
    assert dict(zip(NAMES, map(tuple, read), strict=True)) == {
        name: (names.to_latin(name), names.search_key(name)) for name in NAMES}


@pytest.mark.parametrize("lang", ["en", "hy", "ru"])
def test_the_desk_reads_a_date_back_in_words_as_the_server_would(reading_page, lang):
    translation.activate(lang)
    strings = {"readings": {p: str(t) for p, t in dates.READINGS.items()},
               "months": [str(m) for m in dates.MONTHS.values()],
               "months_in_dates": [str(m) for m in dates.MONTHS_ALT.values()],
               "unknown": str(dates.describe(None, dates.UNKNOWN)),
               "errors": {}}
    today = date(2024, 1, 15)
    typed = ["14.04.1972", "1972-04", "1972", "age 7", ""]
    read = reading_page.evaluate(
        "([texts, s]) => texts.map(t => RefugeDates.reading("
        "RefugeDates.parse(t, new Date(2024, 0, 15)), s))", [typed, strings])
    assert read == [dates.reading(dates.parse_birth_date(t, today)) for t in typed]
    if lang == "en":
        assert read[3] == "about 2016"  # age 7 in January 2024: born mid-2016
    if lang == "ru":
        assert read[0] == "14 апреля 1972"
    translation.deactivate()


DESK_DATES = ["3.9.1987", "03/09/1987", "1987-09-03", "9.1987", "1987", "age 7", "7 лет",
              "неизвестно", "2091", "31.02.1980", "soon"]


@pytest.mark.django_db(transaction=True)
def test_the_desk_shows_the_servers_reading_of_what_is_typed(live_server, page):
    """On the desk itself, with the rules and words the server sends it: what is shown
    beside a birth date is what the registry will store, said as the server says it."""
    from refuge.accounts.models import Post
    from refuge.conftest import make_user, open_desk
    from refuge.registry.views import desk_strings

    make_user("anna", "registrar")
    Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre",
                        province="Syunik")
    open_desk(page, live_server.url, "anna")
    born = page.locator('[name="members-0-birth_date"]')
    hint = born.locator("xpath=..").locator(".hint")
    errors = desk_strings()["date_errors"]
    for text in DESK_DATES:
        born.fill(text)
        today = date.today()
        expected = python_reads(text, today)
        if "error" in expected:
            wanted = str(errors[expected["error"]])
        else:
            wanted = dates.reading(dates.parse_birth_date(text, today))
        page.wait_for_function("([el, want]) => el.textContent === want",
                               arg=[hint.element_handle(), wanted], timeout=5_000)
    born.fill("3.9.1987")
    assert hint.inner_text() == "3 September 1987"
