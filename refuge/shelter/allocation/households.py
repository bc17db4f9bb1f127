"""What the allocator is given: households waiting for a place, and sites with free beds."""

from dataclasses import dataclass, field

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
    # Asked for hundreds of thousands of times by the solver and its repair, so worked
    # out once: people, vulnerability (higher is placed first), and whether it goes
    # only to step-free sites.
    people: int = field(init=False, compare=False, repr=False)
    tier: int = field(init=False, compare=False, repr=False)
    needs_step_free: bool = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "people", self.adults + self.children)
        object.__setattr__(self, "tier", max((VULNERABILITY.get(code, 0)
                                              for code in self.needs), default=0))
        object.__setattr__(self, "needs_step_free",
                           self.step_free or bool(self.needs & STEP_FREE_NEEDS))
