"""Two records confirmed as one person: one entitlement per cycle, and what was given to
both reported as an overpayment, never dropped."""

import pytest

from refuge.aid import eligibility, queries, services
from refuge.aid.models import Entitlement, Overpayment
from refuge.aid.tests.helpers import hand_over_body, make_programme
from refuge.conftest import make_household, member, queued_pair
from refuge.matching import services as matching

pytestmark = pytest.mark.django_db


@pytest.fixture
def twice(reception, registrar):
    """Gayane registered at two desks, in two households."""
    first = make_household(reception, registrar, member("Gayane", birth_date="1990-01-01"))
    again = make_household(reception, registrar, member("Gayane", birth_date="1990-01-01"))
    return first.members.get(), again.members.get()


def cycle_for(personas):
    cycle = make_programme(personas["administrator"]).rounds.get()
    eligibility.generate(cycle)
    return services.approve(cycle, user=personas["administrator"])


def merge(a, b, personas):
    return matching.merge_pair(queued_pair(a, b), user=personas["administrator"])


def test_after_a_merge_the_person_has_one_entitlement_in_the_cycle(twice, personas):
    cycle = cycle_for(personas)
    assert cycle.entitlements.count() == 2
    merge(*twice, personas)
    assert cycle.entitlements.filter(status=Entitlement.DUE).count() == 1
    assert Overpayment.objects.count() == 0


def test_an_entitlement_handed_over_to_the_merged_record_is_the_one_kept(
        twice, personas, reception):
    cycle = cycle_for(personas)
    kept, merged = twice
    given = cycle.entitlements.get(person=merged)
    services.hand_over(hand_over_body([given], merged), user=personas["aid_officer"],
                       point=reception)
    merge(kept, merged, personas)
    assert list(cycle.entitlements.filter(status=Entitlement.DUE)) == [given]
    assert queries.due_now(queries.household_entitlements(kept.household)) == []


def test_what_was_handed_over_to_both_records_is_reported_as_an_overpayment(
        twice, personas, reception):
    cycle = cycle_for(personas)
    for person in twice:
        services.hand_over(hand_over_body(person.entitlements.all(), person),
                           user=personas["aid_officer"], point=reception)
    merge(*twice, personas)
    (overpaid,) = Overpayment.objects.all()
    assert overpaid.amount == 100_000 and overpaid.cycle == cycle
    assert overpaid.person == twice[0]
    assert cycle.entitlements.count() == 2  # nothing dropped


def test_an_entitlement_of_the_merged_record_alone_moves_to_the_kept_one(twice, personas):
    kept, merged = twice
    cycle = cycle_for(personas)
    cycle.entitlements.filter(person=kept).delete()
    merge(kept, merged, personas)
    assert cycle.entitlements.get().person == kept
