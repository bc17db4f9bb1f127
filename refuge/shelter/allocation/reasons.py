"""Why each proposal was made."""

from functools import lru_cache

from refuge.shelter.allocation.households import VULNERABILITY, FreeSite
from refuge.shelter.allocation.messages import Message
from refuge.shelter.allocation.splitting import Part


def reasons(part: Part, site: FreeSite) -> list[Message]:
    """Why the part goes to the site."""
    household = part.household
    found = []
    if household.tier:
        found.append(_placed_first(household.needs))
    if household.needs_step_free:
        found.append(_about_site("step_free", site))
    if site.ref in household.relatives_sites:
        found.append(_about_site("relatives_here", site))
    if household.province:
        found.append(_province("requested_province" if site.province == household.province
                               else "requested_province_full", household.province))
    if part.parts > 1:
        found.append(Message.of("split", part=part.part, parts=part.parts,
                                people=household.people))
    found.append(_about_site("site_free", site))
    return found


# A plan gives tens of thousands of reasons, most of them the same few.
@lru_cache(maxsize=4096)
def _about_site(code: str, site: FreeSite) -> Message:
    if code != "site_free":
        return Message.of(code, site=site.name)
    return Message.of(code, free=site.free, beds=site.beds, site=site.name,
                      share=round(100 * (site.beds - site.free) / site.beds))


@lru_cache(maxsize=512)
def _province(code: str, province: str) -> Message:
    return Message.of(code, province=province)


@lru_cache(maxsize=512)
def _placed_first(needs: frozenset[str]) -> Message:
    return Message.of("placed_first", needs=[code for code in sorted(needs)
                                             if code in VULNERABILITY])
