"""What matching does: find duplicates in the whole registry, and merge, unmerge, reject,
skip or link what a reviewer decides."""

import gc
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refuge.audit import services as audit
from refuge.audit.models import AuditEvent
from refuge.lib import arrays, dates
from refuge.lib.errors import FieldError, StateConflict
from refuge.matching import engine, queries
from refuge.matching.comparison import Records
from refuge.matching.models import CandidatePair, HouseholdMatch, MatchingRun, Merge
from refuge.registry import corrections, events
from refuge.registry.counting import count_people
from refuge.registry.models import Document, Household, Person

# Rows to one INSERT when saving a run's pairs.
BATCH = 2000
# Fields a merge may fill on the kept record when it has none.
FILLED_ON_MERGE = ("patronymic", "phone", "origin", "destination")
PRECISION_RANK = {dates.UNKNOWN: 0, dates.ESTIMATED: 1, dates.YEAR: 2, dates.MONTH: 3,
                  dates.EXACT: 4}


@dataclass
class DedupeResult:
    people: int
    candidates: int
    queued: int
    household_links: int
    seconds: float


def dedupe(progress: Callable[[str], None] | None = None) -> DedupeResult:
    """Find every candidate pair in the registry and queue the likely ones for review.

    Pairs already decided keep their decision: a rejected pair is never proposed again.
    The model estimated here scores the desk's check from now on.
    """
    started = time.monotonic()
    say = progress or (lambda _step: None)
    say("reading")
    with paused_garbage_collection():
        columns = queries.registry_columns()
        households = columns.household
        records = Records(columns)
        del columns  # the names as read: half a gigabyte at a million people
        arrays.release_freed_memory()
        linkage = engine.link(records, progress=say)
    say("saving")
    with transaction.atomic():
        queued = _queue_pairs(linkage)
        links = _propose_household_links(linkage, households)
        result = DedupeResult(records.size, len(linkage.a), queued, links,
                              time.monotonic() - started)
        MatchingRun.objects.create(seconds=result.seconds, people=result.people,
                                   candidates=result.candidates, queued=queued,
                                   household_links=links, parameters=linkage.model.as_dict())
    return result


@contextmanager
def paused_garbage_collection():
    """Python's cycle collector runs over and over while a million rows are read and their
    arrays made, none of them in a cycle: it cost a third of the read."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _queue_pairs(linkage: engine.Linkage) -> int:
    ids = np.asarray(linkage.records.ids, dtype=np.int64)
    likely = np.flatnonzero(linkage.probability >= engine.REVIEW_FLOOR)
    first, second = ids[linkage.a[likely]], ids[linkage.b[likely]]
    low, high = np.minimum(first, second), np.maximum(first, second)
    known = {(a, b): (pk, status, p, levels) for a, b, pk, status, p, levels
             in CandidatePair.objects.values_list("person_a_id", "person_b_id", "id",
                                                  "status", "probability", "levels")
             .iterator(chunk_size=20000)}
    new, changed, unchanged = [], [], 0
    now = timezone.now()
    for probability, levels, a, b in zip(linkage.probability[likely].tolist(),
                                         linkage.levels_at(likely), low.tolist(), high.tolist(),
                                         strict=True):
        if (a, b) not in known:
            new.append({"person_a_id": a, "person_b_id": b, "probability": probability,
                        "levels": levels, "found_at": now})
            continue
        pk, status, stored_probability, stored_levels = known[(a, b)]
        if status != CandidatePair.OPEN:
            continue  # decided: the decision stands
        if (stored_probability, stored_levels) != (probability, levels):
            changed.append(CandidatePair(pk=pk, probability=probability, levels=levels))
        else:  # scored the same again: a second run over the same registry writes nothing
            unchanged += 1
    # A pair the desk's arrival check queued meanwhile stays as it is.
    CandidatePair.objects.bulk_create([CandidatePair(**values) for values in new],
                                      batch_size=BATCH, ignore_conflicts=True)
    CandidatePair.objects.bulk_update(changed, ["probability", "levels"], batch_size=5000)
    return len(new) + len(changed) + unchanged


def _propose_household_links(linkage: engine.Linkage, households: list[int]) -> int:
    """Households two or more of whose members are likely the same people (or whose only
    member is) are proposed as parts of one household."""
    households_array = np.asarray(households, dtype=np.int64)
    likely = np.flatnonzero(linkage.probability >= engine.SHIPPED_THRESHOLD)
    first = households_array[linkage.a[likely]]
    second = households_array[linkage.b[likely]]
    shared = Counter(zip(np.minimum(first, second).tolist(), np.maximum(first, second).tolist(),
                         strict=True))
    sizes = Counter(households)
    wanted = {pair: n for pair, n in shared.items()
              if pair[0] != pair[1] and n >= min(2, sizes[pair[0]], sizes[pair[1]])}
    if not wanted:
        return 0
    groups = dict(Household.objects.filter(
        pk__in={h for pair in wanted for h in pair}).values_list("pk", "group"))
    known = set(HouseholdMatch.objects.values_list("household_a_id", "household_b_id"))
    now = timezone.now()
    new = [{"household_a_id": a, "household_b_id": b, "people": n, "found_at": now}
           for (a, b), n in wanted.items()
           if (a, b) not in known and groups.get(a) != groups.get(b)]
    HouseholdMatch.objects.bulk_create([HouseholdMatch(**values) for values in new],
                                       batch_size=BATCH, ignore_conflicts=True)
    return len(new)


def _decided(pair: CandidatePair, status: str, user) -> None:
    pair.status = status
    pair.decided_by = user
    pair.decided_at = timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])


def _open_pair(pair: CandidatePair, deciding: str) -> CandidatePair:
    """The pair, locked; a pair already decided the same way is returned as it is, so a
    retried request changes nothing, and one decided the other way is refused."""
    current = CandidatePair.objects.select_for_update().get(pk=pair.pk)
    if current.status not in (CandidatePair.OPEN, deciding):
        raise StateConflict([FieldError("pair", _("this pair was already decided"))])
    return current


@transaction.atomic
def merge_pair(pair: CandidatePair, *, user) -> Merge:
    """Confirm a pair: the later record is merged into the earlier one, reversibly."""
    pair = _open_pair(pair, CandidatePair.MERGED)
    if pair.status == CandidatePair.MERGED:
        return pair.merges.get(undone_at__isnull=True)
    kept, merged = (Person.objects.select_for_update().select_related("household")
                    .get(pk=pk) for pk in (pair.person_a_id, pair.person_b_id))
    if Person.MERGED in (kept.status, merged.status):
        raise StateConflict([FieldError("pair", _("one of these records was already merged"))])
    filled = _fill_from(kept, merged, user)
    # Documents the kept record lacks move across; one it holds already stays behind, so
    # the same passport is not listed twice.
    held = set(kept.documents.values_list("number_key", flat=True))
    documents = list(merged.documents.exclude(number_key__in=held).values_list("pk", flat=True))
    Document.objects.filter(pk__in=documents).update(person=kept)
    merged_status = merged.status
    _set_status(merged, Person.MERGED, user)
    _decided(pair, CandidatePair.MERGED, user)
    merge = Merge.objects.create(pair=pair, kept=kept, merged=merged, merged_by=user, before={
        "filled": filled, "status": merged_status, "documents": documents})
    events.people_merged.send(merge_pair, kept=kept, merged=merged, user=user)
    audit.record(user, AuditEvent.MERGE, "person", kept.uuid, merged=str(merged.uuid))
    return merge


def _set_status(person: Person, status: str, user) -> None:
    """Merged records leave the figures, and come back to them when unmerged."""
    if status == Person.MERGED:
        count_people([person], -1)
    person.status = status
    person.version += 1
    person._history_user = user
    person.save(update_fields=["status", "version"])
    if status != Person.MERGED:
        count_people([person], 1)


def _fill_from(kept: Person, merged: Person, user) -> dict:
    """Give the kept record what only the merged one knew; returns {field: [before, after]}."""
    values = {name: getattr(merged, name) for name in FILLED_ON_MERGE
              if not getattr(kept, name) and getattr(merged, name)}
    if PRECISION_RANK.get(merged.birth_precision, 0) > PRECISION_RANK.get(kept.birth_precision, 0):
        values["birth_date"] = merged.birth_date
        values["birth_precision"] = merged.birth_precision
    needs = ",".join(sorted(set(kept.need_codes) | set(merged.need_codes)))
    if needs != kept.needs:
        values["needs"] = needs
    filled = {name: [_stored(getattr(kept, name)), _stored(value)]
              for name, value in values.items()}
    _change(kept, values, user)
    return filled


def _stored(value):
    """A field's value as the merge record keeps it (JSON): dates as ISO text."""
    return value.isoformat() if isinstance(value, date) else value


def _change(person: Person, values: dict, user) -> None:
    """Set fields a merge fills or an unmerge restores, keeping the figures exact: a person
    counted by sex, age and needs is taken out of the figures before and put back after."""
    if not values:
        return
    recounted = bool(corrections.COUNTED_FIELDS & set(values))
    if recounted:
        count_people([person], -1)
    for name, value in values.items():
        setattr(person, name, value)
    if recounted:
        count_people([person], 1)
    person.version += 1
    person.derive_search_forms()
    person._history_user = user
    person.save()


@transaction.atomic
def unmerge(merge: Merge, *, user) -> Merge:
    """Undo a merge: both records as they were, except what was edited since."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        return merge  # a retried request
    if merge.before.get("erased"):
        raise StateConflict([FieldError("merge", _("the person's data was erased: the merge "
                                                   "can no longer be undone"))])
    kept = Person.objects.select_for_update().get(pk=merge.kept_id)
    merged = Person.objects.select_for_update().select_related("household").get(
        pk=merge.merged_id)
    _unfill(kept, merge.before["filled"], user)
    Document.objects.filter(pk__in=merge.before["documents"], person=kept).update(person=merged)
    _set_status(merged, merge.before["status"], user)
    merge.undone_by, merge.undone_at = user, timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    if merge.pair_id:
        CandidatePair.objects.filter(pk=merge.pair_id).update(
            status=CandidatePair.OPEN, decided_by=None, decided_at=None)
    events.people_unmerged.send(unmerge, kept=kept, merged=merged, user=user)
    audit.record(user, AuditEvent.UNMERGE, "person", kept.uuid, merged=str(merged.uuid))
    return merge


def _unfill(kept: Person, filled: dict, user) -> None:
    """Put back what the merge filled, unless it was edited since: the edit stands."""
    restored = {}
    for name, (before, after) in filled.items():
        if _stored(getattr(kept, name)) != after:
            continue
        restored[name] = date.fromisoformat(before) if name == "birth_date" and before else before
    _change(kept, restored, user)


@transaction.atomic
def reject_pair(pair: CandidatePair, *, user) -> CandidatePair:
    """Different people: remembered, so the pair is never proposed again."""
    pair = _open_pair(pair, CandidatePair.REJECTED)
    if pair.status == CandidatePair.REJECTED:
        return pair
    _decided(pair, CandidatePair.REJECTED, user)
    audit.record(user, AuditEvent.REJECT, "pair", pair.uuid)
    return pair


def skip_pair(pair: CandidatePair, *, user) -> CandidatePair:
    """Not sure yet: the pair goes to the back of the queue."""
    pair.skipped_at = timezone.now()
    pair.save(update_fields=["skipped_at"])
    return pair


@transaction.atomic
@transaction.atomic
def decide_household_match(match: HouseholdMatch, *, link: bool, user) -> HouseholdMatch:
    """Link the two households as parts of one, or keep them apart. Idempotent: the same
    decision again changes nothing; the other one is refused."""
    match = HouseholdMatch.objects.select_for_update().select_related(
        "household_a", "household_b").get(pk=match.pk)
    if match.status == (HouseholdMatch.LINKED if link else HouseholdMatch.REJECTED):
        return match
    if match.status != HouseholdMatch.OPEN:
        raise StateConflict([FieldError("match", _("these households were already decided"))])
    if link:
        corrections.link_households(match.household_a, match.household_b, user=user)
    match.status = HouseholdMatch.LINKED if link else HouseholdMatch.REJECTED
    match.decided_by, match.decided_at = user, timezone.now()
    match.save(update_fields=["status", "decided_by", "decided_at"])
    return match
