"""A tracing officer records, keyboard only, an enquiry in Cyrillic for a woman registered
in Armenian at another centre: the candidate shows with its evidence, the officer
confirms it, records her consent, and only then sees the site where she stays."""

import pytest

from refuge.accounts.models import Post
from refuge.conftest import make_household, make_user, member, sign_in
from refuge.shelter import services as shelter
from refuge.shelter import sites
from refuge.tracing.models import SoughtPerson
from refuge.tracing.tests.helpers import age_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_finds_a_woman_across_scripts_and_sees_her_site_after_consent(
        live_server, page):
    registrar = make_user("anna", "registrar")
    make_user("tigran", "tracing_officer")
    goris = Post.objects.create(kind=Post.RECEPTION, code="GOR", name="Goris reception centre",
                                province="Syunik")
    Post.objects.create(kind=Post.RECEPTION, code="VAY", name="Vayk reception centre",
                        province="Vayots Dzor")
    household = make_household(goris, registrar, member(
        "Անահիտ", "Հովհաննիսյան", patronymic="Սամվելի", sex="F", birth_date="1972-04-11"))
    site = sites.create_site({"name": "Hotel Mirhav", "province": "Syunik", "beds": 20},
                               user=registrar)
    shelter.place(household, site, user=registrar)

    page.set_default_timeout(30_000)  # two cores shared by many
    sign_in(page, live_server.url, "tigran")
    page.goto(f"{live_server.url}/tracing/new/")
    page.wait_for_function("document.activeElement.name === 'given_name'")
    page.keyboard.type("Анаит")
    page.keyboard.press("Tab")
    page.keyboard.type("Оганесян")
    page.keyboard.press("Tab")  # father's name: not known
    page.keyboard.press("Tab")
    page.keyboard.type("f")  # sex: female
    page.keyboard.press("Tab")  # born: not known
    page.keyboard.press("Tab")
    page.keyboard.type(str(age_of(1972)))
    page.keyboard.press("Enter")

    candidate = page.get_by_test_id("candidate").first
    candidate.wait_for()
    assert "Անահիտ Սամվելի Հովհաննիսյան" in candidate.inner_text()
    evidence = candidate.get_by_test_id("evidence").inner_text()
    assert "given name" in evidence and "family name" in evidence
    assert "Hotel Mirhav" not in page.content()
    page.wait_for_function("document.activeElement.dataset.testid === 'confirm'")
    page.keyboard.press("Enter")  # this is the person

    page.get_by_test_id("withheld").wait_for()
    assert "Hotel Mirhav" not in page.content()
    assert household.registration_number not in page.content()
    page.wait_for_function("document.activeElement.dataset.testid === 'consent'")
    page.keyboard.press("Enter")  # she agrees to be found

    whereabouts = page.get_by_test_id("whereabouts")
    whereabouts.wait_for()
    assert "Hotel Mirhav" in whereabouts.inner_text()
    assert household.registration_number in whereabouts.inner_text()
    assert SoughtPerson.objects.get().status == SoughtPerson.FOUND
    page.screenshot(path="/tmp/tracing_case.png", full_page=True)
