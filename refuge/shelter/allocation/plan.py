"""A plan: a proposal for each household that can have a place, why the rest have none,
and what is true of it: optimal only when that was proven for the whole problem,
otherwise the best found, with the most that a perfect plan could add."""

import time
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext as _

from refuge.lib.errors import FieldError, Invalid
from refuge.shelter.allocation import repair, solver, splitting
from refuge.shelter.allocation.bounds import Bound, bounds, how_far
from refuge.shelter.allocation.households import FreeSite, Waiting
from refuge.shelter.allocation.layout import Layout
from refuge.shelter.allocation.messages import Message
from refuge.shelter.allocation.reasons import reasons
from refuge.shelter.allocation.splitting import Part

# The share of the time kept for proving the plan optimal, when the repair takes long.
PROOF_SHARE = 0.2


@dataclass
class Proposal:
    household: str
    site: str
    adults: int
    children: int
    part: int = 1
    parts: int = 1
    reasons: list[Message] = field(default_factory=list)

    @property
    def people(self) -> int:
        return self.adults + self.children


@dataclass
class Plan:
    proposals: list[Proposal]
    unplaced: dict[str, Message]
    status: Message
    seconds: float
    households: int
    free_beds: int
    bounds: list[Bound] = field(default_factory=list)

    @property
    def people_placed(self) -> int:
        return sum(p.people for p in self.proposals)

    @property
    def how_far(self) -> Message | None:
        """What a perfect plan could add to this one, for everyone waiting."""
        return how_far(self.bounds)


def allocate(households: list[Waiting], sites: list[FreeSite],
             time_limit: float = 7.0) -> Plan:
    """Propose a site for each waiting household, or say why it has none."""
    started = time.monotonic()
    free_beds = sum(max(site.free, 0) for site in sites)
    if not free_beds:
        raise Invalid([FieldError("sites", _("no open site has a free bed: there is nothing "
                                             "to allocate"))])
    if not households:
        return Plan([], {}, Message.of("nobody_waiting"), 0.0, 0, free_beds)
    parts, unplaced = splitting.split(households, sites)
    outcome = solver.solve(parts, sites, time_limit)
    layout = repair.repair(parts, sites, outcome.chosen, started + time_limit * (1 - PROOF_SHARE))
    chosen, proven = solver.prove(parts, sites, layout.site_of, classes=outcome.classes,
                                  time_limit=max(started + time_limit - time.monotonic(), 1.0))
    if chosen is not layout.site_of:
        layout = Layout(parts, sites, chosen)
    proposals = _proposals(parts, sites, chosen)
    unplaced.update(_why_not(layout, {p.household for p in proposals}, unplaced))
    status = "optimal" if proven else "best_found" if outcome.found else "out_of_time"
    return Plan(proposals, unplaced, Message.of(status), time.monotonic() - started,
                len(households), free_beds, bounds(households, parts, sites, chosen))


def _proposals(parts: list[Part], sites: list[FreeSite],
               chosen: dict[int, int]) -> list[Proposal]:
    proposals = []
    for part_index, site_index in sorted(chosen.items()):
        part, site = parts[part_index], sites[site_index]
        proposals.append(Proposal(part.household.ref, site.ref, part.adults, part.children,
                                  part.part, part.parts, reasons(part, site)))
    return proposals


def _why_not(layout: Layout, placed: set[str], known: dict[str, Message]
             ) -> dict[str, Message]:
    """Why each household with parts but no place has none: the beds it could use went
    to others, or are left, but too few at any one site."""
    why: dict[str, Message] = {}
    # (beds left in all, most at one site) of the sites a part may use, which depend on
    # its size, access need and the sites rejected for it.
    beds_left: dict[tuple, tuple[int, int]] = {}
    for index, part in enumerate(layout.parts):
        ref = part.household.ref
        if ref in placed or ref in known or ref in why:
            continue
        kind = (part.people, part.household.needs_step_free, part.household.avoid_sites)
        if kind not in beds_left:
            left = np.where(layout.usable(index), np.maximum(layout.left, 0), 0)
            beds_left[kind] = int(left.sum()), int(left.max())
        free, most = beds_left[kind]
        why[ref] = (Message.of("beds_scattered", free=free, most=most)
                    if free >= part.household.people else Message.of("beds_taken"))
    return why
