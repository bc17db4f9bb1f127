"""What a clumsy partner or a hand-edited form sends to shelter gets a 4xx naming the
field, never a server error, and nothing is saved."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from refuge.conftest import bearer, make_household, member
from refuge.shelter import imports
from refuge.shelter.models import Placement, Proposal, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(personas):
    return personas["shelter_manager"]


@pytest.fixture
def board(manager):
    client = Client()
    client.force_login(manager)
    return client


@pytest.fixture
def hotel():
    return Site.objects.create(name="Goris hotel", province="Syunik", beds=10)


@pytest.mark.parametrize("field", ["beds", "family_rooms"])
@pytest.mark.parametrize("number", [2**31, 2**63, 10**40])
def test_a_huge_number_of_beds_is_refused_through_the_api(manager, field, number):
    body = {"name": "Goris hotel", "province": "Syunik", "beds": 5, field: number}
    response = Client(**bearer(manager)).post("/api/shelter/sites", body,
                                              content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert len(response.content) < 1000
    assert not Site.objects.exists()


def test_a_huge_number_of_beds_is_refused_by_the_site_form(board):
    response = board.post("/shelter/sites/new/", {"name": "Goris hotel", "province": "Syunik",
                                                   "beds": str(2**63), "kind": "hotel"})
    assert response.status_code == 422
    assert "must be at most 100000" in response.content.decode()
    assert not Site.objects.exists()


def test_a_huge_number_of_beds_is_refused_by_the_import(tmp_path, personas):
    path = tmp_path / "sites.csv"
    path.write_text(f"name,province,beds\nGoris hotel,Syunik,{2**63}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="no site was saved"):
        call_command("import_sites", str(path))
    assert not Site.objects.exists()


def test_one_site_twice_in_a_file_is_one_site(manager):
    text = "name,province,beds\nGoris hotel,Syunik,5\nGoris hotel,Syunik,5\n"
    result = imports.import_sites(text, user=manager)
    assert (result.created, result.errors) == (1, [])
    assert Site.objects.count() == 1


def test_one_site_twice_in_a_file_with_other_values_is_refused_naming_both_lines(manager):
    text = "name,province,beds\nGoris hotel,Syunik,5\nGoris hotel,Syunik,7\n"
    result = imports.import_sites(text, user=manager)
    assert result.errors == ["line 3: Goris hotel in Syunik is on line 2 already, with other "
                             "values"]
    assert not Site.objects.exists()


@pytest.mark.parametrize("url", ["/api/name-index?post=GO%00R",
                                 "/api/shelter/proposals?status=%00",
                                 "/api/shelter/sites?cursor=%00"])
def test_a_nul_byte_in_a_query_is_a_400_naming_the_parameter(manager, url):
    response = Client(**bearer(manager)).get(url)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "contains a NUL character"


def test_a_nul_byte_in_a_json_body_is_refused_naming_the_field(manager):
    response = Client(**bearer(manager)).post(
        "/api/shelter/sites", '{"name": "Goris\\u0000", "province": "Syunik", "beds": 5}',
        content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "name"
    assert not Site.objects.exists()


def test_a_nul_byte_in_a_form_is_a_400(board):
    response = board.post("/shelter/sites/new/", {"name": "Goris\x00", "province": "Syunik",
                                                   "beds": "5"})
    assert response.status_code == 400 and not Site.objects.exists()


@pytest.mark.parametrize("value", ["not-a-uuid", "0" * 40, "------------------------------------"])
def test_malformed_uuids_in_the_shelter_forms_are_not_server_errors(board, hotel, reception,
                                                                   registrar, value):
    household = make_household(reception, registrar, member("Anahit"))
    assert board.post("/shelter/place/", {"household": value,
                                          "site": str(hotel.uuid)}).status_code == 404
    board.post("/shelter/place/", {"household": str(household.uuid), "site": value})
    assert not Placement.objects.exists()
    placement = Placement.objects.create(household=household, site=hotel, people=1)
    moved = board.post(f"/shelter/placements/{placement.uuid}/move/", {"site": value})
    assert moved.status_code == 302
    assert board.post(f"/shelter/placements/{'-' * 36}/move/", {}).status_code == 404
    assert board.post(f"/shelter/proposals/{'-' * 36}/accept/", {}).status_code == 404
    accepted = board.post("/shelter/allocation/accept/", {"proposal": value})
    assert accepted.status_code in (200, 302) and not Proposal.objects.exists()


def test_an_analyst_reads_a_sites_beds_but_not_its_contact_or_address(personas):
    family = Site.objects.create(name="Hovhannisyan family", province="Syunik", beds=4,
                                 kind=Site.KINDS[0][0], contact="+374 91 000000",
                                 address="Goris, Mashtots 1")
    analyst = Client(**bearer(personas["analyst"]))
    one = analyst.get(f"/api/shelter/sites/{family.uuid}").json()
    listed = analyst.get("/api/shelter/sites").json()["items"][0]
    for site in (one, listed):
        assert site["beds"] == 4
        assert site["contact"] is None and site["address"] is None
    manager = Client(**bearer(personas["shelter_manager"]))
    assert manager.get(f"/api/shelter/sites/{family.uuid}").json()["contact"] == (
        "+374 91 000000")
