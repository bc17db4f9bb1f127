"""What shelter managers ask: where are free beds, who is waiting, who is where."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Sum
from django.utils import timezone

from refuge.accounts.models import Post
from refuge.lib.dates import age_on
from refuge.lib.hours import as_hour, utc_hour
from refuge.registry.models import Household, Person
from refuge.shelter.allocation import FreeSite, Waiting
from refuge.shelter.models import Placement, Proposal, Site, holding_beds_now

ADULT_AGE = 18



@dataclass
class SiteOccupancy:
    site: Site
    reserved: int
    checked_in: int

    @property
    def taken(self) -> int:
        return self.reserved + self.checked_in

    @property
    def free(self) -> int:
        return max(self.site.beds - self.taken, 0)

    @property
    def percent(self) -> int:
        return round(100 * self.taken / self.site.beds) if self.site.beds else 0


def occupancy(sites=None) -> list[SiteOccupancy]:
    """Beds reserved and checked in per site: one grouped pass over the placements that
    hold beds, rather than a join from every site."""
    sites = list(sites if sites is not None else Site.objects.all())
    taken = Placement.objects.filter(holding_beds_now())
    if len(sites) < 100:
        taken = taken.filter(site__in=sites)
    beds: dict[tuple[int, str], int] = {
        (site_id, status): people for site_id, status, people in
        taken.values_list("site_id", "status").annotate(n=Sum("people")).order_by()}
    return [SiteOccupancy(site, beds.get((site.pk, Placement.RESERVED), 0),
                          beds.get((site.pk, Placement.CHECKED_IN), 0)) for site in sites]


def by_province(rows: list[SiteOccupancy]) -> list[dict]:
    return _provinces((row.site.province, row.site.beds, row.taken, row.site.is_open)
                      for row in rows)


def province_occupancy() -> list[dict]:
    """`by_province` of every site, read as plain values: the dashboard's figure, without
    building thousands of Site objects it does not show; with the households placed in
    each province's sites, and those still waiting among the households registered at
    its posts."""
    taken: dict[int, int] = dict(Placement.objects.filter(holding_beds_now())
                                 .values_list("site_id").annotate(n=Sum("people")).order_by())
    rows = {row["province"]: row for row in _provinces(
        (province, beds, taken.get(pk, 0), is_open) for pk, province, beds, is_open
        in Site.objects.values_list("pk", "province", "beds", "is_open"))}
    placed = dict(Placement.objects.filter(holding_beds_now()).values_list("site__province")
                  .annotate(n=Count("household_id", distinct=True)).order_by())
    for province, waiting in _waiting_by_province().items():
        rows.setdefault(province, {"province": province, "sites": 0, "beds": 0, "taken": 0,
                                   "free": 0})["households_waiting"] = waiting
    for row in rows.values():
        row["households_placed"] = placed.get(row["province"], 0)
        row.setdefault("households_waiting", 0)
    return sorted(rows.values(), key=lambda p: p["province"])


def _waiting_by_province() -> dict[str, int]:
    """Households waiting for a place, by the province of the post they registered at:
    those that need one and hold none, as the dashboard's total counts them."""
    province_of = dict(Post.objects.values_list("pk", "province"))
    waiting: dict[str, int] = defaultdict(int)
    for post_id, households in (_without_place().values_list("registered_at_id")
                                .annotate(n=Count("id")).order_by()):
        waiting[province_of[post_id]] += households
    return {province: n for province, n in waiting.items() if n > 0}


def _provinces(sites) -> list[dict]:
    """Sites, beds, beds taken and beds free per province, from (province, beds, taken,
    is_open) per site; a closed site has no free beds."""
    provinces: dict[str, dict] = {}
    for province, beds, taken, is_open in sites:
        entry = provinces.setdefault(province, {
            "province": province, "sites": 0, "beds": 0, "taken": 0, "free": 0})
        entry["sites"] += 1
        entry["beds"] += beds
        entry["taken"] += taken
        entry["free"] += max(beds - taken, 0) if is_open else 0
    return sorted(provinces.values(), key=lambda p: p["province"])


def _without_place():
    """Active households that need a place to stay and hold none. Households staying with
    relatives or in a place of their own, or never asked, do not wait for shelter."""
    holding = Placement.objects.filter(holding_beds_now(), household=OuterRef("pk"))
    return Household.objects.filter(status=Household.ACTIVE,
                                    accommodation=Household.NEEDS_PLACE).exclude(Exists(holding))


def placement_changes() -> list[tuple[datetime, int]]:
    """People checked in (+) and out (-) of shelter per UTC hour."""
    rows = []
    for moment_field, sign in (("checked_in_at", 1), ("checked_out_at", -1)):
        grouped = (Placement.objects.filter(**{f"{moment_field}__isnull": False})
                   .annotate(hour=utc_hour(moment_field)).values("hour")
                   .annotate(n=Sum("people")).values_list("hour", "n").order_by())
        rows += [(as_hour(hour), sign * people) for hour, people in grouped]
    return rows


def households_waiting() -> int:
    return _without_place().count()


def households_not_asked() -> int:
    """Active households nobody asked whether they need a place, holding none: to ask."""
    holding = Placement.objects.filter(holding_beds_now(), household=OuterRef("pk"))
    return (Household.objects.filter(status=Household.ACTIVE, accommodation=Household.NOT_ASKED)
            .exclude(Exists(holding)).count())


def waiting_households():
    """Households that need a place and hold none, longest waiting first."""
    return (_without_place()
            .select_related("registered_at")
            .annotate(size=Count("members"))
            .order_by("registered_on"))


def placed_today(now: datetime | None = None):
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return (Placement.objects.filter(reserved_at__gte=start)
            .select_related("site", "household__registered_at", "room")
            .order_by("-reserved_at"))


def residents(site: Site):
    return (site.placements.filter(status=Placement.CHECKED_IN)
            .select_related("household__registered_at", "room")
            .prefetch_related("household__members")
            .order_by("room__name", "checked_in_at"))


def sites_to_allocate() -> list[FreeSite]:
    """Open sites as the allocator sees them, with their free beds now."""
    return [FreeSite(str(row.site.uuid), row.site.name, row.site.province, row.site.beds,
                     row.free, row.site.step_free)
            for row in occupancy(Site.objects.filter(is_open=True)) if row.free > 0]


def households_to_allocate() -> list[Waiting]:
    """Waiting households as the allocator sees them, longest waiting first.

    The requested province is read from where the household said it was going, by
    the names of the provinces and communities that have sites; relatives are the
    households linked to it that already hold beds; a site a manager rejected for a
    household is not proposed for it again.
    """
    households = list(_without_place().order_by("registered_on")
                      .values_list("pk", "uuid", "group"))
    if not households:
        return []
    # Subqueries rather than lists of ids: tens of thousands of ids overflow SQLite.
    waiting = _without_place().values("pk")
    today = timezone.localdate()
    adults: dict[int, int] = defaultdict(int)
    children: dict[int, int] = defaultdict(int)
    needs: dict[int, set[str]] = defaultdict(set)
    going_to: dict[int, str] = {}
    members = (Person.objects.counted().filter(household__in=waiting)
               .exclude(status__in=[Person.DEPARTED, Person.DECEASED])
               .values_list("household_id", "birth_date", "needs", "destination", "relationship"))
    for household_id, born, codes, destination, relation in members.iterator(chunk_size=5000):
        age = age_on(born, today)
        if age is not None and age < ADULT_AGE:
            children[household_id] += 1
        else:
            adults[household_id] += 1
        if codes:
            needs[household_id].update(codes.split(","))
        if destination and (relation == Person.FOCAL_POINT or household_id not in going_to):
            going_to[household_id] = destination
    province_of = _places()
    relatives = _relatives_sites(_without_place().values("group"))
    rejected: dict[int, set[str]] = defaultdict(set)
    for household_id, site_uuid in Proposal.objects.filter(
            status=Proposal.REJECTED, household__in=waiting).values_list("household_id",
                                                                        "site__uuid"):
        rejected[household_id].add(str(site_uuid))
    return [Waiting(str(uuid), adults[pk], children[pk], order=order,
                    needs=frozenset(needs[pk]), province=_province(going_to.get(pk, ""),
                                                                    province_of),
                    relatives_sites=tuple(relatives.get(group, ())),
                    avoid_sites=frozenset(rejected[pk]))
            for order, (pk, uuid, group) in enumerate(households)
            if adults[pk] + children[pk]]


def _places() -> dict[str, str]:
    """Every province and community with a site, folded, to the province it is in."""
    places: dict[str, str] = {}
    for province, community in Site.objects.values_list("province", "community").distinct():
        places[province.casefold()] = province
        if community:
            places.setdefault(community.casefold(), province)
    return places


def _province(destination: str, places: dict[str, str]) -> str:
    folded = destination.casefold()
    return next((province for place, province in places.items() if place and place in folded),
                "")


def _relatives_sites(groups) -> dict:
    sites: dict = defaultdict(list)
    for group, site_uuid in (Placement.objects.holding_beds()
                             .filter(household__group__in=groups)
                             .values_list("household__group", "site__uuid").distinct()):
        sites[group].append(str(site_uuid))
    return sites
