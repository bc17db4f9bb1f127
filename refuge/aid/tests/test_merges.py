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


def unmerge(done, personas):
    matching.unmerge(done, user=personas["administrator"])


def due_at(household):
    return queries.due_now(queries.household_entitlements(household))


def test_undoing_a_merge_gives_each_record_its_own_entitlement_again(twice, personas):
    cycle = cycle_for(personas)
    unmerge(merge(*twice, personas), personas)
    for person in twice:
        person.refresh_from_db()
        (own,) = cycle.entitlements.filter(person=person, status=Entitlement.DUE)
        assert own.household == person.household and own.recipient == person
        assert due_at(person.household) == [own]
    assert cycle.entitlements.count() == 2


def test_undoing_a_merge_gives_back_the_kept_records_entitlement_set_aside_for_the_other(
        twice, personas, reception):
    """The merged record's entitlement was handed over, so the kept one's was set aside."""
    cycle = cycle_for(personas)
    kept, merged = twice
    given = cycle.entitlements.get(person=merged)
    services.hand_over(hand_over_body([given], merged), user=personas["aid_officer"],
                       point=reception)
    done = merge(kept, merged, personas)
    assert due_at(kept.household) == []
    unmerge(done, personas)
    assert due_at(kept.household) == [cycle.entitlements.get(person=kept)]
    (row,) = queries.household_entitlements(merged.household)
    assert row.due == [] and row.received == [given]  # received, and not due again
    assert cycle.entitlements.filter(status=Entitlement.DUE).count() == 2


def test_an_entitlement_moved_to_the_kept_record_is_handed_over_in_its_household_and_moves_back(
        personas, reception, registrar):
    family = make_household(reception, registrar, member("Gayane", birth_date="1990-01-01"),
                            member("Ani", birth_date="2015-01-01", relationship="child"))
    alone = make_household(reception, registrar, member("Gayane", birth_date="1990-01-01"))
    kept, merged = family.members.get(given_name="Gayane"), alone.members.get()
    cycle = cycle_for(personas)
    cycle.entitlements.filter(person=kept).delete()
    moved = cycle.entitlements.get(person=merged)
    done = merge(kept, merged, personas)

    # At the family's point, everything due is handed over at once, the moved one too.
    due = due_at(family)
    assert moved in due and len(due) == 2
    services.hand_over(hand_over_body(due, kept), user=personas["aid_officer"], point=reception)
    assert due_at(family) == []

    unmerge(done, personas)
    moved.refresh_from_db()
    assert (moved.person, moved.household, moved.recipient) == (merged, alone, merged)
    (row,) = queries.household_entitlements(alone)
    assert row.received == [moved] and row.due == []
    family_rows = {r.person.given_name: r for r in queries.household_entitlements(family)}
    assert family_rows["Gayane"].received == [] and len(family_rows["Ani"].received) == 1
    assert cycle.entitlements.count() == 2 and not cycle.entitlements.filter(
        status=Entitlement.MERGED).exists()


def test_an_overpayment_is_withdrawn_by_the_undo_and_reopened_by_a_new_merge(
        twice, personas, reception):
    cycle = cycle_for(personas)
    for person in twice:
        services.hand_over(hand_over_body(person.entitlements.all(), person),
                           user=personas["aid_officer"], point=reception)
    unmerge(merge(*twice, personas), personas)
    (overpaid,) = Overpayment.objects.all()
    assert overpaid.status == Overpayment.WITHDRAWN
    assert cycle.entitlements.filter(status=Entitlement.DUE).count() == 2
    merge(*twice, personas)
    overpaid.refresh_from_db()
    assert overpaid.status == Overpayment.OPEN and Overpayment.objects.count() == 1
    assert cycle.entitlements.filter(status=Entitlement.DUE).count() == 1


def test_a_third_record_merged_in_meets_the_entitlement_that_stands_for_the_person(
        twice, personas, reception, registrar):
    """Gayane registered three times: the second record's entitlement was handed over,
    so it stands for her after the first merge; the third one's is set aside against it."""
    kept, second = twice
    third = make_household(reception, registrar, member("Gayane", birth_date="1990-01-01"))
    third = third.members.get()
    cycle = cycle_for(personas)
    given = cycle.entitlements.get(person=second)
    services.hand_over(hand_over_body([given], second), user=personas["aid_officer"],
                       point=reception)
    merge(kept, second, personas)
    done = merge(kept, third, personas)
    assert list(cycle.entitlements.filter(status=Entitlement.DUE)) == [given]
    assert Overpayment.objects.count() == 0
    unmerge(done, personas)
    assert cycle.entitlements.get(person=third).status == Entitlement.DUE
    assert list(cycle.entitlements.filter(person__in=twice, status=Entitlement.DUE)) == [given]


def test_a_record_merged_into_another_brings_the_entitlement_that_stood_for_it(
        twice, personas, reception, registrar):
    """The second and third records merged first (the third's handed over, so it stood
    for both); then the second into the first: the person has that one entitlement."""
    first, second = twice
    third = make_household(reception, registrar, member("Gayane", birth_date="1990-01-01"))
    third = third.members.get()
    cycle = cycle_for(personas)
    given = cycle.entitlements.get(person=third)
    services.hand_over(hand_over_body([given], third), user=personas["aid_officer"],
                       point=reception)
    merge(second, third, personas)
    done = merge(first, second, personas)
    assert list(cycle.entitlements.filter(status=Entitlement.DUE)) == [given]
    assert Overpayment.objects.count() == 0
    unmerge(done, personas)
    assert {e.person for e in cycle.entitlements.filter(status=Entitlement.DUE)} == {
        first, third}
