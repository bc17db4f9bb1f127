"""The distribution point with no network: the household is found in the list kept on the
device, its hand-over waits in the queue, and when it is sent after the same entitlements
were handed over online elsewhere, it comes back as a conflict, listed for the officer,
and nothing is lost."""

from types import SimpleNamespace

import pytest

from refuge.accounts.models import Post
from refuge.aid import services
from refuge.aid.models import Distribution, Entitlement, HandOver
from refuge.aid.tests.helpers import approved_cycle, hand_over_body, open_point
from refuge.conftest import make_household, make_user, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for_waiting(page, count: int, timeout: float = 15_000) -> None:
    page.wait_for_function(
        f"document.getElementById('offline-status').dataset.waiting === '{count}'",
        timeout=timeout)


@pytest.fixture
def point(live_server, page):
    """A family of two due a cycle's aid, and Goris's point opened by the aid officer
    olga, with the service worker in charge and the point's due list on the device."""
    goris = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre",
                                province="Syunik")
    family = make_household(goris, make_user("rita", "registrar"),
                            member("Anahit", birth_date="1985"),
                            member("Narek", birth_date="2016", relationship="child"))
    approved_cycle(make_user("ada", "administrator"))
    olga = make_user("olga", "aid_officer")
    open_point(page, live_server.url, "olga")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function("RefugeQueue.meta('aidDue:GOR').then(d => !!d)")
    return SimpleNamespace(page=page, context=page.context, family=family, officer=olga)


def test_a_hand_over_made_offline_after_one_online_is_a_listed_conflict(point):
    page, context, family = point.page, point.context, point.family
    context.set_offline(True)
    page.locator("#aid-q").fill(family.registration_number)
    page.keyboard.press("Enter")
    button = page.get_by_test_id("aid-hand-over")
    button.wait_for()
    assert "Anahit" in page.get_by_test_id("aid-household").inner_text()
    assert page.evaluate("document.activeElement.dataset.testid") == "aid-hand-over"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("#offline-queued", state="visible")
    wait_for_waiting(page, 1)
    # Scanned again at this point, still offline: it says so, and queues nothing more.
    page.locator("#aid-q").fill(family.registration_number)
    page.keyboard.press("Enter")
    page.get_by_test_id("aid-already").wait_for()
    wait_for_waiting(page, 1)

    # Meanwhile the family was served online at another point.
    vayk = Post.objects.create(kind=Post.RECEPTION, code="VAY", name="Vayk centre",
                               province="Vayots Dzor")
    anahit = family.members.get(given_name="Anahit")
    earlier, _ = services.hand_over(
        hand_over_body(Entitlement.objects.filter(household=family), anahit),
        user=point.officer, point=vayk)

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for_waiting(page, 0, timeout=30_000)
    conflict = page.locator("#offline-status li.error")
    conflict.wait_for()
    text = conflict.inner_text()
    assert "already handed over on" in text and earlier.point.name in text
    assert earlier.received_by.full_name in text
    assert Distribution.objects.count() == 1 and HandOver.objects.count() == 2
    # Nothing lost: the refused hand-over stays on the device until the officer opens it.
    assert page.evaluate("RefugeQueue.all().then(items => items.length)") == 1
    page.screenshot(path="/tmp/aid-offline-conflict.png")


def test_a_hand_over_made_offline_is_recorded_through_the_api_when_the_network_returns(point):
    page, context, family = point.page, point.context, point.family
    context.set_offline(True)
    page.locator("#aid-q").fill(family.registration_number)
    page.keyboard.press("Enter")
    page.get_by_test_id("aid-hand-over").wait_for()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    wait_for_waiting(page, 1)
    queued_uuid = page.evaluate(
        "RefugeQueue.all().then(items => items[0].fields.find(f => f[0] === 'uuid')[1])")

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for_waiting(page, 0, timeout=30_000)
    distribution = Distribution.objects.get()
    assert (distribution.point.code, distribution.household_id) == ("GOR", family.pk)
    assert HandOver.objects.count() == Entitlement.objects.filter(household=family).count()
    assert str(distribution.uuid) == queued_uuid  # the UUID the form was given offline
    assert page.locator("#offline-status li.error").count() == 0
