"""A registrar types, in Latin letters, a woman registered yesterday in Armenian: the desk
warns with the evidence, and she links the row instead of registering her twice."""


import pytest

from refuge.conftest import make_household, make_user, member, open_desk
from refuge.registry.models import Person, Post

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_registrar_sees_a_person_registered_in_another_script_and_links_her(live_server,
                                                                              page):
    registrar = make_user("anna", "registrar")
    goris = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre")
    earlier = make_household(goris, registrar, member(
        "Անահիտ", "Հովհաննիսյան", patronymic="Սամվելի", sex="F", birth_date="1972-04-11"))
    anahit = earlier.members.get()

    open_desk(page, live_server.url, "anna")

    page.keyboard.type("Armen")
    page.keyboard.press("Tab")
    page.keyboard.type("Oganesyan")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("M")
    for _field in ("born", "needs", "document"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the end of the row: on to the next
    page.wait_for_function("document.activeElement.name === 'members-1-given_name'")
    page.keyboard.type("Anahit")
    page.keyboard.press("Tab")
    page.keyboard.type("Hovhannisyan")
    page.keyboard.press("Tab")
    page.keyboard.type("Samveli")
    page.keyboard.press("Tab")
    page.keyboard.type("F")
    page.keyboard.press("Tab")
    page.keyboard.type("1972-04-11")

    match = page.locator('[data-testid="match"]').first
    match.wait_for()
    assert earlier.registration_number in match.inner_text()
    assert "given name" in match.inner_text()
    match.get_by_role("button").focus()
    page.keyboard.press("Enter")
    page.locator('[data-testid="linked"]').wait_for()
    assert page.locator('[name="members-1-same_as"]').input_value() == str(anahit.uuid)

    page.locator('[name="destination"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-testid="registered"]')
    anahit.refresh_from_db()
    assert Person.objects.filter(given_name__in=["Anahit", "Անահիտ"]).count() == 1
    assert anahit.household.members.filter(given_name="Armen").exists()
