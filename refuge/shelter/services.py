"""What shelter managers do: reserve, check in, check out and move households (sites are
kept in refuge.shelter.sites).

Capacity is never exceeded: every change that takes beds locks the site's row first
(SELECT ... FOR UPDATE on PostgreSQL; SQLite's write transactions are serialised
already), so two managers placing into the last beds at once cannot both succeed.
"""

from datetime import datetime, timedelta
from uuid import UUID, uuid4

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib.dates import age_on
from refuge.lib.errors import Conflict, FieldError, Invalid, StateConflict
from refuge.registry import events
from refuge.registry.models import Household, Person
from refuge.shelter import allocation, queries
from refuge.shelter.allocation.messages import Message
from refuge.shelter.models import AllocationRun, Placement, Proposal, Room, Site


def reservation_hours() -> int:
    return settings.REFUGE_RESERVATION_HOURS


def free_beds(site: Site) -> int:
    return site.beds - site.placements.beds_taken()


def expire_reservations(now: datetime | None = None, site: Site | None = None,
                        household: Household | None = None) -> int:
    """Reservations not checked in in time are marked expired (their beds were free to
    every reader already: Placement.objects.holding_beds)."""
    now = now or timezone.now()
    stale = Placement.objects.filter(status=Placement.RESERVED, expires_at__lt=now)
    if site is not None or household is not None:
        stale = stale.filter(Q(site=site) | Q(household=household))
    return stale.update(status=Placement.EXPIRED)


def current_placement(household: Household) -> Placement | None:
    return (Placement.objects.holding_beds().filter(household=household)
            .select_related("site").first())


def _locked(site: Site) -> Site:
    return Site.objects.select_for_update().get(pk=site.pk)


def _members(household: Household) -> int:
    return household.members.exclude(status__in=[Person.DEPARTED, Person.DECEASED]).count()


def _take_beds(site: Site, household: Household, people: int, room: Room | None,
               now: datetime, moved_from: Placement | None, user,
               uuid: UUID | None = None, part: int = 1) -> Placement:
    """Reserve beds in a site already locked by the caller."""
    if not site.is_open:
        raise StateConflict([FieldError("site", _("%(site)s is closed")
                                        % {"site": site.name})])
    if people < 1:
        raise Invalid([FieldError("people", _("must be at least %(min)s") % {"min": 1})])
    # The household's own lapsed reservation elsewhere too: the database holds a household
    # to one active place, and a lapsed one is no longer active.
    expire_reservations(now, site, household)
    free = free_beds(site)
    if people > free:
        raise Conflict("site", _("%(site)s has %(free)s free beds; the household needs "
                                 "%(people)s") % {"site": site.name, "free": free,
                                                  "people": people})
    if room is not None:
        if room.site_id != site.pk:
            raise Invalid([FieldError("room", _("that room is not in %(site)s")
                                      % {"site": site.name})])
        room_taken = room.placements.holding_beds().exclude(pk=getattr(moved_from, "pk", None))
        if people > room.beds - room_taken.beds_taken():
            raise Conflict("room", _("room %(room)s has too few free beds") % {"room": room.name})
    placement = Placement(
        household=household, site=site, room=room, people=people, status=Placement.RESERVED,
        reserved_at=now, expires_at=now + timedelta(hours=reservation_hours()),
        moved_from=moved_from, created_by=user, part=part,
    )
    if uuid is not None:
        placement.uuid = uuid
    placement._history_user = user
    try:
        with transaction.atomic():
            placement.save()
    except IntegrityError:
        if uuid is not None and Placement.objects.filter(uuid=uuid).exists():
            raise  # a copy of this very request won the race: reserve() answers
        # The database's "one place per household" refused it: another path placed
        # the household since the check above.
        raise Conflict("household", _("the household already has a place: move it "
                                      "instead")) from None
    placement.created = True
    return placement


def reserve(household: Household, site: Site, *, user, people: int | None = None,
            room: Room | None = None, now: datetime | None = None,
            uuid: UUID | None = None, part: int | None = None) -> Placement:
    """Hold beds for a household until it arrives (they expire if it does not).

    A household split by the allocator holds several placements, one `part` each; they
    may never hold more beds than it has members. Idempotent on `uuid`: the same
    placement sent again, even several times at once, returns the one saved, with
    `created` False.
    """
    try:
        return _reserve(household, site, user=user, people=people, room=room, now=now,
                        uuid=uuid, part=part)
    except IntegrityError:
        # Two copies raced past the look-up and the other one's insert won.
        if uuid is None:
            raise
        return _earlier_placement(uuid, household, site)


def _earlier_placement(uuid: UUID, household: Household, site: Site) -> Placement | None:
    earlier = Placement.objects.filter(uuid=uuid).select_related("site").first()
    if earlier is None:
        return None
    if earlier.household_id != household.pk or earlier.site_id != site.pk:
        raise Conflict("uuid", _("this UUID belongs to another placement"))
    earlier.created = False
    return earlier


@transaction.atomic
def _reserve(household: Household, site: Site, *, user, people: int | None,
             room: Room | None, now: datetime | None, uuid: UUID | None,
             part: int | None) -> Placement:
    now = now or timezone.now()
    site = _locked(site)
    # The household's row is locked too, so two placements of one household at two
    # sites queue; the database's constraint refuses whatever gets past anyway.
    Household.objects.select_for_update().filter(pk=household.pk).first()
    if uuid is not None and (earlier := _earlier_placement(uuid, household, site)):
        return earlier
    if part is None:
        earlier = current_placement(household)
        if earlier is not None:
            raise Conflict("household", _("the household already has a place at %(site)s: "
                                          "move it instead") % {"site": earlier.site.name})
    elif people and (
            Placement.objects.holding_beds().filter(household=household).beds_taken()
            + people > _members(household)):
        raise Conflict("household", _("all of the household already has a place"))
    placement = _take_beds(site, household, people or _members(household), room, now, None,
                           user, uuid, part or 1)
    audit.record(user, AuditEvent.CREATE, "placement", placement.uuid,
                 household=str(household.uuid), site=str(site.uuid), status=placement.status)
    return placement


@transaction.atomic
def check_in(placement: Placement, *, user, now: datetime | None = None) -> Placement:
    now = now or timezone.now()
    site = _locked(placement.site)
    placement.refresh_from_db()
    if placement.status == Placement.CHECKED_IN:
        return placement
    if placement.status != Placement.RESERVED:
        raise StateConflict([FieldError("status", _("this placement is %(status)s, not "
                                                    "reserved")
                                        % {"status": placement.get_status_display()})])
    if not site.is_open:
        raise StateConflict([FieldError("site", _("%(site)s is closed")
                                        % {"site": site.name})])
    if placement.expires_at and placement.expires_at < now:
        placement.status = Placement.EXPIRED
        placement.save(update_fields=["status"])
        raise StateConflict([FieldError("status",
                                        _("the reservation expired; reserve again"))])
    placement.status, placement.checked_in_at = Placement.CHECKED_IN, now
    placement._history_user = user
    placement.save()
    _mark_members(placement.household, Person.REGISTERED, Person.PLACED, user)
    events.household_checked_in.send(check_in, household=placement.household, site=site,
                                     user=user)
    audit.record(user, AuditEvent.UPDATE, "placement", placement.uuid, status=placement.status)
    return placement


def place(household: Household, site: Site, *, user, people: int | None = None,
          room: Room | None = None, uuid: UUID | None = None) -> Placement:
    """Reserve and check in at once, for a household standing at the site's door."""
    with transaction.atomic():
        placement = reserve(household, site, user=user, people=people, room=room, uuid=uuid)
        if not placement.created:
            return placement
        return check_in(placement, user=user)


@transaction.atomic
def check_out(placement: Placement, *, user, now: datetime | None = None) -> Placement:
    now = now or timezone.now()
    _locked(placement.site)
    placement.refresh_from_db()
    if placement.status == Placement.RESERVED:
        placement.status = Placement.CANCELLED
    elif placement.status == Placement.CHECKED_IN:
        placement.status, placement.checked_out_at = Placement.CHECKED_OUT, now
        _mark_members(placement.household, Person.PLACED, Person.REGISTERED, user)
    else:
        raise StateConflict([FieldError("status", _("the household is not at this site "
                                                    "(%(status)s)")
                                        % {"status": placement.get_status_display()})])
    placement._history_user = user
    placement.save()
    audit.record(user, AuditEvent.UPDATE, "placement", placement.uuid, status=placement.status)
    return placement


@transaction.atomic
def move(placement: Placement, site: Site, *, user, room: Room | None = None,
         now: datetime | None = None) -> Placement:
    """Check the household out of one site and into another, in one step."""
    now = now or timezone.now()
    # Lock both sites in a fixed order, so two opposite moves cannot deadlock.
    for locked in sorted({placement.site_id, site.pk}):
        Site.objects.select_for_update().get(pk=locked)
    placement.refresh_from_db()
    if placement.status not in (Placement.RESERVED, Placement.CHECKED_IN):
        raise StateConflict([FieldError("status", _("the household is not at this site "
                                                    "(%(status)s)")
                                        % {"status": placement.get_status_display()})])
    was_checked_in = placement.status == Placement.CHECKED_IN
    placement.status = Placement.CHECKED_OUT if was_checked_in else Placement.CANCELLED
    placement.checked_out_at = now if was_checked_in else None
    placement._history_user = user
    placement.save()
    site.refresh_from_db()
    new = _take_beds(site, placement.household, placement.people, room, now, placement, user,
                     part=placement.part)
    if was_checked_in:
        new.status, new.checked_in_at = Placement.CHECKED_IN, now
        new.save(update_fields=["status", "checked_in_at"])
        events.household_checked_in.send(move, household=new.household, site=site, user=user)
    audit.record(user, AuditEvent.MOVE, "placement", new.uuid,
                 moved_from=str(placement.uuid), site=str(site.uuid))
    return new


def _mark_members(household: Household, before: str, after: str, user) -> None:
    for person in household.members.filter(status=before):
        person.status = after
        person._history_user = user
        person.save(update_fields=["status"])


# Allocation -------------------------------------------------------------------------

def propose_placements(*, user, time_limit: float = 7.0,
                       uuid: UUID | None = None) -> AllocationRun:
    """Run the allocator over the households waiting and the free beds now, and keep
    its proposals for a manager to accept, change or reject. Proposals of earlier runs
    still undecided are superseded. Idempotent on `uuid`, also for copies sent at once:
    the run saved first is returned, with `created` False."""
    if uuid is not None and (earlier := AllocationRun.objects.filter(uuid=uuid).first()):
        earlier.created = False
        return earlier
    try:
        run = _propose_placements(user=user, time_limit=time_limit, uuid=uuid)
    except IntegrityError:
        if uuid is None or (earlier := AllocationRun.objects.filter(uuid=uuid).first()) is None:
            raise
        earlier.created = False
        return earlier
    run.created = True
    return run


def _propose_placements(*, user, time_limit: float, uuid: UUID | None) -> AllocationRun:
    expire_reservations()
    plan = allocation.allocate(queries.households_to_allocate(), queries.sites_to_allocate(),
                               time_limit=time_limit)
    households = {str(u): pk for u, pk in Household.objects.filter(
        uuid__in=[p.household for p in plan.proposals]).values_list("uuid", "pk")}
    sites = {str(u): pk for u, pk in Site.objects.values_list("uuid", "pk")}
    with transaction.atomic():
        # The run is inserted first, so a copy of it racing this one stops at its UUID
        # before superseding anything.
        run = AllocationRun.objects.create(
            uuid=uuid or uuid4(), created_by=user, households=plan.households,
            free_beds=plan.free_beds, seconds=plan.seconds, status=plan.status.code,
            unplaced={ref: reason.as_json() for ref, reason in plan.unplaced.items()},
            bounds=[bound.as_json() for bound in plan.bounds])
        # A reunion's proposal (no run) is not the allocator's to replace.
        Proposal.objects.filter(status=Proposal.PROPOSED, run__isnull=False).update(
            status=Proposal.SUPERSEDED)
        Proposal.objects.bulk_create([
            Proposal(run=run, household_id=households[p.household], site_id=sites[p.site],
                     proposed_site_id=sites[p.site], part=p.part, parts=p.parts,
                     adults=p.adults, children=p.children,
                     reasons=[reason.as_json() for reason in p.reasons])
            for p in plan.proposals], batch_size=2000)
        audit.record(user, AuditEvent.CREATE, "allocation", run.uuid,
                     households=plan.households, proposals=len(plan.proposals))
    return run


def _undecided(proposal: Proposal, unless: str = "") -> Proposal:
    """The proposal, locked, if nobody decided it yet (or it is already `unless`)."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status not in (Proposal.PROPOSED, unless):
        raise StateConflict([FieldError("status", _("this proposal is already %(status)s")
                                        % {"status": proposal.get_status_display()})])
    return proposal


def propose_reunion_join(household: Household, person: Person, came_from: Household, *,
                         user) -> Proposal | None:
    """A person joined to a household by a reunion (tracing's reunification): beds
    proposed to shelter managers beside their family, to accept or reject like the
    allocator's. When the household holds beds, the person gets one more there; when
    only the household they came from does, the whole household is proposed that site.
    Nothing when they already stay at one site, or neither holds beds (the allocator
    places them when it next runs). The bed the person had with the household they came
    from is given up once the proposal is accepted (`accept_proposal`), and at once when
    both stay at one site: it is then counted with the family."""
    here, there = current_placement(household), current_placement(came_from)
    if here is not None and (there is None or there.site_id != here.site_id):
        part = (Placement.objects.holding_beds().filter(household=household)
                .aggregate(n=Max("part"))["n"] or 1) + 1
        return _propose(household, here.site, [person], user=user, part=part, leaving=there)
    if here is None and there is not None:
        return _propose(household, there.site, _staying(household), user=user, leaving=there)
    if here is not None and there is not None:
        _hand_over_bed(there, here, user=user)
    return None


@transaction.atomic
def _hand_over_bed(there: Placement, here: Placement | None, *, user,
                   now: datetime | None = None) -> None:
    """One person of `there`'s household left it for `here`'s (None: not placed yet):
    `there` counts one bed fewer, and is ended when no one is left in it; `here`, at
    the same site, one more."""
    _locked(there.site)
    there.refresh_from_db()
    if there.status not in (Placement.RESERVED, Placement.CHECKED_IN):
        return
    if there.people > 1:
        there.people -= 1
        there._history_user = user
        there.save(update_fields=["people"])
        audit.record(user, AuditEvent.UPDATE, "placement", there.uuid, people=there.people)
    else:
        check_out(there, user=user, now=now)
    if here is not None:
        here.refresh_from_db()
        here.people += 1
        here._history_user = user
        here.save(update_fields=["people"])
        audit.record(user, AuditEvent.UPDATE, "placement", here.uuid, people=here.people)


def propose_reunion_link(household: Household, other: Household, *,
                         user) -> Proposal | None:
    """Two households linked as one family by a reunion: the one with no place is
    proposed the other's site; when both hold beds at different sites, `other` is
    proposed a move to `household`'s. Nothing when they already stay at one site or
    neither holds beds (the allocator prefers linked households' sites)."""
    here, there = current_placement(household), current_placement(other)
    if here is None and there is None:
        return None
    if here is not None and there is not None and here.site_id == there.site_id:
        return None
    mover, site = (other, here.site) if here is not None else (household, there.site)
    return _propose(mover, site, _staying(mover), user=user)


def _staying(household: Household) -> list[Person]:
    return list(household.members.exclude(
        status__in=[Person.DEPARTED, Person.DECEASED, Person.MERGED]))


@transaction.atomic
def _propose(household: Household, site: Site, people: list[Person], *, user,
             part: int | None = None, leaving: Placement | None = None) -> Proposal | None:
    """One proposal of no run; the household's undecided one, if it has one, stands."""
    if not people:
        return None
    Household.objects.select_for_update().filter(pk=household.pk).first()
    earlier = Proposal.objects.filter(household=household, run__isnull=True,
                                      status=Proposal.PROPOSED).first()
    if earlier is not None:
        return earlier
    today = timezone.localdate()
    children = sum(1 for p in people if (age := age_on(p.birth_date, today)) is not None
                   and age < queries.ADULT_AGE)
    proposal = Proposal.objects.create(
        run=None, household=household, site=site, proposed_site=site, part=part or 1,
        parts=part or 1, adults=len(people) - children, children=children, leaving=leaving,
        reasons=[Message.of("relatives_here", site=site.name).as_json()])
    audit.record(user, AuditEvent.CREATE, "proposal", proposal.uuid,
                 household=str(household.uuid), site=str(site.uuid), reason="reunion")
    return proposal


@transaction.atomic
def accept_proposal(proposal: Proposal, *, user, site: Site | None = None,
                    now: datetime | None = None) -> Placement:
    """Reserve the beds proposed, or, when the manager chose another site, those.
    Accepting twice returns the placement already made."""
    proposal = _undecided(proposal, unless=Proposal.ACCEPTED)
    if proposal.status == Proposal.ACCEPTED:
        return proposal.placement
    site = site or proposal.site
    # A reunion's proposal for a whole household placed elsewhere is a move.
    current = (current_placement(proposal.household)
               if proposal.run_id is None and proposal.parts == 1 else None)
    if current is not None:
        placement = move(current, site, user=user, now=now)
    else:
        placement = reserve(proposal.household, site, user=user, people=proposal.people,
                            now=now, part=proposal.part if proposal.parts > 1 else None)
    if proposal.leaving_id:
        _hand_over_bed(proposal.leaving, None, user=user, now=now)
    proposal.site, proposal.placement = site, placement
    proposal.status, proposal.decided_by = Proposal.ACCEPTED, user
    proposal.decided_at = now or timezone.now()
    proposal.save()
    audit.record(user, AuditEvent.UPDATE, "proposal", proposal.uuid, status=proposal.status,
                 changed_site=site.pk != proposal.proposed_site_id)
    return placement


@transaction.atomic
def reject_proposal(proposal: Proposal, *, user, now: datetime | None = None) -> Proposal:
    """Reject a proposal; the allocator will not propose that site for that household
    again."""
    proposal = _undecided(proposal, unless=Proposal.REJECTED)
    if proposal.status == Proposal.REJECTED:
        return proposal
    proposal.status, proposal.decided_by = Proposal.REJECTED, user
    proposal.decided_at = now or timezone.now()
    proposal.save()
    audit.record(user, AuditEvent.UPDATE, "proposal", proposal.uuid, status=proposal.status)
    return proposal
