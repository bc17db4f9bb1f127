"""Records created in bulk keep their first history row, as simple-history writes it.

simple-history's signals write a history row per save(); bulk inserts send no signals,
so every bulk write of a tracked model (a registration's people and documents, an
import's households) goes through here. The rows and their history rows are written by
refuge.lib.bulk, which stores what bulk_create and simple-history's bulk_history_create
store (tested row by row) at a fraction of the cost; an object that carries a history
user, date or reason of its own goes through simple-history itself.
"""

from collections.abc import Sequence
from datetime import datetime
from functools import cache

from django.db import models
from simple_history.utils import get_history_manager_for_model

from refuge.lib import bulk

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
        bulk.insert(objects)  # what bulk_create stores, faster (refuge.lib.bulk)
    history = _history(model)
    if all(bulk.is_plain(obj) for obj in objects):
        bulk.insert_history(objects, history.model, user=user, when=when)
    else:
        history.bulk_history_create(objects, default_user=user, default_date=when,
                                    batch_size=BATCH)
