"""A shelter manager places three waiting households, one of them needing step-free
access, and sees occupancy update: in Debian's Chromium, through Playwright."""

import pytest

from refuge.accounts.models import Post
from refuge.conftest import make_household, make_user, member
from refuge.shelter.models import Placement, Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_places_three_households_with_the_keyboard(live_server, page):
    make_user("sona", "shelter_manager")
    registrar = make_user("anna", "registrar")
    reception = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris")
    make_household(reception, registrar, member("Anahit"), member("Armen"))
    make_household(reception, registrar, member("Karine"), member("Hayk"), member("Aram"))
    make_household(reception, registrar, member("Grigor", birth_date="1938", needs=["DIS"]))
    hotel = Site.objects.create(name="Goris hotel", province="Syunik", beds=6, step_free=False)
    centre = Site.objects.create(name="Vayk centre", province="Vayots Dzor", beds=4,
                                 step_free=True)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("sona")
    page.get_by_label("Password").fill("sona-pass-1")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/shelter/")
    assert page.get_by_test_id("free-syunik").inner_text() == "6"
    assert page.locator("table.waiting tbody tr").count() == 3

    step_free_row = page.locator("tr", has=page.locator(".badge"))
    options = step_free_row.locator("select option").all_inner_texts()
    assert not any("Goris hotel" in o for o in options)  # not step-free: not offered
    assert any("Vayk centre" in o for o in options)

    def place(row, site_name):
        select = row.locator("select[name=site]")
        select.focus()
        select.select_option(label=next(o for o in select.locator("option").all_inner_texts()
                                         if site_name in o))
        page.keyboard.press("Tab")  # to "Check in"
        with page.expect_navigation():  # the form posts, then the board comes back
            page.keyboard.press("Enter")

    place(step_free_row, "Vayk centre")
    place(page.locator("table.waiting tbody tr").first, "Goris hotel")
    place(page.locator("table.waiting tbody tr").first, "Goris hotel")
    assert page.locator("table.waiting tbody tr").count() == 0
    assert page.get_by_test_id("free-syunik").inner_text() == "1"
    assert page.get_by_test_id("free-vayots-dzor").inner_text() == "3"
    assert Placement.objects.filter(status=Placement.CHECKED_IN).count() == 3
    grigor = Placement.objects.get(household__members__given_name="Grigor")
    assert grigor.site == centre
    assert hotel.placements.count() == 2

    page.goto(f"{live_server.url}/dashboard/")
    assert "Vayots Dzor" in page.get_by_test_id("shelter-table").inner_text()


def test_a_manager_accepts_the_allocators_proposals_with_the_keyboard(live_server, page):
    make_user("sona", "shelter_manager")
    registrar = make_user("anna", "registrar")
    reception = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris")
    make_household(reception, registrar, member("Anahit"), member("Armen"),
                   member("Nare", birth_date="2018"))
    make_household(reception, registrar, member("Grigor", birth_date="1938", needs=["DIS"]))
    Site.objects.create(name="Goris hotel", province="Syunik", beds=3)
    Site.objects.create(name="Vayk centre", province="Vayots Dzor", beds=2, step_free=True)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("User name").fill("sona")
    page.get_by_label("Password").fill("sona-pass-1")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/shelter/allocation/")
    page.get_by_role("button", name="Propose placements").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "2 proposals" in page.locator(".messages, .message, body").first.inner_text()
    rows = page.locator("table.proposals tbody tr")
    assert rows.count() == 2
    grigor = rows.filter(has_text="disability")
    assert "Vayk centre" in grigor.inner_text()
    assert "step-free" in grigor.inner_text()

    page.get_by_role("button", name="Accept the 2 proposals on this page").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert Placement.objects.count() == 0  # asked first, nothing reserved yet
    assert "Accept the 2 proposals on this page?" in page.locator("h1").inner_text()
    with page.expect_navigation():  # the confirm button has the focus
        page.keyboard.press("Enter")
    assert "2 proposals accepted" in page.content()
    assert "Every proposal of this run has been decided" in page.content()
    assert Placement.objects.filter(status=Placement.RESERVED).count() == 2
    assert Placement.objects.get(household__members__given_name="Grigor").site.name == \
        "Vayk centre"
    page.goto(f"{live_server.url}/shelter/")
    assert page.get_by_test_id("free-syunik").inner_text() == "0"
    assert page.get_by_test_id("free-vayots-dzor").inner_text() == "1"
