"""One registration as evidence: strong, not absolute (issue 20, item 5).

People entered in one household registration are nearly always different people, and
their records share what a household shares (the family name, the father's name of
siblings, the place, the phone). But desks do enter one person twice in one family, and
two families do register together on one bus. So two records of one registration become
candidates only when they are near-certainly one person (the same names and birth year,
the same given name and full date, a one-letter typo in the given name with the same
family name and full date, or the same document: `engine.same_registration_codes`), and
their match weight is lowered by SAME_REGISTRATION_BITS; in the clusters, two records of
one registration meet only through a pair of their own, never through a third record.
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


def one_edit_apart(first: str, second: str) -> bool:
    """Whether two texts differ by one letter added, dropped or changed, or two
    neighbouring letters swapped (not when they are equal: that is no typo)."""
    if first == second or abs(len(first) - len(second)) > 1:
        return False
    start = 0
    while start < min(len(first), len(second)) and first[start] == second[start]:
        start += 1
    if len(first) != len(second):
        return first[start + (len(first) > len(second)):] == \
            second[start + (len(second) > len(first)):]
    if first[start + 1:] == second[start + 1:]:
        return True
    swapped = first[start + 1:start + 2] + first[start:start + 1]
    return second[start:start + 2] == swapped and first[start + 2:] == second[start + 2:]


def weighed_by_registration(registration: np.ndarray, a: np.ndarray, b: np.ndarray,
                            probability: np.ndarray) -> np.ndarray:
    """The pairs' probabilities with SAME_REGISTRATION_BITS added to the match weight of
    the pairs whose two records are of one registration."""
    same = registration[a] == registration[b]
    if not same.any():
        return probability
    p = probability[same].astype(np.float64)
    factor = 2.0 ** SAME_REGISTRATION_BITS
    weighed = probability.astype(np.float64, copy=True)
    weighed[same] = p * factor / (p * factor + (1.0 - p))
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
