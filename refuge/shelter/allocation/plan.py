"""A plan: a proposal for each household that can have a place, and why the rest have none."""

import time
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from refuge.registry.validation import FieldError, Invalid
from refuge.shelter.allocation import solver, splitting
from refuge.shelter.allocation.households import FreeSite, Waiting
from refuge.shelter.allocation.reasons import reasons
from refuge.shelter.allocation.splitting import Part


@dataclass
class Proposal:
    household: str
    site: str
    adults: int
    children: int
    part: int = 1
    parts: int = 1
    reasons: list[str] = field(default_factory=list)

    @property
    def people(self) -> int:
        return self.adults + self.children


@dataclass
class Plan:
    proposals: list[Proposal]
    unplaced: dict[str, str]
    status: str
    seconds: float
    households: int
    free_beds: int

    @property
    def people_placed(self) -> int:
        return sum(p.people for p in self.proposals)


def allocate(households: list[Waiting], sites: list[FreeSite],
             time_limit: float = 7.0) -> Plan:
    """Propose a site for each waiting household, or say why it has none."""
    started = time.monotonic()
    free_beds = sum(max(site.free, 0) for site in sites)
    if not free_beds:
        raise Invalid([FieldError("sites", _("no open site has a free bed: there is nothing "
                                             "to allocate"))])
    if not households:
        return Plan([], {}, _("nobody is waiting"), 0.0, 0, free_beds)
    parts, unplaced = splitting.split(households, sites)
    chosen, status = solver.solve(parts, sites, time_limit)
    proposals = _proposals(parts, sites, chosen)
    placed = {p.household for p in proposals}
    for household in households:
        if household.ref not in placed and household.ref not in unplaced:
            unplaced[household.ref] = _("the free beds it could use went to more vulnerable "
                                        "or longer-waiting households")
    return Plan(proposals, unplaced, status, time.monotonic() - started, len(households),
                free_beds)


def _proposals(parts: list[Part], sites: list[FreeSite],
               chosen: dict[int, int]) -> list[Proposal]:
    proposals = []
    for part_index, site_index in sorted(chosen.items()):
        part, site = parts[part_index], sites[site_index]
        proposals.append(Proposal(part.household.ref, site.ref, part.adults, part.children,
                                  part.part, part.parts, reasons(part, site)))
    return proposals
