"""A Fellegi–Sunter model: for each field and level, how often it occurs among pairs
that are the same person (m) and among pairs that are not (u).

The weight of a level is log2(m/u). u is measured on random pairs of the registry,
where almost every pair is two different people; m and the share of matches among
candidate pairs are estimated by expectation–maximisation on the candidate pairs, so
the weights come from the registry's own data. One rule sits above the arithmetic:
evidence that relatives share (surname, father's name, address, phone, household) may
not outweigh a given name or a birth date that disagree.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from refuge.matching.comparison import (
    FIELDS,
    LEVELS,
    NULL,
    SHARED_BY_FAMILY,
    personal_disagreement,
)

SMOOTHING = 1.0
MIN_PRIOR, MAX_PRIOR = 1e-7, 0.5
# From this many pairs on, they are weighed by their patterns of levels.
MANY_PAIRS = 100_000

# Where EM starts from, and the m of a registry too small to estimate its own.
START_M = {
    "given": [0.005, 0.03, 0.12, 0.545, 0.3],
    "family": [0.03, 0.05, 0.12, 0.50, 0.3],
    "father": [0.03, 0.05, 0.12, 0.50, 0.3],
    "birth": [0.01, 0.04, 0.10, 0.03, 0.22, 0.60],
    "sex": [0.02, 0.98],
    "place": [0.06, 0.02, 0.04, 0.05, 0.05, 0.10, 0.68],
    "phone": [0.30, 0.70],
    "document": [0.05, 0.95],
    "family_evidence": [0.30, 0.30, 0.40],
}
# The u of a typical registry (Armenian and Russian names, a week's arrivals); each
# `refuge dedupe` replaces it with the u measured on the registry itself.
START_U = {
    "given": [0.975, 0.015, 0.005, 0.0049, 0.0001],
    "family": [0.990, 0.006, 0.002, 0.00195, 0.00005],
    "father": [0.975, 0.015, 0.005, 0.0049, 0.0001],
    "birth": [0.93, 0.06, 0.006, 0.00005, 0.002, 0.00005],
    "sex": [0.5, 0.5],
    "place": [0.78, 0.015, 0.005, 0.001, 0.05, 0.05, 0.099],
    "phone": [0.99999, 0.00001],
    "document": [0.999999, 0.000001],
    "family_evidence": [0.98, 0.015, 0.005],
}


def _copy(table: dict[str, list[float]]) -> dict[str, list[float]]:
    return {name: list(values) for name, values in table.items()}


@dataclass
class Model:
    prior: float = 0.01
    m: dict[str, list[float]] = field(default_factory=lambda: _copy(START_M))
    u: dict[str, list[float]] = field(default_factory=lambda: _copy(START_U))
    # The relatives rule needs family structure to stand on: a flat file of single
    # records (no household holds two people, no father's names) has no relatives to
    # tell apart, and there the learned weights decide alone.
    relatives_rule: bool = True
    # How common names and place words are in the registry (`comparison.Frequencies`).
    frequencies: dict | None = None

    def weights(self) -> dict[str, np.ndarray]:
        return {f: np.log2(np.asarray(self.m[f]) / np.asarray(self.u[f])) for f in FIELDS}

    def match_weight(self, levels: dict[str, np.ndarray]) -> np.ndarray:
        """log2 of the odds that each pair is one person."""
        weights = self.weights()
        size = len(levels[FIELDS[0]])
        total = np.full(size, math.log2(self.prior / (1 - self.prior)))
        for name in FIELDS:
            level = levels[name]
            present = level != NULL
            weight = np.where(present, weights[name][np.where(present, level, 0)], 0.0)
            if self.relatives_rule:
                weight = np.where(discounted(name, levels), np.minimum(weight, 0.0), weight)
            total += weight
        return total

    def probability(self, levels: dict[str, np.ndarray]) -> np.ndarray:
        if len(levels[FIELDS[0]]) < MANY_PAIRS:
            return probability_of(self.match_weight(levels))
        # Ten million pairs show a few thousand patterns of levels: weigh each pattern
        # once (2 s to 0.3 s at a million people).
        patterns, _counts, pattern_of = _patterns(levels)
        return probability_of(self.match_weight(patterns))[pattern_of]

    def evidence(self, levels: dict[str, int]) -> list[dict]:
        """Per field: its level and the weight it adds, as a reviewer reads them."""
        weights = self.weights()
        as_arrays = {name: np.array([levels[name]]) for name in FIELDS}
        rows = []
        for name in FIELDS:
            level = int(levels[name])
            if level == NULL:
                continue
            weight = float(weights[name][level])
            ignored = (self.relatives_rule and bool(discounted(name, as_arrays)[0])
                       and weight > 0)
            rows.append({"field": name, "level": level,
                         "weight": 0.0 if ignored else round(weight, 1),
                         "discounted": ignored})
        return rows

    def as_dict(self) -> dict:
        return {"prior": self.prior, "m": self.m, "u": self.u,
                "relatives_rule": self.relatives_rule, "frequencies": self.frequencies}

    @classmethod
    def from_dict(cls, stored: dict) -> "Model":
        model = cls()
        model.prior = float(stored["prior"])
        model.relatives_rule = bool(stored.get("relatives_rule", True))
        model.frequencies = stored.get("frequencies")
        for name in FIELDS:  # a field added or changed since keeps its start values
            m, u = stored["m"].get(name, []), stored["u"].get(name, [])
            if len(m) == len(u) == LEVELS[name]:
                model.m[name], model.u[name] = list(m), list(u)
        return model


def discounted(name: str, levels: dict[str, np.ndarray]) -> np.ndarray | bool:
    """Where a field's agreement may not count for a match: what relatives share, once
    the given name, birth date or father says two people; and a shared birth date once
    the given names differ, since twins share one."""
    if name in SHARED_BY_FAMILY:
        return personal_disagreement(levels)
    if name == "birth":
        return levels["given"] == 0
    return np.zeros(len(levels[name]), dtype=bool)


def probability_of(match_weight: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-np.clip(match_weight, -60, 60)))


def level_frequencies(levels: np.ndarray, count: int, weights: np.ndarray | None = None,
                      ) -> list[float]:
    """Smoothed frequency of each level, ignoring NULL."""
    present = levels != NULL
    if weights is None:
        weights = np.ones(len(levels))
    totals = np.bincount(levels[present], weights=weights[present], minlength=count)[:count]
    return list((totals + SMOOTHING) / (totals.sum() + SMOOTHING * count))


def estimate(levels: dict[str, np.ndarray], start: Model, *, learn_m: tuple[str, ...] = FIELDS,
             learn_u: tuple[str, ...] = (), population: float | None = None,
             iterations: int = 40) -> Model:
    """Expectation–maximisation of the prior, of m for `learn_m` and of u for `learn_u`.

    Fields left out keep their weights: a training session blocked on a field cannot
    learn that field's m, since every pair it sees agrees on it.
    `population` is how many pairs the candidates were drawn from (every pair of the
    registry): the prior is then the share of matches among all of them, the prior u
    measured on random pairs belongs to, and pairs outside the candidates count as
    non-matches. Without it the prior is the share among the pairs given.
    The candidate pairs collapse into patterns of levels first, so each iteration
    costs as much for a million pairs as for a thousand.
    """
    if len(levels[FIELDS[0]]) == 0:
        return start
    patterns, counts, _pattern_of = _patterns(levels)
    model = Model(prior=start.prior, m=_copy(start.m), u=_copy(start.u),
                  relatives_rule=start.relatives_rule, frequencies=start.frequencies)
    for _step in range(iterations):
        posterior = model.probability(patterns)
        matched = counts * posterior
        prior = float(np.clip(matched.sum() / (population or counts.sum()), MIN_PRIOR,
                              MAX_PRIOR))
        for name in learn_m:
            model.m[name] = level_frequencies(patterns[name], LEVELS[name], matched)
        for name in learn_u:
            model.u[name] = level_frequencies(patterns[name], LEVELS[name], counts - matched)
        converged = abs(prior - model.prior) < 1e-7
        model.prior = prior
        if converged:
            break
    return model


def _patterns(levels: dict[str, np.ndarray],
              ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The distinct patterns of levels among the pairs, how many pairs show each, and
    each pair's pattern. A pattern is numbered in mixed radix over the fields' levels
    (1.3 million possible numbers), so they are counted without sorting ten million."""
    code = np.zeros(len(levels[FIELDS[0]]), dtype=np.int32)  # 32 bits hold every number
    for name in FIELDS:
        code *= LEVELS[name] + 1
        code += levels[name] + 1  # NULL is -1
    seen = np.bincount(code, minlength=math.prod(LEVELS[name] + 1 for name in FIELDS))
    unique = np.flatnonzero(seen)
    number = np.zeros(len(seen), dtype=np.int32)
    number[unique] = np.arange(len(unique))
    patterns, rest = {}, unique
    for name in reversed(FIELDS):
        rest, level = np.divmod(rest, LEVELS[name] + 1)
        patterns[name] = (level - 1).astype(np.int8)
    return patterns, seen[unique].astype(np.float64), number[code]


def u_from_pairs(levels: dict[str, np.ndarray], start: Model) -> dict[str, list[float]]:
    """u measured on random pairs; a field never present there keeps its start value."""
    u = {}
    for name in FIELDS:
        present = int((levels[name] != NULL).sum())
        u[name] = (level_frequencies(levels[name], LEVELS[name]) if present
                   else list(start.u[name]))
    return u


def u_without_matches(observed: dict[str, list[float]], model: Model,
                      floor: float) -> dict[str, list[float]]:
    """u with the matches among the random pairs taken out.

    A share `prior` of random pairs are one person, so each level is seen on them at
    prior·m + (1 − prior)·u. In a registry where every person has several records,
    that share alone is as large as the u of a full agreement, and would halve its
    weight. No level falls below `floor`, what one random pair in two would show.
    """
    u = {}
    for name in FIELDS:
        seen, m = np.asarray(observed[name]), np.asarray(model.m[name])
        unmatched = np.maximum(seen - model.prior * m, floor) / (1 - model.prior)
        u[name] = list(unmatched / unmatched.sum())
    return u


def weights_moved(before: dict[str, list[float]], after: dict[str, list[float]],
                  bits: float = 0.1) -> bool:
    """Whether any level's weight moves by `bits` or more from one u to the other."""
    return any(np.abs(np.log2(np.asarray(after[name]) / np.asarray(before[name]))).max()
               >= bits for name in FIELDS)
