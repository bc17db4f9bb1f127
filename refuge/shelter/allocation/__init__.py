"""The allocator: waiting households into free beds, families kept together.

It knows nothing of the database: it takes `Waiting` households and `FreeSite`s and
returns a `Plan`. The allocation page, the API and `refuge allocate` (on CSV files)
all call `allocate()`, so a what-if plan on files and a live plan agree.

- `households`: what it is given;
- `splitting`: the parts of a household no single site can hold;
- `programme`: the integer programme over classes of interchangeable households;
- `solver`: the rounds that solve it for 30,000 households and 1,000 sites in seconds;
- `reasons`: why each proposal was made;
- `plan`: `allocate()`, and the plan it returns.
"""

from refuge.shelter.allocation.households import (
    STEP_FREE_NEEDS,
    VULNERABILITY,
    FreeSite,
    Waiting,
)
from refuge.shelter.allocation.plan import Plan, Proposal, allocate

__all__ = ["STEP_FREE_NEEDS", "VULNERABILITY", "FreeSite", "Plan", "Proposal", "Waiting",
           "allocate"]
