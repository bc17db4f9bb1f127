"""Pairs and clusters as CSV, with each record's record_id (its UUID when it has none).

A reviewer's decision overrides the model: a merged pair is written with probability 1
and a pair kept apart with 0.
"""

import csv
from collections.abc import Callable
from pathlib import Path

from refuge.matching import engine
from refuge.matching.models import CandidatePair, MatchingRun
from refuge.registry.models import Person

DECIDED = {CandidatePair.MERGED: 1.0, CandidatePair.REJECTED: 0.0}


def has_run() -> bool:
    return MatchingRun.objects.exists()


def _people() -> dict[int, tuple[str, int]]:
    """Every record, merged ones included: its record_id (or UUID) and its household."""
    return {pk: (record_id or str(uuid), household_id)
            for pk, record_id, uuid, household_id in Person.objects.order_by("pk").values_list(
                "pk", "record_id", "uuid", "household_id").iterator(chunk_size=20000)}


def _pairs() -> list[tuple[int, int, float]]:
    return [(a, b, DECIDED.get(status, probability)) for a, b, probability, status in
            CandidatePair.objects.order_by("-probability", "pk").values_list(
                "person_a_id", "person_b_id", "probability", "status")
            .iterator(chunk_size=20000)]


def write_pairs(path: Path, progress: Callable[[int], None] | None = None) -> int:
    people = _people()
    pairs = _pairs()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["record_id_a", "record_id_b", "probability"])
        for a, b, probability in pairs:
            writer.writerow([people[a][0], people[b][0], f"{probability:.6f}"])
            if progress:
                progress(1)
    return len(pairs)


def write_clusters(path: Path, threshold: float,
                   progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Every record with its cluster; returns (records, clusters)."""
    people = _people()
    households = {pk: household for pk, (_record_id, household) in people.items()}
    found = engine.clusters(list(people), _pairs(), threshold, registrations=households)
    numbers: dict[int, int] = {}
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["record_id", "cluster_id"])
        for pk, (record_id, _household) in people.items():
            cluster = numbers.setdefault(found[pk], len(numbers) + 1)
            writer.writerow([record_id, cluster])
            if progress:
                progress(1)
    return len(people), len(numbers)
