"""The situation picture's own settings. The figures it shows are pre-counted by the
registry (refuge.registry.models.figures: RegistrationFigure, CrossingFigure)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SituationSettings(models.Model):
    """Settings of the situation picture, set by an administrator (one row)."""

    expected_population = models.PositiveIntegerField(
        _("expected population"), default=0,
        help_text=_("How many people are expected to cross in all, e.g. 120000"),
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    @classmethod
    def current(cls) -> "SituationSettings":
        return cls.objects.order_by("pk").first() or cls(expected_population=0)
