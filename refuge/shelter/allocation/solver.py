"""The solver: rounds of the programme, and the proof of a plan.

The programme is solved in rounds, each over the parts still waiting and the beds
still free, keeping what each placed whole. The relaxation of this assignment problem is
almost integral: at most about one class per site comes out fractional, and HiGHS
solves it in a second or two. A second relaxation reaches the beds left over; the
branch-and-bound then only has the last few households and beds, instead of closing a
gap over all 30,000. Each round gives a class a window of the sites it may use, so
what the rounds find is proven for nothing: the repair then makes room for those they
left out.

Then `prove` asks whether the plan is optimal for the whole programme, every class
with every site it may use: when its value reaches the bound of that relaxation, no
plan is better. A small problem that falls short is solved whole and exactly.
"""

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from refuge.shelter.allocation import programme
from refuge.shelter.allocation.households import FreeSite
from refuge.shelter.allocation.programme import Class, Programme
from refuge.shelter.allocation.splitting import Part

# (kind, households per size kept per site for the edges into left-over beds; None:
# the candidate lists).
ROUNDS = [("relaxed", None), ("relaxed", 6), ("exact", 2), ("exchange", 8)]
# A plan is proven optimal against the whole relaxation when it has no more (class,
# site) pairs than this (it takes HiGHS about a second), or by solving the whole
# programme exactly when it has no more than the second, with at least MIN_SECONDS.
WHOLE_RELAXED_EDGES = 80_000
WHOLE_EDGES = 6_000
MIN_SECONDS = 0.5
# How close to the bound a plan's value must come to be proven optimal: a thousandth
# of what one person placed is worth, well above HiGHS's tolerances.
PROOF_TOLERANCE = 0.01


@dataclass
class Outcome:
    """The site chosen for each part placed, whether anything was found in time, and
    the classes the parts formed."""

    chosen: dict[int, int]
    found: bool = True
    classes: list[Class] = field(default_factory=list)


@dataclass
class State:
    """Where the solver stands: the beds still free, the parts of each class still
    waiting (longest waiting first), and the site chosen for each part placed."""

    classes: list[Class]
    sites: list[FreeSite]
    free: np.ndarray = field(init=False)
    waiting: list[list[int]] = field(init=False)
    chosen: dict[int, int] = field(default_factory=dict)

    def __post_init__(self):
        self.free = np.array([site.free for site in self.sites], dtype=float)
        self.waiting = [list(group.parts) for group in self.classes]

    def left(self) -> dict[int, int]:
        """Parts still waiting, per class that has any."""
        return {c: len(queue) for c, queue in enumerate(self.waiting) if queue}

    def programme(self, edges: list[tuple[int, int]]) -> Programme:
        return Programme(self.classes, self.sites, edges, self.free,
                         np.array([len(queue) for queue in self.waiting], dtype=float))


def solve(parts: list[Part], sites: list[FreeSite], time_limit: float) -> Outcome:
    """The rounds: the site of each part placed."""
    classes = programme.classes_of(parts)
    outcome = _rounds(State(classes, sites), time_limit)
    outcome.classes = classes
    return outcome


def prove(parts: list[Part], sites: list[FreeSite], chosen: dict[int, int], *,
          classes: list[Class], time_limit: float) -> tuple[dict[int, int], bool]:
    """The plan, and whether it is optimal for the whole programme: its value reaches
    the bound of the whole relaxation, or the whole programme, small enough to solve
    exactly, has no better solution (which then replaces the plan, if it places no
    fewer of the vulnerable and no fewer people)."""
    started = time.monotonic()
    state = State(classes, sites)
    edges = _whole_edges(state, WHOLE_RELAXED_EDGES)
    if edges is None:
        return chosen, False
    p = state.programme(edges)
    counts = _counts(p, parts, chosen)
    value = programme.objective(p, counts)
    relaxed = programme.solve(p, integral=False, time_limit=time_limit)
    if relaxed is not None and relaxed.finished and value >= relaxed.bound - PROOF_TOLERANCE:
        return chosen, True
    budget = time_limit - (time.monotonic() - started)
    if len(edges) > WHOLE_EDGES or budget < MIN_SECONDS:
        return chosen, False
    exact = programme.solve(p, integral=True, time_limit=budget, gap=0)
    if exact is None or not exact.finished or _placed(p, exact.x) < _placed(p, counts):
        return chosen, False
    _assign(np.round(exact.x), state, p)
    return state.chosen, True


def _whole_edges(state: State, most: int) -> list[tuple[int, int]] | None:
    """Every class with every site it may use; None if there are more than `most`."""
    arrays = programme.SiteArrays.of(state.sites)
    fits = [np.flatnonzero(arrays.fitting(group)) for group in state.classes]
    if sum(map(len, fits)) > most:
        return None
    return [(c, s) for c, sites in enumerate(fits) for s in sites.tolist()]


def _counts(p: Programme, parts: list[Part], chosen: dict[int, int]) -> np.ndarray:
    """Parts placed per edge of the whole programme."""
    class_of = {part: c for c, group in enumerate(p.classes) for part in group.parts}
    edge_of = {edge: e for e, edge in enumerate(p.edges)}
    counts = np.zeros(len(p.edges))
    for part, site in chosen.items():
        counts[edge_of[(class_of[part], site)]] += 1
    return counts


def _placed(p: Programme, counts: np.ndarray) -> tuple[float, float]:
    """(vulnerability, people) placed by the counts per edge."""
    tier = np.array([group.tier * group.share for group in p.classes])[p.edge_class]
    counts = np.round(counts)
    return round(float(tier @ counts), 6), float(p.people @ counts)


def _rounds(state: State, time_limit: float) -> Outcome:
    """Solve the linear relaxation, keep what it placed whole, and repeat on the rest;
    the last rounds are solved exactly."""
    started = time.monotonic()
    for number, (kind, per_size) in enumerate(ROUNDS):
        left = state.left()
        if not left or not (state.free > 0).any():
            break
        edges = (programme.candidates(state.classes, state.sites) if per_size is None
                 else _edges_into_left_beds(state, left, per_size))
        if not edges:
            continue
        budget = max(time_limit - (time.monotonic() - started), 1.0)
        if _round(state, state.programme(edges), kind, budget) is None:
            return Outcome(state.chosen, found=bool(state.chosen))
        if number == len(ROUNDS) - 2:
            _release_singles(state)
    return Outcome(state.chosen)


def _round(state: State, p: Programme, kind: str, budget: float) -> bool | None:
    """Solve one round and keep what it placed (None: the solver found nothing)."""
    solution = programme.solve(p, integral=kind != "relaxed", time_limit=budget)
    if solution is None:
        return None
    placed = np.round(solution.x) if kind != "relaxed" else _rounded(solution.x, state, p)
    _assign(placed, state, p)
    return True


def _release_singles(state: State) -> None:
    """Put some single people back in the queue before the last round, so it can
    trade them: two singles out of a full site let a couple in, and the singles take
    the odd beds no one waiting fits. The last round may also put them back."""
    sizes = [state.classes[c].people for c in state.left()]
    if not sizes:
        return
    free = state.free
    odd_beds = int(free[(free > 0) & (free < min(sizes))].sum())
    if not odd_beds:
        return
    single = {part: c for c, group in enumerate(state.classes)
              if group.people == 1 and not group.tier and not group.split_of
              for part in group.parts}
    by_site: dict[int, list[int]] = defaultdict(list)
    for part, site_index in state.chosen.items():
        if part in single:
            by_site[site_index].append(part)
    released = 0
    for site_index, singles in sorted(by_site.items(), key=lambda item: -len(item[1])):
        if released >= 2 * odd_beds:
            break
        for part in singles:
            del state.chosen[part]
            state.waiting[single[part]].insert(0, part)
            free[site_index] += 1
            released += 1


@dataclass
class _Rounding:
    """A relaxed solution being made whole: the parts placed per edge so far, and what
    that leaves of each site's beds and each class's parts."""

    p: Programme
    placed: np.ndarray
    left_free: np.ndarray
    left_count: np.ndarray
    people: np.ndarray
    tier: np.ndarray

    def take(self, e: int, count: int = 1) -> None:
        self.placed[e] += count
        self.left_count[self.p.edge_class[e]] -= count
        self.left_free[self.p.edge_site[e]] -= count * self.people[e]


def _rounded(x: np.ndarray, state: State, p: Programme) -> np.ndarray:
    """Whole placements from a relaxed solution: round down, then round up where the
    beds are still there, the most vulnerable and the surest first."""
    placed = np.floor(x + 1e-6)
    broken = _broken_splits(state.classes, p.edge_class, x)
    placed[broken] = 0
    people = p.people
    left_free = state.free.copy()
    np.subtract.at(left_free, p.edge_site, placed * people)
    left_count = np.array([len(queue) for queue in state.waiting], dtype=float)
    np.subtract.at(left_count, p.edge_class, placed)
    tier = np.array([state.classes[c].tier for c in p.edge_class.tolist()])
    rounding = _Rounding(p, placed, left_free, left_count, people, tier)
    fraction = x - placed
    candidates = np.flatnonzero((fraction > 1e-6) & ~broken)
    for e in candidates[np.lexsort((-fraction[candidates], -tier[candidates]))]:
        if left_count[p.edge_class[e]] < 1:
            continue
        if tier[e] and left_free[p.edge_site[e]] < people[e]:
            _make_room(rounding, e)
        if left_free[p.edge_site[e]] >= people[e]:
            rounding.take(e)
    return placed


def _make_room(rounding: _Rounding, e: int) -> None:
    """A vulnerable household the relaxation half-placed takes the place of others
    placed at that site; they go back to the queue."""
    r = rounding
    site_index = r.p.edge_site[e]
    others = np.flatnonzero((r.p.edge_site == site_index) & (r.placed > 0) & (r.tier == 0))
    room = r.left_free[site_index] + (r.placed[others] * r.people[others]).sum()
    if room < r.people[e]:
        return
    for other in others[np.argsort(-r.people[others])]:
        while r.placed[other] > 0 and r.left_free[site_index] < r.people[e]:
            r.take(other, -1)


def _broken_splits(classes: list[Class], edge_class: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Edges of split households the relaxation did not place wholly: all their parts
    go to the exact step together."""
    fractional = set(edge_class[(x > 1e-6) & (x < 1 - 1e-6)].tolist())
    broken = {classes[c].split_of for c in fractional if classes[c].split_of}
    return np.array([classes[c].split_of in broken and bool(classes[c].split_of)
                     for c in edge_class.tolist()], dtype=bool)


def _assign(counts: np.ndarray, state: State, p: Programme) -> None:
    """Hand a class's places at each site to its parts, longest waiting first."""
    for e in np.flatnonzero(counts > 0):
        c, site_index = int(p.edge_class[e]), int(p.edge_site[e])
        for _n in range(int(counts[e])):
            part = state.waiting[c].pop(0)
            state.chosen[part] = site_index
            state.free[site_index] -= state.classes[c].people


def _edges_into_left_beds(state: State, waiting: dict[int, int], per_size: int = 2
                          ) -> list[tuple[int, int]]:
    """Classes with parts still waiting, into every site with beds left that they
    fit: per site and household size, every vulnerable class, the largest classes
    and a window of the others, so every size that could fill the last beds is there.
    Beds left after a relaxation are few, so this stays small, and it reaches beds no
    candidate list did."""
    classes = state.classes
    by_size: dict[int, list[int]] = defaultdict(list)
    for c in sorted(waiting, key=lambda c: (-classes[c].tier, -waiting[c])):
        by_size[classes[c].people].append(c)
    edges = []
    for turn, site_index in enumerate(np.flatnonzero(state.free > 0)):
        site = state.sites[site_index]
        for size, members in by_size.items():
            if size > state.free[site_index]:
                continue
            usable = [c for c in members if (site.step_free or not classes[c].step_free)
                      and site.ref not in classes[c].avoid_sites]
            edges.extend((c, int(site_index)) for c in _vulnerable_and_a_window(
                usable, classes, turn, per_size))
    return edges


def _vulnerable_and_a_window(usable: list[int], classes: list[Class], turn: int,
                             per_size: int) -> list[int]:
    """Every vulnerable class; the largest of the others everywhere, and each site its
    own window of the rest, so that between them the sites reach every class."""
    vulnerable = [c for c in usable if classes[c].tier]
    others = [c for c in usable if not classes[c].tier]
    if len(others) > 2 * per_size:
        rest, start = others[per_size:], turn * per_size
        others = others[:per_size] + [rest[(start + k) % len(rest)] for k in range(per_size)]
    return vulnerable + others
