"""Are the probabilities the desk shows calibrated? Pairs shown at 90 % should be one
person about 90 % of the time.

    .venv/bin/python bench/calibration.py                     # the cross-script set, 20,000
    .venv/bin/python bench/calibration.py --records 120000

The cross-script set of bench/families.py (every second registration in another script,
names, dates and places only) goes through `engine.link`, as `refuge dedupe` runs it, and
every pair the desk would show (at or above the review floor, with the desk's rule for
names alone, `queries.shown_probability`) is put in a bin by the probability shown. Per
bin: the mean probability shown, the share of pairs that are truly one person, and how
many pairs. Printed as a Markdown table for docs/benchmarks.md.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.stdout.reconfigure(line_buffering=True)

BINS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001)


def calibration_rows(shown: np.ndarray, true: np.ndarray) -> list[tuple]:
    """(low, high, mean shown, observed precision, pairs) per bin of the shown probability."""
    rows = []
    for low, high in zip(BINS, BINS[1:], strict=False):
        inside = (shown >= low) & (shown < high)
        count = int(inside.sum())
        if count:
            rows.append((low, min(high, 1.0), float(shown[inside].mean()),
                         float(true[inside].mean()), count))
    return rows


def print_table(label: str, rows: list[tuple]) -> None:
    print(f"\n{label}\n")
    print("| shown probability | mean shown | observed precision | pairs |")
    print("|---|---|---|---|")
    for low, high, mean, precision, count in rows:
        print(f"| {low:.0%}–{high:.0%} | {mean:.3f} | {precision:.3f} | {count:,} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args()
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    import django

    django.setup()
    from families import registry

    from refuge.matching import engine, queries

    started = time.monotonic()
    rows = registry(args.records, seed=args.seed, cross_script=True)
    entity = np.array([int(r.pop("entity_id")) for r in rows])
    for r in rows:
        r.pop("family_id"), r.pop("relation")
    print(f"== cross-script set: {len(rows):,} records (made in "
          f"{time.monotonic() - started:.1f} s)")
    started = time.monotonic()
    linkage = engine.link(engine.rows_from_dicts(rows))
    print(f"== engine.link: {len(linkage.a):,} candidate pairs in "
          f"{time.monotonic() - started:.1f} s")
    true = entity[linkage.a] == entity[linkage.b]
    raw = linkage.probability
    shown = queries.shown_probability(linkage.model.match_weight(linkage.levels),
                                      linkage.levels)
    print_table(f"Model probability as estimated, pairs ≥ {engine.REVIEW_FLOOR:.0%} "
                f"({args.records:,} records)",
                calibration_rows(np.where(raw >= engine.REVIEW_FLOOR, raw, 0), true))
    print_table(f"Shown at the desk (`queries.shown_probability`), pairs ≥ "
                f"{engine.REVIEW_FLOOR:.0%} ({args.records:,} records)",
                calibration_rows(np.where(shown >= engine.REVIEW_FLOOR, shown, 0), true))


if __name__ == "__main__":
    main()
