"""What the allocator is given: households waiting for a place, and sites with free beds."""

from dataclasses import dataclass
from functools import cached_property

# Higher is placed first. The codes are UNHCR's, as the desks type them.
VULNERABILITY = {"UAC": 3, "SC": 3, "OP": 2, "DIS": 2, "MED": 2, "PREG": 1}
# Needs that make stairs a barrier: such a household goes only to step-free sites.
STEP_FREE_NEEDS = {"DIS", "OP"}


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

    # Asked for thousands of times by the solver and its repair, so worked out once.
    @cached_property
    def people(self) -> int:
        return self.adults + self.children

    @cached_property
    def tier(self) -> int:
        return max((VULNERABILITY.get(code, 0) for code in self.needs), default=0)

    @cached_property
    def needs_step_free(self) -> bool:
        return self.step_free or bool(self.needs & STEP_FREE_NEEDS)
