"""Aid: programmes, their cycles, what each person is entitled to, and its hand-over.

Entitlements are per person and cycle (a database constraint: one each, whatever
household the person is in); a minor's goes to a recipient, the guardian. An entitlement
is handed over at a point (HandOver, one per entitlement, again a database constraint) or
paid through a provider (Payment, at most one re-issue each).
"""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from refuge.accounts.models import Post
from refuge.registry.models import Household, Person


class Programme(models.Model):
    CASH = "cash"
    IN_KIND = "in_kind"
    KINDS = [(CASH, _("cash")), (IN_KIND, _("in kind"))]
    ONCE = "once"
    MONTHLY = "monthly"
    FREQUENCIES = [(ONCE, _("once")), (MONTHLY, _("monthly"))]
    ANY = ""
    STATE_HOUSING = [(ANY, _("in state housing or not")), ("yes", _("in state housing")),
                     ("no", _("not in state housing"))]

    uuid = models.UUIDField(unique=True, default=uuid4)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("AMD, kit, ..."))
    per_person = models.PositiveIntegerField(_("amount per person"), default=0)
    per_household = models.PositiveIntegerField(_("amount per household"), default=0)
    frequency = models.CharField(_("cycles"), max_length=10, choices=FREQUENCIES, default=ONCE)
    cycles = models.PositiveSmallIntegerField(_("number of cycles"), default=1)
    starts_on = models.DateField(_("first cycle starts on"))
    # Eligibility, beyond "registered and neither departed, deceased nor merged".
    arrived_from = models.DateField(_("arrived on or after"), null=True, blank=True)
    arrived_to = models.DateField(_("arrived on or before"), null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(_("aged at least"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("aged at most"), null=True, blank=True)
    needs = models.CharField(_("with a specific need among"), max_length=100, blank=True,
                             help_text=_("Specific-needs codes, comma-separated"))
    province = models.CharField(_("registered in province"), max_length=100, blank=True)
    state_housing = models.CharField(_("state housing"), max_length=3, choices=STATE_HOUSING,
                                     default=ANY, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    body_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def need_codes(self) -> list[str]:
        return [code for code in self.needs.split(",") if code]


class Cycle(models.Model):
    """One round of a programme. Approval freezes its list of entitlements: the registry
    edited afterwards shows as differences to review, never as a changed list."""

    DRAFT = "draft"
    APPROVED = "approved"
    STATUSES = [(DRAFT, _("draft")), (APPROVED, _("approved"))]

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    status = models.CharField(max_length=10, choices=STATUSES, default=DRAFT)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["programme", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"],
                                               name="aid_cycle_once")]

    def __str__(self) -> str:
        return f"{self.programme} #{self.number}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.APPROVED


class Guardian(models.Model):
    """Who receives a minor's share: a designated adult. Without one, the household's
    focal point (or its eldest adult) does. Changes are kept in history."""

    minor = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="guardian")
    guardian = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="wards")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                               related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()


class Entitlement(models.Model):
    DUE = "due"
    # Merged into the entitlement of the record kept, in the same cycle: not due again.
    MERGED = "merged"
    STATUSES = [(DUE, _("due")), (MERGED, _("merged into another record's"))]

    uuid = models.UUIDField(unique=True, default=uuid4)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="entitlements")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="entitlements")
    household = models.ForeignKey(Household, on_delete=models.PROTECT,
                                  related_name="entitlements")
    recipient = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=STATUSES, default=DUE)

    class Meta:
        ordering = ["cycle", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "cycle"],
                                               name="aid_entitled_once_per_cycle")]
        indexes = [models.Index(fields=["household", "cycle"], name="aid_entitlement_household"),
                   models.Index(fields=["recipient"], name="aid_entitlement_recipient")]

    def hand_over_or_none(self) -> "HandOver | None":
        """Its hand-over, if it was handed over (a query, unless select_related)."""
        try:
            return self.hand_over
        except HandOver.DoesNotExist:
            return None


class Distribution(models.Model):
    """One hand-over at a point: the entitlements of a household given at once.

    `uuid` is the client's, so a retried request records nothing twice; `body_hash`
    tells a retry from a different body."""

    uuid = models.UUIDField(unique=True)
    point = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.PROTECT,
                                  related_name="distributions")
    received_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    handed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # When the hand-over happened at the point (an offline point sends it later).
    recorded_at = models.DateTimeField(default=timezone.now)
    body_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-at"]


class HandOver(models.Model):
    """One entitlement handed over. The one-to-one key is the guarantee: however many
    points try at once, online or offline, the database keeps one."""

    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE,
                                     related_name="hand_overs")
    entitlement = models.OneToOneField(Entitlement, on_delete=models.PROTECT,
                                       related_name="hand_over")


class Payment(models.Model):
    """One transfer to a recipient for a cycle, through a bank or mobile money."""

    PLANNED = "planned"
    SENT = "sent"
    PAID = "paid"
    FAILED = "failed"
    STATUSES = [(PLANNED, _("planned")), (SENT, _("sent")), (PAID, _("paid")),
                (FAILED, _("failed"))]

    uuid = models.UUIDField(unique=True, default=uuid4)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="payments")
    recipient = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveIntegerField()
    people = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=STATUSES, default=PLANNED)
    reference = models.CharField(max_length=100, blank=True)
    # A failed payment is re-issued once: the key is unique, so never twice.
    reissue_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="reissue")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cycle", "id"]
        constraints = [models.UniqueConstraint(
            fields=["cycle", "recipient"], condition=models.Q(reissue_of__isnull=True),
            name="aid_paid_once_per_recipient")]


class PaymentLine(models.Model):
    """The entitlements a payment covers; each is in one payment, or in a failed one and
    its re-issue."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="lines")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT,
                                    related_name="payment_lines")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["payment", "entitlement"],
                                               name="aid_payment_line_once")]


class Overpayment(models.Model):
    """Two records found to be one person, each already paid or handed over in a cycle:
    reported for follow-up, never dropped."""

    OPEN = "open"
    SETTLED = "settled"
    # The merge that found it was undone: two people after all, each given their own.
    WITHDRAWN = "withdrawn"
    STATUSES = [(OPEN, _("to follow up")), (SETTLED, _("settled")),
                (WITHDRAWN, _("withdrawn: the merge was undone"))]

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="overpayments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kept = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="+")
    duplicate = models.OneToOneField(Entitlement, on_delete=models.PROTECT, related_name="+")
    amount = models.PositiveIntegerField()
    found_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)


class EntitlementFold(models.Model):
    """What a merge of two records changed in one entitlement, so that undoing the merge
    puts it back: `changes` is {field: [before, after]} (person_id, household_id,
    recipient_id, status)."""

    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE,
                                    related_name="folds")
    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    changes = models.JSONField()
    folded_at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
