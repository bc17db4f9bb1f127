"""How the API answers who may call it: before reading anything sent."""

import pytest
from django.test import Client

from refuge.conftest import bearer
from refuge.shelter.models import Site

pytestmark = pytest.mark.django_db


def test_a_wrong_token_on_a_write_is_a_401_as_on_a_read():
    wrong = Client(HTTP_AUTHORIZATION="Bearer not-a-token", enforce_csrf_checks=True)
    read = wrong.get("/api/shelter/sites")
    write = wrong.post("/api/shelter/sites", {"name": "Goris", "province": "Syunik",
                                              "beds": 5}, content_type="application/json")
    assert read.status_code == write.status_code == 401
    assert "CSRF" not in write.content.decode()


def test_a_refused_role_gets_403_before_any_field_error(personas):
    analyst = Client(**bearer(personas["analyst"]))
    response = analyst.post("/api/shelter/sites", {"beds": "many"},
                            content_type="application/json")
    assert response.status_code == 403
    assert not Site.objects.exists()


def test_a_refused_session_gets_403_before_any_field_error(personas):
    browser = Client()
    browser.force_login(personas["registrar"])
    response = browser.post("/api/shelter/placements", {"site": "x"},
                            content_type="application/json")
    assert response.status_code == 403


def test_an_allowed_role_still_gets_its_field_errors(personas):
    manager = Client(**bearer(personas["shelter_manager"]))
    response = manager.post("/api/shelter/sites", {"beds": "many"},
                            content_type="application/json")
    assert response.status_code == 422
