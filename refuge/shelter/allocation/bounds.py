"""How far from perfect a plan can be: for everyone waiting, for those who need
step-free access, and for those who asked for each province, the most people and
households that any plan could place (in the province asked for, for those).

The people bound is a maximum flow: people of each kind (size, access need, sites
rejected for them) to the sites with free beds they may use, each site taking no more
than its free beds. Every plan is such a flow, so none places more; the flow may
split a household between sites, so it can promise more than a plan can keep. A plan
placing some households places at least the people of the smallest of them, which
bounds the households.
"""

from dataclasses import asdict, dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

from refuge.shelter.allocation.households import FreeSite, Waiting
from refuge.shelter.allocation.messages import Message
from refuge.shelter.allocation.programme import Class, SiteArrays
from refuge.shelter.allocation.splitting import Part

EVERYONE, STEP_FREE, PROVINCE = "everyone", "step_free", "province"


@dataclass(frozen=True)
class Bound:
    """Households and people of a group waiting, placed, and the most any plan could
    place."""

    group: str
    province: str
    households: int
    people: int
    households_placed: int
    people_placed: int
    most_households: int
    most_people: int

    @property
    def more_households(self) -> int:
        return max(self.most_households - self.households_placed, 0)

    @property
    def more_people(self) -> int:
        return max(self.most_people - self.people_placed, 0)

    def as_json(self) -> dict:
        return asdict(self)


def how_far(found: list[Bound]) -> Message | None:
    """What a perfect plan could add for everyone waiting (None: no bound was kept)."""
    everyone = next((bound for bound in found if bound.group == EVERYONE), None)
    if everyone is None:
        return None
    if not (everyone.more_people or everyone.more_households):
        return Message.of("none_more")
    return Message.of("could_add", people=everyone.more_people,
                      households=everyone.more_households)


@dataclass
class _Group:
    group: str
    province: str
    members: list[Waiting]
    sites: np.ndarray  # which sites count: all, step-free, or in the province


def bounds(households: list[Waiting], parts: list[Part], sites: list[FreeSite],
           chosen: dict[int, int]) -> list[Bound]:
    """A bound for everyone, those needing step-free access (if any), and each
    province asked for."""
    everywhere = np.ones(len(sites), dtype=bool)
    groups = [_Group(EVERYONE, "", households, everywhere)]
    step_free = [h for h in households if h.needs_step_free]
    if step_free:
        groups.append(_Group(STEP_FREE, "", step_free, everywhere))
    in_province = np.array([site.province for site in sites], dtype=object)
    by_province: dict[str, list[Waiting]] = {}
    for household in households:
        if household.province:
            by_province.setdefault(household.province, []).append(household)
    for province, members in sorted(by_province.items()):
        groups.append(_Group(PROVINCE, province, members, in_province == province))
    parts_of: dict[str, list[int]] = {}
    for index, part in enumerate(parts):
        parts_of.setdefault(part.household.ref, []).append(index)
    return [_bound(group, parts, parts_of, [sites, chosen]) for group in groups]


def _bound(group: _Group, parts: list[Part], parts_of: dict[str, list[int]],
           plan: list) -> Bound:
    sites, chosen = plan
    households = people = placed_households = placed_people = 0
    placeable, movable = [], []
    for household in group.members:
        households, people = households + 1, people + household.people
        indices = parts_of.get(household.ref, [])
        here = sum(parts[i].people for i in indices
                   if i in chosen and group.sites[chosen[i]])
        placed_people += here
        placed_households += bool(indices) and here == household.people
        if indices:
            placeable.append(household.people)
            movable += [parts[i] for i in indices]
    most_people = _most_people(movable, sites, group.sites)
    most_households = int(np.searchsorted(np.cumsum(sorted(placeable)), most_people,
                                          side="right"))
    return Bound(group.group, group.province, households, people, placed_households,
                 placed_people, most_households, most_people)


def _most_people(parts: list[Part], sites: list[FreeSite], counted: np.ndarray) -> int:
    """The maximum flow of the parts' people into the counted sites' free beds."""
    kinds: dict[tuple, list[Part]] = {}
    for part in parts:
        household = part.household
        kinds.setdefault((part.people, household.needs_step_free, household.avoid_sites),
                         []).append(part)
    arrays = SiteArrays.of(sites)
    source, sink = 0, 1 + len(kinds) + len(sites)
    rows, cols, capacity = [], [], []
    for k, ((people, step_free, avoid), members) in enumerate(kinds.items(), start=1):
        rows.append(0)
        cols.append(k)
        capacity.append(people * len(members))
        fits = np.flatnonzero(arrays.fitting(Class([], people, 0, "", step_free,
                                                   avoid_sites=avoid)) & counted)
        rows += [k] * len(fits)
        cols += (1 + len(kinds) + fits).tolist()
        capacity += [people * len(members)] * len(fits)
    for s, site in enumerate(sites):
        if counted[s] and site.free > 0:
            rows.append(1 + len(kinds) + s)
            cols.append(sink)
            capacity.append(site.free)
    if not kinds:
        return 0
    graph = csr_array((np.array(capacity, dtype=np.int32), (rows, cols)),
                      shape=(sink + 1, sink + 1))
    return int(maximum_flow(graph, source, sink).flow_value)
