"""The API's edges, as a clumsy partner system finds them: over-long values are refused,
never cut, and never echoed back whole."""

import json
import uuid
from io import BytesIO
from wsgiref.util import setup_testing_defaults

import pytest
from django.test import Client

from refuge.conftest import bearer, member
from refuge.lib.chunked import with_chunked_bodies
from refuge.registry.models import Household, Tally

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(registrar, reception, crossing):
    return Client(**bearer(registrar))


def household(**fields):
    return {"uuid": str(uuid.uuid4()), "post": "GOR", "members": [member("Anahit")],
            **fields}


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


@pytest.mark.parametrize("field, value", [("desk", "9" * 21), ("device_id", "d" * 65)])
def test_an_over_long_desk_or_device_is_refused_not_cut(client, field, value):
    response = post(client, "/api/households", household(**{field: value}))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Household.objects.exists()


def test_an_over_long_device_on_a_tally_is_refused_not_cut(client):
    response = post(client, "/api/tallies", {"uuid": str(uuid.uuid4()), "post": "KOR",
                                             "people_aboard": 3, "device_id": "d" * 65})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "device_id"
    assert not Tally.objects.exists()


def test_a_huge_value_is_not_echoed_whole(client):
    response = post(client, "/api/households", household(
        registered_on="x" * 100_000, members=[member("Anahit", sex="Q" * 100_000)]))
    assert response.status_code == 422
    assert len(response.content) < 2_000


def test_text_plain_is_refused(client):
    body = json.dumps(household())
    response = client.post("/api/households", body, content_type="text/plain")
    assert response.status_code == 415
    assert not Household.objects.exists()


def test_a_key_given_twice_is_refused(client):
    body = json.dumps(household()).replace('"post": "GOR"', '"post": "GOR", "post": "KOR"')
    response = client.post("/api/households", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "the key post is given twice"
    assert not Household.objects.exists()


def test_a_chunked_body_is_read_whole():
    seen = {}

    def app(environ, start_response):
        seen["length"] = environ["CONTENT_LENGTH"]
        seen["body"] = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        start_response("200 OK", [])
        return [b""]

    environ = {"REQUEST_METHOD": "POST", "HTTP_TRANSFER_ENCODING": "chunked",
               "wsgi.input": BytesIO(b'{"a": 1}'), "wsgi.input_terminated": True}
    setup_testing_defaults(environ)
    environ.pop("CONTENT_LENGTH", None)
    with_chunked_bodies(app)(environ, lambda status, headers: None)
    assert seen == {"length": "8", "body": b'{"a": 1}'}
    untold = {**environ, "wsgi.input_terminated": False, "wsgi.input": BytesIO(b"{}")}
    untold.pop("CONTENT_LENGTH")
    statuses = []
    with_chunked_bodies(app)(untold, lambda status, headers: statuses.append(status))
    assert statuses == ["411 Length Required"]
