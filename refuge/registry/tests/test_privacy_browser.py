"""Consent and erasure in a real browser, under the Content-Security-Policy: the forms
work, and the browser reports no blocked script or style on the way."""

import pytest

from refuge.conftest import make_household, member, sign_in
from refuge.registry import consent
from refuge.registry.models import Person

SHOTS = "/tmp/refuge-privacy-{}.png"


@pytest.fixture
def strict_page(browser):
    """A page that keeps the Content-Security-Policy (the shared fixture bypasses it)."""
    context = browser.new_context(viewport={"width": 1366, "height": 800}, locale="en-GB")
    yield context.new_page()
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_administrator_records_consent_then_erases_a_person(live_server, strict_page,
                                                               reception, personas):
    page = strict_page
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    household = make_household(reception, personas["registrar"],
                               member("Հասմիկ", "Մկրտչյան", sex="F", birth_date="1958"),
                               member("Armen", "Mkrtchyan", relationship="spouse", sex="M"))
    hasmik = household.members.get(given_name="Հասմիկ")
    sign_in(page, live_server.url, "administrator")
    page.goto(f"{live_server.url}/households/{household.uuid}/")
    form = page.get_by_test_id("consent-form")
    form.locator("select[name=person]").select_option(str(hasmik.uuid))
    form.locator("select[name=purpose]").select_option("tracing_disclosure")
    form.locator("select[name=given]").select_option("yes")
    form.get_by_role("button").click()
    page.wait_for_url(f"**/households/{household.uuid}/#consent")
    page.screenshot(path=SHOTS.format("household"), full_page=True)
    assert consent.consent_given(hasmik, "tracing_disclosure")

    page.goto(f"{live_server.url}/people/{hasmik.uuid}/")
    erase = page.get_by_test_id("erase-form")
    erase.locator("select[name=reason]").select_option("person_asked")
    erase.locator("input[name=confirm]").check()
    erase.get_by_role("button").click()
    page.get_by_test_id("erased").wait_for()
    page.screenshot(path=SHOTS.format("person"), full_page=True)
    assert "Մկրտչյան" not in page.content()
    assert Person.objects.get(pk=hasmik.pk).family_name == ""
    page.goto(f"{live_server.url}/households/{household.uuid}/card/")
    page.goto(f"{live_server.url}/reports/daily/")
    assert blocked == []
