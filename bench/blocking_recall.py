"""Blocking recall on the cross-script set: the share of true pairs (one person, two
registrations) that the blocking rules make candidates, and how many candidates they make.

    .venv/bin/python bench/blocking_recall.py --records 120000
    .venv/bin/python bench/blocking_recall.py --records 1000000
"""

import argparse
import time

import numpy as np
from matching import ROW_COLUMNS, pairs_within, synthetic_set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=120_000)
    args = parser.parse_args()
    from refuge.matching.comparison import Records
    from refuge.matching.engine import candidate_pairs, rows_from_dicts

    s = synthetic_set("crossscript", args.records)
    records = Records(rows_from_dicts([{k: r[k] for k in ROW_COLUMNS} for r in s.rows]))
    started = time.process_time()
    a, b = candidate_pairs(records)
    seconds = time.process_time() - started
    # True pairs across registrations (candidate_pairs never pairs one registration).
    registration = records.registration
    same = (s.entity[a] == s.entity[b]) & (registration[a] != registration[b])
    found = int(same.sum())
    groups = s.entity.astype(np.int64) * (int(registration.max()) + 1) + registration
    actual = pairs_within(s.entity) - pairs_within(groups)
    print(f"== cross-script, {args.records:,} records: {len(a):,} candidates in {seconds:.1f} s "
          f"CPU; blocking recall {found:,} of {actual:,} true pairs across registrations "
          f"({found / max(actual, 1):.4f})")


if __name__ == "__main__":
    main()
