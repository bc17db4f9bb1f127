"""The allocator: waiting households into free beds, families kept together.

It knows nothing of the database: it takes `Waiting` households and `FreeSite`s and
returns a `Plan`. The allocation page, the API and `refuge allocate` (on CSV files)
all call `allocate()`, so a what-if plan on files and a live plan agree.

The choice is an integer programme solved by HiGHS through SciPy. Households that are
interchangeable (same size, vulnerability, requested province and access need) form a
class, and a variable says how many of a class go to a site:

- a class places at most as many households as it has, and a site's free beds are
  never exceeded;
- the parts of a split household are placed all together or not at all;
- the objective places people, and the most vulnerable first by a margin no number of
  other people outweighs in practice; it then prefers the requested province and
  sites near relatives, and pays a rising price as a province fills, so the load
  spreads instead of filling the border town.

Within a class the longest waiting go first. A household is split only when no open
site it may use has enough free beds, and then into the fewest parts, each child in
a part with an adult. See `_solve` for how 30,000 households and 1,000 sites are
solved in seconds.
"""

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np
from django.utils.translation import gettext as _
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from refuge.registry.models import SpecificNeed
from refuge.registry.validation import FieldError, Invalid

# Higher is placed first. The codes are UNHCR's, as the desks type them.
VULNERABILITY = {"UAC": 3, "SC": 3, "OP": 2, "DIS": 2, "MED": 2, "PREG": 1}
# Needs that make stairs a barrier: such a household goes only to step-free sites.
STEP_FREE_NEEDS = {"DIS", "OP"}

# Objective weights, in "beds" of value. A vulnerable household is worth far more than
# the people it brings, so the optimiser never leaves it out to fit others in.
# Preferences are paid per person, so they do not favour small households over large
# ones: singles stay free to fill the odd beds families leave.
PER_PERSON = 10.0
PER_VULNERABILITY_TIER = 400.0
REQUESTED_PROVINCE = 2.0
RELATIVES_SITE = 3.0
RELATIVES_PROVINCE = 1.5
# (share of a province's beds, price per person placed beyond it). The prices add up,
# and their sum stays well under PER_PERSON, so the last beds are still worth filling.
PROVINCE_FILL_PRICES = [(0.5, 0.5), (0.75, 1.0), (0.9, 1.5)]

# Sites a class may use outside its requested province, or anywhere when it asked for
# none. A class of many households may use every site of its province; a household
# alone in its class (split, or with relatives placed) gets a window of each.
CANDIDATES_ELSEWHERE = 60
CANDIDATES_ANYWHERE = 200
ALONE_IN_PROVINCE = 10
ALONE_ELSEWHERE = 6


@dataclass(frozen=True)
class FreeSite:
    ref: str
    name: str
    province: str
    beds: int
    free: int
    step_free: bool = False


@dataclass(frozen=True)
class Waiting:
    """A household waiting for a place; `order` is its place in the queue (0 = first)."""

    ref: str
    adults: int
    children: int
    order: int = 0
    needs: frozenset[str] = frozenset()
    step_free: bool = False
    province: str = ""
    relatives_sites: tuple[str, ...] = ()
    avoid_sites: frozenset[str] = frozenset()  # rejected for it by a manager

    @property
    def people(self) -> int:
        return self.adults + self.children

    @property
    def tier(self) -> int:
        return max((VULNERABILITY.get(code, 0) for code in self.needs), default=0)

    @property
    def needs_step_free(self) -> bool:
        return self.step_free or bool(self.needs & STEP_FREE_NEEDS)


@dataclass
class Proposal:
    household: str
    site: str
    adults: int
    children: int
    part: int = 1
    parts: int = 1
    reasons: list[str] = field(default_factory=list)

    @property
    def people(self) -> int:
        return self.adults + self.children


@dataclass
class Plan:
    proposals: list[Proposal]
    unplaced: dict[str, str]
    status: str
    seconds: float
    households: int
    free_beds: int

    @property
    def people_placed(self) -> int:
        return sum(p.people for p in self.proposals)


@dataclass
class _Part:
    household: Waiting
    adults: int
    children: int
    part: int
    parts: int

    @property
    def people(self) -> int:
        return self.adults + self.children


def allocate(households: list[Waiting], sites: list[FreeSite],
             time_limit: float = 7.0) -> Plan:
    """Propose a site for each waiting household, or say why it has none."""
    started = time.monotonic()
    free_beds = sum(max(site.free, 0) for site in sites)
    if not free_beds:
        raise Invalid([FieldError("sites", _("no open site has a free bed: there is nothing "
                                             "to allocate"))])
    if not households:
        return Plan([], {}, _("nobody is waiting"), 0.0, 0, free_beds)
    parts, unplaced = _parts(households, sites)
    chosen, status = _solve(parts, sites, time_limit)
    proposals = _proposals(parts, sites, chosen)
    placed = {p.household for p in proposals}
    for household in households:
        if household.ref not in placed and household.ref not in unplaced:
            unplaced[household.ref] = _("the free beds it could use went to more vulnerable "
                                        "or longer-waiting households")
    return Plan(proposals, unplaced, status, time.monotonic() - started, len(households),
                free_beds)


# Splitting ---------------------------------------------------------------------------

def _parts(households: list[Waiting], sites: list[FreeSite]
           ) -> tuple[list[_Part], dict[str, str]]:
    largest = max(site.free for site in sites)
    largest_step_free = max((site.free for site in sites if site.step_free), default=0)
    capacities = sorted((site.free for site in sites), reverse=True)
    capacities_step_free = sorted((s.free for s in sites if s.step_free), reverse=True)
    parts: list[_Part] = []
    unplaced: dict[str, str] = {}
    for household in households:
        step_free = household.needs_step_free
        fits = largest_step_free if step_free else largest
        if household.people <= fits:
            parts.append(_Part(household, household.adults, household.children, 1, 1))
            continue
        sizes = _fewest_parts(household.people,
                              capacities_step_free if step_free else capacities)
        if not sizes:
            unplaced[household.ref] = (
                _("no open step-free site has beds for %(n)s people, even split")
                if step_free else _("all open sites together have fewer free beds than "
                                    "its %(n)s people")) % {"n": household.people}
            continue
        for number, (adults, children) in enumerate(_share(household, sizes), start=1):
            parts.append(_Part(household, adults, children, number, len(sizes)))
    return parts, unplaced


def _fewest_parts(people: int, capacities: list[int]) -> list[int]:
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


def _share(household: Waiting, sizes: list[int]) -> list[tuple[int, int]]:
    """Adults and children per part: an adult in every part first, so no child is
    without a parent, then the children, then the other adults."""
    adults, children = household.adults, household.children
    shares = []
    for size in sizes:
        part_adults = 1 if adults and size else 0
        adults -= part_adults
        shares.append([part_adults, 0, size - part_adults])
    for share in shares:
        take = min(children, share[2])
        share[1], share[2], children = take, share[2] - take, children - take
    for share in shares:
        take = min(adults, share[2])
        share[0], share[2], adults = share[0] + take, share[2] - take, adults - take
    return [(a, c) for a, c, _room in shares]


# Classes and candidates ------------------------------------------------------------

@dataclass
class _Class:
    """Parts that are interchangeable for the programme: same size, vulnerability,
    requested province and access need, no relatives placed, not split. The programme
    decides how many of a class go to each site; the longest waiting go first."""

    parts: list[int]
    people: int
    tier: int
    province: str
    step_free: bool
    relatives_sites: tuple[str, ...] = ()
    avoid_sites: frozenset[str] = frozenset()
    split_of: str = ""
    share: float = 1.0  # of the household, for a part of a split one


def _classes(parts: list[_Part]) -> list[_Class]:
    classes: dict[tuple, _Class] = {}
    for index, part in enumerate(parts):
        household = part.household
        alone = part.parts > 1 or bool(household.relatives_sites or household.avoid_sites)
        key = (("part", index) if alone else
               (part.people, household.tier, household.province, household.needs_step_free))
        if key not in classes:
            classes[key] = _Class([], part.people, household.tier, household.province,
                                  household.needs_step_free, household.relatives_sites,
                                  household.avoid_sites,
                                  household.ref if part.parts > 1 else "", 1 / part.parts)
        classes[key].parts.append(index)
    for group in classes.values():
        group.parts.sort(key=lambda p: parts[p].household.order)
    return list(classes.values())


def _candidates(classes: list[_Class], sites: list[FreeSite]) -> list[tuple[int, int]]:
    """(class, site) pairs the programme may choose from.

    Classes asking for the same thing take different windows of the sites they may
    use, so between them they reach all of those sites rather than crowding a few.
    """
    site_index = {site.ref: i for i, site in enumerate(sites)}
    free = np.array([site.free for site in sites])
    step_free = np.array([site.step_free for site in sites])
    province = np.array([site.province for site in sites], dtype=object)
    turns: dict[tuple, int] = defaultdict(int)
    edges: list[tuple[int, int]] = []
    for class_index, group in enumerate(classes):
        fits = free >= group.people
        if group.step_free:
            fits &= step_free
        for ref in group.avoid_sites:
            if ref in site_index:
                fits[site_index[ref]] = False
        chosen = [site_index[ref] for ref in group.relatives_sites
                  if ref in site_index and fits[site_index[ref]]]
        in_province = province == group.province
        inside = np.flatnonzero(fits & in_province) if group.province else np.array([], int)
        elsewhere = np.flatnonzero(fits & ~in_province)
        alone = len(group.parts) == 1
        windows = [(inside, ALONE_IN_PROVINCE if alone else len(inside)),
                   (elsewhere, ALONE_ELSEWHERE if alone else
                    CANDIDATES_ELSEWHERE if group.province else CANDIDATES_ANYWHERE)]
        for pool, wanted in windows:
            if not len(pool):
                continue
            key = (group.province, group.step_free, group.people, pool is inside)
            start = turns[key] * wanted
            turns[key] += 1
            take = min(wanted, len(pool))
            chosen.extend(pool[(start + np.arange(take)) % len(pool)].tolist())
        edges.extend((class_index, i) for i in dict.fromkeys(chosen))
    return edges


# The programme ---------------------------------------------------------------------

def _edge_values(classes: list[_Class], sites: list[FreeSite],
                 edges: list[tuple[int, int]]) -> np.ndarray:
    """What placing one part of the class at the site is worth."""
    by_ref = {site.ref: site for site in sites}
    values = np.empty(len(edges))
    for e, (class_index, site_index) in enumerate(edges):
        group, site = classes[class_index], sites[site_index]
        per_person = PER_PERSON
        if group.province and site.province == group.province:
            per_person += REQUESTED_PROVINCE
        if site.ref in group.relatives_sites:
            per_person += RELATIVES_SITE
        elif any(by_ref[ref].province == site.province
                 for ref in group.relatives_sites if ref in by_ref):
            per_person += RELATIVES_PROVINCE
        values[e] = per_person * group.people + PER_VULNERABILITY_TIER * group.tier * group.share
    return values


# Each round solves a programme over the households still waiting and the beds still
# free, then keeps what it placed whole. (kind, households per size kept per site for
# the edges into left-over beds; None: the candidate lists).
ROUNDS = [("relaxed", None), ("relaxed", 6), ("exact", 2), ("exchange", 8)]


def _solve(parts: list[_Part], sites: list[FreeSite],
           time_limit: float) -> tuple[dict[int, int], str]:
    """Solve the linear relaxation, keep what it placed whole, and repeat on the rest;
    the last round is solved exactly. Returns {part: site} and the solver's status.

    The relaxation of this assignment problem is almost integral: at most about one
    class per site comes out fractional, and HiGHS solves it in a second or two. A
    second relaxation reaches the beds left over; the branch-and-bound then only has
    the last few households and beds, instead of closing a gap over all 30,000.
    """
    started = time.monotonic()
    classes = _classes(parts)
    free = np.array([site.free for site in sites], dtype=float)
    waiting = [list(group.parts) for group in classes]
    chosen: dict[int, int] = {}
    status = _("optimal")
    for kind, per_size in ROUNDS:
        left = {c: len(queue) for c, queue in enumerate(waiting) if queue}
        if not left or not (free > 0).any():
            break
        edges = (_candidates(classes, sites) if per_size is None
                 else _edges_into_left_beds(classes, sites, free, left, per_size))
        if not edges:
            continue
        edge_class = np.array([c for c, _s in edges])
        edge_site = np.array([s for _c, s in edges])
        budget = max(time_limit - (time.monotonic() - started), 1.0)
        x, finished = _programme(classes, sites, edge_class, edge_site,
                                 _edge_values(classes, sites, edges), free,
                                 np.array([len(queue) for queue in waiting], dtype=float),
                                 integral=kind != "relaxed", time_limit=budget)
        if x is None:
            status = _("the solver ran out of time; the households left wait for the next run")
            break
        if kind != "relaxed":
            placed = np.round(x)
            if not finished:
                status = _("the best plan found in the time allowed")
        else:
            placed = _rounded(x, classes, edge_class, edge_site, waiting, free)
        _assign(placed, edge_class, edge_site, classes, waiting, chosen, free)
        if kind == "exchange" and not finished:
            status = _("the best plan found in the time allowed")
        if ROUNDS.index((kind, per_size)) == len(ROUNDS) - 2:
            _release_singles(classes, chosen, free, waiting)
    return chosen, status


def _release_singles(classes: list[_Class], chosen: dict[int, int], free: np.ndarray,
                     waiting: list[list[int]]) -> None:
    """Put some single people back in the queue before the last round, so it can
    trade them: two singles out of a full site let a couple in, and the singles take
    the odd beds no one waiting fits. The last round may also put them back."""
    sizes = [classes[c].people for c, queue in enumerate(waiting) if queue]
    if not sizes:
        return
    odd_beds = int(free[(free > 0) & (free < min(sizes))].sum())
    if not odd_beds:
        return
    single = {part: c for c, group in enumerate(classes)
              if group.people == 1 and not group.tier and not group.split_of
              for part in group.parts}
    by_site: dict[int, list[int]] = defaultdict(list)
    for part, site_index in chosen.items():
        if part in single:
            by_site[site_index].append(part)
    released = 0
    for site_index, singles in sorted(by_site.items(), key=lambda item: -len(item[1])):
        if released >= 2 * odd_beds:
            break
        for part in singles:
            del chosen[part]
            waiting[single[part]].insert(0, part)
            free[site_index] += 1
            released += 1


def _rounded(x: np.ndarray, classes: list[_Class], edge_class: np.ndarray,
             edge_site: np.ndarray, waiting: list[list[int]], free: np.ndarray) -> np.ndarray:
    """Whole placements from a relaxed solution: round down, then round up where the
    beds are still there, the most vulnerable and the surest first."""
    placed = np.floor(x + 1e-6)
    broken = _broken_splits(classes, edge_class, x)
    placed[broken] = 0
    people = np.array([classes[c].people for c in edge_class.tolist()], dtype=float)
    left_free = free.copy()
    np.subtract.at(left_free, edge_site, placed * people)
    left_count = np.array([len(queue) for queue in waiting], dtype=float)
    np.subtract.at(left_count, edge_class, placed)
    fraction = x - placed
    candidates = np.flatnonzero((fraction > 1e-6) & ~broken)
    tier = np.array([classes[c].tier for c in edge_class.tolist()])
    for e in candidates[np.lexsort((-fraction[candidates], -tier[candidates]))]:
        c, site_index = edge_class[e], edge_site[e]
        if left_count[c] < 1:
            continue
        if tier[e] and left_free[site_index] < people[e]:
            # A vulnerable household the relaxation half-placed takes the place of
            # others placed at that site; they go back to the queue.
            others = np.flatnonzero((edge_site == site_index) & (placed > 0) & (tier == 0))
            room = left_free[site_index] + (placed[others] * people[others]).sum()
            for other in (others[np.argsort(-people[others])] if room >= people[e] else []):
                while placed[other] > 0 and left_free[site_index] < people[e]:
                    placed[other] -= 1
                    left_count[edge_class[other]] += 1
                    left_free[site_index] += people[other]
        if left_free[site_index] >= people[e]:
            placed[e] += 1
            left_count[c] -= 1
            left_free[site_index] -= people[e]
    return placed


def _broken_splits(classes: list[_Class], edge_class: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Edges of split households the relaxation did not place wholly: all their parts
    go to the exact step together."""
    fractional = set(edge_class[(x > 1e-6) & (x < 1 - 1e-6)].tolist())
    broken = {classes[c].split_of for c in fractional if classes[c].split_of}
    return np.array([classes[c].split_of in broken and bool(classes[c].split_of)
                     for c in edge_class.tolist()], dtype=bool)


def _assign(counts: np.ndarray, edge_class: np.ndarray, edge_site: np.ndarray,
            classes: list[_Class], waiting: list[list[int]], chosen: dict[int, int],
            free: np.ndarray) -> None:
    """Hand a class's places at each site to its parts, longest waiting first."""
    for e in np.flatnonzero(counts > 0):
        c, site_index = int(edge_class[e]), int(edge_site[e])
        for _n in range(int(counts[e])):
            part = waiting[c].pop(0)
            chosen[part] = site_index
            free[site_index] -= classes[c].people


def _edges_into_left_beds(classes: list[_Class], sites: list[FreeSite], free: np.ndarray,
                          waiting: dict[int, int], per_size: int = 2
                          ) -> list[tuple[int, int]]:
    """Classes with parts still waiting, into every site with beds left that they
    fit: per site and household size, every vulnerable class, the largest classes
    and a window of the others, so every size that could fill the last beds is there.
    Beds left after a relaxation are few, so this stays small, and it reaches beds no
    candidate list did."""
    by_size: dict[int, list[int]] = defaultdict(list)
    for c in sorted(waiting, key=lambda c: (-classes[c].tier, -waiting[c])):
        by_size[classes[c].people].append(c)
    edges = []
    for turn, site_index in enumerate(np.flatnonzero(free > 0)):
        site = sites[site_index]
        for size, members in by_size.items():
            if size > free[site_index]:
                continue
            usable = [c for c in members if (site.step_free or not classes[c].step_free)
                      and site.ref not in classes[c].avoid_sites]
            vulnerable = [c for c in usable if classes[c].tier]
            others = [c for c in usable if not classes[c].tier]
            if len(others) > 2 * per_size:
                # The largest classes everywhere, and each site its own window of the
                # rest, so that between them the sites reach every class.
                rest, start = others[per_size:], turn * per_size
                others = others[:per_size] + [rest[(start + k) % len(rest)]
                                              for k in range(per_size)]
            edges.extend((c, int(site_index)) for c in vulnerable + others)
    return edges


def _programme(classes: list[_Class], sites: list[FreeSite], edge_class: np.ndarray,
               edge_site: np.ndarray, values: np.ndarray, free: np.ndarray,
               counts: np.ndarray, *, integral: bool, time_limit: float
               ) -> tuple[np.ndarray | None, bool]:
    """Build and solve one programme: how many of each class go to each site, and
    whether the solver proved that optimal."""
    n_edges = len(edge_class)
    people = np.array([group.people for group in classes], dtype=float)[edge_class]
    provinces = sorted({site.province for site in sites})
    province_of = np.array([provinces.index(site.province) for site in sites])
    beds = np.array([site.beds for site in sites], dtype=float)
    province_beds = np.zeros(len(provinces))
    np.add.at(province_beds, province_of, beds)
    province_taken = np.zeros(len(provinces))
    np.add.at(province_taken, province_of, beds - free)
    prices = [price for _share, price in PROVINCE_FILL_PRICES]
    n_fill = len(provinces) * len(prices)
    edge_ids = np.arange(n_edges)

    # Rows: parts of each class placed at most once; free beds per site; province fill.
    used_classes, class_row = np.unique(edge_class, return_inverse=True)
    site_row = len(used_classes) + edge_site
    fill_row = len(used_classes) + len(sites)
    edge_province = province_of[edge_site]
    rows, cols, vals = [class_row, site_row], [edge_ids, edge_ids], [np.ones(n_edges), people]
    lower = [np.zeros(len(used_classes)), np.zeros(len(sites))]
    upper = [counts[used_classes], np.maximum(free, 0)]
    fill_vars = n_edges + np.arange(n_fill).reshape(len(provinces), len(prices))
    for k, (share, _price) in enumerate(PROVINCE_FILL_PRICES):
        province_rows = fill_row + k * len(provinces) + np.arange(len(provinces))
        rows += [province_rows[edge_province], province_rows]
        cols += [edge_ids, fill_vars[:, k]]
        vals += [people, -np.ones(len(provinces))]
        lower.append(np.full(len(provinces), -np.inf))
        upper.append(share * province_beds - province_taken)
    n_rows = fill_row + n_fill
    # The parts of a split household go together or not at all.
    first: dict[str, int] = {}
    for c in used_classes.tolist():
        ref = classes[c].split_of
        if not ref:
            continue
        if ref not in first:
            first[ref] = c
            continue
        a, b = edge_class == first[ref], edge_class == c
        rows += [np.full(a.sum(), n_rows), np.full(b.sum(), n_rows)]
        cols += [edge_ids[a], edge_ids[b]]
        vals += [np.ones(a.sum()), -np.ones(b.sum())]
        lower.append(np.zeros(1))
        upper.append(np.zeros(1))
        n_rows += 1

    matrix = coo_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                       shape=(n_rows, n_edges + n_fill)).tocsr()
    cost = np.concatenate([-values, np.tile(prices, len(provinces))])
    integrality = np.concatenate([np.full(n_edges, int(integral)), np.zeros(n_fill)])
    most = np.minimum(counts[edge_class], np.floor(np.maximum(free, 0)[edge_site] / people))
    bounds = Bounds(np.zeros(n_edges + n_fill), np.concatenate([most, np.full(n_fill, np.inf)]))
    result = milp(cost, constraints=LinearConstraint(matrix, np.concatenate(lower),
                                                     np.concatenate(upper)),
                  integrality=integrality, bounds=bounds,
                  options={"time_limit": time_limit, "mip_rel_gap": 1e-3})
    if result.x is None:
        return None, False
    return result.x[:n_edges], result.status == 0


# Reasons ---------------------------------------------------------------------------

def _proposals(parts: list[_Part], sites: list[FreeSite],
               chosen: dict[int, int]) -> list[Proposal]:
    proposals = []
    for part_index, site_index in sorted(chosen.items()):
        part, site = parts[part_index], sites[site_index]
        proposals.append(Proposal(part.household.ref, site.ref, part.adults, part.children,
                                  part.part, part.parts, _reasons(part, site)))
    return proposals


def _reasons(part: _Part, site: FreeSite) -> list[str]:
    household = part.household
    reasons = []
    if household.tier:
        reasons.append(_("placed first: %(needs)s") % {"needs": ", ".join(
            str(SpecificNeed.CODES[code]) for code in sorted(household.needs)
            if code in VULNERABILITY)})
    if household.needs_step_free:
        reasons.append(_("needs step-free access, which %(site)s has") % {"site": site.name})
    if site.ref in household.relatives_sites:
        reasons.append(_("relatives are already at %(site)s") % {"site": site.name})
    if household.province:
        if site.province == household.province:
            reasons.append(_("in the requested province, %(province)s")
                           % {"province": site.province})
        else:
            reasons.append(_("%(province)s was asked for but had no fitting free beds")
                           % {"province": household.province})
    if part.parts > 1:
        reasons.append(_("part %(part)s of %(parts)s: no open site had beds for all "
                         "%(people)s together") % {"part": part.part, "parts": part.parts,
                                                   "people": household.people})
    share = round(100 * (site.beds - site.free) / site.beds)
    reasons.append(_("%(free)s of %(beds)s beds free at %(site)s (%(share)s%% taken)")
                   % {"free": site.free, "beds": site.beds, "site": site.name, "share": share})
    return reasons
