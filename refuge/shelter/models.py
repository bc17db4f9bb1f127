"""Sites where people sleep, their rooms and beds, and households' stays in them."""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from refuge.lib.languages import NamedInLanguages
from refuge.registry.models import Household
from refuge.shelter.allocation.bounds import Bound, how_far
from refuge.shelter.allocation.messages import Message


class Site(NamedInLanguages):
    HOTEL = "hotel"
    COLLECTIVE_CENTRE = "collective_centre"
    DORMITORY = "dormitory"
    HOST_FAMILY = "host_family"
    OTHER = "other"
    KINDS = [
        (HOTEL, _("hotel")),
        (COLLECTIVE_CENTRE, _("collective centre")),
        (DORMITORY, _("dormitory")),
        (HOST_FAMILY, _("host family")),
        (OTHER, _("other")),
    ]

    uuid = models.UUIDField(unique=True, default=uuid4)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=KINDS, default=OTHER)
    province = models.CharField(_("province"), max_length=100, db_index=True)
    community = models.CharField(_("community"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    beds = models.PositiveIntegerField(_("beds"))
    step_free = models.BooleanField(_("step-free access"), default=False)
    accessible_bathroom = models.BooleanField(_("accessible bathroom"), default=False)
    family_rooms = models.PositiveIntegerField(_("family rooms"), default=0)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    organisation = models.CharField(_("managing organisation"), max_length=200, blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["province", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(beds__gt=0), name="site_has_beds"),
        ]


class Room(models.Model):
    uuid = models.UUIDField(unique=True, default=uuid4)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("room"), max_length=50)
    beds = models.PositiveIntegerField(_("beds"))
    step_free = models.BooleanField(_("step-free access"), default=False)

    class Meta:
        ordering = ["site", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="room_name_unique_in_site"),
            models.CheckConstraint(condition=Q(beds__gt=0), name="room_has_beds"),
        ]

    def __str__(self) -> str:
        return f"{self.site} · {self.name}"


def holding_beds_now() -> Q:
    """Stays, and reservations not yet past their time: the placements that take up beds
    now. A reservation whose time has passed gives its beds back as soon as it is read,
    without a write: the next placement or allocation marks it expired."""
    return Q(status=Placement.CHECKED_IN) | (Q(status=Placement.RESERVED) & (
        Q(expires_at__isnull=True) | Q(expires_at__gte=timezone.now())))


class PlacementQuerySet(models.QuerySet):
    def holding_beds(self):
        """Reservations and stays: the placements that take up beds now."""
        return self.filter(holding_beds_now())

    def beds_taken(self) -> int:
        return self.holding_beds().aggregate(n=Sum("people"))["n"] or 0


class Placement(models.Model):
    """A household's stay at a site: reserved, checked in, then checked out.

    A move checks the household out of one placement and into a new one, linked
    by `moved_from`, so the history of where a family slept is never lost.
    """

    RESERVED = "reserved"
    CHECKED_IN = "checked_in"
    CHECKED_OUT = "checked_out"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    STATUSES = [
        (RESERVED, _("reserved")),
        (CHECKED_IN, _("checked in")),
        (CHECKED_OUT, _("checked out")),
        (EXPIRED, _("expired")),
        (CANCELLED, _("cancelled")),
    ]

    uuid = models.UUIDField(unique=True, default=uuid4)
    household = models.ForeignKey(Household, on_delete=models.PROTECT,
                                  related_name="placements")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="placements")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="placements")
    people = models.PositiveIntegerField(_("people"))
    status = models.CharField(_("status"), max_length=12, choices=STATUSES, default=RESERVED,
                              db_index=True)
    reserved_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    moved_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # A household holds one place at a time; one split by the allocator holds one per
    # part (1, 2, ...). The constraint below makes a second one impossible, whatever
    # path or race tries.
    part = models.PositiveSmallIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    objects = PlacementQuerySet.as_manager()

    class Meta:
        ordering = ["-reserved_at"]
        # Occupancy and "who is waiting" read only the placements holding beds; these
        # indexes answer both without touching the table.
        indexes = [
            models.Index(fields=["status", "site", "people"], name="placement_beds"),
            models.Index(fields=["status", "household"], name="placement_households"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "part"], name="one_place_per_household_part",
                condition=models.Q(status__in=["reserved", "checked_in"])),
        ]

    def __str__(self) -> str:
        return f"{self.household} at {self.site}"


class AllocationRun(models.Model):
    """One run of the allocator over the households waiting and the free beds."""

    uuid = models.UUIDField(unique=True, default=uuid4)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    households = models.PositiveIntegerField(_("households waiting"))
    free_beds = models.PositiveIntegerField(_("free beds"))
    seconds = models.FloatField()
    # A code of `allocation.messages` ("optimal", "best_found", ...); runs stored before
    # codes were kept hold their text, in the language of whoever ran them.
    status = models.CharField(max_length=200)
    # {household uuid: why it got no proposal, as a message's code and parameters}.
    unplaced = models.JSONField(default=dict)
    # What a perfect plan could add, per group (`allocation.bounds.Bound.as_json`).
    bounds = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"allocation {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def status_message(self) -> Message:
        return Message.of(self.status) if Message.known(self.status) else Message.stored(
            self.status)

    def bound_list(self) -> list[Bound]:
        return [Bound(**bound) for bound in self.bounds]

    def how_far(self) -> Message | None:
        """What a perfect plan could add, for everyone waiting; None for a run stored
        before bounds were kept."""
        return how_far(self.bound_list())

    def unplaced_messages(self, limit: int | None = None) -> list[tuple[str, Message]]:
        """(household uuid, why it has no proposal), in the order they were stored."""
        rows = list(self.unplaced.items())[:limit]
        return [(uuid, Message.stored(reason)) for uuid, reason in rows]


class Proposal(models.Model):
    """The allocator's suggestion for one household, or one part of a split household,
    until a shelter manager accepts (perhaps at another site) or rejects it. A proposal
    of no run was made for one household outside the allocator: a family reunited by
    tracing, proposed beds where its relatives stay (`services.propose_reunion`)."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    STATUSES = [
        (PROPOSED, _("proposed")),
        (ACCEPTED, _("accepted")),
        (REJECTED, _("rejected")),
        (SUPERSEDED, _("superseded by a later run")),
    ]

    uuid = models.UUIDField(unique=True, default=uuid4)
    run = models.ForeignKey(AllocationRun, null=True, blank=True, on_delete=models.CASCADE,
                            related_name="proposals")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    proposed_site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    part = models.PositiveSmallIntegerField(default=1)
    parts = models.PositiveSmallIntegerField(default=1)
    adults = models.PositiveSmallIntegerField()
    children = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=STATUSES, default=PROPOSED, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    placement = models.ForeignKey(Placement, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    # A person joined to this household by a reunion still sleeps where the household
    # they came from stays: that placement gives up their bed when this is accepted.
    leaving = models.ForeignKey(Placement, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.household} to {self.site}"

    @property
    def people(self) -> int:
        return self.adults + self.children

    @property
    def reason_messages(self) -> list[Message]:
        return [Message.stored(reason) for reason in self.reasons]
