"""A registrar registers a family of five with the keyboard only, prints the card,
and finds the family again by search: in Debian's Chromium, through Playwright."""

import re
import time

import pytest

from refuge.accounts.models import Post
from refuge.conftest import make_user
from refuge.registry.models import Household, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Keys:
    """The keyboard, counting the keys pressed besides the letters of the data."""

    def __init__(self, page):
        self.page = page
        self.presses = 0

    def type(self, text: str) -> None:
        if text:
            self.page.keyboard.type(text)

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.presses += 1


def enter_member(keys: Keys, given, family=None, father=None, sex="", born="", needs="",
                 document="", relation_key=None):
    """One row, left to right: given, family, father's name, sex, born, needs, document."""
    if relation_key:
        keys.press("Shift+Tab")
        keys.type(relation_key)
        keys.press("Tab")
    keys.type(given)
    keys.press("Tab")
    if family is not None:
        keys.type(family)  # a prefilled name is selected on focus, so typing replaces it
    keys.press("Tab")
    if father is not None:
        keys.type(father)
    keys.press("Tab")
    keys.type(sex)
    keys.press("Tab")
    keys.type(born)
    keys.press("Tab")
    keys.type(needs)
    keys.press("Tab")
    keys.type(document)
    keys.press("Enter")  # Enter at the end of a row opens the next one


def test_a_registrar_registers_a_family_of_five_with_the_keyboard(live_server, page):
    make_user("anna", "registrar")
    Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre")
    keys = Keys(page)

    page.goto(f"{live_server.url}/desk/")
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password").fill("anna-pass-1")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/post/"))
    page.wait_for_function("document.activeElement && document.activeElement.name === 'post'")
    keys.press("Tab")  # the post list has one open centre; on to the desk number
    keys.type("3")
    keys.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/")

    started = time.monotonic()
    first_field = page.locator('[name="members-0-given_name"]')
    assert first_field.evaluate("el => el === document.activeElement")
    enter_member(keys, "Анаит", "Оганесян", "Самвеловна", "F", "1972", document="AN1234567")
    assert page.locator('[name="members-1-family_name"]').input_value() == "Оганесян"
    enter_member(keys, "Armen", "Hovhannisyan", "Grigori", "M", "1969-04", "DIS")
    enter_member(keys, "Հայկ", sex="M", born="age 7")
    assert page.locator('[name="members-2-patronymic"]').input_value() == "Armen"
    enter_member(keys, "Мариам", sex="F", born="14.04.2012")
    enter_member(keys, "Грачья", father="Ашот", sex="M", born="1941", needs="OP",
                 relation_key="p")
    assert page.locator(".hint", has_text="about").first.is_visible()
    keys.press("Enter")  # Enter on the empty sixth row moves on to the household fields
    keys.type("077123456")
    keys.press("Enter")
    keys.type("Stepanakert")
    keys.press("Enter")
    keys.type("2")  # one key: staying with relatives or friends
    keys.press("Enter")
    keys.type("relatives, Kotayk")
    keys.press("Enter")  # Enter in the last field saves
    page.wait_for_selector('[data-testid="registered"]')
    seconds = time.monotonic() - started

    household = Household.objects.get()
    members = {p.given_name: p for p in household.members.all()}
    assert set(members) == {"Анаит", "Armen", "Հայկ", "Мариам", "Грачья"}
    assert members["Armen"].family_name == "Hovhannisyan"
    assert members["Հայկ"].family_name == "Оганесян"
    assert members["Հայկ"].patronymic == "Armen"
    assert members["Грачья"].relationship == "parent"
    assert members["Грачья"].need_codes == ["OP"]
    assert members["Мариам"].birth_precision == "day"
    assert members["Анаит"].phone == "+37477123456"
    assert household.members.filter(origin="Stepanakert").count() == 5
    assert household.accommodation == Household.RELATIVES
    # A child's document is taken for a birth certificate, an adult's for a passport.
    assert members["Анаит"].documents.get().kind == "passport"
    # Well under a minute, with few keys besides the data itself.
    assert seconds < 30
    assert keys.presses <= 46, keys.presses

    number = household.registration_number
    assert page.get_by_test_id("registered").inner_text().count(number) == 1
    page.evaluate("window.print = () => { window.printed = true; }")
    keys.press("Alt+p")
    page.wait_for_selector('[data-testid="card"]')
    assert page.get_by_test_id("card-number").inner_text() == number
    assert page.locator(".card svg").count() == 1

    page.goto(f"{live_server.url}/search/")
    keys.type("Hovhannisyan Anait")
    keys.press("Enter")
    page.wait_for_selector('[data-testid="result-count"]')
    assert page.locator("table.people tbody tr").count() == 1
    assert "Анаит" in page.locator("table.people").inner_text()
    page.get_by_role("textbox").fill("")
    page.get_by_role("textbox").focus()
    keys.type("Оганесян")
    keys.press("Enter")
    page.wait_for_selector('[data-testid="result-count"]')
    assert page.locator("table.people tbody tr").count() == 5  # Hovhannisyan is the same name
    assert Person.objects.count() == 5


def test_an_error_at_the_desk_keeps_the_typing_and_points_at_the_field(live_server, page):
    make_user("anna", "registrar")
    post = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password").fill("anna-pass-1")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/post/?next=/desk/")
    page.select_option("select[name=post]", str(post.pk))
    page.focus("select[name=post]")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/")
    page.keyboard.type("Anahit")
    page.keyboard.press("Tab")
    page.keyboard.type("Hakobyan")
    for _ in range(3):
        page.keyboard.press("Tab")
    page.keyboard.type("2031")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".error.summary")
    # The summary is on the page as soon as it is parsed; the desk's script then moves the
    # focus to the field refused.
    page.wait_for_function("document.activeElement"
                           " && document.activeElement.name === 'members-0-birth_date'")
    born = page.locator('[name="members-0-birth_date"]')
    assert born.input_value() == "2031"
    assert page.locator('[name="members-0-given_name"]').input_value() == "Anahit"
    assert "2031 is in the future" in page.locator("tr.member").first.inner_text()
    assert Household.objects.count() == 0
