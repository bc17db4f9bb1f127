"""Layout in Armenian, the longest of the three languages, at a laptop's 1366 px and a
phone's 390 px: one top bar line, Sign out on screen, the desk table scrolling within
itself by keyboard, whole document names, legends clear of their swatches, and the
"saved on this device" notice at the top."""

import pytest

from refuge.accounts.models import Post
from refuge.conftest import make_household, make_user, member, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEGENDS_CLEAR = """() => {
  const problems = [];
  for (const svg of document.querySelectorAll("#figures svg")) {
    const parts = [...svg.children].filter(e => e.tagName === "rect" || e.tagName === "text");
    parts.forEach((swatch, i) => {
      const label = parts[i + 1];
      if (swatch.tagName !== "rect" || !label || label.tagName !== "text"
          || swatch.getAttribute("width") !== "10") return;
      const s = swatch.getBBox(), t = label.getBBox();
      if (t.x < s.x + s.width) problems.push("swatch on " + label.textContent);
      for (const other of parts) {
        if (other === swatch || other.tagName !== "rect" || other.getAttribute("width") !== "10")
          continue;
        const o = other.getBBox();
        if (Math.abs(o.y - s.y) < 1 && o.x > s.x && o.x < t.x + t.width)
          problems.push("next swatch on " + label.textContent);
      }
    });
  }
  return problems;
}"""


def in_armenian(page, url):
    page.context.add_cookies([{"name": "django_language", "value": "hy", "url": url}])


def choose_reception(page, url):
    page.goto(f"{url}/post/?kind=reception&next=/desk/")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_desk_and_dashboard_fit_a_laptop_and_a_phone_in_armenian(live_server, page):
    registrar = make_user("anna", "registrar")
    make_user("coordinator", "administrator")
    goris = Post.objects.create(kind=Post.RECEPTION, code="GOR", province="Syunik",
                                name="Goris reception centre",
                                name_hy="Գորիսի ընդունման կենտրոն")
    make_household(goris, registrar, member("Անահիտ", "Հովհաննիսյան", sex="F",
                                            birth_date="1972"))
    in_armenian(page, live_server.url)
    sign_in(page, live_server.url, "anna")
    choose_reception(page, live_server.url)

    # A laptop: the whole top bar on one line.
    page.set_viewport_size({"width": 1366, "height": 800})
    bar = page.locator("header.topbar")
    line = page.locator("header.topbar .brand").bounding_box()["height"]
    assert bar.bounding_box()["height"] < line * 2 + 16, "the top bar wraps"
    # Every document kind is shown whole in its select.
    narrow = page.evaluate("""() => {
      const select = document.querySelector("select[data-field=document_kind]");
      const probe = document.createElement("span");
      probe.style.font = getComputedStyle(select).font;
      probe.style.position = "absolute";
      document.body.append(probe);
      const cut = [...select.options].filter(o => {
        probe.textContent = o.textContent;
        return probe.offsetWidth + 24 > select.clientWidth;
      }).map(o => o.textContent);
      probe.remove();
      return cut;
    }""")
    assert narrow == []

    # A tablet: the table scrolls rather than squeeze a name to a couple of letters.
    page.set_viewport_size({"width": 800, "height": 800})
    for name in ("given_name", "family_name", "patronymic"):
        width = page.locator(f"input[name='members-0-{name}']").bounding_box()["width"]
        assert width >= 100, f"{name} is {width:.0f} px wide"

    # A phone: nothing runs off the screen, Sign out included; the table scrolls in its
    # own box, and Tab along the row brings each field into view.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    sign_out = page.locator("header.topbar nav button").bounding_box()
    assert sign_out["x"] >= 0 and sign_out["x"] + sign_out["width"] <= 390
    assert page.evaluate("(() => { const s = document.querySelector('.table-scroll');"
                         " return s.scrollWidth > s.clientWidth; })()")
    page.locator("input[name='members-0-given_name']").focus()
    for _field in range(10):  # along the row, to its last field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.field") == "document_number":
            break
    assert page.evaluate("document.activeElement.dataset.field") == "document_number"
    box = page.locator("input[name='members-0-document_number']").bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= 390

    # Saved offline: the notice is the first thing under the top bar.
    page.goto(f"{live_server.url}/desk/?queued=1")
    notice = page.locator("#offline-queued")
    notice.wait_for()
    assert notice.bounding_box()["y"] < page.locator("h1").bounding_box()["y"]

    # The dashboard in Armenian: no legend swatch on a label, on a laptop or a phone.
    page.context.clear_cookies()
    in_armenian(page, live_server.url)
    sign_in(page, live_server.url, "coordinator")
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/dashboard/")
        assert page.evaluate(LEGENDS_CLEAR) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        sign_out = page.locator("header.topbar nav button").bounding_box()
        assert sign_out["x"] + sign_out["width"] <= width
