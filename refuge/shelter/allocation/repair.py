"""The repair: a local search that makes room for the households the solver left out.

The solver's rounds leave the last free beds scattered, one or two to a site, while a
family of six waits: no site has six beds left, although the beds left are enough.
For each household left out, the largest and most vulnerable first, the repair first
looks for a few households to move out of a site it may use, into beds left elsewhere
(`ejection`). When that finds nothing, it takes a few sites (some the family may use,
where room is likeliest, and some others with beds left), puts every household placed
there back in a pool with the family and a few others waiting, and solves the
programme exactly for that neighbourhood alone, asking that everyone it had placed
keeps a place and the family gets one: a couple moves to the site with two beds left,
a single to the site with one, and the family takes the beds they leave. Preferences
are kept where they can be: each neighbourhood's programme values them as the whole
programme does. So the repair only adds people, and never trades a family's place for
someone's preference. Among households that are alike, the longest waiting are placed.

Parts of split households stay where the solver put them.
"""

import random
import time
from dataclasses import dataclass, field, replace

import numpy as np

from refuge.shelter.allocation import ejection, programme
from refuge.shelter.allocation.households import FreeSite
from refuge.shelter.allocation.layout import Layout
from refuge.shelter.allocation.programme import Programme, SiteArrays
from refuge.shelter.allocation.splitting import Part

# Sites in a neighbourhood: those the household left out may use, and others with beds
# left for the households moved to make room; each attempt for the same household
# takes more. All the sites with beds left when there are no more than the most.
TARGETS, HELPERS, MOST_SITES = 2, 5, 16
ATTEMPTS = 3
# Others waiting who join the pool of a neighbourhood, the most vulnerable first.
OTHERS_WAITING = 8
# Seconds for one neighbourhood's programme, and passes over those still left out.
NEIGHBOURHOOD_SECONDS = 0.5
NEIGHBOURHOOD_GAP = 1e-4
PASSES = 3


def repair(parts: list[Part], sites: list[FreeSite], chosen: dict[int, int],
           deadline: float) -> Layout:
    """The solver's {part: site}, with room made for as many of those left out as the
    time allows (in `site_of`)."""
    layout = Layout(parts, sites, dict(chosen))
    search = _Search(layout, deadline)
    for _pass in range(PASSES):
        if not search.run_pass():
            break
    return layout


@dataclass
class _Search:
    layout: Layout
    deadline: float
    rng: random.Random = field(default_factory=lambda: random.Random(1))

    def run_pass(self) -> bool:
        """Try each household left out in turn; whether any was placed. Whether one
        more household fits without anyone losing a place depends only on its size,
        access need and the sites rejected for it, so one like a household that could
        not be placed is not tried until the plan has changed."""
        improved, failed = False, set()
        for seed in self.layout.waiting():
            if time.monotonic() >= self.deadline:
                return False
            household = self.layout.parts[seed].household
            kind = (household.people, household.needs_step_free, household.avoid_sites)
            if (seed in self.layout.site_of or kind in failed
                    or self.layout.left.sum() < self.layout.parts[seed].people):
                continue
            if self.place(seed):
                improved, failed = True, set()
            else:
                failed.add(kind)
        return improved

    def place(self, seed: int) -> bool:
        return ejection.make_room(self.layout, seed) or any(
            self.try_neighbourhood(seed, attempt) for attempt in range(ATTEMPTS))

    def try_neighbourhood(self, seed: int, attempt: int) -> bool:
        targets, helpers = self.neighbourhood(seed, attempt)
        if not targets:
            return False
        sites = targets + helpers
        pool = self.pool(seed, targets, helpers)
        budget = min(NEIGHBOURHOOD_SECONDS, self.deadline - time.monotonic())
        if budget <= 0:
            return False
        return _Neighbourhood(self.layout, sites, pool, seed).improve(budget)

    def neighbourhood(self, seed: int, attempt: int) -> tuple[list[int], list[int]]:
        """Sites the household may use, with the most beds left, and others with beds
        left and small households to move; on later attempts more of them, and ties
        broken at random."""
        layout = self.layout
        left = layout.left
        targets = layout.targets(seed)[:TARGETS + attempt]
        if not targets:
            return [], []
        noise = np.array([self.rng.random() for _i in range(len(layout.sites))])
        helpers = [i for i in np.flatnonzero(left > 0).tolist() if i not in targets]
        if len(helpers) + len(targets) > MOST_SITES:
            small, smallest = int(left.max()), layout.smallest_movable()
            helpers.sort(key=lambda i: (not 0 < smallest[i] <= small, -left[i], noise[i]))
            helpers = helpers[:HELPERS + 2 * attempt]
        return targets, helpers

    def pool(self, seed: int, targets: list[int], helpers: list[int]) -> list[int]:
        """Every whole household at the sites, the household left out, and a few others
        waiting that one of the sites could take."""
        parts, layout = self.layout.parts, self.layout
        sites = targets + helpers
        placed = [i for s in sites for i in sorted(layout.at[s]) if parts[i].parts == 1]
        step_free = any(layout.sites[s].step_free for s in sites)
        largest = max(layout.sites[s].free for s in sites)
        others = [i for i in layout.waiting() if i != seed and parts[i].people <= largest
                  and (step_free or not parts[i].household.needs_step_free)]
        return placed + [seed] + others[:OTHERS_WAITING]


@dataclass
class _Neighbourhood:
    """Some sites, and a pool of parts: those placed there and some waiting."""

    layout: Layout
    sites: list[int]
    pool: list[int]
    seed: int

    def improve(self, budget: float) -> bool:
        """Solve the neighbourhood's programme; keep the new arrangement if it places
        more people."""
        p = self.programme()
        if p is None:
            return False
        solution = programme.solve(p, integral=True, time_limit=budget, gap=NEIGHBOURHOOD_GAP)
        if solution is None:
            return False
        after = self.arrangement(p, np.round(solution.x))
        if _people(p, after) <= _people(p, self.before(p)):
            return False
        for pool_index, local_site in after.items():
            self.layout.move(self.pool[pool_index],
                             None if local_site is None else self.sites[local_site])
        return True

    def programme(self) -> Programme | None:
        """The pool's classes into the sites, each with the beds free there and those
        of the pool's households placed there now."""
        classes = programme.classes_of([self.layout.parts[i] for i in self.pool])
        capacity = {s: int(self.layout.left[s]) for s in self.sites}
        for i in self.pool:
            if (s := self.layout.site_of.get(i)) is not None:
                capacity[s] += self.layout.parts[i].people
        local = [replace(self.layout.sites[s], free=capacity[s]) for s in self.sites]
        arrays = SiteArrays.of(local)
        edges = [(c, s) for c, group in enumerate(classes)
                 for s in np.flatnonzero(arrays.fitting(group)).tolist()]
        if not edges:
            return None
        p = Programme(classes, local, edges, arrays.free.astype(float),
                      np.array([len(group.parts) for group in classes], dtype=float),
                      spread=False, province_of=self.layout.province_of)
        p.least, p.stay = self.least(p), self.staying(p)
        return p

    def staying(self, p: Programme) -> np.ndarray:
        """Per edge, the parts of its class at its site now."""
        before = self.before(p)
        now: dict[tuple[int, int], int] = {}
        for c, group in enumerate(p.classes):
            for part in group.parts:
                if before[part] is not None:
                    now[(c, before[part])] = now.get((c, before[part]), 0) + 1
        return np.array([now.get(edge, 0) for edge in p.edges], dtype=float)

    def least(self, p: Programme) -> np.ndarray:
        """Parts of each class the new arrangement must place: those placed now, and
        the household left out."""
        before = self.before(p)
        seed = self.pool.index(self.seed)
        return np.array([sum(before[part] is not None or part == seed for part in group.parts)
                         for group in p.classes], dtype=float)

    def before(self, p: Programme) -> dict[int, int | None]:
        local = {s: k for k, s in enumerate(self.sites)}
        return {k: local.get(self.layout.site_of.get(i)) for k, i in enumerate(self.pool)}

    def arrangement(self, p: Programme, counts: np.ndarray) -> dict[int, int | None]:
        """{pool part: local site or None} from the programme's counts: in each class the
        longest waiting are placed, and a part already at a site it may keep stays."""
        before = self.before(p)
        after: dict[int, int | None] = {}
        for c, group in enumerate(p.classes):
            slots = {int(p.edge_site[e]): int(counts[e])
                     for e in np.flatnonzero((p.edge_class == c) & (counts > 0))}
            placed = group.parts[:sum(slots.values())]
            moving = []
            for part in placed:
                if slots.get(before[part], 0) > 0:
                    after[part] = before[part]
                    slots[before[part]] -= 1
                else:
                    moving.append(part)
            free_slots = [s for s, n in slots.items() for _k in range(n)]
            after.update(zip(moving, free_slots, strict=True))
            after.update((part, None) for part in group.parts[len(placed):])
        return after


def _people(p: Programme, arrangement: dict[int, int | None]) -> int:
    return sum(p.classes[c].people for c, group in enumerate(p.classes)
               for part in group.parts if arrangement[part] is not None)
