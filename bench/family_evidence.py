"""The weight of "no one else of the two households matches" (family evidence, level 0):
as `engine.link` learns it, as the ground truth gives it, and the scores with it at 0 bits,
without family evidence, and learned from posteriors without its own weight.

    nice -n 19 .venv/bin/python bench/family_evidence.py --records 120000 [--joined 0.3]

The cross-script set of bench/matching.py; the pairs are linked once and only their
probabilities recomputed, so the rows of the table differ in that weight alone.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
os.environ.setdefault("REFUGE_VAR_DIR", "/tmp/bench-var-matching")

from bench.matching import ROW_COLUMNS, Run, evaluate, load_set, table_row  # noqa: E402
from refuge.matching import engine  # noqa: E402
from refuge.matching import fellegi_sunter as fs  # noqa: E402
from refuge.matching.comparison import NULL  # noqa: E402

FIELD = "family_evidence"


def copy_of(model: fs.Model) -> fs.Model:
    return fs.Model(model.prior, {k: list(v) for k, v in model.m.items()},
                    {k: list(v) for k, v in model.u.items()}, model.relatives_rule)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--joined", type=float, default=0.0)
    args = parser.parse_args()
    s = load_set("crossscript", args.records, args.joined)
    rows = engine.rows_from_dicts([{k: r[k] for k in ROW_COLUMNS} for r in s.rows])
    started = time.monotonic()
    linkage = engine.link(rows)
    model, levels = linkage.model, linkage.levels
    level = levels[FIELD]
    same = s.entity[linkage.a] == s.entity[linkage.b]
    present = level != NULL
    true_m = np.bincount(level[present & same], minlength=3) / max((present & same).sum(), 1)
    true_u = np.bincount(level[present & ~same], minlength=3) / max((present & ~same).sum(), 1)
    at_zero = int((same & (level == 0)).sum())
    print(f"{len(s.rows):,} records, joined {args.joined}, linked in "
          f"{time.monotonic() - started:.1f} s; true pairs at level 0: {at_zero}")
    print("weights of levels 0, 1, 2 learned:", np.round(model.weights()[FIELD], 2),
          "true:", np.round(np.log2(true_m / true_u), 2))
    flat = copy_of(model)
    flat.m[FIELD][0] = flat.u[FIELD][0]
    without = dict(levels)
    without[FIELD] = np.full(len(level), NULL, np.int8)
    before = model.probability(without)  # the other fields' judgement alone
    leave_out = copy_of(model)
    leave_out.m[FIELD] = fs.level_frequencies(level, 3, before)
    leave_out.u[FIELD] = fs.level_frequencies(level, 3, 1 - before)
    print("learned without its own weight:", np.round(leave_out.weights()[FIELD], 2))
    for name, probability in [("learned (shipped)", linkage.probability),
                              ("level 0 at 0 bits", flat.probability(levels)),
                              ("no family evidence", before),
                              ("learned without its own weight", leave_out.probability(levels))]:
        run = Run("refuge", 0, 0, 0, linkage.a.astype(np.int64), linkage.b.astype(np.int64),
                  probability)
        print(f"{name}: {table_row(evaluate(run, s, engine.SHIPPED_THRESHOLD))}")


if __name__ == "__main__":
    main()
