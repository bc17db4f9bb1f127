"""The desk with no network: three households registered offline survive a reload and
closing the page, and arrive exactly once when the network returns. In Debian's
Chromium, through Playwright, with the browser context set offline."""

import pytest

from refuge.accounts.models import Post
from refuge.conftest import make_household, make_user, member, open_desk
from refuge.registry.models import Household, RegistrationEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAMILIES = [("Անահիտ", "Հովհաննիսյան"), ("Сергей", "Григорян"), ("Lilit", "Sargsyan")]


def waiting(page) -> str:
    return page.get_by_test_id("offline-status").get_attribute("data-waiting")


def wait_for_waiting(page, count: int, timeout: float = 10_000) -> None:
    page.wait_for_function(
        f"document.getElementById('offline-status').dataset.waiting === '{count}'",
        timeout=timeout)


def test_households_registered_offline_arrive_once(live_server, browser):
    anna = make_user("anna", "registrar")
    goris = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre",
                                province="Syunik")
    earlier = make_household(goris, anna, member("Armen", "Hovhannisyan", birth_date="1970"))
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)

    open_desk(page, live_server.url, "anna")
    # The service worker installs, takes over the page, and keeps the desk screen.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    wait_for_waiting(page, 0)
    # Nothing kept here and the network up: nothing to say, so no box at all.
    status = page.get_by_test_id("offline-status")
    assert status.is_hidden()

    context.set_offline(True)
    status.wait_for(state="visible")
    assert status.inner_text() == "no network: records are kept on this device"
    # With no network, the desk still warns of someone registered already, in another script.
    page.locator('[name="members-0-given_name"]').fill("Армен")
    page.locator('[name="members-0-family_name"]').fill("Оганесян")
    warning = page.get_by_test_id("possible-duplicates")
    warning.wait_for(state="visible")
    assert earlier.registration_number in warning.inner_text()
    page.locator('[name="members-0-given_name"]').fill("")
    page.locator('[name="members-0-family_name"]').fill("")
    for given, family in FAMILIES:
        page.locator('[name="members-0-given_name"]').focus()
        page.keyboard.type(given)
        page.keyboard.press("Tab")
        page.keyboard.type(family)
        with page.expect_navigation():
            page.keyboard.press("Control+Enter")
        page.wait_for_selector("#offline-queued", state="visible")
    wait_for_waiting(page, 3)
    assert "3 waiting to send" in page.get_by_test_id("offline-status").inner_text()
    assert Household.objects.count() == 1

    page.reload()  # still offline: the kept screen, and the records still waiting
    wait_for_waiting(page, 3)
    page.close()
    page = context.new_page()  # closed and opened again
    page.goto(f"{live_server.url}/desk/")
    wait_for_waiting(page, 3)

    context.set_offline(False)
    wait_for_waiting(page, 0, timeout=30_000)
    assert "last sent at" in page.get_by_test_id("offline-status").inner_text()
    page.reload()  # all sent, before this page opened: nothing to say again
    wait_for_waiting(page, 0)
    assert page.get_by_test_id("offline-status").is_hidden()
    households = Household.objects.exclude(pk=earlier.pk)
    assert households.count() == 3
    assert sorted(h.members.get().given_name for h in households) == sorted(
        g for g, _f in FAMILIES)
    assert RegistrationEvent.objects.count() == 4
    # Sent in the order they were made.
    assert [h.members.get().given_name for h in households.order_by("pk")] == [
        g for g, _f in FAMILIES]
    context.close()


def test_one_visit_is_enough_to_register_offline(live_server, browser):
    make_user("anna", "registrar")
    Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre",
                        province="Syunik")
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    open_desk(page, live_server.url, "anna")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")  # installed: no reload

    context.set_offline(True)
    page.reload()
    page.locator('[name="members-0-given_name"]').wait_for()
    # Every script the desk runs came from the device: its matches and its reading rules.
    assert page.evaluate("typeof RefugeDates") == "object"
    scripts = page.evaluate("Array.from(document.scripts).map(s => s.src).filter(Boolean)")
    assert any(src.endswith("/matches.js") for src in scripts)
    page.keyboard.type("Lilit")
    page.keyboard.press("Tab")
    page.keyboard.type("Sargsyan")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    page.wait_for_selector("#offline-queued", state="visible")
    wait_for_waiting(page, 1)
    context.set_offline(False)
    wait_for_waiting(page, 0, timeout=30_000)
    assert Household.objects.get().members.get().given_name == "Lilit"
    context.close()
