"""A coordinator watches the dashboard while a desk registers a family, then downloads
the HXL export: in Debian's Chromium, through Playwright."""

import re

import pytest

from refuge.accounts.models import Post
from refuge.conftest import make_household, make_user, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url, username):
    page.goto(f"{url}/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(f"{username}-pass-1")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/")


def test_the_dashboard_follows_a_registration_and_exports_hxl(live_server, browser, page,
                                                              tmp_path):
    make_user("coordinator", "analyst")
    registrar = make_user("anna", "registrar")
    reception = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris",
                                    province="Syunik")
    make_household(reception, registrar, member("Anahit", sex="F", birth_date="1972"))

    sign_in(page, live_server.url, "coordinator")
    page.goto(f"{live_server.url}/dashboard/?refresh=2")
    registered = page.get_by_test_id("registered")
    assert registered.inner_text() == "1"
    assert page.locator("#figures svg").count() >= 6

    # At a desk, in another browser, a registrar saves a family of five; the open
    # dashboard catches up by itself.
    desk = browser.new_context().new_page()
    sign_in(desk, live_server.url, "anna")
    desk.goto(f"{live_server.url}/post/?kind=reception&next=/desk/")
    desk.get_by_role("button").last.click()
    desk.wait_for_url(f"{live_server.url}/desk/")
    for index, name in enumerate(("Armen", "Aram", "Ara", "Arsen", "Ari")):
        if index:
            desk.keyboard.press("Alt+n")
        desk.keyboard.type(name)
        desk.keyboard.press("Tab")
        desk.keyboard.type("Hakobyan")
    desk.keyboard.press("Control+Enter")
    desk.wait_for_selector('[data-testid="registered"]')
    desk.context.close()
    page.wait_for_function(
        "document.querySelector('[data-testid=registered]').textContent.trim() === '6'",
        timeout=15_000)
    assert "Anahit" not in page.content()

    with page.expect_download() as download_info:
        page.get_by_test_id("hxl-export").click()
    download = download_info.value
    assert re.match(r"refuge-figures-hxl-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = saved.read_text().splitlines()
    assert lines[1].startswith("#date,#adm1+name,#adm1+code,#affected+idps+ind")
    assert ",Syunik,AM-SU,6," in lines[2]
