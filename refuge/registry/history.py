"""Records created in bulk keep their first history row, as simple-history writes it.

simple-history's signals write a history row per save(); bulk inserts send no signals,
so every bulk write of a tracked model (a registration's people and documents, an
import's households) goes through here, with simple-history's own bulk helpers.
"""

from collections.abc import Sequence
from datetime import datetime

from django.db import models
from simple_history.utils import bulk_create_with_history

BATCH = 1000


def created_with_history(objects: Sequence[models.Model], user, when: datetime, *,
                         saved: bool = False) -> None:
    """Insert `objects` (their ids set on them) with their "+" history rows; or, for
    objects `saved` already without history, write only those rows."""
    if not objects:
        return
    model = type(objects[0])
    user = user if user is not None and user.is_authenticated else None
    if saved:
        model.history.bulk_history_create(objects, default_user=user, default_date=when,
                                          batch_size=BATCH)
    else:
        bulk_create_with_history(objects, model, batch_size=BATCH, default_user=user,
                                 default_date=when)
