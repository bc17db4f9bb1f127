"""Keeping what a match found: each sought person's candidates added, updated or left as
an officer decided them, in a few statements whatever their number."""

from django.db import IntegrityError, transaction

from refuge.tracing.models import Candidate, SoughtPerson
from refuge.tracing.scoring import Scored

# The column each kind of candidate names its target in.
TARGET = {Candidate.PERSON: "person_id", Candidate.SOUGHT: "other_sought_id",
          Candidate.ENQUIRER: "other_enquiry_id"}


def _target(candidate: Candidate) -> tuple[str, int]:
    return candidate.kind, (candidate.person_id or candidate.other_sought_id
                            or candidate.other_enquiry_id)


def save_candidates(sought: list[SoughtPerson], found: list[list[Scored]],
                    ) -> list[list[Candidate]]:
    """Keep what was found for each sought person (`found[i]` for `sought[i]`) as its
    open candidates: new ones added, the scores of open ones updated, decided ones left
    as the officer left them. Returns each one's candidates, likeliest first. One read,
    then one insert and one update for all (none for a score that did not change):
    saved one by one, they were most of a match's statements."""
    kept = {one.pk: [] for one in sought}
    for candidate in Candidate.objects.filter(sought__in=list(kept)):
        kept[candidate.sought_id].append(candidate)
    added, changed = [], []
    for one, scored_ones in zip(sought, found, strict=True):
        by_target = {_target(c): c for c in kept[one.pk]}
        for scored in scored_ones:
            kind, pk = _kind_of(scored.key)
            candidate = by_target.get((kind, pk))
            if candidate is None:
                added.append(Candidate(sought=one, kind=kind, **{TARGET[kind]: pk},
                                       probability=scored.probability, levels=scored.levels))
            elif candidate.status == Candidate.OPEN and (
                    candidate.probability != scored.probability
                    or candidate.levels != scored.levels):
                candidate.probability, candidate.levels = scored.probability, scored.levels
                changed.append(candidate)
    if added or changed:
        try:
            with transaction.atomic():
                Candidate.objects.bulk_create(added)
                # An officer deciding meanwhile keeps the score the decision was made on.
                Candidate.objects.filter(status=Candidate.OPEN).bulk_update(
                    changed, ["probability", "levels"])
        except IntegrityError:
            # Another check of one of them added a candidate first: one by one.
            for one, scored_ones in zip(sought, found, strict=True):
                _save_one_by_one(one, scored_ones)
            return [list(one.candidates.all()) for one in sought]
        if any(c.pk is None for c in added):  # a database that does not return new ids
            return [list(one.candidates.all()) for one in sought]
    for candidate in added:
        kept[candidate.sought_id].append(candidate)
    return [sorted(kept[one.pk], key=lambda c: (-c.probability, c.pk)) for one in sought]


def _save_one_by_one(sought: SoughtPerson, found: list[Scored]) -> None:
    decided = {_target(c) for c in sought.candidates.exclude(status=Candidate.OPEN)}
    for scored in found:
        kind, pk = _kind_of(scored.key)
        if (kind, pk) in decided:
            continue
        Candidate.objects.update_or_create(
            sought=sought, kind=kind, **{TARGET[kind]: pk}, status=Candidate.OPEN,
            defaults={"probability": scored.probability, "levels": scored.levels})


def _kind_of(key) -> tuple[str, int]:
    """A row's id as (candidate kind, id): registered people are known by their id."""
    if isinstance(key, tuple):
        return {"sought": Candidate.SOUGHT, "enquirer": Candidate.ENQUIRER}[key[0]], key[1]
    return Candidate.PERSON, key
