"""Tracing: who is looking for whom, the registered people (or other requests) who may be
the person sought, and what officers decided.

Names are stored as typed, with the search keys the registry derives, so a Cyrillic
enquiry is looked up by the same keys as an Armenian registration.
"""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from refuge.accounts.models import Post
from refuge.lib import dates, names
from refuge.registry.consent import consent_given
from refuge.registry.models import TRACING_DISCLOSURE, DescribedPerson, Person

# Unaccompanied and separated children: first in every list.
CHILD_NEEDS = ("UAC", "SC")
# Need codes are stored comma-separated: one of the children's codes among them.
CHILD_NEEDS_PATTERN = r"(^|,)(" + "|".join(CHILD_NEEDS) + r")(,|$)"


def for_a_child(prefix: str = "") -> Q:
    """A sought child, or a parent sought by an unaccompanied or separated child (the case
    opened at the child's registration): both come first."""
    return (Q(**{f"{prefix}child": True})
            | Q(**{f"{prefix}enquiry__enquirer__needs__regex": CHILD_NEEDS_PATTERN}))


def _child_first(prefix: str = "") -> Case:
    return Case(When(for_a_child(prefix), then=Value(0)), default=Value(1),
                output_field=IntegerField())


class Enquiry(models.Model):
    """Someone asking after one or more people: a registered person, or a contact."""

    uuid = models.UUIDField(unique=True, default=uuid4)
    # The reference a field team's file gave it (`enquiry_ref`), kept so a file imported
    # twice adds nothing.
    reference = models.CharField(max_length=64, null=True, blank=True, unique=True)  # noqa: DJ001
    enquirer = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="enquiries", verbose_name=_("enquirer"))
    enquirer_given_name = models.CharField(_("enquirer's given name"), max_length=100,
                                           blank=True)
    enquirer_family_name = models.CharField(_("enquirer's family name"), max_length=100,
                                            blank=True)
    enquirer_given_key = models.CharField(max_length=100, blank=True, db_index=True)
    enquirer_family_key = models.CharField(max_length=100, blank=True)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    recorded_at = models.ForeignKey(Post, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_on = models.DateTimeField(default=timezone.now)
    body_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return str(self.uuid)

    # What names or reaches the enquirer, blanked by an erasure or the retention schedule.
    ENQUIRER_FIELDS = ("enquirer_given_name", "enquirer_family_name", "enquirer_given_key",
                       "enquirer_family_key", "phone")

    @property
    def enquirer_name(self) -> str:
        if self.enquirer_id:
            return self.enquirer.full_name
        return " ".join(p for p in (self.enquirer_given_name, self.enquirer_family_name) if p)

    def derive_search_forms(self) -> None:
        given = self.enquirer.given_name if self.enquirer_id else self.enquirer_given_name
        family = self.enquirer.family_name if self.enquirer_id else self.enquirer_family_name
        self.enquirer_given_key = names.search_key(given)[:100]
        self.enquirer_family_key = names.search_key(family)[:100]


class SoughtQuerySet(models.QuerySet):
    def open(self) -> "SoughtQuerySet":
        return self.filter(status=SoughtPerson.OPEN)

    def children_first(self) -> "SoughtQuerySet":
        """Unaccompanied and separated children first (and the parents they seek), then
        the oldest requests."""
        return self.annotate(child_first=_child_first()).order_by(
            "child_first", "enquiry__recorded_on", "id")


class SoughtPerson(DescribedPerson, models.Model):
    """One person sought by an enquiry (one trace per sought person, as Primero keeps)."""

    OPEN = "open"
    FOUND = "found"
    REUNIFIED = "reunified"
    CLOSED = "closed"
    STATUSES = [(OPEN, _("open")), (FOUND, _("found")), (REUNIFIED, _("reunified")),
                (CLOSED, _("closed"))]
    # What is known of their fate, with who recorded it and when (`StatusChange`).
    MISSING = "missing"
    ALIVE = "alive"
    DECEASED = "deceased"
    FATES = [(MISSING, _("missing")), (ALIVE, _("found alive")), (DECEASED, _("deceased"))]

    uuid = models.UUIDField(unique=True, default=uuid4)
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="sought")
    # A field team's or an incident list's reference (`request_ref`).
    reference = models.CharField(max_length=64, null=True, blank=True, unique=True)  # noqa: DJ001
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    patronymic = models.CharField(_("father's name"), max_length=100, blank=True)
    name_script = models.CharField(_("script"), max_length=10, choices=Person.SCRIPTS,
                                   blank=True)
    given_key = models.CharField(max_length=100, blank=True)
    family_key = models.CharField(max_length=100, blank=True)
    patronymic_key = models.CharField(max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Person.SEXES, default="U")
    birth_date = models.DateField(_("born"), null=True, blank=True)
    birth_precision = models.CharField(_("precision of birth date"), max_length=10,
                                       choices=Person.BIRTH_PRECISIONS, default=dates.UNKNOWN)
    origin = models.CharField(_("place of origin"), max_length=100, blank=True)
    last_seen_place = models.CharField(_("last seen at"), max_length=200, blank=True)
    last_seen_date = models.DateField(_("last seen on"), null=True, blank=True)
    circumstances = models.CharField(_("circumstances"), max_length=300, blank=True)
    relation = models.CharField(_("relation to the enquirer"), max_length=20,
                                choices=Person.RELATIONSHIPS, blank=True)
    needs = models.CharField(_("vulnerabilities"), max_length=100, blank=True,
                             help_text=_("Specific-needs codes, comma-separated"))
    child = models.BooleanField(default=False, help_text=_(
        "An unaccompanied or separated child: first in every list"))
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default=OPEN)
    fate = models.CharField(_("fate"), max_length=10, choices=FATES, default=MISSING)
    found_person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="traces", verbose_name=_("found as"))
    # When the officer recorded the found person's consent (the consent itself is the
    # registry's record, `consented`).
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    disclosure_exception = models.CharField(max_length=300, blank=True, help_text=_(
        "Why an unaccompanied child's whereabouts are disclosed without consent"))
    # PFIF: when the record entered Refuge (feeds are read in this order), and for a
    # record cloned from another repository its id there, its source date (an older one
    # never overwrites it) and its expiry (past it, only the id and dates are kept).
    entry_date = models.DateTimeField(default=timezone.now, db_index=True)
    pfif_record_id = models.CharField(max_length=200, null=True, blank=True,  # noqa: DJ001
                                      unique=True)
    source_date = models.DateTimeField(null=True, blank=True)
    expiry_date = models.DateTimeField(null=True, blank=True)
    objects = SoughtQuerySet.as_manager()

    class Meta:
        ordering = ["-child", "id"]
        indexes = [
            models.Index(fields=["given_key", "family_key"], name="sought_given_family"),
            models.Index(fields=["family_key", "given_key"], name="sought_family_given"),
            models.Index(fields=["given_key", "patronymic_key"], name="sought_given_father"),
            models.Index(fields=["status"], name="sought_status"),
        ]

    def __str__(self) -> str:
        return str(self.uuid)

    # What describes the person, blanked by forget_description: the id, dates, status and
    # fate stay.
    DESCRIPTION = ("given_name", "family_name", "patronymic", "origin", "last_seen_place",
                   "circumstances", "needs", "disclosure_exception")

    def forget_description(self) -> None:
        """Blank (not saved) everything that describes or finds the person sought, as for a
        PFIF record past its expiry, an erased person or a trace past its retention."""
        for name in self.DESCRIPTION:
            setattr(self, name, "")
        self.birth_date, self.birth_precision, self.sex = None, dates.UNKNOWN, "U"
        self.last_seen_date = None
        self.derive_search_forms()

    @property
    def consented(self) -> bool:
        """Whether the found person agreed to be found (the registry's consent record,
        wherever it was taken: by the officer, or at a desk)."""
        return bool(self.found_person_id
                    and consent_given(self.found_person, TRACING_DISCLOSURE))

    @property
    def disclosed(self) -> bool:
        """Whether the found person's household and site may be shown to the enquirer:
        once they consented, or by an exception recorded for a child."""
        return bool(self.found_person_id and (self.disclosure_exception or self.consented))

    def derive_search_forms(self) -> None:
        """The keys the registry derives for a person, so both are looked up alike."""
        self.name_script = names.combine_scripts(
            [self.given_name, self.family_name, self.patronymic])
        self.given_key = names.search_key(self.given_name)[:100]
        self.family_key = names.search_key(self.family_name)[:100]
        self.patronymic_key = names.search_key(names.patronymic_stem(self.patronymic))[:100]
        self.child = bool(set(self.need_codes) & set(CHILD_NEEDS))


class CandidateQuerySet(models.QuerySet):
    def queue(self) -> "CandidateQuerySet":
        """Open candidates of open requests, children first (and the parents they seek),
        then the likeliest."""
        return (self.filter(status=Candidate.OPEN, sought__status=SoughtPerson.OPEN)
                .annotate(child_first=_child_first("sought__"))
                .order_by("child_first", "-probability", "id"))


class Candidate(models.Model):
    """Someone who may be the sought person: a registered person, another request's
    sought person, or another enquiry's enquirer (two relatives looking for each other)."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    STATUSES = [(OPEN, _("to review")), (CONFIRMED, _("confirmed")),
                (REJECTED, _("not the person"))]
    PERSON = "person"
    SOUGHT = "sought"
    ENQUIRER = "enquirer"
    KINDS = [(PERSON, _("registered person")), (SOUGHT, _("sought by another request")),
             (ENQUIRER, _("enquirer of another request"))]

    uuid = models.UUIDField(unique=True, default=uuid4)
    sought = models.ForeignKey(SoughtPerson, on_delete=models.CASCADE,
                               related_name="candidates")
    kind = models.CharField(max_length=10, choices=KINDS, default=PERSON)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")
    other_sought = models.ForeignKey(SoughtPerson, null=True, blank=True,
                                     on_delete=models.CASCADE, related_name="+")
    other_enquiry = models.ForeignKey(Enquiry, null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="+")
    probability = models.FloatField()
    levels = models.JSONField(default=dict, help_text=_("Level of agreement of each field"))
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    found_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["-probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sought", "person"], condition=Q(kind="person"),
                                    name="candidate_person_once"),
            models.UniqueConstraint(fields=["sought", "other_sought"],
                                    condition=Q(kind="sought"), name="candidate_sought_once"),
            models.UniqueConstraint(fields=["sought", "other_enquiry"],
                                    condition=Q(kind="enquirer"),
                                    name="candidate_enquirer_once"),
        ]
        indexes = [models.Index(fields=["status", "-probability"], name="candidate_queue")]


class StatusChange(models.Model):
    """A sought person's status or fate as recorded, by whom and when."""

    sought = models.ForeignKey(SoughtPerson, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=10, choices=SoughtPerson.STATUSES)
    fate = models.CharField(max_length=10, choices=SoughtPerson.FATES)
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                           related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
