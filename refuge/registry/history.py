"""Records created in bulk keep their first history row, as simple-history writes it.

simple-history's signals write a history row per save(); bulk inserts send no signals,
so every bulk write of a tracked model (a registration's people and documents, an
import's households) goes through here, with simple-history's own bulk_history_create.
"""

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from django.db import models
from simple_history.utils import get_history_manager_for_model

BATCH = 1000


@cache
def _history(model: type[models.Model]):
    """simple-history's manager of the model's history rows. `Model.history` makes a new
    manager class on every access (a few milliseconds, three times a registration); one
    made once serves every call, since it is bound to no instance."""
    return get_history_manager_for_model(model)


def created_with_history(objects: Sequence[models.Model], user, when: datetime, *,
                         saved: bool = False) -> None:
    """Insert `objects` (their ids set on them) with their "+" history rows; or, for
    objects `saved` already without history, write only those rows."""
    if not objects:
        return
    model = type(objects[0])
    user = user if user is not None and user.is_authenticated else None
    if not saved:
        # Both databases return the new ids from a bulk insert (SQLite since 3.35).
        model.objects.bulk_create(objects, batch_size=BATCH)
    _history(model).bulk_history_create(objects, default_user=user, default_date=when,
                                        batch_size=BATCH)
