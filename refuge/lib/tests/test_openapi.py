"""The OpenAPI schema says what each operation answers when something is wrong, and what
its PATCH body accepts; and the API answers as it says."""

import json
import uuid

import pytest
from django.test import Client

from refuge.accounts import roles
from refuge.conftest import bearer, member

pytestmark = pytest.mark.django_db

ERRORS = {"$ref": "#/components/schemas/Errors"}


@pytest.fixture
def schema(db) -> dict:
    return Client().get("/api/openapi.json").json()


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def body_schema(schema: dict, operation: dict) -> dict:
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def expected_errors(schema: dict, path: str, method: str, operation: dict) -> set[str]:
    has_body = "requestBody" in operation
    expected = {"400", "401", "403"}  # unreadable request; every operation needs a caller
    if "{" in path:
        expected |= {"404", "422"}
    if has_body or operation.get("parameters"):
        expected.add("422")
    if has_body:
        expected |= {"413", "415"}
        if method == "post" and "uuid" in body_schema(schema, operation)["properties"]:
            expected.add("409")  # an idempotent create, whose UUID came with another body
    return expected


def test_every_operation_documents_the_errors_it_can_answer(schema):
    missing, other_shape = [], []
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        missing += [f"{method} {path} {status}"
                    for status in expected_errors(schema, path, method, operation) - set(responses)]
        other_shape += [f"{method} {path} {status}" for status, answer in responses.items()
                        if status.startswith("4")
                        and answer["content"]["application/json"]["schema"] != ERRORS]
    assert not missing
    assert not other_shape
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"field", "message"}


def a_value_for(parameter: dict) -> str:
    kind = parameter["schema"]
    if kind.get("format") == "uuid":
        return str(uuid.uuid4())
    return "7" if kind.get("type") == "integer" else "NOTHING-7"


def test_the_api_answers_only_what_it_documents_when_something_is_wrong(schema, personas):
    """For every operation: a caller with no token, a body that is not JSON, and ids
    that name nothing are each answered with a documented status and the error shape."""
    admin = Client()
    admin.defaults.update(bearer(personas[roles.ADMINISTRATOR]))
    undocumented = []
    for path, method, operation in operations(schema):
        url = path
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                url = url.replace("{" + parameter["name"] + "}", a_value_for(parameter))
        has_body = "requestBody" in operation
        tries = [("anonymous", Client(), "{}"), ("unknown ids", admin, "{}")]
        if has_body:
            tries.append(("not JSON", admin, '{"members": ['))
        for what, client, body in tries:
            if method == "get":
                response = client.get(url)
            else:
                response = getattr(client, method)(url, body if has_body else "",
                                                   content_type="application/json")
            status = str(response.status_code)
            if status.startswith("4") and (status not in operation["responses"]
                                           or "errors" not in response.json()):
                undocumented.append(f"{method} {path} ({what}): {status}")
            if status.startswith("5"):
                undocumented.append(f"{method} {path} ({what}): {status}")
    assert not undocumented


@pytest.fixture
def editable(personas, reception, crossing) -> dict[str, str]:
    """One record of each kind a PATCH edits, by the PATCH's path."""
    client = Client()
    client.defaults.update(bearer(personas[roles.ADMINISTRATOR]))

    def created(url, body):
        response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content
        return response.json()

    household = created("/api/households", {"uuid": str(uuid.uuid4()), "post": "GOR",
                                            "members": [member("Anahit", sex="F")]})
    tally = created("/api/tallies", {"uuid": str(uuid.uuid4()), "post": "KOR",
                                     "people_aboard": 4})
    site = created("/api/shelter/sites", {"name": "School 4", "province": "Syunik",
                                          "beds": 40})
    return {"/api/households/{uuid}": household["uuid"],
            "/api/people/{uuid}": household["members"][0]["uuid"],
            "/api/tallies/{uuid}": tally["uuid"],
            "/api/shelter/sites/{uuid}": site["uuid"]}


def nullable(field: dict) -> bool:
    return {"type": "null"} in field.get("anyOf", [])


def test_patch_bodies_accept_null_exactly_where_they_say_so(schema, personas, editable):
    client = Client()
    client.defaults.update(bearer(personas[roles.ADMINISTRATOR]))
    patches = {path: op for path, method, op in operations(schema) if method == "patch"}
    assert set(patches) == set(editable), "a new PATCH needs a record here to edit"
    disagree = []
    for path, operation in patches.items():
        url = path.replace("{uuid}", editable[path])
        for name, field in body_schema(schema, operation)["properties"].items():
            response = client.patch(url, json.dumps({name: None}),
                                    content_type="application/json")
            refused = {e["field"] for e in response.json().get("errors", [])
                       if response.status_code == 422}
            if nullable(field) and (response.status_code != 200 or refused):
                disagree.append(f"{path} {name}: documented nullable, null refused")
            if not nullable(field) and refused != {name}:
                disagree.append(f"{path} {name}: null not refused as documented "
                                f"({response.status_code})")
    assert not disagree
    documented_nullable = {(path, name) for path, op in patches.items()
                           for name, field in body_schema(schema, op)["properties"].items()
                           if nullable(field)}
    assert ("/api/shelter/sites/{uuid}", "latitude") in documented_nullable
    assert ("/api/people/{uuid}", "base_version") in documented_nullable
    assert ("/api/people/{uuid}", "given_name") not in documented_nullable
