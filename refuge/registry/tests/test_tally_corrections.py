"""A count typed wrong at the crossing is corrected on the tally screen, with its history."""

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from refuge.accounts.models import Post
from refuge.audit.models import AuditEvent
from refuge.conftest import bearer, make_user
from refuge.registry import crossings, queries
from refuge.registry.counting import count_tallies
from refuge.registry.models import Tally

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter(registrar, crossing):
    client = Client()
    client.force_login(registrar)
    session = client.session
    session["post_id"] = crossing.pk
    session.save()
    return client


def count(client, people: int, **fields) -> Tally:
    client.post("/tally/", {"uuid": str(uuid.uuid4()), "people_aboard": str(people), **fields})
    return Tally.objects.order_by("-id").first()


def test_a_mistyped_count_is_corrected_on_the_tally_screen(counter, crossing, registrar):
    mistyped = count(counter, 40, vehicle_ref="35 AB 123")
    page = counter.get("/tally/").content.decode()
    assert f'action="/tally/{mistyped.uuid}/correct/"' in page
    assert f'form="fix-{mistyped.uuid}" name="people_aboard"' in page

    response = counter.post(f"/tally/{mistyped.uuid}/correct/",
                            {"people_aboard": "4", "vehicle_ref": "35 AB 123", "note": ""},
                            follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/tally/"
    assert "is corrected: 40 → 4 people" in page
    assert 'data-testid="crossed-today">4<' in page
    mistyped.refresh_from_db()
    assert mistyped.people_aboard == 4
    assert queries.crossed_today(crossing) == 4
    assert f'href="/tally/{mistyped.uuid}/history/" class="corrected"' in page
    event = AuditEvent.objects.get(action="update", object_type="tally")
    assert event.detail == {"fields": ["people_aboard"]} and event.user == registrar


def test_the_history_says_who_changed_what_and_when(counter, registrar):
    tally = count(counter, 40)
    other = make_user("second_registrar", "registrar")
    crossings.correct_tally(tally, {"people_aboard": 4, "note": "minibus"}, user=other)
    page = counter.get(f"/tally/{tally.uuid}/history/").content.decode()
    rows = page.split('data-testid="tally-history"')[1]
    assert rows.index("second_registrar") < rows.index("registrar</td>")
    assert "<del>40</del> → <ins>4</ins>" in rows
    assert "<del>—</del> → <ins>minibus</ins>" in rows
    assert "counted" in rows


def test_a_refused_correction_keeps_what_was_typed_beside_the_field(counter, crossing):
    tally = count(counter, 6)
    response = counter.post(f"/tally/{tally.uuid}/correct/",
                            {"people_aboard": "600", "vehicle_ref": "bus 3", "note": ""})
    assert response.status_code == 422
    page = response.content.decode()
    row = page.split(f'data-tally="{tally.uuid}"')[1].split("</tr>")[0]
    assert 'value="600"' in row and 'value="bus 3"' in row
    assert "must be a whole number from 1 to 120" in row
    assert 'aria-invalid="true" autofocus' in row
    tally.refresh_from_db()
    assert (tally.people_aboard, tally.vehicle_ref) == (6, "")
    assert queries.crossed_today(crossing) == 6
    words = counter.post(f"/tally/{tally.uuid}/correct/", {"people_aboard": "six"})
    assert words.status_code == 422


def test_an_unchanged_row_changes_nothing(counter):
    tally = count(counter, 6)
    counter.post(f"/tally/{tally.uuid}/correct/", {"people_aboard": "6", "vehicle_ref": "",
                                                   "note": ""})
    assert tally.history.count() == 1
    assert not AuditEvent.objects.filter(action="update").exists()


def test_only_counts_of_this_crossing_point_are_corrected_here(counter, registrar):
    other = Post.objects.create(kind=Post.CROSSING, code="AGH", name="Aghavno")
    elsewhere, _ = crossings.record_tally({"uuid": str(uuid.uuid4()), "people_aboard": 5},
                                         user=registrar, post=other)
    response = counter.post(f"/tally/{elsewhere.uuid}/correct/", {"people_aboard": "50"})
    assert response.status_code == 404
    assert counter.get(f"/tally/{elsewhere.uuid}/history/").status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.people_aboard == 5


def test_a_count_loaded_in_bulk_keeps_its_first_value_in_history(crossing, registrar):
    # An hour ago, but today in the operation's time zone (at 00:09 in Yerevan an hour ago
    # was yesterday, and the count is not in today's crossings).
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    counted_at = max(midnight, timezone.now() - timedelta(hours=1))
    tally = Tally(post=crossing, people_aboard=12, counted_at=counted_at, recorded_by=registrar)
    Tally.objects.bulk_create([tally])
    count_tallies([tally])
    tally = Tally.objects.get()
    crossings.correct_tally(tally, {"people_aboard": 21}, user=registrar)
    changes = queries.tally_changes(tally)
    assert [c["kind"] for c in changes] == ["changed", "created"]
    assert changes[0]["fields"][0] | {"label": ""} == {
        "field": "people_aboard", "label": "", "before": 12, "after": 21}
    assert changes[1]["at"] == counted_at
    assert queries.crossed_today(crossing) == 21


def test_the_api_gives_a_counts_history(crossing, registrar):
    client = Client(**bearer(registrar))
    body = {"uuid": str(uuid.uuid4()), "post": "KOR", "people_aboard": 5}
    client.post("/api/tallies", json.dumps(body), content_type="application/json")
    client.patch(f"/api/tallies/{body['uuid']}", json.dumps({"people_aboard": 50}),
                 content_type="application/json")
    history = client.get(f"/api/tallies/{body['uuid']}/history").json()
    assert [(c["kind"], c["user"]) for c in history] == [
        ("changed", "registrar"), ("created", "registrar")]
    assert history[0]["fields"] == [{"field": "people_aboard", "before": 5, "after": 50}]
    assert client.get(f"/api/tallies/{uuid.uuid4()}/history").status_code == 404


@pytest.mark.browser
def test_a_counter_corrects_the_last_count_by_keyboard(live_server, page, registrar,
                                                        crossing):
    base = live_server.url
    page.goto(f"{base}/tally/")
    page.get_by_label("User name").fill("registrar")
    page.get_by_label("Password").fill("registrar-pass-1")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/post/"))
    page.wait_for_function("document.activeElement && document.activeElement.name === 'post'")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/tally/")
    with page.expect_navigation():
        page.keyboard.type("44")
        page.keyboard.press("Enter")
    assert page.get_by_test_id("crossed-today").inner_text() == "44"

    # From the count field: Tab past plate, note and Count to the last count's row.
    for _ in range(4):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "people_aboard"
    assert page.evaluate("document.activeElement.form.id").startswith("fix-")
    with page.expect_navigation():
        page.keyboard.type("4")
        page.keyboard.press("Enter")
    assert page.url == f"{base}/tally/"
    assert page.get_by_test_id("crossed-today").inner_text() == "4"
    assert "44 → 4 people" in page.locator(".messages").inner_text()
    assert page.evaluate("document.activeElement.classList.contains('bignum')")
    page.get_by_role("link", name="corrected").click()
    assert "44" in page.get_by_test_id("tally-history").inner_text()
