"""Only households that need a place to stay wait for shelter: the desk asks, the waiting
list, the dashboard and the allocator count only them, and a household never asked is
counted apart, to be asked."""

import uuid

import pytest
from django.test import Client

from refuge.conftest import make_household, member
from refuge.registry.models import Household
from refuge.reports.queries import situation_figures
from refuge.shelter import queries, services, sites

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(reception, registrar):
    needing = make_household(reception, registrar, member("Anahit"))
    relatives = make_household(reception, registrar, member("Armen"), accommodation="relatives",
                               destination="relatives, Kotayk")
    never_asked = make_household(reception, registrar, member("Gor"), accommodation="")
    return needing, relatives, never_asked


def test_only_households_that_need_a_place_wait_for_one(three):
    needing, _relatives, _never_asked = three
    assert list(queries.waiting_households()) == [needing]
    shown = situation_figures()
    shelter = shown.sections["shelter"]
    assert (shelter["households_waiting"], shelter["households_not_asked"]) == (1, 1)


def test_the_allocator_proposes_beds_only_to_households_that_need_them(three, personas):
    needing = three[0]
    sites.create_site({"name": "Goris hotel", "province": "Syunik", "beds": 40},
                         user=personas["shelter_manager"])
    run = services.propose_placements(user=personas["shelter_manager"])
    assert [p.household for p in run.proposals.all()] == [needing]


def test_the_desk_records_whether_a_household_needs_a_place(reception, registrar):
    desk = Client()
    desk.force_login(registrar)
    session = desk.session
    session["post_id"], session["desk"] = reception.pk, "1"
    session.save()
    desk.post("/desk/", {"household_uuid": str(uuid.uuid4()),
                         "members-0-relationship": "focal_point",
                         "members-0-given_name": "Lilit", "members-0-family_name": "Avagyan",
                         "accommodation": "relatives", "destination": "relatives, Ararat"})
    household = Household.objects.get()
    assert household.accommodation == Household.RELATIVES
    refused = desk.post("/desk/", {"household_uuid": str(uuid.uuid4()),
                                   "members-0-given_name": "Nare", "accommodation": "tent"})
    assert refused.status_code == 422 and "tent is not one of" in refused.content.decode()


def test_a_household_page_changes_it_with_history(three, registrar):
    never_asked = three[2]
    page = Client()
    page.force_login(registrar)
    page.post(f"/households/{never_asked.uuid}/status/",
              {"status": "active", "accommodation": "needs_place",
               "version": str(never_asked.version)})
    never_asked.refresh_from_db()
    assert never_asked.accommodation == Household.NEEDS_PLACE
    assert never_asked.history.first().accommodation == Household.NEEDS_PLACE
    assert never_asked in queries.waiting_households()
