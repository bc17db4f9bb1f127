import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from refuge.audit.models import AuditEvent
from refuge.conftest import make_household, member
from refuge.lib.errors import Conflict, Invalid
from refuge.registry.models import Person
from refuge.shelter import queries, services, sites
from refuge.shelter.models import Placement, Room, Site

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(personas):
    return personas["shelter_manager"]


def site(name="Goris hotel", beds=10, **fields):
    return Site.objects.create(name=name, province=fields.pop("province", "Syunik"), beds=beds,
                               **fields)


NAMES = ["Anahit", "Armen", "Hayk", "Mariam", "Karen", "Lilit", "Aram", "Nare"]


def family(reception, registrar, size=3):
    return make_household(reception, registrar, *[member(NAMES[i]) for i in range(size)])


def test_a_household_is_reserved_checked_in_and_out(reception, registrar, manager):
    hotel = site(beds=5)
    household = family(reception, registrar, 3)
    placement = services.reserve(household, hotel, user=manager)
    assert placement.people == 3 and placement.status == Placement.RESERVED
    assert services.free_beds(hotel) == 2
    services.check_in(placement, user=manager)
    assert set(household.members.values_list("status", flat=True)) == {Person.PLACED}
    assert queries.residents(hotel).get() == placement
    services.check_out(placement, user=manager)
    placement.refresh_from_db()
    assert placement.status == Placement.CHECKED_OUT and services.free_beds(hotel) == 5
    assert set(household.members.values_list("status", flat=True)) == {Person.REGISTERED}
    assert AuditEvent.objects.filter(object_type="placement").count() == 3


def test_capacity_is_never_exceeded(reception, registrar, manager):
    hotel = site(beds=4)
    services.place(family(reception, registrar, 3), hotel, user=manager)
    with pytest.raises(Conflict, match="has 1 free beds; the household needs 2"):
        services.reserve(family(reception, registrar, 2), hotel, user=manager)
    assert services.free_beds(hotel) == 1


def test_a_move_checks_out_of_the_old_site_with_history(reception, registrar, manager):
    hotel, centre = site(beds=4), site("Vayk centre", beds=6, province="Vayots Dzor")
    household = family(reception, registrar, 3)
    first = services.place(household, hotel, user=manager)
    second = services.move(first, centre, user=manager)
    first.refresh_from_db()
    assert first.status == Placement.CHECKED_OUT and first.checked_out_at
    assert second.status == Placement.CHECKED_IN and second.moved_from == first
    assert services.free_beds(hotel) == 4 and services.free_beds(centre) == 3
    assert queries.waiting_households().count() == 0


def test_a_full_site_refuses_a_move_and_nothing_changes(reception, registrar, manager):
    hotel, tiny = site(beds=4), site("Tiny", beds=2)
    placement = services.place(family(reception, registrar, 3), hotel, user=manager)
    with pytest.raises(Conflict):
        services.move(placement, tiny, user=manager)
    placement.refresh_from_db()
    assert placement.status == Placement.CHECKED_IN and services.free_beds(hotel) == 1


def test_a_closed_site_takes_no_one(reception, registrar, manager):
    hotel = site(beds=4)
    placement = services.reserve(family(reception, registrar, 2), hotel, user=manager)
    sites.update_site(hotel, {"is_open": False}, user=manager)
    with pytest.raises(Invalid, match="is closed"):
        services.check_in(placement, user=manager)
    with pytest.raises(Invalid, match="is closed"):
        services.reserve(family(reception, registrar, 1), hotel, user=manager)


def test_checking_out_a_household_that_is_not_there_is_refused(reception, registrar, manager):
    placement = services.place(family(reception, registrar, 2), site(), user=manager)
    services.check_out(placement, user=manager)
    with pytest.raises(Invalid, match="not at this site"):
        services.check_out(placement, user=manager)


def test_a_household_has_one_place_at_a_time(reception, registrar, manager):
    household = family(reception, registrar, 2)
    services.reserve(household, site(), user=manager)
    with pytest.raises(Conflict, match="move it instead"):
        services.reserve(household, site("Other"), user=manager)


def test_reservations_expire_and_free_their_beds(reception, registrar, manager, settings):
    settings.REFUGE_RESERVATION_HOURS = 2
    hotel = site(beds=3)
    placement = services.reserve(family(reception, registrar, 3), hotel, user=manager)
    later = timezone.now() + timedelta(hours=3)
    other = services.reserve(family(reception, registrar, 3), hotel, user=manager, now=later)
    placement.refresh_from_db()
    assert placement.status == Placement.EXPIRED and other.status == Placement.RESERVED
    with pytest.raises(Invalid, match="not reserved"):
        services.check_in(placement, user=manager)


def test_rooms_hold_no_more_than_their_beds(reception, registrar, manager):
    hotel = site(beds=10)
    room = Room.objects.create(site=hotel, name="101", beds=3)
    services.reserve(family(reception, registrar, 2), hotel, room=room, user=manager)
    with pytest.raises(Conflict, match="room 101"):
        services.reserve(family(reception, registrar, 2), hotel, room=room, user=manager)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"name": "A", "province": "Syunik", "beds": 0}, "beds", "at least 1"),
    ({"name": "A", "province": "Syunik", "beds": -3}, "beds", "at least 1"),
    ({"name": "A", "province": "Syunik", "beds": "many"}, "beds", "not a whole number"),
    ({"name": "", "province": "Syunik", "beds": 3}, "name", "is required"),
    ({"name": "A", "province": "Syunik", "beds": 3, "latitude": 95}, "latitude", "between"),
    ({"name": "A", "province": "Syunik", "beds": 3, "kind": "castle"}, "kind", "castle"),
])
def test_bad_sites_are_refused_with_the_field_named(manager, data, field, message):
    with pytest.raises(Invalid) as invalid:
        sites.create_site(data, user=manager)
    assert invalid.value.errors[0].field == field
    assert message in invalid.value.errors[0].message
    assert Site.objects.count() == 0


def test_capacity_cannot_drop_below_the_beds_taken(reception, registrar, manager):
    hotel = site(beds=5)
    services.place(family(reception, registrar, 4), hotel, user=manager)
    with pytest.raises(Invalid, match="4 beds are taken"):
        sites.update_site(hotel, {"beds": 3}, user=manager)
    hotel.refresh_from_db()
    assert hotel.beds == 5


def test_the_board_counts_occupancy_by_province(reception, registrar, manager):
    hotel, centre = site(beds=5), site("Vayk centre", beds=8, province="Vayots Dzor")
    services.place(family(reception, registrar, 3), hotel, user=manager)
    services.reserve(family(reception, registrar, 2), centre, user=manager)
    family(reception, registrar, 4)
    provinces = {p["province"]: p for p in queries.by_province(queries.occupancy())}
    assert provinces["Syunik"]["taken"] == 3 and provinces["Syunik"]["free"] == 2
    assert provinces["Vayots Dzor"]["taken"] == 2 and provinces["Vayots Dzor"]["free"] == 6
    assert [h.size for h in queries.waiting_households()] == [4]


@pytest.mark.django_db(transaction=True)
def test_two_managers_cannot_both_take_the_last_beds(reception, registrar, manager):
    """Two transactions at once, each placing a family of three into the last three beds."""
    if connection.vendor != "postgresql":
        pytest.skip("the row lock is what is tested; SQLite serialises all writers anyway")
    hotel = site(beds=3)
    households = [family(reception, registrar, 3), family(reception, registrar, 3)]
    barrier = threading.Barrier(2)
    outcomes = []

    def place(household):
        try:
            barrier.wait()
            services.place(household, hotel, user=manager)
            outcomes.append("placed")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(h,)) for h in households]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["placed", "refused"]
    assert Placement.objects.holding_beds().count() == 1
    assert services.free_beds(hotel) == 0


def test_a_reservation_past_its_time_frees_its_beds_on_read_without_a_write(
        reception, registrar, manager):
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    hotel = site(beds=3)
    placement = services.reserve(family(reception, registrar, 3), hotel, user=manager)
    Placement.objects.filter(pk=placement.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    client = Client()
    client.force_login(manager)
    with CaptureQueriesContext(connection) as queries_run:
        board = client.get("/shelter/")
        page = client.get(f"/shelter/sites/{hotel.uuid}/")
    assert board.status_code == page.status_code == 200
    assert not [q for q in queries_run.captured_queries
                if q["sql"].lstrip().upper().startswith("UPDATE")
                and "placement" in q["sql"].lower()]
    assert services.free_beds(hotel) == 3 and queries.occupancy([hotel])[0].free == 3
    placement.refresh_from_db()
    assert placement.status == Placement.RESERVED  # marked expired by the next write


def test_a_household_whose_reservation_lapsed_can_be_reserved_elsewhere(
        reception, registrar, manager):
    hotel, school = site(beds=3), site("Goris school", beds=3)
    household = family(reception, registrar, 3)
    lapsed = services.reserve(household, hotel, user=manager)
    Placement.objects.filter(pk=lapsed.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    again = services.reserve(household, school, user=manager)
    lapsed.refresh_from_db()
    assert (lapsed.status, again.status) == (Placement.EXPIRED, Placement.RESERVED)
