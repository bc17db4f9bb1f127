"""`refuge tracing --matches`: the best registered candidates of every open request."""

import csv
from collections.abc import Iterator
from typing import TextIO

from refuge.tracing.matching import KEPT_PER_SOUGHT
from refuge.tracing.models import Candidate, SoughtPerson

MATCH_COLUMNS = ["request_ref", "record_id", "probability", "rank"]


def match_rows(threshold: float) -> Iterator[list]:
    """request_ref, record_id, probability, rank: at most five per open request, best
    first, at or above `threshold`. `record_id` is the registry's imported record id, or
    the registration number for people registered at a desk; `request_ref` the request's
    reference, or its UUID."""
    candidates = (Candidate.objects.filter(
        kind=Candidate.PERSON, sought__status=SoughtPerson.OPEN, probability__gte=threshold)
        .exclude(status=Candidate.REJECTED)
        .select_related("sought", "person__household__registered_at")
        .order_by("sought_id", "-probability", "id"))
    current, rank = None, 0
    for candidate in candidates.iterator(chunk_size=2000):
        if candidate.sought_id != current:
            current, rank = candidate.sought_id, 0
        rank += 1
        if rank > KEPT_PER_SOUGHT:
            continue
        person = candidate.person
        yield [candidate.sought.reference or str(candidate.sought.uuid),
               person.record_id or person.household.registration_number,
               f"{candidate.probability:.4f}", rank]


def write_matches(out: TextIO, threshold: float) -> int:
    writer = csv.writer(out)
    writer.writerow(MATCH_COLUMNS)
    count = 0
    for row in match_rows(threshold):
        writer.writerow(row)
        count += 1
    return count
