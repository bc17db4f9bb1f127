from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from refuge.forecast.flow import Expected


class ExpectedPopulationQuerySet(models.QuerySet):
    def current(self) -> "ExpectedPopulation | None":
        return self.order_by("-pk").first()


class ExpectedPopulation(models.Model):
    """How many people an administrator expects to cross in all, as a range.

    Each setting is a row of its own and none is ever changed, so the table is the
    history: the newest row is the range in force."""

    uuid = models.UUIDField(unique=True, default=uuid4)
    low = models.PositiveIntegerField(_("low"))
    likely = models.PositiveIntegerField(_("likely"))
    high = models.PositiveIntegerField(_("high"))
    note = models.CharField(_("note"), max_length=200, blank=True,
                            help_text=_("Where the figures come from, e.g. the 2015 census"))
    set_at = models.DateTimeField(default=timezone.now, db_index=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    body_hash = models.CharField(max_length=64, blank=True)

    objects = ExpectedPopulationQuerySet.as_manager()

    class Meta:
        verbose_name = _("expected population")
        verbose_name_plural = _("expected populations")
        constraints = [
            models.CheckConstraint(
                condition=Q(low__gte=1, likely__gte=F("low"), high__gte=F("likely")),
                name="expected_population_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.low:,}–{self.likely:,}–{self.high:,}"

    @property
    def range(self) -> Expected:
        return Expected(self.low, self.likely, self.high)
