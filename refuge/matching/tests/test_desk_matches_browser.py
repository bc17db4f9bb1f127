"""A registrar types, in Latin letters, a woman registered yesterday in Armenian: the desk
warns with the evidence; she links the row, the desk says the household is registered
already, and the new member is added to it instead of registering anyone twice."""


import pytest

from refuge.accounts.models import Post
from refuge.conftest import make_household, make_user, member, open_desk
from refuge.registry.models import Person

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
    match.get_by_test_id("link").focus()
    page.keyboard.press("Enter")
    linked = page.locator('[data-testid="linked"]')
    linked.wait_for()
    assert "stays in that household" in linked.inner_text()
    assert page.locator('[name="members-1-same_as"]').input_value() == str(anahit.uuid)
    # She is half of the people typed: her household is registered already, and the
    # next keystroke is the registrar's choice of what to do with it.
    known = page.get_by_test_id("household-known")
    assert f"already registered as {earlier.registration_number}" in known.inner_text()
    page.wait_for_function("document.activeElement.dataset.testid === 'add-new'")
    page.keyboard.press("Enter")
    assert "Adding the new members" in known.inner_text()
    page.wait_for_function("document.activeElement.id === 'save'")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('[data-testid="registered"]')
    assert "1 new member added" in page.get_by_test_id("registered").inner_text()
    anahit.refresh_from_db()
    assert anahit.household == earlier
    assert Person.objects.filter(given_name__in=["Anahit", "Անահիտ"]).count() == 1
    assert earlier.members.filter(given_name="Armen").exists()
