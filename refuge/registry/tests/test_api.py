import json
import uuid

import pytest
from django.test import Client

from refuge.audit.models import AuditEvent
from refuge.conftest import bearer, member
from refuge.registry.models import Household, Person, Tally

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(registrar, reception, crossing):
    api_client = Client()
    api_client.defaults.update(bearer(registrar))
    return api_client


def post(client, url, body, **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **headers)


def household(**fields):
    return {"uuid": str(uuid.uuid4()), "post": "GOR",
            "members": [member("Анаит", "Оганесян", sex="F", birth_date="1972"),
                        member("Armen", relationship="spouse", birth_date="1969-04")],
            **fields}


def errors_of(response) -> dict:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_it_registers_a_household_and_returns_its_number(client):
    response = post(client, "/api/households", household(phone="077123456"))
    assert response.status_code == 201
    body = response.json()
    assert body["registration_number"].startswith("GOR-")
    assert [m["given_name"] for m in body["members"]] == ["Анаит", "Armen"]
    assert body["members"][0]["latin_name"] == "Anait Oganesyan"
    assert body["members"][0]["phone"] == "+37477123456"
    assert body["members"][1]["birth_precision"] == "month"
    assert body["card_url"].endswith("/card/")


def test_sending_the_same_household_again_returns_the_same_record(client):
    body = household()
    first = post(client, "/api/households", body)
    again = post(client, "/api/households", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["uuid"] == again.json()["uuid"]
    assert again.json()["registration_number"] == first.json()["registration_number"]
    assert Household.objects.count() == 1 and Person.objects.count() == 2


def test_the_same_uuid_with_a_different_body_is_a_409(client):
    body = household()
    post(client, "/api/households", body)
    response = post(client, "/api/households", {**body, "phone": "+37499111222"})
    assert response.status_code == 409
    assert "different household" in errors_of(response)["uuid"]
    assert Person.objects.count() == 2


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"birth_date": "14.04.1972x"}, "members[1].birth_date", "is not a date"),
    ({"birth_date": "2999"}, "members[1].birth_date", "2999 is in the future"),
    ({"birth_date": "age 130"}, "members[1].birth_date", "an age of 130 is over 120"),
    ({"given_name": "   "}, "members[1].given_name", "is blank"),
    ({"given_name": "", "family_name": ""}, "members[1].given_name", "needs a given name"),
    ({"given_name": "Ar\u200bmen"}, "members[1].given_name", "invisible or control"),
    ({"given_name": "Ar\u0007men"}, "members[1].given_name", "invisible or control"),
    ({"phone": "555"}, "members[1].phone", "555 is not a valid phone number"),
    ({"nickname": "Aro"}, "members[1].nickname", "is not a known field"),
    ({"sex": "Q"}, "members[1].sex", "Q is not one of"),
    ({"needs": ["XYZ"]}, "members[1].needs", "XYZ is not a specific-needs code"),
    ({"given_name": 42}, "members[1].given_name", "must be text"),
    ({"relationship": "spouse\u0000"}, "members[1].relationship", "invisible or control"),
])
def test_every_bad_field_is_named_with_its_problem(client, change, field, message):
    body = household()
    body["members"][1].update(change)
    response = post(client, "/api/households", body)
    assert response.status_code == 422
    assert message in errors_of(response)[field]
    assert Household.objects.count() == 0


def test_a_household_with_no_members_is_refused(client):
    response = post(client, "/api/households", household(members=[]))
    assert errors_of(response) == {"members": "a household needs at least one member"}


def test_names_in_mixed_scripts_are_kept_as_typed(client):
    body = household()
    body["members"][0]["given_name"] = "Anna-Մարիա"
    response = post(client, "/api/households", body)
    assert response.status_code == 201
    assert response.json()["members"][0]["given_name"] == "Anna-Մարիա"
    assert response.json()["members"][0]["name_script"] == "mixed"


def test_malformed_json_is_a_clear_error(client):
    response = post(client, "/api/households", '{"uuid": "x", ')
    assert response.status_code == 400
    assert errors_of(response) == {"body": "is not valid JSON"}


def test_a_json_body_that_is_not_an_object_is_refused(client):
    response = post(client, "/api/households", "[1, 2]")
    assert response.status_code == 422
    assert errors_of(response) == {"body": "must be an object"}


def test_an_unknown_top_level_field_is_refused(client):
    response = post(client, "/api/households", household(colour="blue"))
    assert errors_of(response) == {"colour": "is not a known field"}


def test_a_missing_uuid_is_refused(client):
    body = household()
    del body["uuid"]
    assert errors_of(post(client, "/api/households", body)) == {"uuid": "is required"}


def test_an_oversize_body_is_refused_before_it_is_read(client, settings):
    settings.REFUGE_API_MAX_BODY_BYTES = 10_000
    body = household()
    body["members"][0]["given_name"] = "A" * 20_000
    response = post(client, "/api/households", body)
    assert response.status_code == 413
    assert "limit is 10000" in errors_of(response)["body"]
    assert Household.objects.count() == 0


def test_an_unknown_post_is_named(client):
    response = post(client, "/api/households", household(post="XXX"))
    assert errors_of(response) == {"post": "XXX is not an open post"}


def test_it_reads_and_updates_a_person_with_history(client):
    created = post(client, "/api/households", household()).json()
    person_uuid = created["members"][1]["uuid"]
    response = client.patch(f"/api/people/{person_uuid}",
                            json.dumps({"given_name": "Արմեն", "needs": ["MED"]}),
                            content_type="application/json")
    assert response.status_code == 200
    assert response.json()["given_name"] == "Արմեն" and response.json()["needs"] == ["MED"]
    history = client.get(f"/api/people/{person_uuid}/history").json()
    assert history[0]["fields"] == ["given_name", "name_script", "needs"]
    assert history[0]["user"] == "registrar"
    assert client.get(f"/api/people/{person_uuid}").json()["given_name"] == "Արմեն"


def test_a_bad_update_names_the_field_and_changes_nothing(client):
    created = post(client, "/api/households", household()).json()
    person_uuid = created["members"][1]["uuid"]
    response = client.patch(f"/api/people/{person_uuid}",
                            json.dumps({"birth_date": "3000", "given_name": "X"}),
                            content_type="application/json")
    assert response.status_code == 422
    assert errors_of(response) == {"birth_date": "3000 is in the future"}
    assert Person.objects.get(uuid=person_uuid).given_name == "Armen"


def test_moving_and_linking_through_the_api(client):
    first = post(client, "/api/households", household()).json()
    second = post(client, "/api/households", household()).json()
    person_uuid = first["members"][1]["uuid"]
    moved = post(client, f"/api/people/{person_uuid}/move",
                 {"household": second["uuid"], "relationship": "sibling"})
    assert moved.status_code == 200 and moved.json()["household"] == second["uuid"]
    linked = post(client, f"/api/households/{first['uuid']}/link", {"other": second["uuid"]})
    assert linked.status_code == 200
    assert client.get(f"/api/households/{second['uuid']}").json()["group"] == first["uuid"]


def test_search_is_a_post_and_finds_across_scripts(client):
    post(client, "/api/households", household())
    response = post(client, "/api/search", {"q": "Hovhannisyan Anait"})
    assert response.status_code == 200
    assert [p["given_name"] for p in response.json()["people"]] == ["Анаит"]


def test_lists_are_paginated_with_a_cursor(client):
    for _ in range(3):
        post(client, "/api/households", household())
    first = client.get("/api/households?size=2").json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get(f"/api/households?size=2&cursor={first['next_cursor']}").json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    bad = client.get("/api/households?cursor=%%%")
    assert bad.status_code == 400 and errors_of(bad) == {"cursor": "is not a cursor this API gave"}


def test_tallies_are_idempotent_and_validated(client):
    body = {"uuid": str(uuid.uuid4()), "post": "KOR", "people_aboard": 5, "vehicle_ref": "35 AB"}
    assert post(client, "/api/tallies", body).status_code == 201
    assert post(client, "/api/tallies", body).status_code == 200
    assert post(client, "/api/tallies", {**body, "people_aboard": 6}).status_code == 409
    bad = post(client, "/api/tallies", {**body, "uuid": str(uuid.uuid4()), "people_aboard": 0})
    assert errors_of(bad) == {"people_aboard": "must be a whole number from 1 to 120"}
    at_reception = post(client, "/api/tallies", {**body, "uuid": str(uuid.uuid4()),
                                                 "post": "GOR"})
    assert "crossing point" in errors_of(at_reception)["post"]
    assert Tally.objects.count() == 1
    assert client.get("/api/figures").json()["crossed"] == 5


def test_reading_a_person_is_audited_without_their_name(client):
    created = post(client, "/api/households", household()).json()
    person_uuid = created["members"][0]["uuid"]
    client.get(f"/api/people/{person_uuid}")
    event = AuditEvent.objects.filter(action="view", object_uuid=person_uuid).get()
    assert event.user.username == "registrar"
    assert "Анаит" not in json.dumps(event.detail, ensure_ascii=False)


def test_the_openapi_schema_describes_the_endpoints(client):
    schema = Client().get("/api/openapi.json").json()
    assert "/api/households" in schema["paths"]
    household_in = schema["components"]["schemas"]["HouseholdIn"]
    assert household_in["additionalProperties"] is False
    assert "uuid" in household_in["required"]


def test_a_tally_is_corrected_and_the_figures_follow(client):
    body = {"uuid": str(uuid.uuid4()), "post": "KOR", "people_aboard": 5}
    post(client, "/api/tallies", body)
    response = client.patch(f"/api/tallies/{body['uuid']}",
                            json.dumps({"people_aboard": 50, "note": "a bus"}),
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["people_aboard"] == 50
    assert client.get(f"/api/tallies/{body['uuid']}").json()["note"] == "a bus"
    assert client.get("/api/figures").json()["crossed"] == 50
    bad = client.patch(f"/api/tallies/{body['uuid']}", json.dumps({"people_aboard": 0}),
                       content_type="application/json")
    assert errors_of(bad) == {"people_aboard": "must be a whole number from 1 to 120"}
    assert client.get("/api/figures").json()["crossed"] == 50


def test_a_household_is_closed_and_reopened(client):
    created = post(client, "/api/households", household()).json()
    url = f"/api/households/{created['uuid']}"
    closed = client.patch(url, json.dumps({"status": "closed"}), content_type="application/json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    bad = client.patch(url, json.dumps({"status": "gone"}), content_type="application/json")
    assert bad.status_code == 422 and "gone is not one of" in errors_of(bad)["status"]
    assert Household.objects.get(uuid=created["uuid"]).history.count() == 2


def test_control_characters_are_refused_in_every_text_field(client):
    response = post(client, "/api/households", household(desk="3\u0000", device_id="a\u0000"))
    assert response.status_code == 422
    assert set(errors_of(response)) == {"desk", "device_id"}
    in_query = client.get("/api/tallies?post=K%00R")
    assert in_query.status_code == 400 and list(errors_of(in_query)) == ["post"]
