"""The field a page marks autofocus has the keys by the time the page has loaded, so a
registrar who presses Tab or types at once is in the form, not on the top bar's links."""

import pytest

from refuge.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Which element has the focus when the load event fires: the moment page.goto() returns
# and a fast typist's first key arrives.
FOCUS_AT_LOAD = """window.addEventListener("load", () => {
  const active = document.activeElement;
  window.focusAtLoad = active && active !== document.body ? active.name || active.tagName : "";
});"""


def test_the_post_field_has_the_focus_when_the_page_has_loaded(live_server, page, personas,
                                                                reception):
    sign_in(page, live_server.url, personas["registrar"].username)
    page.add_init_script(FOCUS_AT_LOAD)
    page.goto(f"{live_server.url}/post/?kind=reception&next=/desk/")
    assert page.evaluate("window.focusAtLoad") == "post"


def test_tab_and_a_desk_number_at_once_open_the_desk(live_server, page, personas, reception):
    sign_in(page, live_server.url, personas["registrar"].username)
    page.goto(f"{live_server.url}/post/?kind=reception&next=/desk/")
    page.keyboard.press("Tab")  # no wait: the keys come as fast as a registrar types
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/desk/")
