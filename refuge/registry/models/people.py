"""Who crossed, who registered where, and the people in each household."""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from refuge.accounts.models import Post
from refuge.lib import dates, names
from refuge.registry.numbers import registration_number


class Tally(models.Model):
    """People counted crossing in one vehicle, before anyone is registered."""

    uuid = models.UUIDField(unique=True, default=uuid4)
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="tallies")
    counted_at = models.DateTimeField(_("counted at"), default=timezone.now, db_index=True)
    vehicle_ref = models.CharField(_("plate or number"), max_length=40, blank=True)
    people_aboard = models.PositiveIntegerField(_("people aboard"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    device_id = models.CharField(max_length=64, blank=True)
    body_hash = models.CharField(max_length=64, blank=True)
    # Corrections keep who changed what and when; read per tally, so no index but its id.
    history = HistoricalRecords(excluded_fields=["device_id", "body_hash"],
                                no_db_index=["uuid", "post", "counted_at", "recorded_by"])

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        indexes = [models.Index(fields=["post", "counted_at"])]


class Household(models.Model):
    """People registered together, with one focal point.

    `group` ties households that turned out to be parts of one family, registered
    at different desks or on different days: linked households share a group.
    """

    ACTIVE = "active"
    CLOSED = "closed"
    STATUSES = [(ACTIVE, _("active")), (CLOSED, _("closed"))]
    # Whether the household needs a place to stay: only those that do wait for shelter.
    # In 2023 about a quarter of arrivals were housed by the state; most stayed with
    # relatives. Unknown is an answer too ("not asked"), kept apart from both.
    NEEDS_PLACE = "needs_place"
    RELATIVES = "relatives"
    OWN_ARRANGEMENT = "own"
    NOT_ASKED = ""
    ACCOMMODATION = [
        (NEEDS_PLACE, _("needs a place to stay")),
        (RELATIVES, _("staying with relatives or friends")),
        (OWN_ARRANGEMENT, _("has its own place to stay")),
        (NOT_ASKED, _("not asked")),
    ]

    uuid = models.UUIDField(unique=True, default=uuid4)
    group = models.UUIDField(db_index=True, default=uuid4)
    registered_at = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="households")
    registered_on = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default=ACTIVE)
    accommodation = models.CharField(_("place to stay"), max_length=12, choices=ACCOMMODATION,
                                     default=NOT_ASKED, blank=True)
    # Counts changes to the household itself, as Person.version does for a person.
    version = models.PositiveIntegerField(default=1)
    # History is read per record (by id and date), never searched by these: each index
    # left out is one write less on every registration.
    history = HistoricalRecords(excluded_fields=["registered_on"],
                                no_db_index=["uuid", "group", "registered_at"])

    class Meta:
        ordering = ["-id"]
        # Households still waiting for a place, by the province they registered in (the
        # dashboard and the daily report): read from this index alone.
        indexes = [models.Index(fields=["registered_at", "status"],
                                name="household_post_status")]

    def __str__(self) -> str:
        return self.registration_number

    @property
    def registration_number(self) -> str:
        return registration_number(self.registered_at.code, self.pk)


class PersonQuerySet(models.QuerySet):
    def counted(self) -> "PersonQuerySet":
        """Everyone but the records merged into another: each person once."""
        return self.exclude(status=Person.MERGED)


class DescribedPerson:
    """How a person is shown, from names as typed, a birth date as precise as known and
    need codes: for the registry's people and for the people tracing officers seek."""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_name, self.patronymic, self.family_name) if p)

    @property
    def latin_name(self) -> str:
        """A Latin reading shown beside names in other scripts, so colleagues can read it."""
        if self.name_script in (names.LATIN, names.NONE):
            return ""
        return names.to_latin(" ".join(p for p in (self.given_name, self.family_name) if p))

    @property
    def birth_display(self) -> str:
        return dates.describe(self.birth_date, self.birth_precision)

    @property
    def need_codes(self) -> list[str]:
        return [code for code in self.needs.split(",") if code]


class Person(DescribedPerson, models.Model):
    FOCAL_POINT = "focal_point"
    RELATIONSHIPS = [
        (FOCAL_POINT, _("focal point")),
        ("spouse", _("spouse")),
        ("child", _("child")),
        ("parent", _("parent")),
        ("sibling", _("sibling")),
        ("grandchild", _("grandchild")),
        ("grandparent", _("grandparent")),
        ("in_law", _("in-law")),
        ("other_relative", _("other relative")),
        ("unrelated", _("not related")),
    ]
    SEXES = [("F", _("female")), ("M", _("male")), ("U", _("unknown"))]
    CROSSED = "crossed"
    REGISTERED = "registered"
    PLACED = "placed"
    DEPARTED = "departed"
    DECEASED = "deceased"
    MISSING = "missing"
    # Found to be another record of someone registered already; kept, so the merge can
    # be undone, but no longer counted or found.
    MERGED = "merged"
    STATUSES = [
        (CROSSED, _("crossed")),
        (REGISTERED, _("registered")),
        (PLACED, _("placed")),
        (DEPARTED, _("departed")),
        (DECEASED, _("deceased")),
        (MISSING, _("missing")),
        (MERGED, _("merged into another record")),
    ]
    BIRTH_PRECISIONS = [
        (dates.EXACT, _("exact")),
        (dates.MONTH, _("year and month")),
        (dates.YEAR, _("year only")),
        (dates.ESTIMATED, _("estimated from age")),
        (dates.UNKNOWN, _("unknown")),
    ]
    SCRIPTS = [
        (names.ARMENIAN, _("Armenian")),
        (names.CYRILLIC, _("Cyrillic")),
        (names.LATIN, _("Latin")),
        (names.MIXED, _("mixed")),
        (names.OTHER, _("other")),
        (names.NONE, _("none")),
    ]

    uuid = models.UUIDField(unique=True, default=uuid4)
    # The identifier a record had in the file it was imported from, kept for exports.
    # NULL rather than "" for records typed at a desk: the constraint below keeps imported
    # identifiers unique, and only NULLs may repeat.
    record_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members",
                                  verbose_name=_("household"))
    # Where and when this person was registered; unlike the household, it never changes,
    # so a later move does not rewrite the figures of the day they arrived.
    registered_at = models.ForeignKey(Post, null=True, on_delete=models.PROTECT,
                                      related_name="+")
    registered_on = models.DateTimeField(null=True)
    relationship = models.CharField(_("relation"), max_length=20, choices=RELATIONSHIPS,
                                    default=FOCAL_POINT)
    # Names exactly as typed; the script is detected; *_key are derived for search.
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    patronymic = models.CharField(_("father's name"), max_length=100, blank=True)
    name_script = models.CharField(_("script"), max_length=10, choices=SCRIPTS, blank=True)
    given_key = models.CharField(max_length=100, blank=True)
    family_key = models.CharField(max_length=100, blank=True)
    patronymic_key = models.CharField(max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=SEXES, default="U")
    birth_date = models.DateField(_("born"), null=True, blank=True)
    birth_precision = models.CharField(
        _("precision of birth date"), max_length=10, choices=BIRTH_PRECISIONS, default=dates.UNKNOWN
    )
    origin = models.CharField(_("place of origin"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    destination = models.CharField(_("going to"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default=REGISTERED)
    needs = models.CharField(
        _("specific needs"), max_length=100, blank=True,
        help_text=_("Specific-needs codes, comma-separated"),
    )
    # Counts the record's changes. A device sends the version it edited; an edit made
    # from an older version than the one saved may not overwrite what changed since.
    version = models.PositiveIntegerField(default=1)
    history = HistoricalRecords(excluded_fields=["given_key", "family_key", "patronymic_key"],
                                no_db_index=["uuid", "record_id", "household", "registered_at"])
    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["household_id", "id"]
        # Two-name searches look up a pair of keys at once; each index also
        # serves lookups on its first key alone.
        indexes = [
            models.Index(fields=["family_key", "given_key"], name="person_family_given"),
            models.Index(fields=["given_key", "patronymic_key"], name="person_given_father"),
            models.Index(fields=["family_key", "patronymic_key"], name="person_family_father"),
            # Declared here rather than with db_index or unique on the field, which on
            # PostgreSQL also builds a second, prefix-search index no query uses.
            models.Index(fields=["patronymic_key"], name="person_father"),
            models.Index(fields=["phone"], name="person_phone"),
            models.Index(fields=["status"], name="person_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["record_id"], name="person_record_id_once"),
        ]

    def __str__(self) -> str:
        return self.full_name or str(self.uuid)


    def derive_search_forms(self) -> None:
        self.name_script = names.combine_scripts(
            [self.given_name, self.family_name, self.patronymic]
        )
        self.given_key = names.search_key(self.given_name)[:100]
        self.family_key = names.search_key(self.family_name)[:100]
        self.patronymic_key = names.search_key(names.patronymic_stem(self.patronymic))[:100]


class SpecificNeed:
    """UNHCR's specific-needs categories, as the short codes desks type."""

    CODES = {
        "UAC": _("unaccompanied child"),
        "SC": _("separated child"),
        "OP": _("older person at risk"),
        "DIS": _("disability"),
        "MED": _("serious medical condition"),
        "PREG": _("pregnant or lactating"),
        "SP": _("single parent or caregiver"),
        "SV": _("survivor of violence"),
        "PROT": _("legal or physical protection"),
    }


class Document(models.Model):
    PASSPORT = "passport"
    KINDS = [
        (PASSPORT, _("passport")),
        ("birth_certificate", _("birth certificate")),
        ("local_id", _("local ID")),
        ("soviet_passport", _("Soviet-era passport")),
        ("other", _("other")),
    ]

    uuid = models.UUIDField(unique=True, default=uuid4)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=KINDS, default=PASSPORT)
    number = models.CharField(max_length=40)
    number_key = models.CharField(max_length=40, db_index=True)
    history = HistoricalRecords(excluded_fields=["number_key"], no_db_index=["uuid", "person"])


def document_key(number: str) -> str:
    """Document numbers compared without spaces, dashes or case."""
    return "".join(ch for ch in number.upper() if ch.isalnum())[:40]


class RegistrationEvent(models.Model):
    """Who registered or changed a household, where, when, and from which device.

    `uuid` is the client's UUID for the write, which makes retries idempotent:
    `body_hash` tells a retry (same body) from a conflict (different body).
    """

    REGISTERED = "registered"
    ADDED = "added"
    KINDS = [(REGISTERED, _("registered")), (ADDED, _("members added")),
             ("updated", _("updated")), ("linked", _("linked"))]

    uuid = models.UUIDField(unique=True)
    kind = models.CharField(max_length=12, choices=KINDS, default=REGISTERED)
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="events")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="+")
    desk = models.CharField(max_length=20, blank=True)
    device_id = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    body_hash = models.CharField(max_length=64)


class EditConflict(models.Model):
    """One field edited on two devices: the edit saved first stays, the later one waits
    here, with the value both started from, until someone chooses.

    The field is a person's (`person`; "household" when two devices moved them to
    different households, the values then being registration numbers) or a household's
    own (`household`, e.g. its status)."""

    OPEN = "open"
    KEPT = "kept"
    REPLACED = "replaced"
    STATUSES = [(OPEN, _("to review")), (KEPT, _("saved value kept")),
                (REPLACED, _("replaced by the other edit"))]

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="conflicts")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="conflicts")
    field = models.CharField(max_length=30)
    base_value = models.TextField(blank=True)
    saved_value = models.TextField(blank=True)
    proposed_value = models.TextField(blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN, db_index=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [models.CheckConstraint(
            condition=models.Q(person__isnull=True) ^ models.Q(household__isnull=True),
            name="conflict_of_a_person_or_a_household")]

    def __str__(self) -> str:
        return f"{self.field} of {self.person_id or self.household_id}"
