"""Why each proposal was made."""

from django.utils.translation import gettext as _

from refuge.registry.models import SpecificNeed
from refuge.shelter.allocation.households import VULNERABILITY, FreeSite
from refuge.shelter.allocation.splitting import Part


def reasons(part: Part, site: FreeSite) -> list[str]:
    household = part.household
    found = []
    if household.tier:
        found.append(_("placed first: %(needs)s") % {"needs": ", ".join(
            str(SpecificNeed.CODES[code]) for code in sorted(household.needs)
            if code in VULNERABILITY)})
    if household.needs_step_free:
        found.append(_("needs step-free access, which %(site)s has") % {"site": site.name})
    if site.ref in household.relatives_sites:
        found.append(_("relatives are already at %(site)s") % {"site": site.name})
    if household.province:
        if site.province == household.province:
            found.append(_("in the requested province, %(province)s")
                         % {"province": site.province})
        else:
            found.append(_("%(province)s was asked for but had no fitting free beds")
                         % {"province": household.province})
    if part.parts > 1:
        found.append(_("part %(part)s of %(parts)s: no open site had beds for all "
                       "%(people)s together") % {"part": part.part, "parts": part.parts,
                                                 "people": household.people})
    share = round(100 * (site.beds - site.free) / site.beds)
    found.append(_("%(free)s of %(beds)s beds free at %(site)s (%(share)s%% taken)")
                 % {"free": site.free, "beds": site.beds, "site": site.name, "share": share})
    return found
