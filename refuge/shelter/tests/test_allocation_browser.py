"""A shelter manager working in Armenian runs the allocator and reads what is true of
its plan, why each proposal was made, and, on a phone, each proposal as a card: in
Debian's Chromium, through Playwright, by keyboard."""

import pytest

from refuge.accounts.models import Post
from refuge.conftest import make_household, make_user, member
from refuge.shelter.models import Site

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(browser, live_server, width: int):
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="hy-AM")
    context.add_cookies([{"name": "django_language", "value": "hy", "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/login/")
    page.locator("input[name=username]").fill("sona")
    page.locator("input[name=password]").fill("sona-pass-1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return context, page


def test_a_manager_reads_the_plan_and_its_reasons_in_armenian(live_server, browser):
    make_user("sona", "shelter_manager")
    registrar = make_user("anna", "registrar")
    reception = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris")
    Site.objects.create(name="Abovyan hotel", province="Kotayk", community="Abovyan", beds=4)
    make_household(reception, registrar, member("Anahit", destination="Abovyan"),
                   member("Armen"), member("Nare", birth_date="2018"))
    make_household(reception, registrar, member("Karen"), member("Lilit"))

    context, page = signed_in(browser, live_server, 1366)
    page.goto(f"{live_server.url}/shelter/allocation/")
    page.get_by_role("button", name="Առաջարկել տեղավորումներ").focus()  # Propose placements
    with page.expect_navigation():
        page.keyboard.press("Enter")
    status = page.locator(".plan-status").inner_text()
    assert status.startswith("Օպտիմալ է")  # optimal, proven
    reasons = page.locator("table.proposals ul.reasons").inner_text()
    assert "խնդրված մարզում՝ Kotayk" in reasons  # in the requested province
    assert "Abovyan hotel. 4 մահճակալից ազատ է 4-ը" in reasons
    assert "նրան հարմար ազատ մահճակալները տրվեցին" in page.content()  # the couple waits

    bounds = page.locator("details.bounds")
    assert not bounds.get_attribute("open") and not bounds.locator("table").is_visible()
    bounds.locator("summary").focus()
    page.keyboard.press("Enter")
    assert bounds.locator("table").is_visible()
    everyone = bounds.locator("tbody tr").filter(has_text="Բոլոր սպասողները")  # everyone
    assert everyone.locator("td").nth(3).inner_text() == "3 / 5"  # people placed / waiting
    context.close()

    context, phone = signed_in(browser, live_server, 390)
    phone.goto(f"{live_server.url}/shelter/allocation/")
    card = phone.locator("table.proposals tbody tr").first
    assert card.evaluate("row => getComputedStyle(row).display") == "grid"
    assert phone.locator("table.proposals").bounding_box()["width"] <= 390
    assert card.get_by_role("button", name="Ընդունել").is_visible()  # Accept
    context.close()
