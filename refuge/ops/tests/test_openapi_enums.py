"""Fields with a fixed set of values in tracing and aid: the OpenAPI schema's `enum` is
what the API accepts. Before, these were documented only in prose ("missing, alive or
deceased"), so a client generated from the schema could send any text."""

import json
from uuid import uuid4

import pytest

from refuge.accounts import roles
from refuge.conftest import make_household, member
from refuge.tracing import services as tracing
from refuge.tracing.tests.helpers import enquiry, sought

pytestmark = pytest.mark.django_db


def refused(response) -> set[str]:
    return {e["field"] for e in response.json().get("errors", [])
            if response.status_code == 422}


def test_tracing_and_aid_fields_with_a_fixed_set_of_values_document_exactly_those(
        admin, personas, reception):
    schema = admin.get("/api/openapi.json").json()
    officer = personas[roles.TRACING_OFFICER]

    def send(url, body):
        return admin.post(url, json.dumps(body), content_type="application/json")

    def programme(**fields):
        monthly = fields.get("frequency") == "monthly"
        return send("/api/aid/programmes", {
            "uuid": str(uuid4()), "name": "Winter support", "kind": "cash", "unit": "AMD",
            "per_person": 50_000, "starts_on": "2023-10-01", "cycles": 2 if monthly else 1,
            **fields})

    def found():
        """A sought person confirmed as someone registered, asked after by someone
        registered: each value of `how` can be taken."""
        registrar = personas[roles.REGISTRAR]
        samvel = make_household(reception, registrar, member(
            "Սամվել", "Հովհաննիսյան", sex="M", birth_date="1970-05-02")).members.get()
        anahit = make_household(reception, registrar, member(
            "Անահիտ", "Հովհաննիսյան", sex="F", birth_date="1972-03-14")).members.get()
        one = enquiry(officer, sought("Анаит", "Оганесян", sex="F", birth_date="1972-03-14"),
                      enquirer=str(samvel.uuid)).sought.get()
        tracing.confirm(one.candidates.get(person=anahit), user=officer)
        return one

    def fate(**fields):
        one = enquiry(officer, sought("Armen", "Petrosyan", age=36)).sought.get()
        return send(f"/api/tracing/sought/{one.uuid}/fate", {"fate": "alive", **fields})

    def reunify(**fields):
        return send(f"/api/tracing/sought/{found().uuid}/reunify", {"how": "link", **fields})

    cases = [("ProgrammeIn", "kind", programme), ("ProgrammeIn", "frequency", programme),
             ("ProgrammeIn", "state_housing", programme), ("FateIn", "fate", fate),
             ("ReunifyIn", "how", reunify)]
    wrong = []
    for component, field, act in cases:
        values = schema["components"]["schemas"][component]["properties"][field].get("enum")
        if not values or len(values) < 2:
            wrong.append(f"{component}.{field}: no enum")
            continue
        for value in values:
            response = act(**{field: value})
            if response.status_code >= 300:
                wrong.append(f"{component}.{field}={value!r}: {response.status_code} "
                             f"{response.json()}")
        if refused(act(**{field: "nonsense"})) != {field}:
            wrong.append(f"{component}.{field}: a value outside the enum not refused")
    assert not wrong


def parameter(schema: dict, path: str, method: str, name: str) -> dict:
    found = [p for p in schema["paths"][path][method]["parameters"] if p["name"] == name]
    return found[0]["schema"] if found else {}


def test_the_payment_lists_format_is_documented_as_csv_or_xlsx_and_nothing_else(
        admin, personas):
    from refuge.aid.tests.helpers import approved_cycle

    cycle = approved_cycle(personas[roles.AID_OFFICER])
    schema = admin.get("/api/openapi.json").json()
    path = "/api/aid/payment-lists/{programme}/{cycle}"
    documented = parameter(schema, path, "get", "format")
    assert documented.get("enum") == ["csv", "xlsx"]
    assert documented.get("default") == "csv"
    url = f"/api/aid/payment-lists/{cycle.programme.uuid}/{cycle.number}"
    for value in documented["enum"]:
        assert admin.get(f"{url}?format={value}").status_code == 200
    assert refused(admin.get(f"{url}?format=pdf")) == {"format"}


def test_a_legal_basis_is_recorded_only_for_the_purposes_the_schema_lists(admin):
    schema = admin.get("/api/openapi.json").json()
    documented = parameter(schema, "/api/legal-bases/{purpose}", "put", "purpose")
    assert set(documented.get("enum", ())) == {"registration", "tracing", "payments", "audit"}
    for purpose in documented["enum"]:
        response = admin.put(f"/api/legal-bases/{purpose}",
                             json.dumps({"basis": "vital_interest"}),
                             content_type="application/json")
        assert response.status_code == 200, purpose
    assert refused(admin.put("/api/legal-bases/marketing",
                             json.dumps({"basis": "vital_interest"}),
                             content_type="application/json")) == {"purpose"}
