"""A family comes to the desk again and is typed anew, nobody linked: the desk says at once
that its household is registered, and adding a new member to it links the others, so
nobody is registered twice (issue 15, item 2)."""

import pytest

from refuge.accounts.models import Post
from refuge.conftest import make_household, make_user, member, open_desk
from refuge.registry.models import Household, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAMILY = (("Գոհար", "F", "1981-02-17"), ("Տիգրան", "M", "2009-08-30"))


def type_row(page, row: int, given: str, sex: str, born: str) -> None:
    page.wait_for_function(f"document.activeElement.name === 'members-{row}-given_name'")
    page.keyboard.type(given)
    page.keyboard.press("Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("Մանուկյան")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type(sex)
    page.keyboard.press("Tab")
    page.keyboard.type(born)
    for _field in ("needs", "document"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the end of the row: on to the next


def test_a_family_typed_again_is_its_household_and_a_new_child_joins_it(live_server, page):
    registrar = make_user("anna", "registrar")
    goris = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre")
    earlier = make_household(goris, registrar, *(
        member(given, "Մանուկյան", sex=sex, birth_date=born) for given, sex, born in FAMILY))
    households = Household.objects.count()

    open_desk(page, live_server.url, "anna")
    for row, (given, sex, born) in enumerate(FAMILY):
        type_row(page, row, given, sex, born)
    known = page.get_by_test_id("household-known")
    # The check answers as the rows are typed: wait for its answer to the whole family.
    page.wait_for_function("!document.getElementById('household-known').hidden && "
                           "document.getElementById('household-known').innerText"
                           ".includes('nobody new')")
    assert f"already registered as {earlier.registration_number}" in known.inner_text()
    assert "nobody new to save" in known.inner_text()
    assert known.get_by_test_id("add-new").count() == 0
    # Saved all the same: refused, and the next keystroke opens the household.
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        "document.activeElement && document.activeElement.dataset.testid === 'open-registered'")
    assert Household.objects.count() == households
    page.keyboard.press("Alt+n")  # a member to add after all

    type_row(page, 2, "Նարե", "F", "2023-03-01")  # a daughter born since
    add = known.get_by_test_id("add-new")
    add.wait_for()
    add.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'save'")
    assert "Adding the new members" in known.inner_text()
    page.keyboard.press("Control+Enter")
    page.wait_for_selector('[data-testid="registered"]')
    assert "1 new member added" in page.get_by_test_id("registered").inner_text()
    assert Household.objects.count() == households
    assert sorted(earlier.members.values_list("given_name", flat=True)) == sorted(
        ["Գոհար", "Տիգրան", "Նարե"])
    assert Person.objects.count() == 3
