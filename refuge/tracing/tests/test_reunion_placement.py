"""A family reunited by tracing is proposed beds together, through the shelter app: the
side with no place, or placed at another site, is proposed the site of the side that
stays; a shelter manager accepts or rejects it like any proposal."""

import pytest

from refuge.conftest import bearer, make_household, member
from refuge.shelter import services as shelter
from refuge.shelter.models import Placement, Proposal, Site
from refuge.tracing import services
from refuge.tracing.tests.helpers import enquiry, sought

pytestmark = pytest.mark.django_db


def site(name: str, beds: int = 10) -> Site:
    return Site.objects.create(name=name, province="Syunik", beds=beds)


@pytest.fixture
def family(personas, reception):
    """Samvel, who asks after his wife Anahit, registered apart from him."""
    registrar = personas["registrar"]
    samvel = make_household(reception, registrar, member(
        "Սամվել", "Հովհաննիսյան", sex="M", birth_date="1970-05-02"),
        member("Արմեն", "Հովհաննիսյան", sex="M", birth_date="2012-01-09",
               relationship="child")).members.get(given_name="Սամվել")
    anahit = make_household(reception, registrar, member(
        "Անահիտ", "Հովհաննիսյան", sex="F", birth_date="1972-03-14")).members.get()
    return samvel, anahit


def found(officer, samvel, anahit):
    """Samvel's enquiry for Anahit, with Anahit confirmed as the person sought."""
    request = enquiry(officer, sought("Анаит", "Оганесян", sex="F", birth_date="1972-03-14",
                                      relation="spouse"), enquirer=str(samvel.uuid))
    one = request.sought.get()
    services.confirm(one.candidates.get(person=anahit), user=officer)
    one.refresh_from_db()
    return one


def test_a_person_joined_to_a_placed_household_is_proposed_a_bed_beside_it(personas,
                                                                           family):
    samvel, anahit = family
    officer, manager = personas["tracing_officer"], personas["shelter_manager"]
    hotel, school = site("Goris hotel"), site("Sisian school")
    shelter.place(samvel.household, hotel, user=manager)
    shelter.place(anahit.household, school, user=manager)
    services.reunify(found(officer, samvel, anahit), services.JOIN, user=officer)
    proposal = Proposal.objects.get()
    assert proposal.run is None and proposal.status == Proposal.PROPOSED
    assert (proposal.household, proposal.site) == (samvel.household, hotel)
    assert (proposal.adults, proposal.children, proposal.part) == (1, 0, 2)
    assert [str(m) for m in proposal.reason_messages] == ["relatives are already at Goris hotel"]
    placement = shelter.accept_proposal(proposal, user=manager)
    assert (placement.site, placement.people) == (hotel, 1)
    assert shelter.free_beds(hotel) == 10 - 3


def test_linked_households_at_two_sites_are_proposed_one_and_accepting_moves(personas,
                                                                             family):
    samvel, anahit = family
    officer, manager = personas["tracing_officer"], personas["shelter_manager"]
    hotel, school = site("Goris hotel"), site("Sisian school")
    shelter.place(samvel.household, hotel, user=manager)
    at_school = shelter.place(anahit.household, school, user=manager)
    services.reunify(found(officer, samvel, anahit), services.LINK, user=officer)
    proposal = Proposal.objects.get()
    assert (proposal.household, proposal.site, proposal.people) == (anahit.household, hotel, 1)
    moved = shelter.accept_proposal(proposal, user=manager)
    at_school.refresh_from_db()
    assert at_school.status == Placement.CHECKED_OUT
    assert (moved.site, moved.status, moved.moved_from) == (hotel, Placement.CHECKED_IN,
                                                          at_school)


def test_a_household_with_no_place_is_proposed_its_relatives_site(personas, family):
    samvel, anahit = family
    officer, manager = personas["tracing_officer"], personas["shelter_manager"]
    school = site("Sisian school")
    shelter.place(anahit.household, school, user=manager)
    services.reunify(found(officer, samvel, anahit), services.LINK, user=officer)
    proposal = Proposal.objects.get()
    assert (proposal.household, proposal.site) == (samvel.household, school)
    assert (proposal.adults, proposal.children) == (1, 1)
    reserved = shelter.accept_proposal(proposal, user=manager)
    assert (reserved.site, reserved.people, reserved.status) == (school, 2, Placement.RESERVED)


def test_nothing_is_proposed_to_a_family_already_at_one_site_or_with_no_beds(personas,
                                                                            family):
    samvel, anahit = family
    officer, manager = personas["tracing_officer"], personas["shelter_manager"]
    services.reunify(found(officer, samvel, anahit), services.LINK, user=officer)
    assert not Proposal.objects.exists()
    hotel = site("Goris hotel")
    shelter.place(samvel.household, hotel, user=manager)
    shelter.place(anahit.household, hotel, user=manager)
    assert shelter.propose_reunion_link(samvel.household, anahit.household,
                                        user=officer) is None


def test_an_allocator_run_leaves_a_reunion_proposal_to_the_managers(personas, family,
                                                                     client):
    samvel, anahit = family
    officer, manager = personas["tracing_officer"], personas["shelter_manager"]
    school = site("Sisian school")
    shelter.place(anahit.household, school, user=manager)
    services.reunify(found(officer, samvel, anahit), services.LINK, user=officer)
    shelter.propose_placements(user=manager, time_limit=2)
    reunion = Proposal.objects.get(run__isnull=True)
    assert reunion.status == Proposal.PROPOSED
    client.force_login(manager)
    page = client.get("/shelter/allocation/").content.decode()
    assert samvel.household.registration_number in page
    assert "relatives are already at Sisian school" in page


def test_the_shelter_api_lists_a_reunion_proposal_with_no_allocation(personas, family,
                                                                     client):
    samvel, anahit = family
    officer, manager = personas["tracing_officer"], personas["shelter_manager"]
    shelter.place(anahit.household, site("Sisian school"), user=manager)
    services.reunify(found(officer, samvel, anahit), services.LINK, user=officer)
    [item] = client.get("/api/shelter/proposals", **bearer(manager)).json()["items"]
    assert item["allocation"] is None
    assert item["household"] == str(samvel.household.uuid)
    assert item["reasons"][0]["code"] == "relatives_here"


def test_a_person_joined_from_a_site_gives_up_that_bed_once_placed_beside_the_family(
        personas, family):
    samvel, anahit = family
    officer, manager = personas["tracing_officer"], personas["shelter_manager"]
    hotel, school = site("Goris hotel"), site("Sisian school")
    shelter.place(samvel.household, hotel, user=manager)
    at_school = shelter.place(anahit.household, school, user=manager)
    services.reunify(found(officer, samvel, anahit), services.JOIN, user=officer)
    # She sleeps at the school until a manager gives her a bed beside her husband.
    assert shelter.free_beds(school) == 10 - 1
    shelter.accept_proposal(Proposal.objects.get(), user=manager)
    at_school.refresh_from_db()
    assert at_school.status == Placement.CHECKED_OUT  # her household there is empty now
    assert (shelter.free_beds(school), shelter.free_beds(hotel)) == (10, 10 - 3)


def test_a_rejected_reunion_leaves_the_joined_person_her_bed(personas, family):
    samvel, anahit = family
    officer, manager = personas["tracing_officer"], personas["shelter_manager"]
    hotel, school = site("Goris hotel"), site("Sisian school")
    shelter.place(samvel.household, hotel, user=manager)
    shelter.place(anahit.household, school, user=manager)
    services.reunify(found(officer, samvel, anahit), services.JOIN, user=officer)
    shelter.reject_proposal(Proposal.objects.get(), user=manager)
    assert (shelter.free_beds(school), shelter.free_beds(hotel)) == (10 - 1, 10 - 2)


def test_a_family_with_no_place_joined_at_her_site_counts_her_bed_once(personas, family):
    samvel, anahit = family
    officer, manager = personas["tracing_officer"], personas["shelter_manager"]
    school = site("Sisian school")
    shelter.place(anahit.household, school, user=manager)
    services.reunify(found(officer, samvel, anahit), services.JOIN, user=officer)
    proposal = Proposal.objects.get()
    assert (proposal.household, proposal.site, proposal.people) == (samvel.household, school, 3)
    shelter.accept_proposal(proposal, user=manager)
    assert shelter.free_beds(school) == 10 - 3


def test_a_person_joined_at_her_familys_site_takes_her_bed_into_its_placement(
        personas, family):
    samvel, anahit = family
    officer, manager = personas["tracing_officer"], personas["shelter_manager"]
    hotel = site("Goris hotel")
    his = shelter.place(samvel.household, hotel, user=manager)
    hers = shelter.place(anahit.household, hotel, user=manager)
    services.reunify(found(officer, samvel, anahit), services.JOIN, user=officer)
    assert not Proposal.objects.exists()
    his.refresh_from_db()
    hers.refresh_from_db()
    assert (his.people, hers.status) == (3, Placement.CHECKED_OUT)
    assert shelter.free_beds(hotel) == 10 - 3
