"""Household splitting: a household is split only when no open site it may use has enough
free beds, and then into the fewest parts, each child in a part with an adult."""

import math
from dataclasses import dataclass, field
from itertools import accumulate

from refuge.shelter.allocation.households import FreeSite, Waiting
from refuge.shelter.allocation.messages import Message


@dataclass
class Part:
    """A household, or one part of a household no single site can hold."""

    household: Waiting
    adults: int
    children: int
    part: int = 1
    parts: int = 1
    people: int = field(init=False)

    def __post_init__(self):
        self.people = self.adults + self.children


def split(households: list[Waiting], sites: list[FreeSite]
          ) -> tuple[list[Part], dict[str, Message]]:
    """The parts to place, and why a household too large for every site together has none."""
    capacities = sorted((site.free for site in sites), reverse=True)
    capacities_step_free = sorted((s.free for s in sites if s.step_free), reverse=True)
    parts: list[Part] = []
    unplaced: dict[str, Message] = {}
    for household in households:
        step_free = household.needs_step_free
        usable = capacities_step_free if step_free else capacities
        if household.people <= (usable[0] if usable else 0):
            parts.append(Part(household, household.adults, household.children))
            continue
        sizes = fewest_parts(household.people, usable)
        if not sizes:
            unplaced[household.ref] = Message.of(
                "too_large_step_free" if step_free else "too_large", people=household.people)
            continue
        for number, (adults, children) in enumerate(share(household, sizes), start=1):
            parts.append(Part(household, adults, children, number, len(sizes)))
    return parts, unplaced


def fewest_parts(people: int, capacities: list[int]) -> list[int]:
    """The fewest part sizes that fit the largest free sites, as even as they can be."""
    count = next((n for n, total in enumerate(accumulate(capacities), start=1)
                  if total >= people), 0)
    if not count:
        return []
    if capacities[count - 1] >= math.ceil(people / count):
        return [people // count + (1 if i < people % count else 0) for i in range(count)]
    sizes, left = [], people
    for capacity in capacities[:count]:
        sizes.append(min(capacity, left))
        left -= sizes[-1]
    return sizes


def share(household: Waiting, sizes: list[int]) -> list[tuple[int, int]]:
    """Adults and children per part: an adult in every part first, so no child is
    without a parent, then the children, then the other adults."""
    adults, children = household.adults, household.children
    shares = []
    for size in sizes:
        part_adults = 1 if adults and size else 0
        adults -= part_adults
        shares.append([part_adults, 0, size - part_adults])
    for one in shares:
        take = min(children, one[2])
        one[1], one[2], children = take, one[2] - take, children - take
    for one in shares:
        take = min(adults, one[2])
        one[0], one[2], adults = one[0] + take, one[2] - take, adults - take
    return [(a, c) for a, c, _room in shares]
