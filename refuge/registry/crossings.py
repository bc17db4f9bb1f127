"""Counting crossings: record the people in one vehicle at a crossing point, and correct a
count, with the figures following."""

import uuid as uuidlib

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from refuge.accounts.models import Post
from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib.errors import Conflict, Problems
from refuge.registry.counting import count_tallies
from refuge.registry.history import created_with_history
from refuge.registry.models import (
    Tally,
)
from refuge.registry.services import DEVICE_ID_LENGTH, body_hash, parse_uuid
from refuge.registry.validation import (
    clean_moment,
    clean_people_aboard,
    clean_text,
)


def record_tally(payload: dict, *, user, post: Post) -> tuple[Tally, bool]:
    """Count the people in one vehicle at a crossing point; idempotent on the client's UUID."""
    problems = Problems()
    if post.kind != Post.CROSSING:
        problems.add("post", _("crossings are counted at a crossing point"))
    client_uuid = parse_uuid(payload.get("uuid") or uuidlib.uuid4(), "uuid")
    digest = body_hash(payload)
    earlier = Tally.objects.filter(uuid=client_uuid).first()
    if earlier:
        if earlier.body_hash != digest:
            raise Conflict("uuid", _("this UUID was already used for a different count"))
        return earlier, False
    device_id = str(payload.get("device_id") or "")
    if len(device_id) > DEVICE_ID_LENGTH:
        problems.add("device_id", _("is too long (%(max)s characters at most)")
                     % {"max": DEVICE_ID_LENGTH})
    people = clean_people_aboard(payload.get("people_aboard"), problems)
    vehicle_ref = clean_text(payload.get("vehicle_ref"), "vehicle_ref", problems, 40)
    note = clean_text(payload.get("note"), "note", problems, 200)
    problems.raise_if_any()
    fields = dict(uuid=client_uuid, post=post, people_aboard=people, vehicle_ref=vehicle_ref,
                  note=note, recorded_by=user, body_hash=digest,
                  device_id=device_id)
    if payload.get("counted_at"):
        fields["counted_at"] = clean_moment(payload["counted_at"], "counted_at", problems)
        problems.raise_if_any()
    try:
        with transaction.atomic():
            tally = Tally(**fields)
            tally._history_user = user
            tally.save()
            count_tallies([tally])
    except IntegrityError:
        return record_tally(payload, user=user, post=post)
    return tally, True


def correct_tally(tally: Tally, changes: dict, *, user) -> Tally:
    """Correct a count (a mistyped number, a plate, a note); the figures follow, and the
    tally's history keeps who changed what, and when. Values as they are change nothing."""
    problems = Problems()
    cleaned = {}
    if "people_aboard" in changes:
        cleaned["people_aboard"] = clean_people_aboard(changes["people_aboard"], problems)
    for name, max_length in (("vehicle_ref", 40), ("note", 200)):
        if name in changes:
            cleaned[name] = clean_text(changes[name], name, problems, max_length)
    problems.raise_if_any()
    with transaction.atomic():
        current = Tally.objects.select_for_update().get(pk=tally.pk)
        changed = {name: value for name, value in cleaned.items()
                   if getattr(current, name) != value}
        if not changed:
            return tally
        if not current.history.exists():
            # Counted in bulk (the demo, an import): keep the count as it was first.
            created_with_history([current], current.recorded_by, current.counted_at,
                                 saved=True)
        count_tallies([current], -1)
        for name, value in changed.items():
            setattr(current, name, value)
            setattr(tally, name, value)
        current._history_user = user
        current.save(update_fields=list(changed))
        count_tallies([current])
        audit.record(user, AuditEvent.UPDATE, "tally", current.uuid, fields=sorted(changed))
    return tally
