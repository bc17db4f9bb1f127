"""The offline queue sends what it kept to the JSON API, as the desk's page does
(offline.js): the registrar's session, its CSRF token, and the household's client UUID,
so a record sent twice is stored once. The body is the desk form read as
refuge.registry.forms reads it; test_offline_queue_browser.py checks that offline.js
builds the same one."""

from datetime import UTC, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from refuge.registry.forms import household_payload
from refuge.registry.models import Household, RegistrationEvent, Tally
from refuge.registry.tests.test_desk import family_form, row

pytestmark = pytest.mark.django_db


def signed_in(user, post, desk: str = "3") -> Client:
    """A browser signed in at a desk, whose CSRF token the queue sends back."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    session = client.session
    session["post_id"], session["desk"] = post.pk, desk
    session.save()
    return client


def csrf_token(client: Client, page: str = "/desk/") -> str:
    client.get(page)
    return client.cookies["csrftoken"].value


def queue_body(form: dict, post, desk: str = "3") -> dict:
    """What offline.js sends for a desk form it kept (RefugeBodies.household)."""
    payload, _rows = household_payload(form)
    return {**payload, "post": post.code, "desk": desk, "device_id": "web"}


def send_household(client: Client, form: dict, post, token: str | None = None):
    return client.post("/api/households", queue_body(form, post), content_type="application/json",
                       HTTP_X_CSRFTOKEN=token if token is not None else csrf_token(client))


@pytest.fixture
def desk(registrar, reception):
    return signed_in(registrar, reception)


def test_a_household_kept_offline_is_registered_through_the_api_with_its_own_time(
        desk, reception):
    kept = (timezone.now() - timedelta(days=2)).replace(hour=8, minute=30, second=0,
                                                         microsecond=0, tzinfo=UTC)
    form = family_form(registered_on=kept.isoformat())
    response = send_household(desk, form, reception)
    assert response.status_code == 201, response.content
    household = Household.objects.get(uuid=form["household_uuid"])
    assert response.json()["registration_number"] == household.registration_number
    assert household.registered_on == kept
    assert {p.registered_on.hour for p in household.members.all()} == {8}
    # The empty third row is no one; the desk's session names the desk.
    assert household.members.count() == 2
    assert RegistrationEvent.objects.get(household=household).desk == "3"
    again = send_household(desk, form, reception)  # sent twice: stored once
    assert again.status_code == 200 and Household.objects.count() == 1
    assert again.json()["uuid"] == form["household_uuid"]


def test_a_refused_household_kept_offline_is_told_which_field(desk, reception):
    response = send_household(desk, family_form(**row(0, birth_date="2091")), reception)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "members[0].birth_date"
    future = send_household(desk, family_form(registered_on="2099-01-01T00:00:00+00:00"),
                            reception)
    assert future.status_code == 422
    assert future.json()["errors"][0]["field"] == "registered_on"
    long_ago = send_household(desk, family_form(registered_on="1900-01-01T00:00:00+00:00"),
                              reception)
    assert long_ago.status_code == 422
    assert long_ago.json()["errors"][0]["field"] == "registered_on"
    assert "30 days ago" in long_ago.json()["errors"][0]["message"]
    assert not Household.objects.exists()


def test_the_queue_cannot_send_without_the_sessions_csrf_token(desk, reception):
    response = send_household(desk, family_form(), reception, token="")
    assert response.status_code in (401, 403)
    assert not Household.objects.exists()


def test_a_count_kept_offline_is_recorded_through_the_api_once(personas, crossing):
    tally = signed_in(personas["registrar"], crossing)
    token = csrf_token(tally, "/tally/")
    body = {"uuid": "6a1e4c4e-9a53-4a0c-8a55-2b7a6f1d5e10", "post": crossing.code,
            "people_aboard": 7, "vehicle_ref": "35 AB 123", "note": "",
            "counted_at": (timezone.now() - timedelta(hours=1)).isoformat()}
    for _ in range(2):
        answer = tally.post("/api/tallies", body, content_type="application/json",
                            HTTP_X_CSRFTOKEN=token)
        assert answer.status_code in (200, 201), answer.content
    assert Tally.objects.get().people_aboard == 7
