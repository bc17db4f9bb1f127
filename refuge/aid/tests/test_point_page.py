"""The distribution point page, without a browser: find by number or card code, one form
hands over everything due, a second visit says it was received, and a receipt."""

import re
import uuid

import pytest
from django.test import Client

from refuge.aid.models import Distribution, HandOver
from refuge.aid.tests.helpers import approved_cycle
from refuge.audit.models import AuditEvent
from refuge.conftest import bearer, make_household, member
from refuge.registry.cards import qr_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(personas, reception):
    client = Client()
    client.force_login(personas["aid_officer"])
    session = client.session
    session["posts"] = {"reception": reception.pk}
    session.save()
    return client


@pytest.fixture
def family(reception, registrar, personas):
    household = make_household(reception, registrar, member("Anahit", birth_date="1985"),
                               member("Narek", birth_date="2016", relationship="child"))
    approved_cycle(personas["administrator"])
    return household


def hand_over_form(page: str) -> dict:
    form = page.split('id="aid-hand-over"')[1].split("</form>")[0]
    return {"entitlements": re.findall(r'name="entitlements" value="([^"]+)"', form),
            "received_by": re.search(r'<option value="([^"]+)" selected', form).group(1),
            "household": re.search(r'name="household" value="([^"]+)"', form).group(1)}


def test_a_card_code_or_a_number_finds_the_household_and_what_is_due(officer_client, family):
    for text in (qr_payload(family), family.registration_number.lower()):
        found = officer_client.post("/aid/find/", {"q": text})
        assert found.status_code == 302 and str(family.uuid) in found["Location"]
    page = officer_client.get(found["Location"]).content.decode()
    assert "Hand over everything due: 200,000 AMD (Enter)" in page
    assert len(hand_over_form(page)["entitlements"]) == 2
    assert AuditEvent.objects.filter(object_uuid=family.uuid, detail__via="aid point").exists()


def test_a_wrong_check_digit_is_said_and_nothing_shown(officer_client, family):
    wrong = family.registration_number[:-1] + str((int(family.registration_number[-1]) + 1) % 10)
    response = officer_client.post("/aid/find/", {"q": wrong})
    assert response.status_code == 422
    assert "the check digit is wrong" in response.content.decode()
    # The number stays in the field, to mend one digit rather than type it all again.
    assert f'value="{wrong}"' in response.content.decode()


def test_one_form_hands_over_everything_and_a_second_visit_says_it_was_received(
        officer_client, family):
    page = officer_client.get(f"/aid/?household={family.uuid}").content.decode()
    form = {**hand_over_form(page), "uuid": str(uuid.uuid4())}
    done = officer_client.post("/aid/", form)
    distribution = Distribution.objects.get()
    assert done["Location"] == f"/aid/?household={family.uuid}&done={distribution.uuid}"
    again = officer_client.get(done["Location"]).content.decode()
    assert "Already received: nothing is due now." in again
    assert f"at {distribution.point.name}." in again  # the point's name, not its code
    assert "Print the receipt" in again
    receipt = officer_client.get(f"/aid/distributions/{distribution.uuid}/receipt/")
    assert "200,000 AMD" in receipt.content.decode()


def test_a_hand_over_kept_offline_goes_through_the_api_and_a_conflict_names_the_earlier(
        officer_client, family, reception):
    page = officer_client.get(f"/aid/?household={family.uuid}").content.decode()
    form = hand_over_form(page)
    token = officer_client.cookies["csrftoken"].value

    def queued(**fields):  # what offline.js sends for a hand-over it kept (handOver)
        body = {"uuid": str(uuid.uuid4()), "entitlements": form["entitlements"],
                "point": reception.code, "received_by": form["received_by"], **fields}
        return officer_client.post("/api/aid/distributions", body,
                                   content_type="application/json", HTTP_X_CSRFTOKEN=token)

    first = queued(at="2023-10-02T10:00:00+04:00")
    assert first.status_code == 201
    again = queued()
    assert again.status_code == 409
    assert again.json()["errors"][0]["distribution"] == first.json()["uuid"]
    assert HandOver.objects.count() == 2
    assert Distribution.objects.get().recorded_at.isoformat().startswith("2023-10-02T06:00")


def test_the_due_list_a_point_keeps_offline(client, personas, family):
    response = client.get("/api/aid/points/GOR/due", **bearer(personas["aid_officer"]))
    (household,) = response.json()["households"]
    assert household["number"] == family.registration_number
    assert len(household["due"]) == 2 and len(household["members"]) == 2
