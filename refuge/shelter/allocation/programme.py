"""The programme: how many parts of each class of households go to each site.

Households that are interchangeable (same size, vulnerability, requested province and
access need) form a class, and a variable says how many of a class go to a site:

- a class places at most as many households as it has, and a site's free beds are
  never exceeded;
- the parts of a split household are placed all together or not at all;
- the objective places people, and the most vulnerable first by a margin no number of
  other people outweighs in practice; it then prefers the requested province and
  sites near relatives, and pays a rising price as a province fills, so the load
  spreads instead of filling the border town.

HiGHS solves it, through SciPy.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from refuge.shelter.allocation.households import FreeSite
from refuge.shelter.allocation.splitting import Part

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


@dataclass
class Class:
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


def classes_of(parts: list[Part]) -> list[Class]:
    classes: dict[tuple, Class] = {}
    for index, part in enumerate(parts):
        household = part.household
        alone = part.parts > 1 or bool(household.relatives_sites or household.avoid_sites)
        key = (("part", index) if alone else
               (part.people, household.tier, household.province, household.needs_step_free))
        if key not in classes:
            classes[key] = Class([], part.people, household.tier, household.province,
                                 household.needs_step_free, household.relatives_sites,
                                 household.avoid_sites,
                                 household.ref if part.parts > 1 else "", 1 / part.parts)
        classes[key].parts.append(index)
    for group in classes.values():
        group.parts.sort(key=lambda p: parts[p].household.order)
    return list(classes.values())


@dataclass
class SiteArrays:
    """The sites' columns, as arrays, for choosing candidates quickly."""

    index: dict[str, int]
    free: np.ndarray
    step_free: np.ndarray
    province: np.ndarray

    @classmethod
    def of(cls, sites: list[FreeSite]) -> "SiteArrays":
        return cls({site.ref: i for i, site in enumerate(sites)},
                   np.array([site.free for site in sites]),
                   np.array([site.step_free for site in sites]),
                   np.array([site.province for site in sites], dtype=object))

    def fitting(self, group: Class) -> np.ndarray:
        """Which sites may take a part of the class: beds, access, not rejected for it."""
        fits = self.free >= group.people
        if group.step_free:
            fits &= self.step_free
        for ref in group.avoid_sites:
            if ref in self.index:
                fits[self.index[ref]] = False
        return fits


def candidates(classes: list[Class], sites: list[FreeSite]) -> list[tuple[int, int]]:
    """(class, site) pairs the programme may choose from.

    Classes asking for the same thing take different windows of the sites they may
    use, so between them they reach all of those sites rather than crowding a few.
    """
    arrays = SiteArrays.of(sites)
    turns: dict[tuple, int] = defaultdict(int)
    edges: list[tuple[int, int]] = []
    for class_index, group in enumerate(classes):
        fits = arrays.fitting(group)
        chosen = [arrays.index[ref] for ref in group.relatives_sites
                  if ref in arrays.index and fits[arrays.index[ref]]]
        for pool, wanted, inside in _windows(group, fits, arrays):
            key = (group.province, group.step_free, group.people, inside)
            start = turns[key] * wanted
            turns[key] += 1
            take = min(wanted, len(pool))
            chosen.extend(pool[(start + np.arange(take)) % len(pool)].tolist())
        edges.extend((class_index, i) for i in dict.fromkeys(chosen))
    return edges


def _windows(group: Class, fits: np.ndarray, arrays: SiteArrays):
    """(sites, how many of them the class may use, whether in its province), non-empty."""
    in_province = arrays.province == group.province
    inside = np.flatnonzero(fits & in_province) if group.province else np.array([], int)
    elsewhere = np.flatnonzero(fits & ~in_province)
    alone = len(group.parts) == 1
    windows = [(inside, ALONE_IN_PROVINCE if alone else len(inside), True),
               (elsewhere, ALONE_ELSEWHERE if alone else
                CANDIDATES_ELSEWHERE if group.province else CANDIDATES_ANYWHERE, False)]
    return [window for window in windows if len(window[0])]


def edge_values(classes: list[Class], sites: list[FreeSite],
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


@dataclass
class Programme:
    """One programme over some (class, site) edges: the beds free and the parts waiting
    are as they stand when it is solved."""

    classes: list[Class]
    sites: list[FreeSite]
    edges: list[tuple[int, int]]
    free: np.ndarray  # beds free per site
    counts: np.ndarray  # parts waiting per class
    edge_class: np.ndarray = field(init=False)
    edge_site: np.ndarray = field(init=False)

    def __post_init__(self):
        self.edge_class = np.array([c for c, _s in self.edges], dtype=int)
        self.edge_site = np.array([s for _c, s in self.edges], dtype=int)

    @property
    def people(self) -> np.ndarray:
        """People in one part of each edge's class."""
        return np.array([group.people for group in self.classes], dtype=float)[self.edge_class]


@dataclass
class _Rows:
    """The constraint matrix, built a block of rows at a time."""

    rows: list = field(default_factory=list)
    cols: list = field(default_factory=list)
    vals: list = field(default_factory=list)
    lower: list = field(default_factory=list)
    upper: list = field(default_factory=list)
    count: int = 0

    def add(self, entries: tuple, lower: np.ndarray, upper: np.ndarray) -> None:
        """(rows, columns, values) of each entry, rows counted from this block's first."""
        rows, cols, vals = entries
        self.rows.append(self.count + np.asarray(rows))
        self.cols.append(np.asarray(cols))
        self.vals.append(np.asarray(vals, dtype=float))
        self.lower.append(lower)
        self.upper.append(upper)
        self.count += len(lower)

    def constraint(self, n_columns: int) -> LinearConstraint:
        matrix = coo_array((np.concatenate(self.vals), (np.concatenate(self.rows),
                                                        np.concatenate(self.cols))),
                           shape=(self.count, n_columns)).tocsr()
        return LinearConstraint(matrix, np.concatenate(self.lower), np.concatenate(self.upper))


def solve(programme: Programme, *, integral: bool, time_limit: float
          ) -> tuple[np.ndarray | None, bool]:
    """Solve the programme: how many of each class go to each site, and whether the
    solver proved that optimal."""
    p = programme
    n_edges = len(p.edges)
    provinces = sorted({site.province for site in p.sites})
    prices = [price for _share, price in PROVINCE_FILL_PRICES]
    n_fill = len(provinces) * len(prices)
    matrix = _Rows()
    _class_and_site_rows(p, matrix)
    _fill_rows(p, provinces, matrix)
    _together_rows(p, matrix)
    values = edge_values(p.classes, p.sites, p.edges)
    cost = np.concatenate([-values, np.tile(prices, len(provinces))])
    integrality = np.concatenate([np.full(n_edges, int(integral)), np.zeros(n_fill)])
    most = np.minimum(p.counts[p.edge_class],
                      np.floor(np.maximum(p.free, 0)[p.edge_site] / p.people))
    bounds = Bounds(np.zeros(n_edges + n_fill), np.concatenate([most, np.full(n_fill, np.inf)]))
    result = milp(cost, constraints=matrix.constraint(n_edges + n_fill),
                  integrality=integrality, bounds=bounds,
                  options={"time_limit": time_limit, "mip_rel_gap": 1e-3})
    if result.x is None:
        return None, False
    return result.x[:n_edges], result.status == 0


def _class_and_site_rows(p: Programme, matrix: _Rows) -> None:
    """Parts of each class placed at most once; free beds per site."""
    n_edges = len(p.edges)
    edge_ids = np.arange(n_edges)
    used_classes, class_row = np.unique(p.edge_class, return_inverse=True)
    matrix.add((class_row, edge_ids, np.ones(n_edges)),
               np.zeros(len(used_classes)), p.counts[used_classes])
    matrix.add((p.edge_site, edge_ids, p.people),
               np.zeros(len(p.sites)), np.maximum(p.free, 0))


def _fill_rows(p: Programme, provinces: list[str], matrix: _Rows) -> None:
    """People placed in a province beyond each share of its beds, priced by a column of
    its own after the edges' columns."""
    n_edges = len(p.edges)
    province_of = np.array([provinces.index(site.province) for site in p.sites])
    beds = np.array([site.beds for site in p.sites], dtype=float)
    province_beds = np.zeros(len(provinces))
    np.add.at(province_beds, province_of, beds)
    province_taken = np.zeros(len(provinces))
    np.add.at(province_taken, province_of, beds - p.free)
    fill_columns = n_edges + np.arange(len(provinces) * len(PROVINCE_FILL_PRICES)).reshape(
        len(provinces), len(PROVINCE_FILL_PRICES))
    edge_province = province_of[p.edge_site]
    for k, (share, _price) in enumerate(PROVINCE_FILL_PRICES):
        own = np.arange(len(provinces))
        matrix.add((np.concatenate([edge_province, own]),
                    np.concatenate([np.arange(n_edges), fill_columns[:, k]]),
                    np.concatenate([p.people, -np.ones(len(provinces))])),
                   np.full(len(provinces), -np.inf), share * province_beds - province_taken)


def _together_rows(p: Programme, matrix: _Rows) -> None:
    """The parts of a split household go together or not at all."""
    edge_ids = np.arange(len(p.edges))
    first: dict[str, int] = {}
    for c in np.unique(p.edge_class).tolist():
        ref = p.classes[c].split_of
        if not ref:
            continue
        if ref not in first:
            first[ref] = c
            continue
        a, b = p.edge_class == first[ref], p.edge_class == c
        matrix.add((np.zeros(a.sum() + b.sum(), dtype=int),
                    np.concatenate([edge_ids[a], edge_ids[b]]),
                    np.concatenate([np.ones(a.sum()), -np.ones(b.sum())])),
                   np.zeros(1), np.zeros(1))
