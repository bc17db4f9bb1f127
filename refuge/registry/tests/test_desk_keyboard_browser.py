"""The desk by keyboard, as registrars found it in the field trial: a certain duplicate
needs a choice and gets one by keyboard, focus lands where the next key makes sense,
Ctrl+Enter saves from anywhere, the document's kind and a local sex letter are typed
without switching layout, and warnings go with the row they were about. In Debian's
Chromium, through Playwright."""

import pytest

from refuge.accounts.models import Post
from refuge.conftest import make_household, make_user, member, open_desk
from refuge.matching.models import CandidatePair
from refuge.registry.models import Household, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def goris(db) -> Post:
    return Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre",
                               province="Syunik")


def type_row(page, *values: str) -> None:
    """Given name, family name, father's name, sex, born: Tab between them."""
    for i, value in enumerate(values):
        if i:
            page.keyboard.press("Tab")
        if value:
            page.keyboard.type(value)


def focused(page, expression: str) -> None:
    page.wait_for_function(
        f"(() => {{ const el = document.activeElement; return {expression}; }})()")


def test_a_certain_duplicate_is_kept_apart_by_keyboard_and_saving_works_from_the_button(
        live_server, page, goris):
    anna = make_user("anna", "registrar")
    earlier = make_household(goris, anna, member("Գոռ", "Պետրոսյան", patronymic="Արամի",
                                                 sex="M", birth_date="1986-06-01"))
    open_desk(page, live_server.url, "anna")
    type_row(page, "Gor", "Petrosyan", "Aram", "M", "1986-06-01")
    match = page.get_by_test_id("match").first
    match.wait_for()
    assert "Already registered" in match.inner_text()
    assert earlier.registration_number in match.inner_text()
    # Tab goes on into the row; the registrar reaches the choice with the keyboard.
    match.get_by_test_id("different").focus()
    page.keyboard.press("Enter")
    page.get_by_test_id("kept-apart").wait_for()
    # Focus returns to where the registrar was typing, and Ctrl+Enter saves from anywhere.
    focused(page, "el.name === 'members-0-birth_date'")
    page.evaluate("document.activeElement.blur()")  # nothing focused at all
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('[data-testid="registered"]')
    saved = Person.objects.exclude(household=earlier).get()
    pair = CandidatePair.objects.get(person_b=saved)
    assert pair.status == CandidatePair.REJECTED


def test_saving_a_certain_duplicate_unanswered_keeps_everything_typed(live_server, page, goris):
    anna = make_user("anna", "registrar")
    make_household(goris, anna, member("Gor", "Petrosyan", sex="M", birth_date="1986-06-01",
                                       documents=[{"kind": "passport", "number": "AM7654321"}]))
    open_desk(page, live_server.url, "anna")
    type_row(page, "Gor", "Petrosyan", "", "M", "1986-06-01")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".error.summary")
    assert page.locator('[name="members-0-given_name"]').input_value() == "Gor"
    assert "already registered in" in page.locator("[data-error-for=same_as]").inner_text()
    assert Person.objects.count() == 1


def test_the_document_kind_and_a_local_sex_letter_are_typed_by_keyboard(
        live_server, page, goris):
    make_user("anna", "registrar")
    open_desk(page, live_server.url, "anna")
    page.get_by_role("button", name="ՀԱՅ").click()  # the desk in Armenian
    page.wait_for_function("document.documentElement.lang === 'hy'")
    page.locator('[name="members-0-given_name"]').focus()
    type_row(page, "Անահիտ", "Հովհաննիսյան", "Սամվելի", "Ի", "1972")
    assert page.locator('[data-hint-for="sex"]').first.inner_text() == "իգական"
    page.keyboard.press("Tab")  # needs
    page.keyboard.press("Tab")
    page.keyboard.type("AN1234567")
    page.keyboard.press("Enter")  # on to the next row
    focused(page, "el.name === 'members-1-given_name'")
    type_row(page, "Լիլիթ", "", "", "ի", "2015")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("II-ՎՄ 654321")
    page.keyboard.press("Tab")  # the kind: guessed from her age, and reachable
    focused(page, "el.dataset.field === 'document_kind'")
    assert page.evaluate("document.activeElement.value") == "birth_certificate"
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('[data-testid="registered"]')
    people = {p.given_name: p for p in Person.objects.all()}
    assert people["Անահիտ"].sex == people["Լիլիթ"].sex == "F"
    assert people["Անահիտ"].documents.get().kind == "passport"
    assert people["Լիլիթ"].documents.get().kind == "birth_certificate"


def test_russian_sex_letters_are_read(live_server, page, goris):
    make_user("anna", "registrar")
    open_desk(page, live_server.url, "anna")
    page.get_by_role("button", name="РУС").click()
    page.wait_for_function("document.documentElement.lang === 'ru'")
    page.locator('[name="members-0-given_name"]').focus()
    type_row(page, "Армен", "Оганесян", "Григорьевич", "М", "1969")
    assert page.locator('[data-hint-for="sex"]').first.inner_text() == "мужской"
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('[data-testid="registered"]')
    assert Person.objects.get().sex == "M"


def test_an_empty_row_warns_of_nobody_and_a_removed_row_takes_its_warnings(
        live_server, page, goris):
    anna = make_user("anna", "registrar")
    make_household(goris, anna,
                   member("Anahit", "Hovhannisyan", patronymic="Armen", sex="F",
                          birth_date="2012-02-02", relationship="focal_point"))
    open_desk(page, live_server.url, "anna")
    type_row(page, "Armen", "Hovhannisyan", "Grigor", "M", "1969")
    page.keyboard.press("Alt+n")  # a new row, prefilled with the family and father's names
    page.wait_for_timeout(900)  # the desk asks the server 300 ms after the last change
    assert page.get_by_test_id("match").count() == 0
    page.keyboard.type("Anahit")
    page.wait_for_timeout(900)
    assert page.get_by_test_id("match").count() == 0  # names alone are nobody yet
    type_row(page, "", "", "", "F", "2012-02-02")
    page.get_by_test_id("match").first.wait_for()
    page.locator('[name="members-1-given_name"]').fill("")
    for name in ("family_name", "patronymic", "sex", "birth_date"):
        page.locator(f'[name="members-1-{name}"]').fill("")
    page.locator('[name="members-1-given_name"]').focus()
    page.keyboard.press("Enter")  # Enter on an empty row removes it
    page.wait_for_function("!document.querySelector('[data-testid=match]')")
    assert Household.objects.count() == 1
