"""Data protection: the legal basis of each purpose, consent, erasure and retention."""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from refuge.registry.models.people import Person

REGISTRATION = "registration"
TRACING = "tracing"
PAYMENTS = "payments"
AUDIT = "audit"
PURPOSES = [(REGISTRATION, _("registration")), (TRACING, _("tracing")),
            (PAYMENTS, _("payments")), (AUDIT, _("audit"))]
VITAL_INTEREST = "vital_interest"
PUBLIC_INTEREST = "public_interest"
CONSENT = "consent"
LEGAL_BASES = [(VITAL_INTEREST, _("vital interest")), (PUBLIC_INTEREST, _("public interest")),
               (CONSENT, _("consent"))]
# Uses of a person's data that need their consent on top of the purpose's legal basis.
TRACING_DISCLOSURE = "tracing_disclosure"
PUBLICATION = "publication"
CONSENT_PURPOSES = [(TRACING_DISCLOSURE, _("telling a relative who traces them where they are")),
                    (PUBLICATION, _("publishing their name (lists of the found)"))]


class LegalBasis(models.Model):
    """The legal basis recorded for one purpose, by whom and why; history keeps the
    earlier ones. A purpose with no row has the basis set in settings."""

    purpose = models.CharField(_("purpose"), max_length=20, choices=PURPOSES, unique=True)
    basis = models.CharField(_("legal basis"), max_length=20, choices=LEGAL_BASES)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")


class Consent(models.Model):
    """One answer a person gave about one use of their data. Rows are never changed: the
    latest answer per person and purpose is the one that holds, and the earlier ones are
    its history."""

    VERBAL = "verbal"
    WRITTEN = "written"
    FORMS = [(VERBAL, _("said so")), (WRITTEN, _("signed"))]

    uuid = models.UUIDField(unique=True, default=uuid4)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=CONSENT_PURPOSES)
    given = models.BooleanField(_("consent given"))
    form = models.CharField(_("how"), max_length=10, choices=FORMS, default=VERBAL)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["person", "purpose", "recorded_at"],
                                name="consent_latest")]


class Erasure(models.Model):
    """A person's personal data erased, why and by whom (refuge.registry.erasure).

    The person's row stays as a pseudonymous stub, so what points at it (figures, audit,
    placements, payments) stays consistent; `copies` counts what was erased where."""

    PERSON_ASKED = "person_asked"
    REGISTERED_IN_ERROR = "in_error"
    RETENTION = "retention"
    LEGAL_ORDER = "legal_order"
    PROTECTION_RISK = "protection_risk"
    REASONS = [
        (PERSON_ASKED, _("the person asked for it")),
        (REGISTERED_IN_ERROR, _("registered in error")),
        (PROTECTION_RISK, _("keeping it puts the person at risk")),
        (LEGAL_ORDER, _("a legal obligation")),
        (RETENTION, _("kept longer than its purpose needs")),
    ]

    uuid = models.UUIDField(unique=True, default=uuid4)
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="erasure")
    pseudonym = models.CharField(max_length=20, unique=True)
    reason = models.CharField(_("reason"), max_length=20, choices=REASONS)
    note = models.CharField(_("note"), max_length=300, blank=True,
                            help_text=_("Kept: never the person's name"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    erased_at = models.DateTimeField(default=timezone.now)
    copies = models.JSONField(default=dict)
    # Exports of names downloaded since the person was registered, to recall.
    exports_since = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-erased_at"]


class RetentionRun(models.Model):
    """One run of the retention schedule (refuge.registry.retention): what went, by purpose."""

    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                           related_name="+")
    removed = models.JSONField(default=dict)
    schedule = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at"]
