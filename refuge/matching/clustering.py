"""One registration as evidence: strong, not absolute (issue 20, item 5).

People entered in one household registration are nearly always different people, and
their records share what a household shares (the family name, the father's name of
siblings, the place, the phone). But desks do enter one person twice in one family, and
two families do register together on one bus. So two records of one registration become
candidates only when they are near-certainly one person (`engine.same_registration_codes`),
their match weight is lowered by SAME_REGISTRATION_BITS, and they are two people unless
their given names are one name (twins); in the clusters, two records of one registration
meet only through a pair of their own, never through a third record.
"""

from collections.abc import Iterable

import numpy as np

# The household's shared fields (family name, father's name, place, phone) add about
# this much to the match weight of two members of one registration, who share them
# because they are one family, not because they are one person; the weight is taken back.
# Two records of one registration with the same names and full birth date keep a weight
# far above the threshold (the given name and the full date alone give more), while two
# members sharing only a document (a parent's passport number written on a child) fall
# far below it. Chosen on bench/matching.py's --twice set (docs/benchmarks.md, issue 20
# item 5): -10 and -14 bits trade a few more doubles found for a few more twins merged.
SAME_REGISTRATION_BITS = -12.0


# Given-name levels from here up are one name (comparison.name_levels: 3 the same common
# name, 4 the same rare one), as folded from any script.
SAME_NAME = 3


def weighed_by_registration(registration: np.ndarray, a: np.ndarray, b: np.ndarray,
                            probability: np.ndarray, given: np.ndarray) -> np.ndarray:
    """The pairs' probabilities with SAME_REGISTRATION_BITS added to the match weight of
    the pairs whose two records are of one registration; of those, two whose given names
    are not one name (`given`: the pairs' given-name levels) are two people. Twins are
    born on one day and often named a letter apart (Arman and Armen, Ani and Ana), which
    a typo cannot be told from: a person typed twice with a typo stays two records, for a
    reviewer, rather than twins becoming one."""
    same = registration[a] == registration[b]
    if not same.any():
        return probability
    p = probability[same].astype(np.float64)
    factor = 2.0 ** SAME_REGISTRATION_BITS
    weighed = probability.astype(np.float64, copy=True)
    weighed[same] = p * factor / (p * factor + (1.0 - p))
    weighed[same & (given < SAME_NAME)] = 0.0
    return weighed.astype(probability.dtype, copy=False)


def clusters(record_ids: list, pairs: Iterable[tuple], threshold: float,
             registrations: dict | None = None) -> dict[object, int]:
    """record_id → cluster_id, joining pairs at or above `threshold`, the likeliest first.

    Two clusters holding records of one registration join only through a pair of those
    two records themselves (one person entered twice), never through a third record:
    two brothers of one registration who each look like a third record stay apart.
    Every record gets a cluster, people with a single record their own.
    """
    position = {record_id: i for i, record_id in enumerate(record_ids)}
    parent = list(range(len(record_ids)))
    members: dict[int, set] = {}
    registration_of = registrations or {}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def reg(record_id) -> object:
        return registration_of.get(record_id, record_id)

    def regs(i: int) -> set:
        return members.setdefault(i, {reg(record_ids[i])})

    for id_a, id_b, probability in sorted(pairs, key=lambda p: -p[2]):
        if probability < threshold:
            break
        ra, rb = root(position[id_a]), root(position[id_b])
        if ra == rb:
            continue
        shared = regs(ra) & regs(rb)
        if shared and (reg(id_a) != reg(id_b) or shared != {reg(id_a)}):
            continue  # the two clusters share a registration the pair does not vouch for
        if len(regs(ra)) < len(regs(rb)):
            ra, rb = rb, ra
        parent[rb] = ra
        members[ra] |= members.pop(rb)
    return {record_id: root(i) + 1 for i, record_id in enumerate(record_ids)}
