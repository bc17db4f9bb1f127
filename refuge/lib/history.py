"""History rows for records created in bulk, written the way django-simple-history writes them.

simple-history's `Model.history` builds a new manager class on every access, which
costs about a millisecond; the registration desk's hot path creates a household and
its people many times a second, so it writes their first history rows here instead.
Reading history (diffs, the person page) still goes through simple-history.
"""

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from django.apps import apps
from django.db import models
from django.utils import timezone

from refuge.lib.inserts import insert_values


@cache
def historical_model(model: type[models.Model]) -> type[models.Model]:
    return apps.get_model(model._meta.app_label, f"Historical{model.__name__}")


def record_created(objects: Sequence[models.Model], user, when: datetime | None = None) -> None:
    """Write the "+" (created) history row of each object in one insert."""
    if not objects:
        return
    history = historical_model(type(objects[0]))
    when = when or timezone.now()
    tracked = [field.attname for field in history.tracked_fields]
    user_id = user.pk if user is not None and user.is_authenticated else None
    insert_values(history, [
        {**{name: getattr(obj, name) for name in tracked}, "history_date": when,
         "history_user_id": user_id, "history_change_reason": "", "history_type": "+"}
        for obj in objects
    ])
