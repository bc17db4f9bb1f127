"""Every "at most one" of shelter, tried by real threads at once, on PostgreSQL and on
SQLite: a household's active place, a site's beds, and each idempotent create."""

import uuid

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from refuge.conftest import at_once, bearer, make_household, member
from refuge.lib.errors import Conflict
from refuge.shelter import services
from refuge.shelter.models import AllocationRun, Placement, Site

pytestmark = pytest.mark.django_db(transaction=True)

COPIES = 8


@pytest.fixture
def manager(personas):
    return personas["shelter_manager"]


def family(reception, registrar, size=2):
    names = ["Anahit", "Armen", "Hayk", "Mariam"]
    return make_household(reception, registrar, *[member(names[i]) for i in range(size)])


def sites(count, beds=10):
    return [Site.objects.create(name=f"Site {i}", province="Syunik", beds=beds)
            for i in range(count)]


def test_a_household_sent_to_several_sites_at_once_gets_one_place(reception, registrar,
                                                                   manager):
    household = family(reception, registrar)
    targets = sites(COPIES)
    outcomes = at_once(COPIES, lambda i: services.reserve(household, targets[i], user=manager))
    assert sum(isinstance(o, Placement) for o in outcomes) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if not isinstance(o, Placement))
    assert Placement.objects.holding_beds().filter(household=household).count() == 1


def test_the_database_refuses_a_second_active_place_whatever_path_tries(reception, registrar):
    household = family(reception, registrar)
    first, second = sites(2)
    Placement.objects.create(household=household, site=first, people=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(household=household, site=second, people=2)
    Placement.objects.create(household=household, site=second, people=2,
                             status=Placement.CHECKED_OUT)


def test_the_parts_of_a_split_household_each_hold_one_place(reception, registrar, manager):
    household = family(reception, registrar, 4)
    first, second = sites(2)
    services.reserve(household, first, user=manager, people=2, part=1)
    services.reserve(household, second, user=manager, people=2, part=2)
    assert Placement.objects.holding_beds().filter(household=household).count() == 2


def test_the_same_placement_sent_at_once_is_answered_with_the_one_saved(reception, registrar,
                                                                        manager):
    household, (hotel,) = family(reception, registrar), sites(1)
    body = {"uuid": str(uuid.uuid4()), "household": str(household.uuid),
            "site": str(hotel.uuid), "check_in": True}
    headers = bearer(manager)
    outcomes = at_once(COPIES, lambda i: Client(**headers).post(
        "/api/shelter/placements", body, content_type="application/json"))
    assert sorted(r.status_code for r in outcomes) == [200] * (COPIES - 1) + [201]
    assert {r.json()["uuid"] for r in outcomes} == {body["uuid"]}
    assert Placement.objects.count() == 1


def test_a_placement_uuid_sent_again_for_another_site_is_a_conflict(reception, registrar,
                                                                    manager):
    household, (hotel, centre) = family(reception, registrar), sites(2)
    placement = services.reserve(household, hotel, user=manager, uuid=uuid.uuid4())
    with pytest.raises(Conflict, match="another placement"):
        services.reserve(household, centre, user=manager, uuid=placement.uuid)


def test_the_beds_of_a_site_are_never_exceeded_by_households_at_once(reception, registrar,
                                                                     manager):
    households = [family(reception, registrar) for _ in range(COPIES)]
    (hotel,) = sites(1, beds=5)
    outcomes = at_once(COPIES, lambda i: services.reserve(households[i], hotel, user=manager))
    assert sum(isinstance(o, Placement) for o in outcomes) == 2
    assert services.free_beds(hotel) == 1


def test_the_same_site_sent_at_once_is_one_site(manager):
    body = {"uuid": str(uuid.uuid4()), "name": "Goris hotel", "province": "Syunik", "beds": 5}
    headers = bearer(manager)
    outcomes = at_once(COPIES, lambda i: Client(**headers).post(
        "/api/shelter/sites", body, content_type="application/json"))
    assert sorted(r.status_code for r in outcomes) == [200] * (COPIES - 1) + [201]
    assert Site.objects.count() == 1


def test_the_same_allocation_sent_at_once_is_one_run(reception, registrar, manager):
    family(reception, registrar)
    sites(1)
    body = {"uuid": str(uuid.uuid4())}
    headers = bearer(manager)
    outcomes = at_once(4, lambda i: Client(**headers).post(
        "/api/shelter/allocations", body, content_type="application/json"))
    assert sorted(r.status_code for r in outcomes) == [200, 200, 200, 201]
    assert AllocationRun.objects.count() == 1
