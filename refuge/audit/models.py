from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One view or change of a record, by whom and when.

    Only identifiers and field names are kept here, never the values, so the
    audit log itself holds no names.
    """

    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    MOVE = "move"
    LINK = "link"
    SEARCH = "search"
    EXPORT = "export"
    MERGE = "merge"
    UNMERGE = "unmerge"
    REJECT = "reject"
    CONSENT = "consent"
    ACTIONS = [
        (VIEW, _("viewed")),
        (CREATE, _("created")),
        (UPDATE, _("changed")),
        (MOVE, _("moved")),
        (LINK, _("linked")),
        (SEARCH, _("searched")),
        (EXPORT, _("exported")),
        (MERGE, _("merged")),
        (UNMERGE, _("unmerged")),
        (REJECT, _("kept apart")),
        (CONSENT, _("recorded consent")),
    ]
    OBJECT_TYPES = {"person": _("person"), "household": _("household"), "tally": _("tally"),
                    "placement": _("placement"), "allocation": _("allocation"),
                    "proposal": _("placement proposal"), "pair": _("possible duplicate"),
                    "legal_basis": _("legal basis")}

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=10, choices=ACTIONS)
    object_type = models.CharField(max_length=20, blank=True)
    object_uuid = models.UUIDField(null=True, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def object_type_label(self) -> str:
        return str(self.OBJECT_TYPES.get(self.object_type, self.object_type))
