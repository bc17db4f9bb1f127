"""The expected population: a range an administrator sets, validated, kept with its history."""

import json
import uuid

import pytest

from refuge.conftest import bearer
from refuge.forecast import services
from refuge.forecast.models import ExpectedPopulation
from refuge.lib.errors import Conflict, Invalid


def post(client, body, user):
    return client.post("/api/forecast/expected", json.dumps(body),
                       content_type="application/json", **bearer(user))


def errors_of(response) -> dict:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def test_it_sets_a_range_and_keeps_who_and_when(personas):
    admin = personas["administrator"]
    row, created = services.set_expected({"low": 100_000, "likely": 120_000,
                                          "high": 145_000, "note": "authorities; census"},
                                         user=admin)
    assert created and row.set_by == admin and row.set_at is not None
    assert (row.low, row.likely, row.high) == (100_000, 120_000, 145_000)
    assert ExpectedPopulation.objects.current() == row


def test_a_new_setting_is_kept_beside_the_old_one(personas):
    admin = personas["administrator"]
    first, _ = services.set_expected({"likely": 120_000}, user=admin)
    second, _ = services.set_expected({"likely": 100_000, "high": 110_000}, user=admin)
    assert ExpectedPopulation.objects.current() == second
    assert list(ExpectedPopulation.objects.order_by("pk")) == [first, second]
    first.refresh_from_db()
    assert first.likely == 120_000


def test_low_and_high_default_to_the_likely_value(personas):
    row, _ = services.set_expected({"likely": 50_000}, user=personas["administrator"])
    assert (row.low, row.high) == (50_000, 50_000)
    assert (row.range.floor, row.range.ceiling) == (40_000, 60_000)


@pytest.mark.parametrize("payload, field, message", [
    ({"low": 130_000, "likely": 120_000}, "low", "must be at most the likely value"),
    ({"likely": 120_000, "high": 100_000}, "high", "must be at least the likely value"),
    ({"likely": 0}, "likely", "must be from 1 to"),
    ({"likely": -5}, "likely", "must be from 1 to"),
    ({"likely": 20_000_000}, "likely", "must be from 1 to 10,000,000"),
    ({"likely": "many"}, "likely", "must be a whole number"),
    ({"likely": 1.5}, "likely", "must be a whole number"),
    ({"likely": True}, "likely", "must be a whole number"),
    ({}, "likely", "is required"),
    ({"likely": 10, "note": "x" * 201}, "note", "is too long"),
])
def test_a_bad_range_names_the_field_and_saves_nothing(personas, payload, field, message):
    with pytest.raises(Invalid) as raised:
        services.set_expected(payload, user=personas["administrator"])
    assert any(e.field == field and message in e.message for e in raised.value.errors)
    assert not ExpectedPopulation.objects.exists()


def test_the_same_uuid_twice_is_one_setting_and_another_body_a_conflict(personas):
    admin = personas["administrator"]
    body = {"uuid": str(uuid.uuid4()), "likely": 120_000}
    first, created = services.set_expected(body, user=admin)
    again, created_again = services.set_expected(body, user=admin)
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(Conflict):
        services.set_expected({**body, "likely": 100_000}, user=admin)
    assert ExpectedPopulation.objects.count() == 1


def test_the_database_refuses_a_range_out_of_order(personas):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ExpectedPopulation.objects.create(low=10, likely=5, high=20)


def test_an_administrator_sets_it_through_the_api(client, personas):
    admin = personas["administrator"]
    body = {"uuid": str(uuid.uuid4()), "low": 100_000, "likely": 120_000, "high": 145_000}
    response = post(client, body, admin)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["likely"], data["ceiling"], data["set_by"]) == (120_000, 174_000,
                                                                 "administrator")
    assert post(client, body, admin).status_code == 200
    assert post(client, {**body, "likely": 110_000}, admin).status_code == 409


def test_the_api_names_bad_fields(client, personas):
    response = post(client, {"low": 130_000, "likely": 120_000, "high": 90_000},
                    personas["administrator"])
    assert response.status_code == 422
    assert set(errors_of(response)) == {"low", "high"}
    response = post(client, {"likely": "lots"}, personas["administrator"])
    assert response.status_code == 422 and errors_of(response) == {
        "likely": "must be a whole number"}
    response = post(client, {"likely": 5, "extra": 1}, personas["administrator"])
    assert response.status_code == 422 and "extra" in errors_of(response)


@pytest.mark.parametrize("role", ["registrar", "shelter_manager", "tracing_officer",
                                  "aid_officer", "analyst", "outsider"])
def test_only_an_administrator_may_set_it(client, personas, role):
    response = post(client, {"likely": 120_000}, personas[role])
    assert response.status_code == 403
    assert not ExpectedPopulation.objects.exists()


def test_every_role_reads_the_history_newest_first(client, personas):
    admin = personas["administrator"]
    for likely in (120_000, 110_000, 100_000):
        services.set_expected({"likely": likely}, user=admin)
    response = client.get("/api/forecast/expected?size=2", **bearer(personas["analyst"]))
    assert response.status_code == 200
    page = response.json()
    assert [i["likely"] for i in page["items"]] == [100_000, 110_000]
    rest = client.get(f"/api/forecast/expected?cursor={page['next_cursor']}",
                      **bearer(personas["analyst"])).json()
    assert [i["likely"] for i in rest["items"]] == [120_000] and rest["next_cursor"] is None
    assert client.get("/api/forecast/expected", **bearer(personas["outsider"])).status_code == 403
