"""The registry announces what happens to people, whichever app acts on them: apps above
it listen instead of being called, so the registry imports none of them."""

import pytest

from refuge.conftest import make_household, member
from refuge.matching import services as matching
from refuge.matching.models import CandidatePair, Merge
from refuge.registry import events
from refuge.shelter import services as shelter
from refuge.shelter.models import Site

pytestmark = pytest.mark.django_db

SIGNALS = ("people_registered", "people_merged", "people_unmerged", "household_checked_in")


@pytest.fixture
def heard():
    """Every signal the registry sends during a test, as (name, arguments)."""
    received, receivers = [], {}
    for name in SIGNALS:
        def receiver(sender, name=name, signal=None, **told):
            received.append((name, told))
        receivers[name] = receiver
        getattr(events, name).connect(receiver, weak=False)
    yield received
    for name, receiver in receivers.items():
        getattr(events, name).disconnect(receiver)


def told(heard, name):
    return [arguments for heard_name, arguments in heard if heard_name == name]


def test_a_registration_announces_the_people_it_saved(heard, reception, registrar):
    household = make_household(reception, registrar, member("Anahit"), member("Aram"))
    (registered,) = told(heard, "people_registered")
    assert registered["household"] == household and registered["added"] is False
    assert sorted(p.given_name for p in registered["people"]) == ["Anahit", "Aram"]
    assert registered["user"] == registrar


def test_a_merge_and_its_undoing_are_announced(heard, reception, registrar):
    for given, family in (("Hayk", "Hovhannisyan"), ("Айк", "Оганесян")):
        make_household(reception, registrar, member(given, family, birth_date="1980-03-14",
                                                    patronymic="Samvel", sex="M"))
    matching.dedupe()
    merge = matching.merge_pair(CandidatePair.objects.get(), user=registrar)
    matching.unmerge(Merge.objects.get(pk=merge.pk), user=registrar)
    (merged,) = told(heard, "people_merged")
    (unmerged,) = told(heard, "people_unmerged")
    assert (merged["kept"], merged["merged"]) == (merge.kept, merge.merged)
    assert (unmerged["kept"], unmerged["merged"]) == (merge.kept, merge.merged)


def test_a_check_in_and_a_move_announce_where_the_household_arrived(heard, reception,
                                                                     registrar, personas):
    manager = personas["shelter_manager"]
    hotel, school = (Site.objects.create(name=name, province="Syunik", beds=5)
                     for name in ("Goris hotel", "Goris school"))
    household = make_household(reception, registrar, member("Anahit"))
    placement = shelter.place(household, hotel, user=manager)
    shelter.move(placement, school, user=manager)
    arrivals = told(heard, "household_checked_in")
    assert [(a["household"], a["site"]) for a in arrivals] == [(household, hotel),
                                                               (household, school)]
