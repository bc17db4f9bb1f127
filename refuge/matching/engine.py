"""Find the pairs of records that may be one person, and how likely each is.

No database here: `refuge dedupe`, the import and the benchmarks all hand rows in.
1. Blocking (`blocking_rules`): pairs that share names with a birth year (or a year
   apart), a father's name, a place, a full birth date, a phone or a document become
   candidates; people entered in the same household registration do only when they are
   near-certainly one person typed twice (`clustering`): twins are the classic case.
   Every rule's pairs grow about as fast as the registry, not as its square.
2. Every candidate is compared field by field (`comparison`).
3. u is measured on random pairs, then m by EM in two training sessions, and the share of
   matches among all pairs of the registry (`model`); the matches hidden among the random
   pairs are then taken out of u, and m and that share learned again. Every candidate
   gets a probability. How common each name and place word is goes with the model, so
   the desk's check weighs them as the whole registry does.
4. Family evidence: candidates whose households hold other likely matches are scored
   again with that evidence, and the model is estimated once more.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, partial
from typing import NamedTuple

import numpy as np

from refuge.lib import arrays
from refuge.matching import fellegi_sunter as fs
from refuge.matching.clustering import (  # noqa: F401  (engine.clusters, as before)
    clusters,
    weighed_by_registration,
)
from refuge.matching.comparison import (
    FIELDS,
    NULL,
    Codes,
    Frequencies,
    RecordColumns,
    RecordRow,
    Records,
    compare,
    side_by_side,
)
from refuge.matching.normalise import birth_from_text

# A pair at or above this probability is the same person: the clusters' and household
# links' default and the figure every benchmark reports. Chosen on the evaluation sets
# (bench/matching.py, docs/benchmarks.md): F1 hardly moves between 0.4 and 0.7 on any of
# them, relatives stay below 0.5 thanks to the relatives rule, and at 0.6 every set keeps
# precision ≥ 0.99 while FEBRL3's most corrupted duplicates still count.
SHIPPED_THRESHOLD = 0.6
# Candidates below this are not worth a reviewer's time.
REVIEW_FLOOR = 0.5
# A block bigger than this (a very common name with no other key) makes pairs only
# through the finer rules.
MAX_BLOCK = 200
SMALL_BLOCK = 20
RANDOM_PAIRS = 1_000_000
TRAINING_PAIRS = 1_000_000
TRAINING_PRIOR = 0.1
# Fewer records than this say too little about themselves: the start model is used as is.
MIN_RECORDS_TO_LEARN = 1000
Progress = Callable[[str], None]


@dataclass
class Linkage:
    records: Records
    a: np.ndarray
    b: np.ndarray
    levels: dict[str, np.ndarray]
    probability: np.ndarray
    model: fs.Model

    def pairs(self, floor: float = 0.0) -> list[tuple[object, object, float]]:
        ids = self.records.ids
        keep = np.flatnonzero(self.probability >= floor)
        return [(ids[self.a[i]], ids[self.b[i]], float(self.probability[i])) for i in keep]

    def levels_of(self, index: int) -> dict[str, int]:
        return self.levels_at([index])[0]

    def levels_at(self, indices) -> list[dict[str, int]]:
        """The levels of the pairs at these indices, a dict each."""
        names = list(self.levels)
        columns = [self.levels[name][indices].tolist() for name in names]
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def rows_from_dicts(rows: Iterable[dict]) -> list[RecordRow]:
    """Rows in the import CSV's shape (record_id, household_ref, given_name, ...)."""
    return [RecordRow(
        record_id=row["record_id"], registration=row.get("household_ref") or row["record_id"],
        household=row.get("household_ref") or row["record_id"],
        given_name=row.get("given_name", ""), family_name=row.get("family_name", ""),
        patronymic=row.get("patronymic", ""), sex=(row.get("sex") or "").upper()[:1],
        birth=birth_from_text(row.get("birth_date", "")), place=row.get("place_of_origin", ""),
        phone=row.get("phone", ""), document=row.get("document", ""),
    ) for row in rows]


def find_pairs(rows: list[dict], progress: Progress | None = None) -> list[tuple]:
    """Every candidate pair of the rows, as (record_id_a, record_id_b, probability)."""
    return link(rows_from_dicts(rows), progress=progress).pairs()


def link(rows: list[RecordRow] | RecordColumns | Records, *, start: fs.Model | None = None,
         progress: Progress | None = None, seed: int = 0) -> Linkage:
    say = progress or (lambda _step: None)
    records = rows if isinstance(rows, Records) else Records(rows)
    say("blocking")
    a, b = candidate_pairs(records)
    arrays.release_freed_memory()
    say("comparing")
    levels = compare(records, a, b)
    model = start or fs.Model()
    model.relatives_rule = records.has_family_structure()
    model.frequencies = Frequencies.of(records).as_dict()
    learn = records.size >= MIN_RECORDS_TO_LEARN
    population = records.pair_count()
    if learn:
        say("estimating")
        random_levels = random_pair_levels(records, seed)
        observed = model.u = fs.u_from_pairs(random_levels, model)
        model = train(records, model, seed)
        model = fs.estimate(levels, model, learn_m=(), population=population)
        # Once the share of matches is known, the matches among the random pairs come
        # out of u, and m and that share are learned again on the better u.
        floor = 0.5 / max(len(random_levels[FIELDS[0]]), 1)
        corrected = fs.u_without_matches(observed, model, floor)
        if fs.weights_moved(observed, corrected):
            model.u = corrected
            model = train(records, model, seed)
            model = fs.estimate(levels, model, learn_m=(), population=population)
    say("family evidence")
    levels["family_evidence"] = family_evidence(records, a, b, model.probability(levels))
    if learn:
        model = fs.estimate(levels, model, learn_m=("family_evidence",),
                            learn_u=("family_evidence",), population=population)
    probability = weighed_by_registration(records.registration, a, b, model.probability(levels),
                                          levels["given"])
    return Linkage(records, a, b, levels, probability, model)


class Rule(NamedTuple):
    """Pairs that share every column, in blocks of at most `cap` people; with `anchored`,
    only pairs in which one record is anchored. `entries` (whose, value) lets a record
    hold several values, each combined with its columns."""

    name: str
    columns: tuple
    cap: int | None = None
    # Or a function that makes them: the larger ones are made only when the rule runs, so
    # that the rules' entries are not all held at once (half a gigabyte at a million).
    entries: tuple | Callable[[], tuple] | None = None
    anchored: np.ndarray | None = None

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        if self.entries is None:
            return block_pairs(_combine(*self.columns), self.cap, self.anchored)
        owner, values = self.entries() if callable(self.entries) else self.entries
        anchored = None if self.anchored is None else self.anchored[owner]
        a, b = block_pairs(_combine(values, *(c[owner] for c in self.columns)), self.cap,
                           anchored)
        a, b = owner[a], owner[b]
        differ = a != b
        return np.minimum(a, b)[differ], np.maximum(a, b)[differ]


def candidate_pairs(records: Records) -> tuple[np.ndarray, np.ndarray]:
    """The union of the blocking rules' pairs, a < b, without same-registration pairs but
    those of `same_registration_codes`."""
    def codes_of(rule: Rule) -> np.ndarray:
        a, b = rule.pairs()
        apart = records.registration[a] != records.registration[b]
        return a[apart].astype(np.int64) * records.size + b[apart]

    # Two rules at a time, each one's pairs added to the union and the rules let go
    # before the next two: every rule's pairs held at once, for one sort, took a gigabyte
    # more at a million people.
    rules = blocking_rules(records)
    found = np.zeros(0, np.int64)
    while rules:
        running, rules[:2] = rules[:2], []
        for codes in side_by_side([partial(codes_of, rule) for rule in running], records.size):
            found = arrays.union(found, codes)
        del running, codes
        arrays.release_freed_memory()
    found = arrays.union(found, same_registration_codes(records))
    kind = arrays.index_type(records.size)
    return (found // records.size).astype(kind), (found % records.size).astype(kind)


def same_registration_codes(records: Records) -> np.ndarray:
    """Pairs (as codes a * size + b, some more than once: `candidate_pairs` takes their
    union) of one registration that are near-certainly one person entered twice: the same
    given and family name keys born a year apart at most (or one without a year), the same
    given name key and full birth date, or the same document."""
    r = records
    registration, date = r.registration + 1, _full_date(r)
    names = (registration, r.given_key, r.family_key)
    found = [Rule("", (), MAX_BLOCK, _year_or_next(r, arrays.positions(r.size), *names)),
             Rule("", names, MAX_BLOCK, anchored=r.year == 0),
             Rule("", (registration, r.given_key, date), MAX_BLOCK),
             Rule("", (registration, r.document), MAX_BLOCK)]
    found = [rule.pairs() for rule in found]
    return np.concatenate([a.astype(np.int64) * r.size + b for a, b in found])


def blocking_rules(records: Records) -> list[Rule]:
    """A rule's blocks grow with the registry while the pairs in them grow with its
    square, so the looser rules keep only blocks of at most SMALL_BLOCK people: a name
    with a common birthday is too common to say much, and its pairs are found by the
    finer rules."""
    r = records
    full_date = _full_date(r)
    month = np.where(r.month > 0, r.month, 0)
    names = _combine(np.minimum(r.given_key, r.family_key),
                     np.maximum(r.given_key, r.family_key))
    everyone = arrays.positions(r.size)
    # Either name's key, also in the reading of a Russian г as h: a surname typed in the
    # given name's box, with a typo besides, or Ваган for Vahan, still meets its twin.
    name_keys = _entries(everyone, r.given_key, r.family_key, r.given_h_key, r.family_h_key)
    father_keys = _entries(everyone, r.father_key, r.father_h_key)
    # Each word of the place or address, so a misspelt street still meets its twin; with
    # either name's key, so names typed in each other's boxes meet too.
    words = (r.place_word_of, r.place_word)
    words_names = (np.r_[r.place_word_of, r.place_word_of],
                   _combine(np.r_[r.place_word, r.place_word],
                            np.r_[r.given_key[r.place_word_of], r.family_key[r.place_word_of]]))
    # Each record's year and the next, so births a year apart share one of them.
    names_years = partial(_year_or_next, r, everyone, names)
    days = np.where((r.month > 0) & (r.day > 0), r.month * 32 + r.day, 0)
    no_year = r.year == 0
    edits = cache(partial(one_edit_codes, r.key_text))  # made once, for the four edit rules
    return [
        Rule("names, a year apart at most", (), entries=names_years),
        Rule("names, father", (names, r.father_key)),
        Rule("given, father, year", (r.given_key, r.father_key, r.year)),
        Rule("family, father, year", (r.family_key, r.father_key, r.year)),
        Rule("given, place, year", (r.given_key, r.place, r.year), SMALL_BLOCK),
        Rule("family, place, year", (r.family_key, r.place, r.year), SMALL_BLOCK),
        Rule("father, place, year", (r.father_key, r.place, r.year), SMALL_BLOCK),
        # The same without the year, for the records that have none: only pairs with one
        # of them, so these stay as many as the records without a year.
        Rule("names, one without a year", (names,), MAX_BLOCK, anchored=no_year),
        Rule("given, father, one without a year", (r.given_key, r.father_key), MAX_BLOCK,
             anchored=no_year),
        Rule("family, father, one without a year", (r.family_key, r.father_key), MAX_BLOCK,
             anchored=no_year),
        # A typo in one name gives it another key: each key also meets the keys one
        # edit away (Հայրապետյն, Հայրապետյան), with the other name's key and the year
        # (a year-only date is enough).
        Rule("family one edit away, given, a year apart", (), SMALL_BLOCK,
             entries=lambda: _year_or_next(r, *_edits_with(r, edits(), r.family_key,
                                                           r.given_key))),
        # (candidate_pairs runs the rules two at a time, in this order: the first of these
        # two, the largest of all, runs beside a small one.)
        Rule("phone", (r.phone,), MAX_BLOCK),
        Rule("given one edit away, family, a year apart", (), SMALL_BLOCK,
             entries=lambda: _year_or_next(r, *_edits_with(r, edits(), r.given_key,
                                                           r.family_key))),
        # Without a birth date on one side, the same edits with the other name alone.
        Rule("family one edit away, given, one without a year", (), SMALL_BLOCK,
             entries=lambda: _edits_with(r, edits(), r.family_key, r.given_key),
             anchored=no_year),
        Rule("given one edit away, family, one without a year", (), SMALL_BLOCK,
             entries=lambda: _edits_with(r, edits(), r.given_key, r.family_key),
             anchored=no_year),
        # A year-only birth date meets a full one through a name and the year alone.
        Rule("a name, year, one without a month", (r.year,), SMALL_BLOCK, name_keys,
             anchored=(r.month == 0) & (r.year > 0)),
        Rule("document", (r.document,)),
        Rule("a name, date a year apart at most", (),
             entries=lambda: _year_or_next(r, *name_keys, days[name_keys[0]])),
        Rule("father, date a year apart at most", (),
             entries=lambda: _year_or_next(r, *father_keys, days[father_keys[0]])),
        Rule("a name, year, month, one without a day", (r.year, month), MAX_BLOCK, name_keys,
             anchored=r.day == 0),
        Rule("place word, a name", (), SMALL_BLOCK, words_names),
        Rule("place word, date", (full_date,), SMALL_BLOCK, words),
        # Two words of an address (a street and its number, a village and a postcode)
        # find records whose names and dates were all typed differently.
        Rule("two place words", (), SMALL_BLOCK, partial(place_word_pairs, r)),
    ]


def place_word_pairs(records: Records, most: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Entries (whose, code) for every two words of each record's place: one code per
    distinct pair of words. Places of more than `most` words keep their first `most`."""
    starts, counts, words = (records.place_word_starts, records.place_word_counts,
                             records.place_words)
    width = int(words.max(initial=0)) + 1
    pair_codes = [np.empty(0, np.int64)]
    for start, count in zip(starts.tolist(), np.minimum(counts, most).tolist(), strict=True):
        own = words[start:start + count]
        first, second = np.triu_indices(count, 1)
        pair_codes.append(own[first] * width + own[second])
    pair_counts = np.array([len(c) for c in pair_codes[1:]], dtype=np.int64)
    codes = arrays.dense(np.concatenate(pair_codes))[1] + 1
    pair_starts = np.cumsum(pair_counts) - pair_counts
    place = records.place
    owner = np.repeat(arrays.positions(records.size), pair_counts[place])
    return owner, codes[arrays.ranges(pair_starts[place], pair_counts[place])]


def _year_or_next(records: Records, owner: np.ndarray, *values: np.ndarray,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Entries (whose, code) of the values (one per owner) with the owner's birth year,
    and again with the year after: two records born a year apart share one code."""
    year = records.year[owner]
    next_year = np.where(year > 0, year + 1, 0)
    both = [np.r_[v, v] for v in values]
    return np.r_[owner, owner], _combine(*both, np.r_[year, next_year])


# Keys shorter than this have too few letters for one edit to say anything.
MIN_EDITED_KEY = 4


def one_edit_codes(texts) -> tuple[np.ndarray, np.ndarray]:
    """For each text (by code): its own code and the codes of every text one deletion
    from it, as (code, neighbour code) pairs. Two texts one edit apart (a letter added,
    dropped or changed) share a neighbour."""
    neighbours = Codes()
    owners, codes = [], []
    for code, text in enumerate(texts):
        if len(text) < MIN_EDITED_KEY:
            continue
        variants = list(dict.fromkeys([text, *(text[:i] + text[i + 1:]
                                                for i in range(len(text)))]))
        owners.extend([code] * len(variants))
        codes.extend(neighbours(variants).tolist())
    return np.array(owners, dtype=np.int64), np.array(codes, dtype=np.int64)


def _edits_with(records: Records, edits: tuple[np.ndarray, np.ndarray], keys: np.ndarray,
                other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Entries (whose, code) of each record's key's one-edit neighbours (`edits`, from
    `one_edit_codes`) with its other name's key."""
    key_of, neighbour = edits
    counts = np.bincount(key_of, minlength=len(records.key_text))
    starts = np.cumsum(counts) - counts
    owner = np.repeat(arrays.positions(records.size), counts[keys])
    values = neighbour[arrays.ranges(starts[keys], counts[keys])]
    present = other[owner] > 0
    return owner[present], _combine(values[present] + 1, other[owner][present])


def _entries(owner: np.ndarray, *columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(whose, value) for every non-zero value of the columns."""
    owners = np.concatenate([owner] * len(columns))
    values = np.concatenate(columns)
    present = values > 0
    return owners[present], values[present]


def train(records: Records, model: fs.Model, seed: int) -> fs.Model:
    """Estimate m in two sessions, as Splink does, with the model's u.

    EM run on name-blocked candidates alone finds "same family" as readily as "same
    person". So names are learned on pairs born the same day, where namesakes are rare,
    and birth dates on pairs with the same names, where relatives of one age are rare;
    each session leaves the fields it was blocked on alone.
    """
    rng = np.random.default_rng(seed)
    full_date = _full_date(records)
    sessions = [
        (_combine(full_date), ("birth",)),
        (_combine(records.given_key, records.family_key), ("given", "family")),
    ]
    for codes, blocked_on in sessions:
        a, b = training_pairs(records, codes, rng)
        levels = compare(records, a, b)
        for name in (*blocked_on, "family_evidence"):  # a constant says nothing here
            levels[name][:] = NULL
        learned = fs.estimate(levels, fs.Model(TRAINING_PRIOR, model.m, model.u,
                                                    model.relatives_rule),
                              learn_m=tuple(f for f in FIELDS if f not in blocked_on))
        model.m.update({f: learned.m[f] for f in FIELDS if f not in blocked_on})
    return model


def training_pairs(records: Records, codes: np.ndarray, rng) -> tuple[np.ndarray, np.ndarray]:
    """Pairs sharing a code, from a random share of the blocks, at most TRAINING_PAIRS."""
    sizes = np.bincount(codes)[codes]
    expected = float((sizes[codes > 0] - 1).sum()) / 2
    if expected > TRAINING_PAIRS:
        kept_blocks = rng.random(codes.max() + 1) < TRAINING_PAIRS / expected
        codes = np.where(kept_blocks[codes], codes, 0)
    a, b = block_pairs(codes, MAX_BLOCK)
    apart = records.registration[a] != records.registration[b]
    return a[apart], b[apart]


def _full_date(records: Records) -> np.ndarray:
    date = records.year.astype(np.int64) * 10000 + records.month * 100 + records.day
    return np.where((records.day > 0) & (records.month > 0), date, 0)


def _combine(*columns: np.ndarray) -> np.ndarray:
    """One code per distinct combination; 0 when any part is missing.

    The columns are small non-negative codes; they are combined by arithmetic (as digits
    of a mixed-radix number), renumbered densely only when the number would overflow."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    missing = np.zeros(len(columns[0]), dtype=bool)
    for column in columns:
        column = np.asarray(column, dtype=np.int64)
        missing |= column == 0
        radix = int(column.max(initial=0)) + 1
        if (int(combined.max(initial=0)) + 1) * radix >= 2**62:
            combined = arrays.dense(combined)[1]
        combined = combined * radix + column
    return np.where(missing, 0, combined + 1)


def block_pairs(codes: np.ndarray, cap: int | None, anchored: np.ndarray | None = None,
                ) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (a < b) of records sharing a non-zero code, in blocks of at most `cap`;
    with `anchored`, only the pairs in which at least one record is anchored."""
    # The entries of a rule run to tens of millions at a million people, and so do its pairs.
    kind = arrays.index_type(len(codes))
    present = np.flatnonzero(codes > 0).astype(kind)
    if anchored is None:
        order = present[arrays.argsort(codes[present])]
    else:  # within a block, anchored records first: each pairs with every record after it
        order = present[np.lexsort((~anchored[present], codes[present]))]
    del present
    sorted_codes = codes[order]
    if len(order) < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]).astype(kind)
    del sorted_codes
    sizes = np.diff(np.r_[starts, len(order)]).astype(kind)
    block_of = np.repeat(np.arange(len(starts), dtype=kind), sizes)
    usable = (sizes >= 2) if cap is None else (sizes >= 2) & (sizes <= cap)
    if anchored is not None:
        usable &= anchored[order][starts]  # a block whose first record is loose has none
    position = np.arange(len(order), dtype=kind)
    partners = np.where(usable[block_of], starts[block_of] + sizes[block_of] - 1 - position,
                        0).astype(kind)
    del block_of
    if anchored is not None:
        partners = np.where(anchored[order], partners, 0)
    a = order[np.repeat(position, partners)]
    b = order[arrays.ranges(position + 1, partners)]  # each record's partners come after it
    return np.minimum(a, b), np.maximum(a, b)


def random_pair_levels(records: Records, seed: int) -> dict[str, np.ndarray]:
    """Levels on random pairs of different registrations: nearly all are two people."""
    rng = np.random.default_rng(seed)
    count = min(RANDOM_PAIRS, records.size * (records.size - 1) // 2)
    a = rng.integers(0, records.size, count)
    b = rng.integers(0, records.size, count)
    apart = records.registration[a] != records.registration[b]
    return compare(records, a[apart], b[apart])


def family_evidence(records: Records, a: np.ndarray, b: np.ndarray,
                    probability: np.ndarray) -> np.ndarray:
    """How many other people of the two households also look like one another: 0, 1, 2+.

    NULL when either household has no one else, since there is nothing to compare.
    """
    # At a million people this runs over fifteen million pairs: each temporary array is let
    # go once used, and counts are kept in 32 bits.
    household_a, household_b = records.household[a], records.household[b]
    same = household_a == household_b
    sizes = np.bincount(records.household, minlength=records.household.max() + 1)
    alone = (sizes[household_a] < 2) | (sizes[household_b] < 2)
    pair_code = np.minimum(household_a, household_b).astype(np.int64)
    pair_code *= int(records.household.max()) + 1
    pair_code += np.maximum(household_a, household_b)
    del household_a, household_b, sizes
    likely = (probability >= REVIEW_FLOOR) & ~same
    codes, counts = arrays.counted(pair_code[likely])
    level = np.zeros(len(a), dtype=np.int8)
    if len(codes):
        index = np.searchsorted(codes, pair_code).clip(0, len(codes) - 1)
        others = counts.astype(np.int32)[index]
        others[codes[index] != pair_code] = 0
        del index, pair_code
        others -= likely
        level = np.minimum(others, 2).astype(np.int8)
    level[alone | same] = NULL
    return level
