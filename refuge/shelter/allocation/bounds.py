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
    """Households and people of a group waiting, placed, the most any plan could place,
    and so the most a perfect plan could add."""

    group: str
    province: str
    households: int
    people: int
    households_placed: int
    people_placed: int
    most_households: int
    most_people: int
    more_households: int
    more_people: int

    def as_json(self) -> dict:
        return asdict(self)


def how_far(found: list[Bound]) -> Message | None:
    """What a perfect plan could add for everyone waiting (None: no bound was kept)."""
    everyone = next((bound for bound in found if bound.group == EVERYONE), None)
    if everyone is None:
        return None
    if not (everyone.more_people or everyone.more_households):
        return Message.of("none_more")
    if not everyone.more_people:
        return Message.of("smaller_instead", households=everyone.more_households)
    return Message.of("could_add", people=everyone.more_people,
                      households=everyone.more_households)


@dataclass
class _Placed:
    """Per household waiting: its people, those placed anywhere, those placed in the
    province it asked for, and its parts."""

    people: np.ndarray
    anywhere: np.ndarray
    asked: np.ndarray
    parts: list[list[Part]]

    @classmethod
    def of(cls, households: list[Waiting], parts: list[Part], plan: list) -> "_Placed":
        sites, chosen = plan
        row = {h.ref: i for i, h in enumerate(households)}
        placed = cls(np.array([h.people for h in households]), np.zeros(len(households)),
                     np.zeros(len(households)), [[] for _h in households])
        for index, part in enumerate(parts):
            h = row[part.household.ref]
            placed.parts[h].append(part)
            if index in chosen:
                placed.anywhere[h] += part.people
                if sites[chosen[index]].province == part.household.province:
                    placed.asked[h] += part.people
        return placed


def bounds(households: list[Waiting], parts: list[Part], sites: list[FreeSite],
           chosen: dict[int, int]) -> list[Bound]:
    """A bound for everyone, those needing step-free access (if any), and each
    province asked for."""
    placed = _Placed.of(households, parts, [sites, chosen])
    everywhere = np.ones(len(sites), dtype=bool)
    about = [placed, sites]
    found = [_bound(np.ones(len(households), dtype=bool), everywhere, group=EVERYONE,
                    about=about)]
    step_free = np.array([h.needs_step_free for h in households])
    if step_free.any():
        found.append(_bound(step_free, everywhere, group=STEP_FREE, about=about))
    asked = np.array([h.province for h in households], dtype=object)
    in_province = np.array([site.province for site in sites], dtype=object)
    for province in sorted({h.province for h in households if h.province}):
        found.append(_bound(asked == province, in_province == province, group=PROVINCE,
                            province=province, about=about))
    return found


def _bound(members: np.ndarray, counted: np.ndarray, *, group: str, province: str = "",
           about: list) -> Bound:
    """The bound for the members, placed at the counted sites."""
    placed, sites = about
    here = (placed.asked if group == PROVINCE else placed.anywhere)[members]
    people = placed.people[members]
    has_parts = np.array([bool(parts) for parts in placed.parts])[members]
    movable = [part for h in np.flatnonzero(members) for part in placed.parts[h]]
    most_people = _most_people(movable, sites, counted)
    most_households = int(np.searchsorted(np.cumsum(np.sort(people[has_parts])), most_people,
                                          side="right"))
    placed_households = int(((here == people) & has_parts).sum())
    return Bound(group, province, int(members.sum()), int(people.sum()), placed_households,
                 int(here.sum()), most_households, most_people,
                 max(most_households - placed_households, 0),
                 max(most_people - int(here.sum()), 0))


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
