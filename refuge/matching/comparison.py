"""Compare records field by field, many pairs at once, into levels of agreement.

A level is a small integer: 0 is "different", higher is closer agreement, and NULL
(-1) means one side is missing, which is no evidence either way. The model turns
each level into a weight; the reviewer sees the levels in words.
"""

import itertools
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from refuge.lib import arrays, names
from refuge.matching import normalise
from refuge.matching.normalise import BirthParts

NULL = -1
NAME_FIELDS = ("given", "family", "father")
FIELDS = ("given", "family", "father", "birth", "sex", "place", "phone", "document",
          "family_evidence")
# How many levels each field has, beside NULL.
LEVELS = {"given": 5, "family": 5, "father": 5, "birth": 6, "sex": 2, "place": 7,
          "phone": 2, "document": 2, "family_evidence": 3}
# Relatives share these, so they say "same family", not "same person". They may only
# count for a match when the person's own given name and birth date do not disagree.
SHARED_BY_FAMILY = ("family", "father", "place", "phone", "family_evidence")
# Below these similarities (Jaro-Winkler on folded Latin) two names are different names.
CLOSE, SIMILAR = 0.92, 0.80
# A name held by at least this share of the registry is common: the same common name says
# less than the same rare one (Fellegi–Sunter's term frequencies, in two levels).
COMMON = 0.001
# Place words kept in a stored model with their counts; rarer ones count as held once.
KEPT_WORDS = 100_000
WORD_PAIRS_AT_ONCE = 100_000
FEW_VALUES = 5_000
# From this many pairs on, fields are compared side by side on threads (the desk's few
# hundred are quicker on one).
SIDE_BY_SIDE = 100_000


class RecordRow(NamedTuple):
    """One person as matching sees them. `registration` is shared by the people entered
    together in one household registration; `household` is where they live now. A tuple:
    a million of them are built on every `refuge dedupe`, and a frozen dataclass took
    three times as long."""

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


class RecordColumns(NamedTuple):
    """The fields of many RecordRows, one list per field: the whole registry is read
    straight into these, without a tuple per person."""

    record_id: list
    registration: list
    household: list
    given_name: list
    family_name: list
    patronymic: list
    sex: list
    birth: list
    place: list
    phone: list
    document: list

    @classmethod
    def of(cls, rows: "list[RecordRow] | RecordColumns") -> "RecordColumns":
        if isinstance(rows, RecordColumns):
            return rows
        if not rows:
            return cls(*([] for _ in cls._fields))
        return cls(*(list(column) for column in zip(*rows, strict=True)))


class Codes:
    """Small integer codes for values, 0 for "missing", shared by every column it codes."""

    def __init__(self):
        self.index: dict = {"": 0}

    def __call__(self, values: Iterable) -> np.ndarray:
        """The codes of the values. A value seen first gets its position as a provisional
        code, all in C (`map`), and the new ones are then numbered densely: a generator
        calling setdefault cost a million-person registry two of its seconds."""
        index = self.index
        values = values if isinstance(values, list | tuple) else list(values)
        if len(values) < FEW_VALUES:  # the desk's few hundred: numbering as they come is quicker
            return np.fromiter((index.setdefault(v, len(index)) for v in values),
                               dtype=np.int64, count=len(values))
        start = len(index)
        codes = np.fromiter(map(index.setdefault, values, itertools.count(start)),
                            dtype=np.int64, count=len(values))
        if len(index) > start:
            new = list(itertools.islice(index, start, None))
            provisional = np.array([index[value] for value in new], dtype=np.int64)
            index.update(zip(new, range(start, len(index)), strict=True))
            fresh = codes >= start
            codes[fresh] = np.searchsorted(provisional, codes[fresh]) + start
        return codes

    def values(self) -> np.ndarray:
        """The value of each code, by code."""
        return np.array(list(self.index), dtype=object)


@dataclass(frozen=True)
class Frequencies:
    """How common names and place words are in the whole registry. `refuge dedupe`
    measures them and keeps them with the model, so the desk, which compares a few
    hundred records, weighs a shared name or word as the registry-wide run did."""

    size: int
    common_names: dict[str, frozenset[str]]  # per name field, folded
    word_counts: dict[str, int]  # folded place words held by two people or more

    @classmethod
    def of(cls, records: "Records") -> "Frequencies":
        common = {field: frozenset(records.folded_text[getattr(records, f"{field}_common")])
                  for field in NAME_FIELDS}
        counts = records.word_counts
        kept = np.flatnonzero(counts >= 2)
        kept = kept[np.argsort(-counts[kept], kind="stable")[:KEPT_WORDS]]
        return cls(records.population, common,
                   dict(zip(records.word_text[kept].tolist(), counts[kept].tolist(),
                            strict=True)))

    def as_dict(self) -> dict:
        return {"size": self.size,
                "common_names": {f: sorted(v) for f, v in self.common_names.items()},
                "word_counts": self.word_counts}

    @classmethod
    def from_dict(cls, stored: dict | None) -> "Frequencies | None":
        if not stored:
            return None
        return cls(int(stored["size"]),
                   {f: frozenset(stored["common_names"].get(f, ())) for f in NAME_FIELDS},
                   dict(stored["word_counts"]))


class Records:
    """Columns of derived forms for many people, indexed by position. Texts are held once
    per distinct value (`folded_text`, `place_text`), and the columns hold their codes.
    Each distinct name is normalised once, however many people share it.

    How common a name or a place word is comes from `frequencies` (the registry's, kept
    with the model) or, without them, from these records themselves."""

    def __init__(self, rows: list[RecordRow] | RecordColumns,
                 frequencies: Frequencies | None = None):
        columns = RecordColumns.of(rows)
        self.ids = columns.record_id
        self.size = len(self.ids)
        self.population = frequencies.size if frequencies else self.size
        typed = Codes()  # names as typed
        given, family = typed(columns.given_name), typed(columns.family_name)
        patronymics = Codes()
        patronymic = patronymics(columns.patronymic)
        stems = Codes()  # fathers' names, from the patronymics
        father = stems(names.patronymic_stem(p) for p in patronymics.values())[patronymic]
        typed_names, father_names = typed.values(), stems.values()
        folded = Codes()
        name_fold = folded(normalise.fold(n) for n in typed_names)
        name_fold_h = folded(normalise.fold_h(n) for n in typed_names)
        father_fold = folded(normalise.fold(n) for n in father_names)
        father_fold_h = folded(normalise.fold_h(n) for n in father_names)
        self.folded_text = folded.values()
        self.initials = np.array([ord(text[0]) if text else 0 for text in self.folded_text])
        self.folded_lengths = np.array([len(text) for text in self.folded_text])
        self.given, self.family = name_fold[given], name_fold[family]
        self.father = father_fold[father]
        for field in NAME_FIELDS:
            setattr(self, f"{field}_common", self._common(field, frequencies))
        # The same with a Russian г read as h: equal to the above for most names.
        self.given_h, self.family_h = name_fold_h[given], name_fold_h[family]
        self.father_h = father_fold_h[father]
        keys = Codes()
        name_key, father_key = (keys(normalise.variant_key(n) for n in typed_names),
                                keys(normalise.variant_key(n) for n in father_names))
        name_key_h, father_key_h = (keys(normalise.variant_key_h(n) for n in typed_names),
                                    keys(normalise.variant_key_h(n) for n in father_names))
        self.given_key, self.family_key = name_key[given], name_key[family]
        self.father_key = father_key[father]
        self.key_text = keys.values()  # each key's text, by code, for blocking's edits
        # Keys of the h reading, 0 where it is the same key.
        self.given_h_key = self._other(self.given_key, name_key_h[given])
        self.family_h_key = self._other(self.family_key, name_key_h[family])
        self.father_h_key = self._other(self.father_key, father_key_h[father])
        # The key in the h reading, where there is one, else the key.
        for field in NAME_FIELDS:
            keys, h_keys = getattr(self, f"{field}_key"), getattr(self, f"{field}_h_key")
            setattr(self, f"{field}_read_key", np.where(h_keys > 0, h_keys, keys))
        # Comparing ten million pairs gathers these codes again and again: 32 bits halve
        # the memory that holds (codes are far fewer than 2**31; arithmetic on them
        # widens first, as `engine._combine` and `distinct_pairs` do).
        for field in NAME_FIELDS:
            for form in ("", "_h", "_key", "_h_key", "_read_key"):
                name = f"{field}{form}"
                setattr(self, name, getattr(self, name).astype(np.int32))
        typed_places = Codes()
        place = typed_places(columns.place)
        places = Codes()
        self.place = places(normalise.place(p) for p in typed_places.values())[place]
        self.place_text = places.values()
        # The distinct words of every place: of place p, place_words[starts[p]:][:counts[p]].
        word_codes = Codes()
        words_of = [word_codes(dict.fromkeys(text.split())) for text in self.place_text]
        word_counts = np.array([len(w) for w in words_of], dtype=np.int64)
        self.place_word_starts = np.cumsum(word_counts) - word_counts
        self.place_word_counts = word_counts
        self.place_words = np.concatenate([np.empty(0, np.int64), *words_of])
        # Every word of every record's place, for blocking: whose word each is, and the word.
        self.place_word_of = np.repeat(np.arange(self.size), word_counts[self.place])
        self.place_word = self.place_words[
            arrays.ranges(self.place_word_starts[self.place], word_counts[self.place])]
        # How much a word says: log2 of one over the share of people whose place holds it.
        # A postcode or a hamlet says much more than "street" or the region everyone is from.
        self.word_text = word_codes.values()
        self.word_counts = np.bincount(self.place_word, minlength=len(self.word_text))
        holders = self.word_counts
        if frequencies:  # the rows at hand may hold a word the registry had only once
            holders = np.maximum(holders, [frequencies.word_counts.get(w, 0)
                                           for w in self.word_text])
        self.word_bits = np.log2(self.population / np.maximum(holders, 1))
        dates = Codes()  # a registry holds some tens of thousands of distinct dates
        birth = dates(columns.birth)
        parts = [(0, 0, 0)] + [(b.year, b.month, b.day) for b in dates.values()[1:]]
        births = np.array(parts, dtype=np.int32).reshape(-1, 3)[birth]
        self.year, self.month, self.day = births[:, 0], births[:, 1], births[:, 2]
        sexes = Codes()
        sex = sexes(columns.sex)
        self.sex = np.array([{"F": 1, "M": 2}.get(v, 0) for v in sexes.values()],
                            dtype=np.int8)[sex]
        contacts = Codes()
        self.phone = contacts(columns.phone)
        self.document = contacts(columns.document)
        self.registration = Codes()(columns.registration).astype(np.int32)
        self.household = Codes()(columns.household).astype(np.int32)

    def _common(self, field: str, frequencies: Frequencies | None) -> np.ndarray:
        """By folded name code: whether the name is common in this field."""
        if frequencies:
            common = frequencies.common_names[field]
            return np.array([text in common for text in self.folded_text], dtype=bool)
        counts = np.bincount(getattr(self, field), minlength=len(self.folded_text))
        counts[0] = 0  # no name
        return counts >= max(self.size * COMMON, 3)

    @staticmethod
    def _other(first: np.ndarray, second: np.ndarray) -> np.ndarray:
        return np.where(second != first, second, 0)

    def pair_count(self) -> float:
        """Pairs of people from different registrations: the pairs that could match."""
        sizes = np.bincount(self.registration).astype(np.float64)
        return self.size * (self.size - 1) / 2 - float((sizes * (sizes - 1) / 2).sum())

    def has_family_structure(self) -> bool:
        """Whether relatives can be told apart here: some registration holds two people,
        or fathers' names are recorded."""
        return bool((np.bincount(self.registration) > 1).any() or (self.father > 0).any())


def side_by_side(steps: list[Callable[[], object]], size: int) -> list:
    """What each step returns, in order; for `size` of SIDE_BY_SIDE or more (pairs or
    people), the steps run on two threads: numpy and rapidfuzz let go of the
    interpreter while they work through millions of values."""
    if size < SIDE_BY_SIDE:
        return [step() for step in steps]
    # Two at a time even on more cores: each step holds hundreds of megabytes at a million.
    with ThreadPoolExecutor(min(2, os.cpu_count() or 1)) as pool:
        return list(pool.map(lambda step: step(), steps))


# Pairs compared in one go: their temporary arrays take about 100 bytes a pair, so the
# thirteen million pairs of a million people are compared a few million at a time.
COMPARED_AT_ONCE = 4_000_000


def compare(records: Records, a: np.ndarray, b: np.ndarray) -> dict[str, np.ndarray]:
    """The level of every field for the pairs (a[i], b[i]): the names on one thread, the
    other fields beside them on another (each name at once would hold too much memory:
    half a gigabyte for ten million pairs)."""
    def names() -> dict[str, np.ndarray]:
        return {field: name_levels(records, field, a, b) for field in NAME_FIELDS}

    def others() -> dict[str, np.ndarray]:
        return {"birth": birth_levels(records, a, b),
                "sex": _exact_levels(records.sex, a, b),
                "place": place_levels(records, a, b),
                "phone": _exact_levels(records.phone, a, b),
                "document": _exact_levels(records.document, a, b)}

    if len(a) > COMPARED_AT_ONCE:
        parts = [compare(records, a[i:i + COMPARED_AT_ONCE], b[i:i + COMPARED_AT_ONCE])
                 for i in range(0, len(a), COMPARED_AT_ONCE)]
        return {field: np.concatenate([part[field] for part in parts]) for field in FIELDS}
    name_levels_found, other_levels = side_by_side([names, others], len(a))
    levels = {**name_levels_found, **other_levels}
    _swapped_names(records, a, b, levels)
    levels["family_evidence"] = np.full(len(a), NULL, dtype=np.int8)
    return {field: levels[field] for field in FIELDS}


def name_levels(records: Records, field: str, a: np.ndarray, b: np.ndarray,
                other: str | None = None) -> np.ndarray:
    """4 the same uncommon name; 3 the same common name (`Records.given_common`); 2 close
    (a typo, a variant, or the same key); 1 similar; 0 different. Compares `field` of a
    with `other` (by default the same field) of b."""
    other = other or field
    ca, cb = getattr(records, field)[a], getattr(records, other)[b]
    level = np.full(len(a), NULL, dtype=np.int8)
    present = (ca > 0) & (cb > 0)
    level[present] = 0
    same = np.flatnonzero(present & (ca == cb))
    name = ca[same]
    common = getattr(records, f"{field}_common")[name] | getattr(records, f"{other}_common")[name]
    level[same] = np.where(common, 3, 4)
    differ = np.flatnonzero(present & (ca != cb))
    if len(differ):
        da, db = a[differ], b[differ]
        similarity = similarities(ca[differ], cb[differ], records.folded_text)
        ha, hb = getattr(records, f"{field}_h")[da], getattr(records, f"{other}_h")[db]
        read = np.flatnonzero((ha != ca[differ]) | (hb != cb[differ]))
        if len(read):
            similarity[read] = np.maximum(similarity[read], similarities(
                ha[read], hb[read], records.folded_text))
        same_key = ((getattr(records, f"{field}_key")[da] == getattr(records, f"{other}_key")[db])
                    | (getattr(records, f"{field}_read_key")[da]
                       == getattr(records, f"{other}_read_key")[db]))
        level[differ] = np.where((similarity >= CLOSE) | same_key, 2,
                                 np.where(similarity >= SIMILAR, 1, 0))
    return level


def similarities(left: np.ndarray, right: np.ndarray, texts: np.ndarray,
                 scorer=JaroWinkler.normalized_similarity) -> np.ndarray:
    """`scorer` of the texts of each pair of codes, computed once per distinct pair."""
    first, second, inverse = distinct_pairs(left, right, len(texts))
    # Threads pay off on the registry's millions of pairs, not on the desk's few hundred.
    workers = -1 if len(first) > 20_000 else 1
    scores = process.cpdist(list(texts[first]), list(texts[second]), scorer=scorer,
                            workers=workers)
    return np.asarray(scores, dtype=np.float64)[inverse]


def distinct_pairs(left: np.ndarray, right: np.ndarray, codes: int,
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct pairs (first[j], second[j]) among the pairs of codes (left[i],
    right[i]), codes below `codes`, and for each pair given the index j of its own, so
    that what is computed once per distinct pair is spread back by `[inverse]`."""
    radix = codes + 1
    distinct, inverse = arrays.dense(left.astype(np.int64) * radix + right)
    return distinct // radix, distinct % radix, inverse.reshape(-1)


def _swapped_names(records: Records, a, b, levels: dict) -> None:
    """A given name typed in the family name's box and the other way round: where the
    names compared crosswise agree better, each at least similar and one at least close
    (typos and all), their levels stand for the names."""
    given, family = levels["given"], levels["family"]
    # Crosswise at least one close name: nearly always one starting with the same letter.
    initial = records.initials
    one_alike = ((initial[records.given[a]] == initial[records.family[b]])
                 | (initial[records.family[a]] == initial[records.given[b]]))
    loose = np.flatnonzero((np.maximum(given, family) < 3) & (np.minimum(given, family) < 2)
                           & (given != NULL) & (family != NULL) & one_alike)
    if len(loose):
        la, lb = a[loose], b[loose]
        crossed_given = _crossed(records, name_levels(records, "given", la, lb, "family"),
                                 records.given[la], records.family[lb])
        crossed_family = _crossed(records, name_levels(records, "family", la, lb, "given"),
                                  records.family[la], records.given[lb])
        better = ((np.minimum(crossed_given, crossed_family) >= 1)
                  & (np.maximum(crossed_given, crossed_family) >= 2)
                  & (crossed_given + crossed_family > given[loose] + family[loose])
                  & (records.given[la] != records.family[la]))
        given[loose[better]] = crossed_given[better]
        family[loose[better]] = crossed_family[better]


def _crossed(records: Records, level: np.ndarray, left: np.ndarray, right: np.ndarray,
             ) -> np.ndarray:
    """A given name against a surname is not close merely because the surname is made
    from it (Petros, Petrosyan; Hakob, Hakobyan): short of the same name, only names of
    about one length agree crosswise, as a typo leaves them."""
    lengths = records.folded_lengths
    apart = np.abs(lengths[left] - lengths[right]) > 2
    return np.where((level > 0) & (level < 3) & apart, 0, level).astype(np.int8)


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
    """6 the same; 5 nearly (the words of one within the other, a typo or two); 4 similar;
    then by what the words they share say (`shared_words`): 3 rare words, such as a
    hamlet, a street and its number, a postcode; 2 a word few places have; 1 only common
    words (a region, "street"); 0 nothing in common."""
    ca, cb = records.place[a], records.place[b]
    level = np.full(len(a), NULL, dtype=np.int8)
    present = (ca > 0) & (cb > 0)
    level[present] = 0
    level[present & (ca == cb)] = 6
    differ = np.flatnonzero(present & (ca != cb))
    if len(differ):
        left, right, texts = ca[differ], cb[differ], records.place_text
        score = similarities(left, right, texts, token_set_ratio)
        bits, shared = shared_words(records, left, right)
        rare = np.log2(max(records.population, 2))  # as rare as one person in the registry
        level[differ] = np.select(
            [score >= 90, score >= 70, bits >= rare, bits >= rare / 2, shared > 0],
            [5, 4, 3, 2, 1], 0)
    return level


def shared_words(records: Records, left: np.ndarray, right: np.ndarray,
                 ) -> tuple[np.ndarray, np.ndarray]:
    """For pairs of place codes, the bits (`Records.word_bits`) of the words both hold,
    and how many they are, computed once per distinct pair."""
    first, second, inverse = distinct_pairs(left, right, len(records.place_text))
    bits = np.zeros(len(first))
    count = np.zeros(len(first), dtype=np.int64)
    # In slices: a million pairs of ten-word addresses would hold twenty million words.
    for begin in range(0, len(first), WORD_PAIRS_AT_ONCE):
        part = slice(begin, begin + WORD_PAIRS_AT_ONCE)
        bits[part], count[part] = _shared(records, first[part], second[part])
    return bits[inverse], count[inverse]


def _shared(records: Records, first: np.ndarray, second: np.ndarray,
            ) -> tuple[np.ndarray, np.ndarray]:
    """Without a Python loop: each pair's words from both sides, sorted together, meet
    where the pair holds a word twice."""
    starts, counts, words = (records.place_word_starts, records.place_word_counts,
                             records.place_words)
    pairs = np.arange(len(first))
    owner = np.r_[np.repeat(pairs, counts[first]), np.repeat(pairs, counts[second])]
    word = np.r_[words[arrays.ranges(starts[first], counts[first])],
                 words[arrays.ranges(starts[second], counts[second])]]
    words_radix = len(records.word_bits) + 1
    code = np.sort(owner * words_radix + word)
    twice = code[1:][code[1:] == code[:-1]]
    owners = twice // words_radix
    bits = np.bincount(owners, weights=records.word_bits[twice % words_radix],
                       minlength=len(first))
    return bits, np.bincount(owners, minlength=len(first))


def _exact_levels(codes: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ca, cb = codes[a], codes[b]
    return np.where((ca > 0) & (cb > 0), (ca == cb).astype(np.int8), NULL).astype(np.int8)


def personal_disagreement(levels: dict[str, np.ndarray]) -> np.ndarray:
    """Pairs whose given names, birth dates or fathers say they are two people: relatives
    look like this, sharing surname, address and household (siblings a father too)."""
    return (levels["given"] == 0) | (levels["birth"] == 0) | (levels["father"] == 0)
