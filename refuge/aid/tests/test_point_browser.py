"""The distribution point in Debian's Chromium: the officer scans a card's QR code shown to
a fake camera, sees the household's entitlements, hands them over by keyboard, and a
second scan says they were already received."""

import re
from pathlib import Path

import pytest
import segno

from refuge.aid.models import HandOver
from refuge.aid.tests.helpers import approved_cycle, open_point
from refuge.conftest import CHROMIUM, CHROMIUM_ARGS, make_household, make_user, member
from refuge.registry.cards import qr_payload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 320, 240


def card_video(text: str, path: Path, frames: int = 10) -> Path:
    """A Y4M video (the raw format Chromium's fake camera reads) showing the card's QR
    code, black on white, in grey: Y plane from the code, U and V planes neutral."""
    matrix = [list(row) for row in segno.make(text, error="q", boost_error=False).matrix]
    quiet, size = 4, len(matrix)
    scale = (HEIGHT - 20) // (size + 2 * quiet)
    left = (WIDTH - scale * (size + 2 * quiet)) // 2
    top = (HEIGHT - scale * (size + 2 * quiet)) // 2
    luma = bytearray([235] * (WIDTH * HEIGHT))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (top + (y + quiet) * scale + dy) * WIDTH + left + (x + quiet) * scale
                    luma[start:start + scale] = bytes([16] * scale)
    chroma = bytes([128] * (WIDTH * HEIGHT // 4))
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(frames):
            video.write(b"FRAME\n" + bytes(luma) + chroma + chroma)
    return path


@pytest.fixture
def camera_browser(tmp_path, family):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Debian's Chromium is not at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    video = card_video(qr_payload(family), tmp_path / "card.y4m")
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        yield chromium
        chromium.close()


@pytest.fixture
def family(db):
    from refuge.accounts.models import Post

    goris = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre",
                                province="Syunik")
    registrar = make_user("rita", "registrar")
    household = make_household(goris, registrar, member("Anahit", birth_date="1985"),
                               member("Narek", birth_date="2016", relationship="child"))
    approved_cycle(make_user("ada", "administrator"))
    make_user("olga", "aid_officer")
    return household


def test_the_officer_scans_a_card_hands_over_by_keyboard_and_a_second_scan_says_received(
        live_server, camera_browser, family):
    context = camera_browser.new_context(viewport={"width": 1366, "height": 800},
                                         locale="en-GB")
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    open_point(page, live_server.url, "olga")

    page.keyboard.press("F2")  # the camera; the card is in front of it
    page.wait_for_url(re.compile(rf"household={family.uuid}"))
    household = page.get_by_test_id("aid-household")
    assert "Anahit" in household.inner_text() and "Narek" in household.inner_text()
    button = page.get_by_test_id("aid-hand-over")
    assert "200,000 AMD" in button.inner_text()
    assert page.evaluate("document.activeElement.dataset.testid") == "aid-hand-over"
    page.keyboard.press("Enter")
    page.get_by_test_id("aid-done").wait_for()
    assert HandOver.objects.count() == 2
    page.screenshot(path="/tmp/aid-point.png")

    page.locator("#aid-q").focus()
    page.keyboard.press("F2")
    page.get_by_test_id("aid-already").wait_for()
    assert "Already received" in page.get_by_test_id("aid-already").inner_text()
    assert HandOver.objects.count() == 2
    context.close()


def test_the_receipt_opens_with_alt_p_as_the_page_says(live_server, page, family):
    """The walk of issue 18: the hand-over's "Print the receipt (Alt+P)" did nothing."""
    page.set_default_timeout(15_000)
    open_point(page, live_server.url, "olga")
    page.keyboard.type(family.registration_number)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"household={family.uuid}"))
    page.wait_for_function(
        "document.activeElement && document.activeElement.dataset.testid === 'aid-hand-over'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"&done="))
    page.get_by_test_id("aid-done").wait_for()
    assert "(Alt+P)" in page.get_by_test_id("aid-done").inner_text()
    page.evaluate("window.print = () => { window.printed = true; }")
    page.keyboard.press("Alt+p")
    page.wait_for_url(re.compile(r"/receipt/\?print=1$"))
    assert family.registration_number in page.locator("body").inner_text()


def test_a_large_household_fits_a_phone_without_scrolling_the_page_sideways(
        live_server, page, family):
    """The walk of issue 18: at 390 px the members' table made the whole page 427 px
    wide; only the table may scroll."""
    from refuge.aid.models import Programme

    Programme.objects.update(name="One-off support 100,000 AMD")
    family.members.update(family_name="Nikoghosyan")
    page.set_viewport_size({"width": 390, "height": 844})
    open_point(page, live_server.url, "olga")
    page.get_by_role("button", name="РУС").click()  # the longest headings
    page.wait_for_function("document.documentElement.lang === 'ru'")
    page.locator("#aid-q").focus()
    page.keyboard.type(family.registration_number)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"household={family.uuid}"))
    page.get_by_test_id("aid-hand-over").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
