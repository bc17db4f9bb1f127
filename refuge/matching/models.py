from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from refuge.registry.models import Household, Person


class MatchingRun(models.Model):
    """One `refuge dedupe`: the model it estimated from the registry, and what it found.

    The latest run's model scores the desk's check while the registrar types.
    """

    started_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0)
    people = models.PositiveIntegerField(default=0)
    candidates = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    household_links = models.PositiveIntegerField(default=0)
    parameters = models.JSONField(help_text=_("The Fellegi–Sunter model: prior, m and u"))

    class Meta:
        ordering = ["-started_at"]


class CandidatePair(models.Model):
    """Two records that may be one person, waiting for a reviewer or decided."""

    OPEN = "open"
    MERGED = "merged"
    REJECTED = "rejected"
    STATUSES = [(OPEN, _("to review")), (MERGED, _("merged")),
                (REJECTED, _("different people"))]

    uuid = models.UUIDField(unique=True, default=uuid4)
    # person_a is always the earlier record (the lower id), so a pair is stored once.
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    levels = models.JSONField(help_text=_("Level of agreement of each field"))
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    found_at = models.DateTimeField(default=timezone.now)
    skipped_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="pair_once"),
            models.CheckConstraint(condition=models.Q(person_a__lt=models.F("person_b")),
                                   name="pair_in_order"),
        ]
        indexes = [models.Index(fields=["status", "-probability"], name="pair_queue")]


class Merge(models.Model):
    """A merge of one record into another, with what it takes to undo it."""

    uuid = models.UUIDField(unique=True, default=uuid4)
    pair = models.ForeignKey(CandidatePair, null=True, on_delete=models.SET_NULL,
                             related_name="merges")
    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_into")
    # The kept record's fields before the merge filled them, the merged record's
    # status, and the documents moved across.
    before = models.JSONField()
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]


class HouseholdMatch(models.Model):
    """Two households whose members are the same people: one family registered twice,
    or in parts. Linking makes them parts of one household."""

    OPEN = "open"
    LINKED = "linked"
    REJECTED = "rejected"
    STATUSES = [(OPEN, _("to review")), (LINKED, _("linked")), (REJECTED, _("kept apart"))]

    uuid = models.UUIDField(unique=True, default=uuid4)
    household_a = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    household_b = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    people = models.PositiveIntegerField(help_text=_("Members found in both"))
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    found_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household_a", "household_b"],
                                    name="household_match_once"),
            models.CheckConstraint(condition=models.Q(household_a__lt=models.F("household_b")),
                                   name="household_match_in_order"),
        ]


class DedupeJob(models.Model):
    """A search of the whole registry for duplicates (`refuge dedupe`), started from the
    duplicates page or the command line, run by a process of its own. Its progress is kept
    here, so any app server can show it, and it survives a reload. One runs at a time:
    `active` is true only while it is queued or running, and unique."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    STATUSES = [(QUEUED, _("waiting to start")), (RUNNING, _("running")),
                (DONE, _("finished")), (FAILED, _("failed"))]

    uuid = models.UUIDField(unique=True, default=uuid4)
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    active = models.BooleanField(null=True, default=True, unique=True)
    step = models.CharField(max_length=40, blank=True)
    steps_done = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    # Touched every few seconds while the job's process lives: a job not touched for a
    # while died with its process (killed, out of memory, the machine restarted).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    run = models.ForeignKey(MatchingRun, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"dedupe {self.requested_at:%Y-%m-%d %H:%M} ({self.status})"
