"""/api/tracing: enquiries recorded idempotently, candidates with evidence, decisions,
and the found person's whereabouts withheld until they consent."""

import uuid

import pytest

from refuge.audit.models import AuditEvent
from refuge.conftest import bearer, make_household, member
from refuge.registry import consent
from refuge.registry.models import TRACING_DISCLOSURE
from refuge.tracing.models import Enquiry, SoughtPerson
from refuge.tracing.tests.helpers import age_of


def post(client, user, path, body=None):
    return client.post(f"/api/tracing{path}", body or {}, content_type="application/json",
                       **bearer(user))


def get(client, user, path):
    return client.get(f"/api/tracing{path}", **bearer(user))


@pytest.fixture
def anahit(personas, reception):
    return make_household(reception, personas["registrar"], member(
        "Անահիտ", "Հովհաննիսյան", sex="F", birth_date="1972-03-14")).members.get()


def enquiry_body(**fields):
    return {"uuid": str(uuid.uuid4()), "enquirer_given_name": "Самвел",
            "enquirer_family_name": "Оганесян",
            "sought": [{"given_name": "Анаит", "family_name": "Оганесян", "sex": "F",
                        "age": age_of(1972), "relation": "spouse"}], **fields}


def test_an_enquiry_sent_twice_is_recorded_once(client, personas, anahit):
    body = enquiry_body()
    first = post(client, personas["tracing_officer"], "/enquiries", body)
    again = post(client, personas["tracing_officer"], "/enquiries", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["uuid"] == again.json()["uuid"]
    assert Enquiry.objects.count() == 1


def test_the_same_uuid_with_another_body_is_a_conflict(client, personas, anahit):
    body = enquiry_body()
    post(client, personas["tracing_officer"], "/enquiries", body)
    changed = post(client, personas["tracing_officer"], "/enquiries", {**body, "phone": ""} | {
        "enquirer_given_name": "Ашот"})
    assert changed.status_code == 409
    assert changed.json()["errors"][0]["field"] == "uuid"


def test_a_bad_age_is_named_by_its_field(client, personas):
    body = enquiry_body(sought=[{"given_name": "Анаит", "age": 200}])
    response = post(client, personas["tracing_officer"], "/enquiries", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sought[0].age"
    assert not Enquiry.objects.exists()


def test_a_registrar_takes_an_enquiry_but_sees_no_results(client, personas, anahit):
    response = post(client, personas["registrar"], "/enquiries", enquiry_body())
    assert response.status_code == 201
    assert set(response.json()) == {"uuid", "created", "sought"}
    sought = response.json()["sought"][0]
    assert get(client, personas["registrar"], f"/sought/{sought}/candidates").status_code == 403


def test_an_analyst_sees_no_enquiry_and_no_name(client, personas, anahit):
    post(client, personas["tracing_officer"], "/enquiries", enquiry_body())
    sought = SoughtPerson.objects.get()
    for path in ("/enquiries", f"/enquiries/{sought.enquiry.uuid}", f"/sought/{sought.uuid}",
                 f"/sought/{sought.uuid}/candidates"):
        response = get(client, personas["analyst"], path)
        assert response.status_code == 403
        assert "Анаит" not in response.content.decode()


def test_whereabouts_are_withheld_until_the_found_person_consents(client, personas, anahit):
    officer = personas["tracing_officer"]
    sought = post(client, officer, "/enquiries", enquiry_body()).json()["sought"][0]
    candidates = get(client, officer, f"/sought/{sought}/candidates").json()
    assert candidates[0]["person"] == str(anahit.uuid)
    assert candidates[0]["likely"]
    assert {row["field"] for row in candidates[0]["evidence"]} >= {"given", "family", "birth"}
    confirmed = post(client, officer, f"/candidates/{candidates[0]['uuid']}/confirm")
    assert confirmed.json()["status"] == "confirmed"
    found = get(client, officer, f"/sought/{sought}").json()
    assert found["found"] and found["whereabouts"] is None
    assert anahit.household.registration_number not in str(found)
    consented = post(client, officer, f"/sought/{sought}/consent").json()
    assert consented["whereabouts"]["registration_number"] == anahit.household.registration_number


def test_every_view_of_a_case_is_audited(client, personas, anahit):
    officer = personas["tracing_officer"]
    sought = post(client, officer, "/enquiries", enquiry_body()).json()["sought"][0]
    get(client, officer, f"/sought/{sought}/candidates")
    assert AuditEvent.objects.filter(action=AuditEvent.VIEW, object_type="sought",
                                     object_uuid=sought).exists()


def test_an_exception_needs_a_child_and_a_reason(client, personas, anahit):
    officer = personas["tracing_officer"]
    sought = post(client, officer, "/enquiries", enquiry_body()).json()["sought"][0]
    candidate = get(client, officer, f"/sought/{sought}/candidates").json()[0]
    post(client, officer, f"/candidates/{candidate['uuid']}/confirm")
    response = post(client, officer, f"/sought/{sought}/exception", {"reason": "urgent"})
    assert response.status_code == 409  # not a child: the request's state forbids it
    assert response.json()["errors"][0]["field"] == "reason"
    response = post(client, officer, f"/sought/{sought}/exception", {"reason": ""})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"


def test_the_api_is_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/tracing/enquiries" in paths
    assert "/api/tracing/candidates/{uuid}/confirm" in paths


def test_consent_recorded_at_a_desk_discloses_too(client, personas, anahit):
    officer = personas["tracing_officer"]
    sought = post(client, officer, "/enquiries", enquiry_body()).json()["sought"][0]
    candidate = get(client, officer, f"/sought/{sought}/candidates").json()[0]
    post(client, officer, f"/candidates/{candidate['uuid']}/confirm")
    consent.record_consent(anahit, TRACING_DISCLOSURE, True, user=personas["registrar"])
    found = get(client, officer, f"/sought/{sought}").json()
    assert found["consent"] is True
    assert found["whereabouts"]["registration_number"] == anahit.household.registration_number


def test_reunification_links_the_enquirers_household_with_the_found_persons(
        client, personas, reception, anahit):
    samvel = make_household(reception, personas["registrar"], member(
        "Самвел", "Оганесян", sex="M", birth_date="1970")).members.get()
    officer = personas["tracing_officer"]
    sought = post(client, officer, "/enquiries", enquiry_body(
        enquirer=str(samvel.uuid))).json()["sought"][0]
    candidate = get(client, officer, f"/sought/{sought}/candidates").json()[0]
    post(client, officer, f"/candidates/{candidate['uuid']}/confirm")
    done = post(client, officer, f"/sought/{sought}/reunify", {"how": "link"})
    assert done.json()["status"] == "reunified"
    samvel.household.refresh_from_db()
    anahit.household.refresh_from_db()
    assert samvel.household.group == anahit.household.group
