"""The Content-Security-Policy is enforced, and the UI works under it: the main pages,
walked in Chromium as an administrator, run their own script files and the browser
refuses nothing."""

import pytest
from django.test import Client

from refuge.conftest import make_household, member, open_desk, scripts_not_run


def main_pages(household) -> dict[str, str]:
    return {
        "household page": f"/households/{household.uuid}/",
        "card": f"/households/{household.uuid}/card/",
        "dashboard": "/dashboard/",
        "shelter": "/shelter/",
        "duplicates": "/duplicates/",
        "tracing": "/tracing/",
        "aid": "/aid/",
    }


@pytest.mark.django_db
def test_every_main_page_sends_a_policy_with_no_inline_script_or_style(personas, reception):
    household = make_household(reception, personas["registrar"], member("Anahit"))
    client = Client()
    client.force_login(personas["administrator"])
    session = client.session
    session["post_id"] = reception.pk
    session.save()
    for name, url in {"desk": "/desk/", **main_pages(household)}.items():
        response = client.get(url)
        assert response.status_code == 200, name
        policy = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", name
        assert directives["style-src"] == "'self'", name
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, name
        assert "Content-Security-Policy-Report-Only" not in response.headers, name


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_work_under_the_policy(live_server, page, personas, reception):
    household = make_household(reception, personas["registrar"],
                               member("Анаит", "Оганесян", sex="F", birth_date="1972"))
    open_desk(page, live_server.url, "administrator")
    # The desk's own scripts ran: its reading of a name typed in Cyrillic.
    page.locator("[name='members-0-given_name']").fill("Армен")
    assert not scripts_not_run(page), "desk"
    ran = {"desk": page.evaluate("window.refugeScriptsRun.length")}
    for name, url in main_pages(household).items():
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")
        assert not scripts_not_run(page), name
        ran[name] = page.evaluate("window.refugeScriptsRun.length")
    assert not page.csp_violations
    assert ran["desk"] >= 4 and ran["dashboard"] >= 1 and ran["card"] >= 1, ran
