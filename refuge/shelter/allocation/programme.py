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
# Per part a repair leaves where it is: less than any preference, so it only decides
# between arrangements that are otherwise worth the same.
STAY = 0.2

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
                edges: list[tuple[int, int]], province_of: dict[str, str] | None = None
                ) -> np.ndarray:
    """What placing one part of the class at the site is worth. `province_of` gives
    the province of every site by its ref, when `sites` are only some of them."""
    province_of = province_of or {site.ref: site.province for site in sites}
    edge_class = np.array([c for c, _s in edges], dtype=int)
    edge_site = np.array([s for _c, s in edges], dtype=int)
    wanted = np.array([group.province or None for group in classes], dtype=object)
    has = np.array([site.province for site in sites], dtype=object)
    people = np.array([group.people for group in classes], dtype=float)
    tier = np.array([PER_VULNERABILITY_TIER * group.tier * group.share for group in classes])
    per_person = PER_PERSON + REQUESTED_PROVINCE * (wanted[edge_class] == has[edge_site])
    values = per_person * people[edge_class] + tier[edge_class]
    for e in np.flatnonzero([bool(classes[c].relatives_sites) for c in edge_class.tolist()]):
        values[e] = value(classes[edge_class[e]], sites[edge_site[e]], province_of)
    return values


def value(group: Class, site: FreeSite, province_of: dict[str, str]) -> float:
    """What placing one part of the class at the site is worth."""
    per_person = PER_PERSON
    if group.province and site.province == group.province:
        per_person += REQUESTED_PROVINCE
    if site.ref in group.relatives_sites:
        per_person += RELATIVES_SITE
    elif any(province_of.get(ref) == site.province for ref in group.relatives_sites):
        per_person += RELATIVES_PROVINCE
    return per_person * group.people + PER_VULNERABILITY_TIER * group.tier * group.share


@dataclass
class Programme:
    """One programme over some (class, site) edges: the beds free and the parts waiting
    are as they stand when it is solved."""

    classes: list[Class]
    sites: list[FreeSite]
    edges: list[tuple[int, int]]
    free: np.ndarray  # beds free per site
    counts: np.ndarray  # parts waiting per class
    # Price the filling of provinces (a repair of a few sites leaves it out: its
    # shares of a province's beds would be those of the few sites).
    spread: bool = True
    province_of: dict[str, str] | None = None  # of every site, when these are only some
    # Parts of each class every solution must place (a repair keeps everyone placed),
    # and per edge, parts of its class at its site now: a repair moves nobody in vain.
    least: np.ndarray | None = None
    stay: np.ndarray | None = None
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


@dataclass
class Solution:
    """How many parts of each edge's class go to its site, and what the solver knows of
    it: whether it stopped at an optimum (within `gap`), and the value no solution of
    this programme can exceed."""

    x: np.ndarray
    finished: bool
    value: float
    bound: float


def solve(programme: Programme, *, integral: bool, time_limit: float,
          gap: float = 1e-3) -> Solution | None:
    """Solve the programme (None: the solver found no solution in the time).

    The columns are the edges, then what each province is filled beyond each share
    of its beds, then the parts of each edge's class that stay where they are."""
    p = programme
    provinces = sorted({site.province for site in p.sites}) if p.spread else []
    prices = np.tile([price for _share, price in PROVINCE_FILL_PRICES], len(provinces))
    n_edges, n_fill = len(p.edges), len(prices)
    matrix = _Rows()
    _class_and_site_rows(p, matrix)
    if p.spread:
        _fill_rows(p, provinces, matrix)
    _together_rows(p, matrix)
    staying = _stay_rows(p, matrix, n_edges + n_fill)
    cost = np.concatenate([-edge_values(p.classes, p.sites, p.edges, p.province_of), prices,
                           np.full(len(staying), -STAY)])
    most = np.minimum(p.counts[p.edge_class],
                      np.floor(np.maximum(p.free, 0)[p.edge_site] / p.people))
    upper = np.concatenate([most, np.full(n_fill, np.inf), p.stay[staying] if len(staying)
                            else []])
    integrality = np.concatenate([np.full(n_edges, int(integral)),
                                  np.zeros(n_fill + len(staying))])
    result = milp(cost, constraints=matrix.constraint(len(cost)), integrality=integrality,
                  bounds=Bounds(np.zeros(len(cost)), upper),
                  options={"time_limit": time_limit, "mip_rel_gap": gap})
    return _solution(result, n_edges, integral)


def _solution(result, n_edges: int, integral: bool) -> Solution | None:
    if result.x is None:
        return None
    finished = result.status == 0
    bound = getattr(result, "mip_dual_bound", None) if integral else (
        result.fun if finished else None)
    return Solution(result.x[:n_edges], finished, -result.fun,
                    -bound if bound is not None and np.isfinite(bound) else np.inf)


def _stay_rows(p: Programme, matrix: _Rows, first: int) -> np.ndarray:
    """The edges with parts of their class at their site now; a column for each, of
    the parts that stay, at most those placed by the edge."""
    if p.stay is None:
        return np.array([], dtype=int)
    staying = np.flatnonzero(p.stay > 0)
    columns = first + np.arange(len(staying))
    matrix.add((np.tile(np.arange(len(staying)), 2), np.concatenate([columns, staying]),
                np.concatenate([np.ones(len(staying)), -np.ones(len(staying))])),
               np.full(len(staying), -np.inf), np.zeros(len(staying)))
    return staying


def objective(p: Programme, counts: np.ndarray) -> float:
    """What the programme's objective makes of these parts per edge: their value, less
    the price of filling each province beyond each share of its beds."""
    value = float(edge_values(p.classes, p.sites, p.edges, p.province_of) @ counts)
    if not p.spread:
        return value
    provinces = sorted({site.province for site in p.sites})
    province_of = np.array([provinces.index(site.province) for site in p.sites])
    beds, taken, placed = (np.zeros(len(provinces)) for _k in range(3))
    np.add.at(beds, province_of, [site.beds for site in p.sites])
    np.add.at(taken, province_of, np.array([site.beds for site in p.sites]) - p.free)
    np.add.at(placed, province_of[p.edge_site], p.people * counts)
    for share, price in PROVINCE_FILL_PRICES:
        value -= price * np.maximum(placed - (share * beds - taken), 0).sum()
    return value


def _class_and_site_rows(p: Programme, matrix: _Rows) -> None:
    """Parts of each class placed at most once; free beds per site."""
    n_edges = len(p.edges)
    edge_ids = np.arange(n_edges)
    used_classes, class_row = np.unique(p.edge_class, return_inverse=True)
    least = p.least[used_classes] if p.least is not None else np.zeros(len(used_classes))
    matrix.add((class_row, edge_ids, np.ones(n_edges)), least, p.counts[used_classes])
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
