"""The allocator on small cases whose best answer is known."""

import pytest

from refuge.lib.errors import Invalid
from refuge.shelter.allocation import FreeSite, Waiting, allocate


def site(ref, free, province="Kotayk", beds=None, step_free=False):
    return FreeSite(ref, f"site {ref}", province, beds or free, free, step_free)


def placed(plan) -> dict[str, list[str]]:
    sites: dict[str, list[str]] = {}
    for proposal in plan.proposals:
        sites.setdefault(proposal.household, []).append(proposal.site)
    return sites


def test_a_household_goes_where_it_fits_whole():
    plan = allocate([Waiting("A", 2, 2)], [site("small", 2), site("big", 4)])
    assert placed(plan) == {"A": ["big"]}
    assert plan.proposals[0].parts == 1


def test_the_beds_go_to_as_many_people_as_fit():
    # 3 + 2 fill the five beds; 3 + 3 does not fit and 2 + 3 is the same people.
    plan = allocate([Waiting("A", 3, 0), Waiting("B", 3, 0), Waiting("C", 2, 0)],
                    [site("only", 5)])
    assert plan.people_placed == 5
    assert sorted(placed(plan)) in (["A", "C"], ["B", "C"])


def test_a_household_no_site_can_hold_is_split_into_the_fewest_parts():
    plan = allocate([Waiting("A", 2, 6)], [site("x", 5), site("y", 3), site("z", 3)])
    parts = sorted(plan.proposals, key=lambda p: p.part)
    assert [p.parts for p in parts] == [2, 2]
    assert sorted(p.people for p in parts) == [3, 5]
    assert {p.site for p in parts} == {"x", "y"} or {p.site for p in parts} == {"x", "z"}


def test_every_child_of_a_split_household_is_with_an_adult():
    plan = allocate([Waiting("A", 3, 9)], [site("x", 4), site("y", 4), site("z", 4)])
    assert len(plan.proposals) == 3
    assert all(p.adults >= 1 for p in plan.proposals)
    assert sum(p.children for p in plan.proposals) == 9


def test_a_split_household_is_placed_whole_or_not_at_all():
    # Both parts need their sites; when one is taken by someone more vulnerable, the
    # other part is not placed alone.
    plan = allocate([Waiting("big", 4, 2), Waiting("uac", 0, 3, needs=frozenset({"UAC"}))],
                    [site("x", 3), site("y", 3)])
    assert "big" not in placed(plan)
    assert "uac" in placed(plan)
    assert "big" in plan.unplaced


def test_the_most_vulnerable_are_placed_first():
    plan = allocate([Waiting("first in line", 2, 1, order=0),
                     Waiting("older person", 2, 1, order=1, needs=frozenset({"MED"}))],
                    [site("only", 3)])
    assert placed(plan) == {"older person": ["only"]}
    assert "placed first: serious medical condition" in plan.proposals[0].reasons[0]
    assert plan.unplaced["first in line"]


def test_step_free_access_is_respected():
    household = Waiting("A", 1, 0, province="Kotayk", needs=frozenset({"DIS"}))
    plan = allocate([household], [site("near", 5, "Kotayk"),
                                  site("ramp", 5, "Syunik", step_free=True)])
    assert placed(plan) == {"A": ["ramp"]}
    plan = allocate([household], [site("near", 5, "Kotayk")])
    assert plan.proposals == [] and "step-free" in plan.unplaced["A"]


def test_the_requested_province_is_preferred():
    plan = allocate([Waiting("A", 2, 0, province="Lori")],
                    [site("k", 10, "Kotayk"), site("l", 10, "Lori")])
    assert placed(plan) == {"A": ["l"]}
    assert "in the requested province, Lori" in plan.proposals[0].reasons


def test_relatives_already_placed_draw_a_household_to_their_site():
    plan = allocate([Waiting("A", 2, 0, relatives_sites=("r",))],
                    [site("k", 10), site("r", 10)])
    assert placed(plan) == {"A": ["r"]}


def test_the_load_spreads_to_the_emptier_province():
    # The border province is 95% full; the other is empty. With no wish, the
    # household goes to the emptier one.
    plan = allocate([Waiting("A", 2, 0)],
                    [site("border", 5, "Syunik", beds=100), site("far", 5, "Lori", beds=5)])
    assert placed(plan) == {"A": ["far"]}


def test_a_site_a_manager_rejected_is_not_proposed_again():
    plan = allocate([Waiting("A", 2, 0, province="Lori", avoid_sites=frozenset({"l"}))],
                    [site("k", 10, "Kotayk"), site("l", 10, "Lori")])
    assert placed(plan) == {"A": ["k"]}


def test_no_free_beds_at_all_is_a_clear_answer():
    with pytest.raises(Invalid) as raised:
        allocate([Waiting("A", 1, 0)], [site("full", 0, beds=10)])
    assert raised.value.errors[0].field == "sites"
    assert "no open site has a free bed" in raised.value.errors[0].message


def test_nothing_waiting_is_an_empty_plan():
    plan = allocate([], [site("k", 10)])
    assert plan.proposals == [] and plan.unplaced == {}


def test_a_household_larger_than_all_free_beds_is_told_so():
    plan = allocate([Waiting("A", 10, 10)], [site("k", 5), site("l", 5)])
    assert plan.proposals == []
    assert "fewer free beds" in plan.unplaced["A"]
