"""Making room by moving households: the quick half of the repair.

A family of six waits, and the site it could use best has two beds left. If a couple
there can move to a site with two beds left, and two single people to sites with one
left each, the family has its six beds, and everyone keeps a place. When the site holds
only large households, one of them may move to a site that makes room for it in the
same way. This looks for the cheapest such moves at the few sites with the most beds
left that the family may use: each household moved goes to the tightest site it may
use, preferring the province it asked for, so that as little as possible of what
people asked for is lost.
"""

from dataclasses import dataclass, field

import numpy as np

from refuge.shelter.allocation.layout import Layout

TARGETS = 12  # sites tried for one household: those it may use with the most beds left
RELAYED_TARGETS = 4  # of those, the sites where a household moved out makes room in turn
RELAYS = 6  # sites tried for the household moved out, which make room for it in turn
MOVES = 8  # households moved out of a site to make room for one (of each size, too)
EXTRA = 2  # beds a site may be left with beyond what is needed
TIGHT = 1e-3  # per bed left over: of two equal ways, the one that fills the beds

Moves = list[tuple[int, int]]  # (part, the site it moves to)


def make_room(layout: Layout, seed: int) -> bool:
    """Place the household left out, moving others out of its site if need be; whether
    it was placed. Nobody placed loses a place."""
    room = _Room(layout, _HelperFinder(layout))
    best: tuple[float, int, Moves] | None = None
    for rank, target in enumerate(layout.targets(seed)[:TARGETS]):
        found = room.freed(target, layout.parts[seed].people - int(layout.left[target]),
                           relay=rank < RELAYED_TARGETS)
        if found is not None:
            cost = found[1] - layout.value(seed, target)
            if best is None or cost < best[0]:
                best = (cost, target, found[0])
    if best is None:
        return False
    _cost, target, moves = best
    for moved, helper in moves:
        layout.move(moved, helper)
    layout.move(seed, target)
    return True


@dataclass
class _Room:
    """Ways of freeing beds at a site, with what they cost in value lost."""

    layout: Layout
    finder: "_HelperFinder"
    groups: dict[int, list[list[int]]] = field(default_factory=dict)

    def freed(self, site: int, need: int, *, relay: bool) -> tuple[Moves, float] | None:
        """The cheapest moves that free `need` beds at the site."""
        if need <= 0:
            return [], 0.0
        direct = self.direct(site, need, frozenset({site}))
        relayed = self.relayed(site, need) if relay else None
        return min((f for f in (direct, relayed) if f is not None), key=lambda f: f[1],
                   default=None)

    def direct(self, site: int, need: int, exclude: frozenset[int]
               ) -> tuple[Moves, float] | None:
        """Up to MOVES households out of the site, each straight to beds left elsewhere."""
        options: dict[int, list[tuple[float, int]]] = {}
        for alike in self.alike(site, most=need + EXTRA):
            helper = self.finder.best(alike[0], exclude=exclude)
            if helper is not None:
                loss = self.layout.value(alike[0], site) - self.layout.value(alike[0], helper)
                options.setdefault(self.layout.parts[alike[0]].people, []).extend(
                    (loss, moved) for moved in alike[:MOVES])
        for size in options:
            options[size] = sorted(options[size])[:MOVES]
        best = None
        for sizes in _size_sets(options, need):
            found = self.placed_elsewhere(site, [options, sizes], exclude)
            if found is not None:
                cost = found[1] + TIGHT * (sum(sizes) - need)
                if best is None or cost < best[1]:
                    best = (found[0], cost)
        return best

    def alike(self, site: int, *, most: int) -> list[list[int]]:
        """Whole households at the site of at most `most` people, in groups that are
        the same to move: same size, needs and wishes."""
        if site not in self.groups:
            groups: dict[tuple, list[int]] = {}
            for moved in sorted(self.layout.at[site]):
                if self.layout.parts[moved].parts == 1:
                    groups.setdefault(self.layout.kind(moved), []).append(moved)
            self.groups[site] = list(groups.values())
        return [alike for alike in self.groups[site]
                if self.layout.parts[alike[0]].people <= most]

    def relayed(self, site: int, need: int) -> tuple[Moves, float] | None:
        """One household out of the site, to a site that makes room for it directly."""
        best = None
        sizes_seen = set()
        for alike in self.alike(site, most=10**9):
            moved, size = alike[0], self.layout.parts[alike[0]].people
            if size < need or size in sizes_seen:
                continue
            sizes_seen.add(size)
            for relay in self.finder.relays(moved, exclude=site):
                then = self.direct(relay, size - int(self.layout.left[relay]),
                                   frozenset({site, relay}))
                if then is not None:
                    loss = (self.layout.value(moved, site) - self.layout.value(moved, relay)
                            + then[1])
                    if best is None or loss < best[1]:
                        best = (then[0] + [(moved, relay)], loss)
        return best

    def placed_elsewhere(self, site: int, choice: list, exclude: frozenset[int]
                         ) -> tuple[Moves, float] | None:
        """The cheapest households of the chosen sizes, each with a site to go to that
        still has the beds once the others moved: (moves, value lost), or None."""
        options, sizes = choice
        taken: dict[int, int] = {}
        moves, loss = [], 0.0
        for size in sorted(set(sizes), reverse=True):
            for _loss, moved in options[size][:sizes.count(size)]:
                helper = self.finder.best(moved, exclude=exclude, taken=taken)
                if helper is None:
                    return None
                taken[helper] = taken.get(helper, 0) + size
                moves.append((moved, helper))
                loss += self.layout.value(moved, site) - self.layout.value(moved, helper)
        return moves, loss


def _size_sets(options: dict[int, list], need: int):
    """Sizes of up to MOVES households, as many of each as there are, that free `need`
    to `need + EXTRA` beds; the fewest households first."""
    sizes = sorted(options, reverse=True)
    found = list(_sums(sizes, [len(options[size]) for size in sizes], need, MOVES))
    return sorted(found, key=len)


def _sums(sizes: list[int], counts: list[int], need: int, moves: int):
    """Multisets of the sizes (each at most its count, at most `moves` in all) adding up
    to `need` to `need + EXTRA`."""
    if need <= 0:
        yield ()
        return
    if not sizes or not moves:
        return
    size, rest = sizes[0], sizes[1:]
    for n in range(min(counts[0], moves, (need + EXTRA) // size), -1, -1):
        for tail in _sums(rest, counts[1:], need - n * size, moves - n):
            if n * size + sum(tail) <= need + EXTRA:
                yield (size,) * n + tail


@dataclass
class _HelperFinder:
    """Where a household moved out of a site may go: the sites with beds left, best
    for it first (the province it asked for, or its relatives'), then the tightest."""

    layout: Layout
    with_beds: np.ndarray = field(init=False)
    cache: dict = field(default_factory=dict)

    def __post_init__(self):
        self.with_beds = np.flatnonzero(self.layout.left > 0)

    def best(self, part: int, *, exclude: frozenset[int], taken: dict[int, int] | None = None
             ) -> int | None:
        """The best site with beds for the whole household."""
        taken = taken or {}
        people = self.layout.parts[part].people
        for site in self._ranked(part, fits=True):
            if site not in exclude and self.layout.left[site] - taken.get(site, 0) >= people:
                return site
        return None

    def relays(self, part: int, *, exclude: int) -> list[int]:
        """Sites with some beds left, too few for the household, but with a household
        small enough to move to beds left elsewhere."""
        return [site for site in self._ranked(part, fits=False) if site != exclude][:RELAYS]

    def _ranked(self, part: int, *, fits: bool) -> list[int]:
        key = (fits, self.layout.kind(part))
        if key not in self.cache:
            self.cache[key] = self._rank(part, fits)
        return self.cache[key]

    def _rank(self, part: int, fits: bool) -> list[int]:
        layout, sites = self.layout, self.with_beds
        people = layout.parts[part].people
        left = layout.left[sites]
        keep = layout.usable(part)[sites] & ((left >= people) == fits)
        if not fits:
            most = left.max(initial=0)
            smallest = layout.smallest_movable()[sites]
            keep &= (smallest > 0) & (smallest <= most)
        chosen = sites[keep]
        if layout.parts[part].household.relatives_sites:
            worth = np.array([layout.value(part, s) for s in chosen.tolist()])
        else:
            worth = layout.province_array[chosen] == (layout.parts[part].household.province
                                                      or None)
        order = np.lexsort((left[keep] if fits else -left[keep], -worth.astype(float)))
        return chosen[order][:2 * MOVES + RELAYS].tolist()
