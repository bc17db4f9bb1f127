"""Compare records field by field, many pairs at once, into levels of agreement.

A level is a small integer: 0 is "different", higher is closer agreement, and NULL
(-1) means one side is missing, which is no evidence either way. The model turns
each level into a weight; the reviewer sees the levels in words.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import token_sort_ratio

from refuge.lib import names
from refuge.matching import normalise
from refuge.matching.normalise import BirthParts

NULL = -1
NAME_FIELDS = ("given", "family", "father")
FIELDS = ("given", "family", "father", "birth", "sex", "place", "phone", "document",
          "family_evidence")
# How many levels each field has, beside NULL.
LEVELS = {"given": 4, "family": 4, "father": 4, "birth": 6, "sex": 2, "place": 4,
          "phone": 2, "document": 2, "family_evidence": 3}
# Relatives share these, so they say "same family", not "same person". They may only
# count for a match when the person's own given name and birth date do not disagree.
SHARED_BY_FAMILY = ("family", "father", "place", "phone", "family_evidence")
# Below these similarities (Jaro-Winkler on folded Latin) two names are different names.
CLOSE, SIMILAR = 0.92, 0.80


@dataclass(frozen=True)
class RecordRow:
    """One person as matching sees them. `registration` is shared by the people entered
    together in one household registration; `household` is where they live now."""

    record_id: object
    registration: object
    household: object
    given_name: str = ""
    family_name: str = ""
    patronymic: str = ""
    sex: str = ""
    birth: BirthParts = BirthParts()
    place: str = ""
    phone: str = ""
    document: str = ""


class Codes:
    """Small integer codes for values, 0 for "missing", shared by every column it codes."""

    def __init__(self):
        self.index: dict = {"": 0}

    def __call__(self, values: Iterable) -> np.ndarray:
        index = self.index
        return np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64)


class Records:
    """Columns of derived forms for many people, indexed by position."""

    def __init__(self, rows: list[RecordRow]):
        self.ids = [row.record_id for row in rows]
        self.size = len(rows)
        folded = Codes()
        self.given_text = np.array([normalise.fold(r.given_name) for r in rows], dtype=object)
        self.family_text = np.array([normalise.fold(r.family_name) for r in rows], dtype=object)
        self.father_text = np.array([normalise.father(r.patronymic) for r in rows], dtype=object)
        self.place_text = np.array([normalise.place(r.place) for r in rows], dtype=object)
        self.given = folded(self.given_text)
        self.family = folded(self.family_text)
        self.father = folded(self.father_text)
        self.place = Codes()(self.place_text)
        keys = Codes()
        self.given_key = keys(normalise.key(r.given_name) for r in rows)
        self.family_key = keys(normalise.key(r.family_name) for r in rows)
        self.father_key = keys(normalise.key(names.patronymic_stem(r.patronymic)) for r in rows)
        self.year = np.array([r.birth.year for r in rows], dtype=np.int32)
        self.month = np.array([r.birth.month for r in rows], dtype=np.int32)
        self.day = np.array([r.birth.day for r in rows], dtype=np.int32)
        self.sex = np.array([{"F": 1, "M": 2}.get(r.sex, 0) for r in rows], dtype=np.int8)
        contacts = Codes()
        self.phone = contacts(r.phone for r in rows)
        self.document = contacts(r.document for r in rows)
        self.registration = Codes()(r.registration for r in rows)
        self.household = Codes()(r.household for r in rows)


def compare(records: Records, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """The level of every field for the pairs (a[i], b[i])."""
    levels = {field: name_levels(records, field, a, b) for field in NAME_FIELDS}
    _swapped_names(records, a, b, levels)
    levels["birth"] = birth_levels(records, a, b)
    levels["sex"] = _exact_levels(records.sex, a, b)
    levels["place"] = place_levels(records, a, b)
    levels["phone"] = _exact_levels(records.phone, a, b)
    levels["document"] = _exact_levels(records.document, a, b)
    levels["family_evidence"] = np.full(len(a), NULL, dtype=np.int8)
    return levels


def name_levels(records: Records, field: str, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    codes = getattr(records, field)
    keys = getattr(records, f"{field}_key")
    texts = getattr(records, f"{field}_text")
    ca, cb = codes[a], codes[b]
    level = np.full(len(a), NULL, dtype=np.int8)
    present = (ca > 0) & (cb > 0)
    level[present] = 0
    level[present & (ca == cb)] = 3
    differ = np.flatnonzero(present & (ca != cb))
    if len(differ):
        similarity = similarities(texts[a[differ]], texts[b[differ]])
        same_key = keys[a[differ]] == keys[b[differ]]
        level[differ] = np.where((similarity >= CLOSE) | same_key, 2,
                                 np.where(similarity >= SIMILAR, 1, 0))
    return level


def similarities(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Jaro-Winkler of each pair of strings, computed once per distinct pair."""
    pairs: dict[tuple[str, str], int] = {}
    slots = np.fromiter((pairs.setdefault((x, y), len(pairs)) for x, y in zip(left, right,
                                                                              strict=True)),
                        dtype=np.int64, count=len(left))
    distinct = list(pairs)
    scores = process.cpdist([p[0] for p in distinct], [p[1] for p in distinct],
                            scorer=JaroWinkler.normalized_similarity, workers=-1)
    return np.asarray(scores)[slots]


def _swapped_names(records: Records, a, b, levels: dict) -> None:
    """A given name typed as the family name and the other way round is the same name."""
    swapped = ((records.given[a] == records.family[b]) & (records.family[a] == records.given[b])
               & (records.given[a] > 0) & (records.family[a] > 0)
               & (records.given[a] != records.family[a]))
    levels["given"][swapped] = 3
    levels["family"][swapped] = 3


def birth_levels(records: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """5 same day; 4 agree as far as both are known; 3 day and month swapped; 2 one part
    off (a year either way, or the month or the day); 1 within two years; 0 further apart."""
    ya, yb = records.year[a], records.year[b]
    ma, mb = records.month[a], records.month[b]
    da, db = records.day[a], records.day[b]
    full = (da > 0) & (db > 0) & (ma > 0) & (mb > 0)
    months_agree = (ma == mb) | (ma == 0) | (mb == 0)
    days_agree = (da == db) | (da == 0) | (db == 0)
    years_apart = np.abs(ya - yb)
    level = np.where(years_apart <= 2, 1, 0).astype(np.int8)
    one_part_off = (((years_apart == 1) & months_agree & days_agree)
                    | ((years_apart == 0) & ((ma == mb) | (da == db))))
    level[one_part_off] = 2
    level[full & (ya == yb) & (da == mb) & (ma == db) & (da != ma)] = 3
    level[(years_apart == 0) & months_agree & days_agree] = 4
    level[full & (ya == yb) & (ma == mb) & (da == db)] = 5
    level[(ya == 0) | (yb == 0)] = NULL
    return level


def place_levels(records: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ca, cb = records.place[a], records.place[b]
    level = np.full(len(a), NULL, dtype=np.int8)
    present = (ca > 0) & (cb > 0)
    level[present] = 0
    level[present & (ca == cb)] = 3
    differ = np.flatnonzero(present & (ca != cb))
    if len(differ):
        texts = records.place_text
        score = np.asarray(process.cpdist(list(texts[a[differ]]), list(texts[b[differ]]),
                                          scorer=token_sort_ratio, workers=-1)) / 100
        level[differ] = np.where(score >= 0.9, 2, np.where(score >= 0.7, 1, 0))
    return level


def _exact_levels(codes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ca, cb = codes[a], codes[b]
    return np.where((ca > 0) & (cb > 0), (ca == cb).astype(np.int8), NULL).astype(np.int8)


def personal_disagreement(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Pairs whose given names, birth dates or fathers say they are two people: relatives
    look like this, sharing surname, address and household (siblings a father too)."""
    return (levels["given"] == 0) | (levels["birth"] == 0) | (levels["father"] == 0)
