from datetime import datetime
from uuid import UUID

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from refuge.accounts.api_auth import authorized
from refuge.accounts.roles import MANAGE_SHELTER, VIEW_FIGURES, can, ensure
from refuge.lib.errors import referenced
from refuge.lib.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    decode_cursor,
    encode_cursor,
    page,
)
from refuge.lib.schemas import Errors, Patch, Strict, one_of
from refuge.registry.models import Household
from refuge.shelter import queries, services, sites
from refuge.shelter.allocation.bounds import Bound
from refuge.shelter.allocation.messages import Message
from refuge.shelter.models import AllocationRun, Placement, Proposal, Room, Site

router = Router(tags=["shelter"])


class SiteIn(Strict):
    uuid: UUID | None = None
    name: str
    name_hy: str = ""
    name_ru: str = ""
    kind: str = Field(Site.OTHER, json_schema_extra=one_of(Site.KINDS, blank=True))
    province: str
    community: str = ""
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    beds: int
    step_free: bool = False
    accessible_bathroom: bool = False
    family_rooms: int = 0
    contact: str = ""
    organisation: str = ""
    is_open: bool = True


class SitePatch(Patch):
    nullable = frozenset({"latitude", "longitude"})  # null: the site has no coordinates

    name: str | None = None
    name_hy: str | None = None
    name_ru: str | None = None
    kind: str | None = None
    province: str | None = None
    community: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    beds: int | None = None
    step_free: bool | None = None
    accessible_bathroom: bool | None = None
    family_rooms: int | None = None
    contact: str | None = None
    organisation: str | None = None
    is_open: bool | None = None


class SiteOut(Schema):
    uuid: UUID
    name: str
    name_hy: str
    name_ru: str
    kind: str
    province: str
    community: str
    address: str | None = Field(description="null for a role that may not see it")
    latitude: float | None
    longitude: float | None
    beds: int
    beds_taken: int
    free_beds: int
    step_free: bool
    accessible_bathroom: bool
    family_rooms: int
    contact: str | None = Field(description="null for a role that may not see it: for a "
                                "host family it is a private family's name and phone")
    organisation: str
    is_open: bool


def site_out(row: queries.SiteOccupancy, user) -> dict:
    site = row.site
    shown = {name: getattr(site, name) for name in (
        "uuid", "name", "name_hy", "name_ru", "kind", "province", "community", "address",
        "latitude", "longitude", "beds", "step_free", "accessible_bathroom", "family_rooms",
        "contact", "organisation", "is_open")}
    if not can(user, MANAGE_SHELTER):  # figures for everyone; where and whom, not
        shown.update(address=None, contact=None, latitude=None, longitude=None)
    return {**shown, "beds_taken": row.taken, "free_beds": row.free}


def one_site(site: Site, user) -> dict:
    return site_out(queries.occupancy(Site.objects.filter(pk=site.pk))[0], user)


class SitePage(Schema):
    items: list[SiteOut]
    next_cursor: str | None


@router.get("/sites", response=SitePage)
def list_sites(request, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE):
    """Sites with their beds taken and free: figures only, so every role may read them."""
    ensure(request.user, VIEW_FIGURES)
    sites, next_cursor = page(Site.objects.all(), cursor, size)
    rows = queries.occupancy(Site.objects.filter(pk__in=[s.pk for s in sites]).order_by("-pk"))
    return {"items": [site_out(r, request.user) for r in rows], "next_cursor": next_cursor}


@router.post("/sites", auth=authorized(MANAGE_SHELTER),
             response={200: SiteOut, 201: SiteOut, 409: Errors, 422: Errors})
def create_site(request, payload: SiteIn):
    """Create a site. Sending the same UUID again returns the site already saved."""
    ensure(request.user, MANAGE_SHELTER)
    if payload.uuid and (existing := Site.objects.filter(uuid=payload.uuid).first()):
        return Status(200, one_site(existing, request.user))
    site = sites.create_site(payload.model_dump(), user=request.user)
    return Status(201 if site.created else 200, one_site(site, request.user))


@router.get("/sites/{uuid}", response=SiteOut)
def get_site(request, uuid: UUID):
    ensure(request.user, VIEW_FIGURES)
    return one_site(get_object_or_404(Site, uuid=uuid), request.user)


@router.patch("/sites/{uuid}", auth=authorized(MANAGE_SHELTER),
              response={200: SiteOut, 409: Errors, 422: Errors})
def update_site(request, uuid: UUID, payload: SitePatch):
    ensure(request.user, MANAGE_SHELTER)
    site = get_object_or_404(Site, uuid=uuid)
    site = sites.update_site(site, payload.model_dump(exclude_unset=True), user=request.user)
    return one_site(site, request.user)


class PlacementIn(Strict):
    uuid: UUID | None = None
    household: UUID
    site: UUID
    room: UUID | None = None
    people: int | None = None
    check_in: bool = False


class PlacementOut(Schema):
    uuid: UUID
    household: UUID
    registration_number: str
    site: UUID
    site_name: str
    room: str | None
    people: int
    status: str
    reserved_at: datetime
    expires_at: datetime | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    moved_from: UUID | None


def placement_out(placement: Placement) -> dict:
    return {
        "uuid": placement.uuid, "household": placement.household.uuid,
        "registration_number": placement.household.registration_number,
        "site": placement.site.uuid, "site_name": placement.site.name,
        "room": placement.room.name if placement.room else None, "people": placement.people,
        "status": placement.status, "reserved_at": placement.reserved_at,
        "expires_at": placement.expires_at, "checked_in_at": placement.checked_in_at,
        "checked_out_at": placement.checked_out_at,
        "moved_from": placement.moved_from.uuid if placement.moved_from else None,
    }


def placements():
    return Placement.objects.select_related("household__registered_at", "site", "room",
                                            "moved_from")


@router.post("/placements", auth=authorized(MANAGE_SHELTER),
             response={200: PlacementOut, 201: PlacementOut, 409: Errors, 422: Errors})
def create_placement(request, payload: PlacementIn):
    """Reserve beds for a household, or with check_in place it at once.
    Idempotent on the client's UUID."""
    ensure(request.user, MANAGE_SHELTER)
    household = referenced(Household, "household", uuid=payload.household)
    site = referenced(Site, "site", uuid=payload.site)
    room = referenced(Room, "room", uuid=payload.room) if payload.room else None
    action = services.place if payload.check_in else services.reserve
    placement = action(household, site, user=request.user, people=payload.people, room=room,
                       uuid=payload.uuid)
    return Status(201 if placement.created else 200,
                  placement_out(placements().get(pk=placement.pk)))


@router.get("/placements/{uuid}", response=PlacementOut)
def get_placement(request, uuid: UUID):
    ensure(request.user, MANAGE_SHELTER)
    return placement_out(get_object_or_404(placements(), uuid=uuid))


@router.post("/placements/{uuid}/check-in", auth=authorized(MANAGE_SHELTER),
             response={200: PlacementOut, 409: Errors, 422: Errors})
def check_in(request, uuid: UUID):
    ensure(request.user, MANAGE_SHELTER)
    placement = services.check_in(get_object_or_404(placements(), uuid=uuid),
                                  user=request.user)
    return placement_out(placements().get(pk=placement.pk))


@router.post("/placements/{uuid}/check-out", auth=authorized(MANAGE_SHELTER),
             response={200: PlacementOut, 409: Errors, 422: Errors})
def check_out(request, uuid: UUID):
    ensure(request.user, MANAGE_SHELTER)
    placement = services.check_out(get_object_or_404(placements(), uuid=uuid),
                                   user=request.user)
    return placement_out(placements().get(pk=placement.pk))


class PlacementMoveIn(Strict):
    site: UUID
    room: UUID | None = None


@router.post("/placements/{uuid}/move", auth=authorized(MANAGE_SHELTER),
             response={200: PlacementOut, 409: Errors, 422: Errors})
def move(request, uuid: UUID, payload: PlacementMoveIn):
    ensure(request.user, MANAGE_SHELTER)
    placement = get_object_or_404(placements(), uuid=uuid)
    site = referenced(Site, "site", uuid=payload.site)
    room = referenced(Room, "room", uuid=payload.room) if payload.room else None
    new = services.move(placement, site, user=request.user, room=room)
    return placement_out(placements().get(pk=new.pk))


class AllocationIn(Strict):
    uuid: UUID | None = None


class MessageOut(Schema):
    code: str
    params: dict
    text: str


def message_out(message: Message) -> dict:
    params = message.as_json()
    return {"code": params.pop("code"), "params": params, "text": str(message)}


class AllocationOut(Schema):
    uuid: UUID
    created_at: datetime
    households: int
    free_beds: int
    proposals: int
    people_proposed: int
    unplaced: int
    seconds: float
    status: MessageOut
    how_far: MessageOut | None
    bounds: list[Bound]


def allocation_out(run: AllocationRun) -> dict:
    proposals = run.proposals.all()
    how_far = run.how_far()
    return {"uuid": run.uuid, "created_at": run.created_at, "households": run.households,
            "free_beds": run.free_beds, "proposals": proposals.count(),
            "people_proposed": sum(p.people for p in proposals.only("adults", "children")),
            "unplaced": len(run.unplaced), "seconds": run.seconds,
            "status": message_out(run.status_message),
            "how_far": message_out(how_far) if how_far else None,
            "bounds": run.bound_list()}


@router.post("/allocations", auth=authorized(MANAGE_SHELTER),
             response={200: AllocationOut, 201: AllocationOut, 422: Errors})
def create_allocation(request, payload: AllocationIn):
    """Run the allocator over the households waiting and the free beds now. Its
    proposals replace any still undecided. Idempotent on the client's UUID."""
    ensure(request.user, MANAGE_SHELTER)
    if payload.uuid and (existing := AllocationRun.objects.filter(uuid=payload.uuid).first()):
        return Status(200, allocation_out(existing))
    run = services.propose_placements(user=request.user, uuid=payload.uuid)
    return Status(201 if run.created else 200, allocation_out(run))


@router.get("/allocations/{uuid}", response=AllocationOut)
def get_allocation(request, uuid: UUID):
    ensure(request.user, MANAGE_SHELTER)
    return allocation_out(get_object_or_404(AllocationRun, uuid=uuid))


class UnplacedOut(Schema):
    household: UUID
    reason: MessageOut


class UnplacedPage(Schema):
    items: list[UnplacedOut]
    next_cursor: str | None


@router.get("/allocations/{uuid}/unplaced", response=UnplacedPage)
def list_unplaced(request, uuid: UUID, cursor: str | None = None,
                  size: int = DEFAULT_PAGE_SIZE):
    """The households the run found no place for, and why."""
    ensure(request.user, MANAGE_SHELTER)
    run = get_object_or_404(AllocationRun, uuid=uuid)
    rows = run.unplaced_messages()
    start, size = decode_cursor(cursor) if cursor else 0, max(1, min(size, MAX_PAGE_SIZE))
    items = [{"household": h, "reason": message_out(r)} for h, r in rows[start:start + size]]
    more = start + size < len(rows)
    return {"items": items, "next_cursor": encode_cursor(start + size) if more else None}


class ProposalOut(Schema):
    uuid: UUID
    # None for a reunion's proposal, made outside the allocator.
    allocation: UUID | None
    household: UUID
    registration_number: str
    site: UUID
    site_name: str
    proposed_site: UUID
    part: int
    parts: int
    adults: int
    children: int
    reasons: list[MessageOut]
    status: str
    placement: UUID | None


class ProposalPage(Schema):
    items: list[ProposalOut]
    next_cursor: str | None


def proposal_out(proposal: Proposal) -> dict:
    return {
        "uuid": proposal.uuid, "allocation": proposal.run.uuid if proposal.run else None,
        "household": proposal.household.uuid,
        "registration_number": proposal.household.registration_number,
        "site": proposal.site.uuid, "site_name": proposal.site.name,
        "proposed_site": proposal.proposed_site.uuid, "part": proposal.part,
        "parts": proposal.parts, "adults": proposal.adults, "children": proposal.children,
        "reasons": [message_out(reason) for reason in proposal.reason_messages],
        "status": proposal.status,
        "placement": proposal.placement.uuid if proposal.placement else None,
    }


def proposals():
    return Proposal.objects.select_related("run", "household__registered_at", "site",
                                           "proposed_site", "placement")


@router.get("/proposals", response=ProposalPage)
def list_proposals(request, allocation: UUID | None = None, status: str | None = None,
                   cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE):
    """Proposals, newest first; by default the undecided ones."""
    ensure(request.user, MANAGE_SHELTER)
    rows = proposals().filter(status=status or Proposal.PROPOSED)
    if allocation:
        rows = rows.filter(run__uuid=allocation)
    items, next_cursor = page(rows, cursor, size)
    return {"items": [proposal_out(p) for p in items], "next_cursor": next_cursor}


class AcceptIn(Strict):
    site: UUID | None = None


@router.post("/proposals/{uuid}/accept", auth=authorized(MANAGE_SHELTER),
             response={200: PlacementOut, 409: Errors, 422: Errors})
def accept_proposal(request, uuid: UUID, payload: AcceptIn):
    """Reserve the proposed beds, or with `site` those of another site. Accepting
    again returns the same placement."""
    ensure(request.user, MANAGE_SHELTER)
    proposal = get_object_or_404(proposals(), uuid=uuid)
    site = referenced(Site, "site", uuid=payload.site) if payload.site else None
    placement = services.accept_proposal(proposal, user=request.user, site=site)
    return placement_out(placements().get(pk=placement.pk))


@router.post("/proposals/{uuid}/reject", auth=authorized(MANAGE_SHELTER),
             response={200: ProposalOut, 409: Errors, 422: Errors})
def reject_proposal(request, uuid: UUID):
    """Reject a proposal: that site is not proposed for that household again."""
    ensure(request.user, MANAGE_SHELTER)
    proposal = services.reject_proposal(get_object_or_404(proposals(), uuid=uuid),
                                        user=request.user)
    return proposal_out(proposals().get(pk=proposal.pk))
