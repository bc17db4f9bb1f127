"""What Schemathesis found the API answering that its OpenAPI schema did not say, each kept
fixed by one small test: a partner's client is generated from that schema."""

import json
from datetime import timedelta
from uuid import uuid4

import pytest

from refuge.accounts import roles
from refuge.conftest import make_household, member
from refuge.shelter.models import Placement, Site

pytestmark = pytest.mark.django_db

NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def records(reception, registrar) -> dict[str, str]:
    household = make_household(reception, registrar, member("Anahit", sex="F"))
    site = Site.objects.create(name="School 4", province="Syunik", beds=40)
    placement = Placement.objects.create(household=household, site=site, people=1)
    return {"household": str(household.uuid), "site": str(site.uuid),
            "person": str(household.members.get().uuid), "placement": str(placement.uuid)}


def unknown_references(records: dict) -> list[tuple[str, str, str, dict | None, str]]:
    """(method, the schema's path, URL, body, the field that names a record no one has)."""
    placement, person = records["placement"], records["person"]
    household, site = records["household"], records["site"]
    return [
        ("get", "/api/name-index", "/api/name-index?post=NOPE", None, "post"),
        ("post", "/api/matching/check", "/api/matching/check",
         {"members": [member("Anahit")], "household": NOBODY}, "household"),
        ("post", "/api/shelter/placements", "/api/shelter/placements",
         {"household": NOBODY, "site": site}, "household"),
        ("post", "/api/shelter/placements", "/api/shelter/placements",
         {"household": household, "site": NOBODY}, "site"),
        ("post", "/api/shelter/placements", "/api/shelter/placements",
         {"household": household, "site": site, "room": NOBODY}, "room"),
        ("post", "/api/shelter/placements/{uuid}/move",
         f"/api/shelter/placements/{placement}/move", {"site": NOBODY}, "site"),
        ("post", "/api/people/{uuid}/move", f"/api/people/{person}/move",
         {"household": NOBODY}, "household"),
        ("post", "/api/households/{uuid}/link", f"/api/households/{household}/link",
         {"other": NOBODY}, "other"),
    ]


def test_a_record_named_in_the_body_or_query_that_does_not_exist_is_a_documented_422(
        admin, records):
    """Not a 404, which says that the URL's own record is gone, and which these operations
    did not document: a 422 naming the field, as for any other wrong value."""
    schema = admin.get("/api/openapi.json").json()
    wrong = []
    for method, path, url, body, field in unknown_references(records):
        if body is None:
            response = admin.get(url)
        else:
            response = admin.post(url, json.dumps(body), content_type="application/json")
        answered = (response.status_code,
                    [e["field"] for e in response.json().get("errors", [])])
        if answered != (422, [field]):
            wrong.append(f"{method} {path} ({field}): {answered}")
        if "422" not in schema["paths"][path][method]["responses"]:
            wrong.append(f"{method} {path}: 422 undocumented")
    assert not wrong
    assert Placement.objects.count() == 1


def answer(status: int, body: dict):
    import requests

    response = requests.Response()
    response.status_code, response._content = status, json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    response.request = requests.Request("GET", "http://refuge.test/api/people/x").prepare()
    response.url, response.elapsed = response.request.url, timedelta(0)
    return response


def test_the_probe_finds_what_the_schema_does_not_say_and_names_no_one():
    """The Schemathesis probe's checks catch a wrong body, an undocumented status and a
    server error, and what it reports of them quotes no body (a body holds names)."""
    import schemathesis
    from schemathesis.core.failures import FailureGroup

    from refuge.ops.tests.test_schemathesis import conformance_checks, described

    person = {"type": "object", "properties": {"given_name": {"type": "string"}},
              "required": ["given_name"]}
    schema = schemathesis.openapi.from_dict({
        "openapi": "3.1.0", "info": {"title": "Refuge", "version": "1"},
        "paths": {"/api/people/{uuid}": {"get": {
            "parameters": [{"name": "uuid", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "A person", "content": {
                "application/json": {"schema": person}}}}}}}})
    case = schema["/api/people/{uuid}"]["GET"].Case(path_parameters={"uuid": "x"})
    found = {}
    for status, body in [(200, {"given_name": 7, "family_name": "Hovhannisyan"}),
                         (404, {"errors": [{"field": "", "message": "Hovhannisyan"}]}),
                         (500, {"trace": "Hovhannisyan"})]:
        with pytest.raises(FailureGroup) as group:
            case.validate_response(answer(status, body), checks=conformance_checks())
        found[status] = [described(failure) for failure in group.value.exceptions]
    assert "Response violates schema: at given_name, schema rule properties/given_name/type" \
        in found[200]
    assert "Undocumented status code: Received: 404 Documented: 200" in found[404]
    assert "Server error: 500" in found[500]
    assert "Hovhannisyan" not in str(found)


def refused(response) -> set[str]:
    return {e["field"] for e in response.json().get("errors", [])
            if response.status_code == 422}


def enum_of(schema: dict, component: str, field: str) -> list[str]:
    return schema["components"]["schemas"][component]["properties"][field].get("enum", [])


def test_text_fields_with_a_fixed_set_of_values_document_exactly_those(admin, reception,
                                                                       registrar):
    """The schema's `enum` is what the API accepts: each value documented is taken, and
    one outside it is refused naming the field. Before, these were documented as any text
    and a generated client could send values that are always refused."""
    schema = admin.get("/api/openapi.json").json()

    def send(url, body, method="post"):
        return getattr(admin, method)(url, json.dumps(body), content_type="application/json")

    def household(**fields):
        return send("/api/households", {"uuid": str(uuid4()), "post": "GOR",
                                        "members": [member("Anahit", sex="F")], **fields})

    def site(**fields):
        return send("/api/shelter/sites", {"name": "School 4", "province": "Syunik",
                                           "beds": 40, **fields})

    def person():
        return make_household(reception, registrar, member("Anahit", sex="F")).members.get()

    def consent(**fields):
        return send(f"/api/people/{person().uuid}/consents",
                    {"uuid": str(uuid4()), "purpose": "publication", "given": True, **fields})

    def erasure(**fields):
        return send(f"/api/people/{person().uuid}/erase", {"reason": "in_error", **fields})

    def legal_basis(**fields):
        return send("/api/legal-bases/tracing", {"basis": "vital_interest", **fields}, "put")

    cases = [("HouseholdIn", "accommodation", household), ("SiteIn", "kind", site),
             ("ConsentIn", "purpose", consent), ("ConsentIn", "form", consent),
             ("ErasureIn", "reason", erasure), ("LegalBasisIn", "basis", legal_basis)]
    wrong = []
    for component, field, act in cases:
        values = enum_of(schema, component, field)
        if len(values) < 2:
            wrong.append(f"{component}.{field}: no enum")
        for value in values:
            response = act(**{field: value})
            if response.status_code >= 300:
                wrong.append(f"{component}.{field}={value!r}: {response.status_code}")
        if refused(act(**{field: "nonsense"})) != {field}:
            wrong.append(f"{component}.{field}: a value outside the enum not refused")
    assert not wrong
    basis = schema["components"]["schemas"]["LegalBasisOut"]["properties"]
    assert set(basis["purpose"]["enum"]) == {"registration", "tracing", "payments", "audit"}


def test_the_payment_list_documents_the_files_it_answers(admin, personas):
    """A CSV or xlsx file, not JSON: the schema said nothing of the answer's content, so a
    generated client could not read it."""
    from refuge.aid.tests.helpers import approved_cycle

    cycle = approved_cycle(personas[roles.AID_OFFICER])
    schema = admin.get("/api/openapi.json").json()
    answer = schema["paths"]["/api/aid/payment-lists/{programme}/{cycle}"]["get"]["responses"]
    documented = set(answer["200"].get("content", {}))
    for kind in ("csv", "xlsx"):
        response = admin.get(f"/api/aid/payment-lists/{cycle.programme.uuid}/{cycle.number}"
                             f"?format={kind}")
        assert response.status_code == 200
        assert response["Content-Type"].split(";")[0] in documented
