"""The shelter pages say exactly what happened, put the households expected first, and ask
before an act that frees beds or reserves a hundred of them."""

import pytest
from django.test import Client

from refuge.conftest import bearer, make_household, member
from refuge.registry.models import Person
from refuge.shelter import services
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


@pytest.fixture
def family(reception, registrar):
    return make_household(reception, registrar, member("Anahit"), member("Armen"),
                          member("Nare"))


def messages_of(response) -> str:
    return response.content.decode().split('<ul class="messages">')[1].split("</ul>")[0]


def test_reserving_a_bed_says_reserved_not_placed(board, family, hotel):
    response = board.post("/shelter/place/", {"household": family.uuid, "site": hotel.uuid},
                          follow=True)
    said = messages_of(response)
    assert f"3 beds reserved for {family.registration_number} at Goris hotel until" in said
    assert "check the household in when it arrives" in said
    assert "placed" not in said
    assert Placement.objects.get().status == Placement.RESERVED


def test_checking_in_at_once_says_checked_in(board, family, hotel):
    response = board.post("/shelter/place/", {"household": family.uuid, "site": hotel.uuid,
                                              "check_in": "1"}, follow=True)
    said = messages_of(response)
    assert f"{family.registration_number} is checked in at Goris hotel: 3 beds taken" in said
    assert Placement.objects.get().status == Placement.CHECKED_IN


def test_the_site_page_lists_the_households_expected_first(board, reception, registrar,
                                                           manager, family, hotel):
    services.place(family, hotel, user=manager)
    expected = make_household(reception, registrar, member("Karine"))
    services.reserve(expected, hotel, user=manager)
    page = board.get(f"/shelter/sites/{hotel.uuid}/").content.decode()
    assert page.index('data-testid="reserved"') < page.index('data-testid="residents"')
    assert "Awaiting arrival: 1 reservation" in page
    reserved = page.split('data-testid="reserved"')[1].split("</table>")[0]
    assert expected.registration_number in reserved
    assert family.registration_number not in reserved


def test_check_out_asks_first_and_then_says_the_beds_are_free(board, manager, family, hotel):
    placement = services.place(family, hotel, user=manager)
    url = f"/shelter/placements/{placement.uuid}/check-out/"
    asked = board.post(url)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert f"Check {family.registration_number} out of Goris hotel?" in page
    assert 'name="confirm" value="1"' in page and "autofocus" in page
    assert f'href="/shelter/sites/{hotel.uuid}/"' in page  # the way back
    placement.refresh_from_db()
    assert placement.status == Placement.CHECKED_IN

    done = board.post(url, {"confirm": "1"}, follow=True)
    assert (f"{family.registration_number} is checked out of Goris hotel: 3 beds are free "
            "again") in messages_of(done)
    placement.refresh_from_db()
    assert placement.status == Placement.CHECKED_OUT
    assert set(family.members.values_list("status", flat=True)) == {Person.REGISTERED}


def test_cancelling_a_reservation_asks_first_and_says_cancelled(board, manager, family, hotel):
    placement = services.reserve(family, hotel, user=manager)
    url = f"/shelter/placements/{placement.uuid}/cancel/"
    page = board.post(url).content.decode()
    assert f"Cancel the reservation of {family.registration_number} at Goris hotel?" in page
    placement.refresh_from_db()
    assert placement.status == Placement.RESERVED
    done = board.post(url, {"confirm": "1"}, follow=True)
    assert "is cancelled: 3 beds are free again" in messages_of(done)
    placement.refresh_from_db()
    assert placement.status == Placement.CANCELLED


def test_a_checked_in_household_is_not_cancelled_nor_a_reservation_checked_out(
        board, manager, family, hotel, reception, registrar):
    staying = services.place(family, hotel, user=manager)
    response = board.post(f"/shelter/placements/{staying.uuid}/cancel/", {"confirm": "1"},
                          follow=True)
    assert "nothing to cancel" in messages_of(response)
    expected = services.reserve(make_household(reception, registrar, member("Karine")), hotel,
                                user=manager)
    response = board.post(f"/shelter/placements/{expected.uuid}/check-out/", {"confirm": "1"},
                          follow=True)
    assert "nothing to check out" in messages_of(response)
    assert {p.status for p in Placement.objects.all()} == {Placement.CHECKED_IN,
                                                            Placement.RESERVED}


def test_a_move_says_where_the_household_went(board, manager, family, hotel):
    centre = Site.objects.create(name="Vayk centre", province="Vayots Dzor", beds=5)
    placement = services.place(family, hotel, user=manager)
    response = board.post(f"/shelter/placements/{placement.uuid}/move/",
                          {"site": centre.uuid}, follow=True)
    assert "is moved to Vayk centre and checked in there" in messages_of(response)


def test_accepting_a_page_of_proposals_asks_first(board, manager, reception, registrar,
                                                  hotel):
    for name in ("Anahit", "Karine"):
        make_household(reception, registrar, member(name))
    services.propose_placements(user=manager)
    proposals = [str(p.uuid) for p in Proposal.objects.all()]
    form = {"proposal": proposals, "page": "1"}
    asked = board.post("/shelter/allocation/accept/", form)
    page = asked.content.decode()
    assert "Accept the 2 proposals on this page?" in page
    assert "2 beds are reserved until" in page and "The households go to 1 site." in page
    assert page.count('name="proposal"') == 2
    assert not Placement.objects.exists()

    done = board.post("/shelter/allocation/accept/", {**form, "confirm": "1"}, follow=True)
    assert "2 proposals accepted: their beds are reserved" in messages_of(done)
    assert Placement.objects.filter(status=Placement.RESERVED).count() == 2
    again = board.post("/shelter/allocation/accept/", {**form, "confirm": "1"}, follow=True)
    assert "already decided" in messages_of(again)


def test_the_api_checks_out_at_once(manager, family, hotel):
    placement = services.place(family, hotel, user=manager)
    response = Client(**bearer(manager)).post(
        f"/api/shelter/placements/{placement.uuid}/check-out", {},
        content_type="application/json")
    assert response.status_code == 200
    placement.refresh_from_db()
    assert placement.status == Placement.CHECKED_OUT
