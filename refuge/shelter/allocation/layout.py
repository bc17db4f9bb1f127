"""A plan part by part, as the repair changes it."""

from dataclasses import dataclass, field

import numpy as np

from refuge.shelter.allocation import programme
from refuge.shelter.allocation.households import FreeSite
from refuge.shelter.allocation.programme import Class, SiteArrays
from refuge.shelter.allocation.splitting import Part


@dataclass
class Layout:
    """Which site each part has, the beds still free at each site, and the parts at it."""

    parts: list[Part]
    sites: list[FreeSite]
    site_of: dict[int, int]
    left: np.ndarray = field(init=False)
    at: list[set[int]] = field(init=False)
    # Whole households of each size (the column) at each site (the row).
    sizes: np.ndarray = field(init=False)
    out: set[int] = field(init=False)  # whole households without a place
    arrays: SiteArrays = field(init=False)
    province_of: dict[str, str] = field(init=False)
    province_array: np.ndarray = field(init=False)
    _classes: dict[int, Class] = field(default_factory=dict)
    _values: dict[tuple[int, int], float] = field(default_factory=dict)

    def __post_init__(self):
        self.left = np.array([site.free for site in self.sites], dtype=int)
        self.at = [set() for _site in self.sites]
        largest = max((part.people for part in self.parts), default=0)
        self.sizes = np.zeros((len(self.sites), largest + 1), dtype=int)
        self.out = {i for i, part in enumerate(self.parts) if part.parts == 1}
        for part, site_index in self.site_of.items():
            self.left[site_index] -= self.parts[part].people
            self._count(part, site_index, 1)
        self.arrays = SiteArrays.of(self.sites)
        self.province_of = {site.ref: site.province for site in self.sites}
        self.province_array = np.array([site.province for site in self.sites], dtype=object)

    def move(self, part: int, site_index: int | None) -> None:
        """Place the part at the site, or (None) leave it out."""
        if (was := self.site_of.pop(part, None)) is not None:
            self.left[was] += self.parts[part].people
            self._count(part, was, -1)
        if site_index is not None:
            self.site_of[part] = site_index
            self.left[site_index] -= self.parts[part].people
            self._count(part, site_index, 1)

    def _count(self, part: int, site_index: int, change: int) -> None:
        (self.at[site_index].add if change > 0 else self.at[site_index].discard)(part)
        if self.parts[part].parts == 1:
            self.sizes[site_index, self.parts[part].people] += change
            (self.out.discard if change > 0 else self.out.add)(part)

    def movable_beds(self, most: int) -> np.ndarray:
        """Beds per site in whole households of at most `most` people each."""
        most = min(most, self.sizes.shape[1] - 1)
        return self.sizes[:, :most + 1] @ np.arange(most + 1)

    def smallest_movable(self) -> np.ndarray:
        """People per site in its smallest whole household (0: none)."""
        has = self.sizes > 0
        return np.where(has.any(axis=1), has.argmax(axis=1), 0)

    def waiting(self) -> list[int]:
        """Whole households left out, the most vulnerable, then the largest, first."""
        parts = self.parts
        return sorted(self.out, key=lambda i: (-parts[i].household.tier, -parts[i].people,
                                               parts[i].household.order))

    def targets(self, seed: int) -> list[int]:
        """The sites the household left out may use, where room for it is likeliest
        first: the most beds left, counting those of households small enough to move to
        beds left elsewhere, then the most left; in the province it asked for first
        among equals."""
        usable = np.flatnonzero(self.usable(seed))
        near = self.province_array[usable] == (self.parts[seed].household.province or None)
        left = self.left[usable]
        room = left + self.movable_beds(int(self.left.max(initial=0)))[usable]
        need = self.parts[seed].people
        return usable[np.lexsort((~near, -left, -np.minimum(room, need)))].tolist()

    def kind(self, part: int) -> tuple:
        """What decides where the part may go and what it is worth there: households
        of one kind are the same to move."""
        group = self.class_of(part)
        return (group.people, group.tier, group.step_free, group.province,
                group.relatives_sites, group.avoid_sites)

    def class_of(self, part: int) -> Class:
        """The part as a class of its own."""
        if part not in self._classes:
            one = self.parts[part]
            household = one.household
            self._classes[part] = Class([part], one.people, household.tier, household.province,
                                        household.needs_step_free, household.relatives_sites,
                                        household.avoid_sites, share=1 / one.parts)
        return self._classes[part]

    def usable(self, part: int) -> np.ndarray:
        """Which sites may take the part: beds when the plan began, access, not rejected."""
        return self.arrays.fitting(self.class_of(part))

    def value(self, part: int, site_index: int) -> float:
        key = (part, site_index)
        if key not in self._values:
            self._values[key] = programme.value(self.class_of(part), self.sites[site_index],
                                                self.province_of)
        return self._values[key]
