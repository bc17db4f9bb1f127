"""Matching's answer to the registry's arrival checks (refuge.registry.arrivals): who each
new person may already be, and the pairs queued for review the moment they are saved."""

from django.conf import settings
from django.utils import timezone

from refuge.matching import jobs, queries
from refuge.matching.models import CandidatePair
from refuge.registry.arrivals import ArrivalCheck, PossibleMatch

# "Certainly the same person": a desk may not save such a member as new without the
# registrar's explicit choice (link, or "a different person"). It takes both a matcher
# probability of at least CERTAIN and hard evidence: the same document number, or the
# same given and family names (as written in any script) with the same full birth date.
CERTAIN = 0.98
SAME_DOCUMENT = 1  # comparison's document level: the numbers agree
CLOSE_NAME = 2  # name levels from here up: a variant, a typo or the same name
SAME_DAY = 5  # birth level: the same day, month and year


def is_certain(probability: float, levels: dict[str, int]) -> bool:
    if probability < CERTAIN:
        return False
    if levels.get("document") == SAME_DOCUMENT:
        return True
    return (levels.get("birth") == SAME_DAY and levels.get("given", -1) >= CLOSE_NAME
            and levels.get("family", -1) >= CLOSE_NAME)


def find(members: list[dict]) -> list[list[PossibleMatch]]:
    return [[PossibleMatch(m.person.pk, m.probability, is_certain(m.probability, m.levels),
                           m.person.household.registration_number, m.levels)
             for m in matches]
            for matches in queries.desk_matches(members)]


def record(matches: list[list[PossibleMatch]], people: list, different: list[tuple[int, int]],
           user) -> None:
    """Queue for review, at once, every possible match of the people just saved that the
    registrar did not settle; the pairs declared different people are recorded as decided,
    so no reviewer is asked about them again."""
    declared = {tuple(sorted(pair)) for pair in different}
    now = timezone.now()
    pairs = {}
    for person, possible in zip(people, matches, strict=True):
        for match in possible:
            a, b = sorted((person.pk, match.person_id))
            pairs[(a, b)] = CandidatePair(person_a_id=a, person_b_id=b,
                                          probability=match.probability, levels=match.levels)
    for a, b in declared:
        pair = pairs.setdefault((a, b), CandidatePair(person_a_id=a, person_b_id=b,
                                                      probability=0.0, levels={}))
        pair.status, pair.decided_by, pair.decided_at = CandidatePair.REJECTED, user, now
    # A pair queued before (by a dedupe run) keeps its scores; a registrar's decision
    # that it is two people stands over it.
    CandidatePair.objects.bulk_create(pairs.values(), ignore_conflicts=True)
    for a, b in declared:
        CandidatePair.objects.filter(person_a_id=a, person_b_id=b,
                                     status=CandidatePair.OPEN).update(
            status=CandidatePair.REJECTED, decided_by=user, decided_at=now)


def queue(people: int, user) -> None:
    """A bulk load is checked by a search of the whole registry, started as the duplicates
    page starts one, once the load is committed; one already queued or running is left
    to finish (REFUGE_SEARCH_AFTER_BULK=false leaves it to an operator)."""
    if not people or not settings.REFUGE_SEARCH_AFTER_BULK:
        return
    try:
        jobs.start(user)
    except jobs.AlreadyRunning:
        pass


CHECK = ArrivalCheck(find=find, record=record, queue=queue)
