"""Pages in Armenian and Russian leave nothing in English or in American forms: plurals
agree with their number, counts are grouped one way, durations are translated, and a
form left empty is answered by the server in the page's language, not by the browser."""

import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from refuge.conftest import make_household, member, sign_in
from refuge.registry import crossings
from refuge.registry.models import Household
from refuge.shelter.models import Site


def client_for(user, language: str, post=None) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    if post is not None:
        session = client.session
        session["post_id"] = post.pk
        session.save()
    return client


def text_of(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace(
        "\xa0", " ")


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "one", "two"), [
    ("en", "· 1 site", "· 2 sites"), ("ru", "· 1 объект", "· 2 объекта")])
def test_a_count_of_sites_agrees_with_its_number(personas, language, one, two):
    Site.objects.create(name="Goris hotel 1", province="Syunik", beds=20)
    Site.objects.create(name="Vayk dormitory 1", province="Vayots Dzor", beds=30)
    Site.objects.create(name="Vayk dormitory 2", province="Vayots Dzor", beds=30)
    board = text_of(client_for(personas["shelter_manager"], language).get("/shelter/"))
    assert one in board and two in board
    assert "1 sites" not in board


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), [
    ("en", "person crossed here today"), ("ru", "человек пересёк границу здесь сегодня")])
def test_one_person_crossed_is_said_in_the_singular(personas, crossing, language, expected):
    counter = personas["registrar"]
    crossings.record_tally({"uuid": str(uuid.uuid4()), "people_aboard": 1}, user=counter,
                          post=crossing)
    tally = text_of(client_for(counter, language, crossing).get("/tally/"))
    assert expected in tally


@pytest.mark.django_db
def test_how_long_a_household_waits_is_in_armenian(personas, reception, registrar):
    household = make_household(reception, registrar, member("Anahit"))
    Household.objects.filter(pk=household.pk).update(
        registered_on=timezone.now() - timedelta(days=3, hours=13))
    board = text_of(client_for(personas["shelter_manager"], "hy").get("/shelter/"))
    assert "3 օր, 13 ժամ" in board and "days" not in board


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "expected"), [("en", "1,234"), ("hy", "1 234"),
                                                    ("ru", "1 234")])
def test_counts_on_the_dashboard_are_grouped_the_languages_way(personas, crossing, language,
                                                               expected):
    for aboard in [120] * 10 + [34]:  # 1,234 people
        crossings.record_tally({"uuid": str(uuid.uuid4()), "people_aboard": aboard},
                              user=personas["registrar"], post=crossing)
    dashboard = client_for(personas["analyst"], language).get("/dashboard/?part=1")
    crossed = re.search(r'data-testid="crossed">([^<]+)<', dashboard.content.decode()).group(1)
    assert crossed.replace("\xa0", " ") == expected


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_empty_tally_is_answered_in_armenian_by_the_server(live_server, page, personas,
                                                              crossing):
    page.context.add_cookies([{"name": "django_language", "value": "hy",
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/login/")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # both fields empty: no browser bubble, but a reply
    assert re.search("[\u0531-\u058f]", page.get_by_role("alert").inner_text())
    sign_in(page, live_server.url, personas["registrar"].username)
    page.goto(f"{live_server.url}/post/?kind=crossing&next=/tally/")
    page.keyboard.press("Tab")  # from the post to the desk field, where Enter sends
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/tally/")
    field = page.locator("input[name=people_aboard]")
    field.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    error = page.locator(".tally-box .error")
    assert error.inner_text() == "Այս դաշտը պարտադիր է"
    assert field.get_attribute("aria-invalid") == "true"
