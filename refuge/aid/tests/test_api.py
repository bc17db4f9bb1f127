"""/api/aid/ end to end: a programme, its entitlements, the household at a point, hand-overs
201/200/409, the payment list and the provider's results."""

import csv
import io
import json
import uuid

import pytest

from refuge.aid.models import Distribution
from refuge.api import api
from refuge.audit.models import AuditEvent
from refuge.conftest import bearer, make_household, member
from refuge.registry.cards import qr_payload

pytestmark = pytest.mark.django_db


def post(client, path, body, user):
    return client.post(f"/api/aid{path}", json.dumps(body), content_type="application/json",
                       **bearer(user))


@pytest.fixture
def family(reception, registrar):
    return make_household(reception, registrar, member("Anahit", birth_date="1985"),
                          member("Narek", birth_date="2016", relationship="child"))


@pytest.fixture
def programme(client, personas, family):
    admin = personas["administrator"]
    body = {"uuid": str(uuid.uuid4()), "name": "Rent support", "kind": "cash", "unit": "AMD",
            "per_person": 40_000, "frequency": "monthly", "cycles": 6,
            "starts_on": "2023-10-01"}
    created = post(client, "/programmes", body, admin)
    assert created.status_code == 201, created.json()
    assert len(created.json()["cycles"]) == 6
    assert post(client, "/programmes", body, admin).status_code == 200
    generated = post(client, f"/programmes/{body['uuid']}/cycles/1/entitlements", {}, admin)
    assert generated.json() == {"added": 2, "entitlements": 2}
    again = post(client, f"/programmes/{body['uuid']}/cycles/1/entitlements", {}, admin)
    assert again.json() == {"added": 0, "entitlements": 2}
    assert post(client, f"/programmes/{body['uuid']}/cycles/1/approve", {},
                admin).json()["status"] == "approved"
    return body["uuid"]


def test_a_programme_without_an_amount_is_refused_naming_the_field(client, personas):
    response = post(client, "/programmes", {"name": "Kits", "kind": "in_kind", "unit": "kit",
                                            "starts_on": "2023-10-01"},
                    personas["administrator"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "per_person"


def test_an_approved_cycle_refuses_generation(client, personas, programme):
    response = post(client, f"/programmes/{programme}/cycles/1/entitlements", {},
                    personas["administrator"])
    assert response.status_code == 409


def test_the_household_at_a_point_by_number_or_card_code_is_audited(
        client, personas, programme, family):
    officer = personas["aid_officer"]
    for text in (family.registration_number, qr_payload(family)):
        response = client.get(f"/api/aid/households/{text}", **bearer(officer))
        assert response.status_code == 200
    members = response.json()["members"]
    assert [(m["given_name"], len(m["due"])) for m in members] == [("Anahit", 1), ("Narek", 1)]
    assert members[1]["due"][0]["recipient"] == members[0]["uuid"]
    assert AuditEvent.objects.filter(object_type="household", object_uuid=family.uuid,
                                     detail__via="aid point").count() == 2


def test_a_mistyped_check_digit_is_a_422_that_says_so(client, personas, family, programme):
    wrong = family.registration_number[:-1] + str((int(family.registration_number[-1]) + 1) % 10)
    response = client.get(f"/api/aid/households/{wrong}", **bearer(personas["aid_officer"]))
    assert response.status_code == 422
    assert "check digit" in response.json()["errors"][0]["message"]


def test_hand_overs_are_201_then_200_then_409_naming_the_earlier(client, personas, programme,
                                                                 family):
    officer = personas["aid_officer"]
    shown = client.get(f"/api/aid/households/{family.registration_number}",
                       **bearer(officer)).json()
    due = [e["uuid"] for m in shown["members"] for e in m["due"]]
    body = {"uuid": str(uuid.uuid4()), "entitlements": due, "point": "GOR",
            "received_by": shown["members"][0]["uuid"]}
    first = post(client, "/distributions", body, officer)
    assert first.status_code == 201 and len(first.json()["entitlements"]) == 2
    assert post(client, "/distributions", body, officer).json() == first.json()
    refused = post(client, "/distributions", {**body, "uuid": str(uuid.uuid4())}, officer)
    assert refused.status_code == 409
    errors = refused.json()["errors"]
    assert [e["field"] for e in errors] == ["entitlements[0]", "entitlements[1]"]
    assert {e["distribution"] for e in errors} == {body["uuid"]}
    assert Distribution.objects.count() == 1
    after = client.get(f"/api/aid/households/{family.registration_number}",
                       **bearer(officer)).json()
    assert after["members"][0]["received"][0]["point"] == "GOR"
    assert after["members"][0]["due"] == []


def test_an_unknown_point_is_named(client, personas, programme, family):
    body = {"uuid": str(uuid.uuid4()), "entitlements": [str(uuid.uuid4())], "point": "XXX",
            "received_by": str(uuid.uuid4())}
    response = post(client, "/distributions", body, personas["aid_officer"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "point"


def test_the_payment_list_and_the_providers_results(client, personas, programme):
    admin = personas["administrator"]
    response = client.get(f"/api/aid/payment-lists/{programme}/1", **bearer(admin))
    assert response["Content-Type"].startswith("text/csv")
    (row,) = csv.DictReader(io.StringIO(response.content.decode()))
    assert (row["amount"], row["people"]) == ("80000", "2")
    results = f"payment,status,reference\n{row['payment']},failed,\nnot-a-payment,paid,X\n"
    bad = post(client, f"/payment-lists/{programme}/1/results", {"file": results}, admin)
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "line 3.payment",
                                     "message": "is not a payment of this cycle"}]
    good = post(client, f"/payment-lists/{programme}/1/results",
                {"file": results.split("not")[0]}, admin)
    assert good.json() == {"paid": 0, "failed": 1}
    rec = client.get(f"/api/aid/programmes/{programme}/reconciliation", **bearer(admin)).json()
    assert rec["rows"][0]["failed"] == 80_000
    assert rec["mismatches"][0]["kind"] == "failed"


@pytest.mark.parametrize("persona, allowed", [
    ("administrator", True), ("aid_officer", True), ("registrar", False), ("analyst", False),
    ("tracing_officer", False), ("shelter_manager", False), ("outsider", False)])
def test_only_aid_officers_and_administrators_look_up_a_household_at_a_point(
        client, personas, programme, family, persona, allowed):
    response = client.get(f"/api/aid/households/{family.registration_number}",
                          **bearer(personas[persona]))
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("persona", ["aid_officer", "analyst", "registrar", "outsider"])
def test_only_administrators_define_programmes_and_export_payment_lists(
        client, personas, programme, persona):
    assert client.get(f"/api/aid/payment-lists/{programme}/1",
                      **bearer(personas[persona])).status_code == 403
    body = {"name": "Kits", "kind": "in_kind", "unit": "kit", "per_household": 1,
            "starts_on": "2023-10-01"}
    assert post(client, "/programmes", body, personas[persona]).status_code == 403


def test_the_aid_endpoints_are_in_the_openapi_schema():
    paths = api.get_openapi_schema()["paths"]
    for path in ("/api/aid/programmes", "/api/aid/distributions",
                 "/api/aid/programmes/{uuid}/cycles/{n}/entitlements",
                 "/api/aid/households/{registration_number}",
                 "/api/aid/payment-lists/{programme}/{cycle}"):
        assert path in paths
