"""The desk's offline queue sends a household it kept to POST /api/households, once, and
the figures count it once; a household the server refuses stays on the device, with the
row and field named. In Debian's Chromium, through Playwright, with the context offline."""

from pathlib import Path

import pytest
from django.http import QueryDict
from django.utils import timezone

from refuge.accounts.models import Post
from refuge.conftest import make_user, open_desk
from refuge.registry.models import Household, Person, RegistrationFigure
from refuge.registry.tests.test_offline_browser import wait_for_waiting
from refuge.registry.tests.test_offline_queue import queue_body

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFLINE_JS = Path(__file__).parents[2] / "static/refuge/js/offline.js"


def figures() -> int:
    return sum(RegistrationFigure.objects.filter(need="").values_list("people", flat=True))


@pytest.fixture
def desk_offline(live_server, browser):
    """A registrar's desk whose service worker has taken over, with what it sends logged."""
    make_user("anna", "registrar")
    goris = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre",
                                province="Syunik")
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    sent = []  # (method, path, status, the CSRF token sent) of every answer
    page.on("response", lambda r: sent.append((
        r.request.method, r.url.removeprefix(live_server.url), r.status,
        r.request.headers.get("x-csrftoken", ""))))
    open_desk(page, live_server.url, "anna")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    wait_for_waiting(page, 0)
    yield context, page, sent, goris
    context.close()


def register_by_keyboard(page, given: str, family: str, born: str) -> None:
    page.locator('[name="members-0-given_name"]').focus()
    page.keyboard.type(given)
    page.keyboard.press("Tab")
    page.keyboard.type(family)
    page.locator('[name="members-0-birth_date"]').focus()
    page.keyboard.type(born)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    page.wait_for_selector("#offline-queued", state="visible")


def test_a_household_kept_offline_arrives_once_through_the_api(desk_offline):
    context, page, sent, goris = desk_offline
    context.set_offline(True)
    register_by_keyboard(page, "Lilit", "Sargsyan", "3.9.1987")
    wait_for_waiting(page, 1)
    kept = page.evaluate("RefugeQueue.all()")
    assert not Household.objects.exists()

    context.set_offline(False)
    wait_for_waiting(page, 0)
    household = Household.objects.get()
    lilit = household.members.get()
    assert (lilit.given_name, str(lilit.birth_date)) == ("Lilit", "1987-09-03")
    assert household.registered_at == goris
    api = [(status, token) for method, path, status, token in sent
           if (method, path) == ("POST", "/api/households")]
    assert len(api) == 1 and api[0][0] == 201 and api[0][1]  # with the session's CSRF token
    # Nothing replayed to the desk's HTML view: the form's one answer was the service
    # worker's (kept on the device, back to the desk).
    assert [s for m, p, s, _t in sent if (m, p) == ("POST", "/desk/")] == [303]
    assert figures() == Person.objects.counted().count() == 1

    # The same record sent again (the answer was lost): stored once, counted once.
    with page.expect_response(lambda r: r.url.endswith("/api/households")) as again:
        page.evaluate("([item]) => { delete item.id; return RefugeQueue.add(item)"
                      ".then(() => window.dispatchEvent(new Event('online'))); }", kept)
    assert again.value.status == 200
    page.wait_for_function("RefugeQueue.all().then(items => items.length === 0)")
    wait_for_waiting(page, 0)
    assert Household.objects.count() == 1 and Person.objects.count() == 1
    assert figures() == 1


def test_a_household_the_server_refuses_stays_on_the_device_with_its_field_named(
        desk_offline):
    context, page, _sent, _goris = desk_offline
    context.set_offline(True)
    register_by_keyboard(page, "Lilit", "Sargsyan", "2091")
    wait_for_waiting(page, 1)
    context.set_offline(False)
    refused = page.locator("#offline-status li.error")
    refused.wait_for()
    assert "Row 1 · Born: 2091 is in the future" in refused.inner_text()
    assert page.evaluate("RefugeQueue.all().then(items => items.map(i => i.status))") == [
        "refused"]
    assert not Household.objects.exists()
    # Opened again, it is the desk form as typed, with the error beside the field.
    with page.expect_navigation():
        refused.get_by_role("button").click()
    assert page.locator('[name="members-0-birth_date"]').input_value() == "2091"
    assert page.locator('[aria-invalid="true"][name="members-0-birth_date"]').count() == 1


FORMS = [
    [["household_uuid", "0d7c7f0a-4b43-4a36-9a2e-3f3c8a7b6e01"], ["post", "GOR"],
     ["desk", "3"], ["phone", "+37477123456"], ["origin", "Stepanakert"],
     ["destination", ""], ["accommodation", "needs_place"], ["household", ""],
     ["members-0-relationship", "focal_point"], ["members-0-given_name", "Анаит"],
     ["members-0-family_name", "Оганесян"], ["members-0-patronymic", "Самвеловна"],
     ["members-0-sex", "Ж"], ["members-0-birth_date", "14.04.1972"],
     ["members-0-needs", "DIS,MED  PREG"], ["members-0-document_kind", "passport"],
     ["members-0-document_number", " AN1234567 "], ["members-0-same_as", ""],
     ["members-0-not_same_as", ""],
     ["members-10-relationship", "child"], ["members-10-given_name", "Aram"],
     ["members-10-birth_date", "age 7"],
     ["members-2-relationship", "spouse"], ["members-2-given_name", ""],
     ["members-2-family_name", "  "],
     ["members-3-relationship", "sibling"], ["members-3-document_number", "B1"],
     ["members-3-document_kind", ""],
     ["members-4-given_name", "Hayk"],
     ["members-4-same_as", " 5f1b2a0e-6c0d-4f0b-9a3e-1d2c3b4a5e6f "],
     ["members-4-not_same_as", "5f1b2a0e-6c0d-4f0b-9a3e-1d2c3b4a5e60  "
                               "5f1b2a0e-6c0d-4f0b-9a3e-1d2c3b4a5e61"],
     ["registered_on", "2024-01-15T08:30:00.000Z"]],
    [["household_uuid", "0d7c7f0a-4b43-4a36-9a2e-3f3c8a7b6e02"],
     ["household", "7a0c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d"], ["household", ""],
     ["members-0-given_name", "Ani"]],
    [["household_uuid", ""], ["members-0-given_name", ""]],
]


@pytest.mark.parametrize("fields", FORMS, ids=["family", "joining", "empty"])
def test_the_queue_sends_the_desk_form_as_the_registry_reads_it(browser, fields):
    """offline.js's body for a kept desk form is forms.household_payload's, with the post,
    the desk and the device: the API then reads it as the desk's view would."""
    page = browser.new_page()
    page.set_content("<!doctype html><title>queue</title>")
    page.add_script_tag(path=str(OFFLINE_JS))
    # The page's post and desk stand in for a record kept before its form carried them.
    sent = page.evaluate("f => RefugeBodies.household(f, 'GOR', '9')", fields)
    page.close()
    form = QueryDict(mutable=True)
    for name, value in fields:
        form.appendlist(name, value)

    class Post:
        code = form.get("post") or "GOR"

    assert sent == queue_body(form, Post, desk=form.get("desk") or "9")


def test_a_count_kept_offline_arrives_once_through_the_api(live_server, browser):
    import re

    from refuge.registry.models import Tally

    make_user("tigran", "registrar")
    Post.objects.create(kind=Post.CROSSING, code="KOR", name="Kornidzor crossing",
                        province="Syunik")
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    sent = []
    page.on("response", lambda r: sent.append((r.request.method,
                                               r.url.removeprefix(live_server.url), r.status)))
    page.goto(f"{live_server.url}/tally/")
    page.get_by_label("User name").fill("tigran")
    page.get_by_label("Password").fill("tigran-pass-1")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/post/"))
    page.wait_for_function("document.activeElement && document.activeElement.name === 'post'")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/tally/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    context.set_offline(True)
    page.locator('[name="people_aboard"]').focus()
    page.keyboard.type("7")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    wait_for_waiting(page, 1)
    back = timezone.now()
    context.set_offline(False)
    wait_for_waiting(page, 0)
    tally = Tally.objects.get()
    assert tally.people_aboard == 7 and tally.post.code == "KOR"
    assert tally.counted_at <= back  # when it was counted, not when it was sent
    assert [s for m, p, s in sent if (m, p) == ("POST", "/api/tallies")] == [201]
    context.close()
