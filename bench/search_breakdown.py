"""Where POST /api/search spends its time, and what two fixes outside refuge/ would save.

    .venv/bin/python bench/search_breakdown.py --db sqlite
    .venv/bin/python bench/search_breakdown.py --db postgres

Uses the search benchmark's database (load it with bench/search.py --load). For names,
it times queries.search() and then, separately, what the API does with the result:
person_out() for each person (one documents query each) against the same with the
documents prefetched, and the audit rows. For two-word names it compares
queries._by_name() with the same words reordered, the longest (rarest) key first.
"""

import argparse
import os
import time

import common
import search


def timed(fn, *args):
    started = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - started


def by_name_longest_first(text: str, limit: int = 50) -> list:
    """queries._by_name() with the words reordered, longest key first: no extra query."""
    from refuge.lib import names
    from refuge.registry.queries import _by_name

    words = sorted(names.WORD.findall(text), key=lambda w: len(names.search_key(w)),
                   reverse=True)
    return _by_name(" ".join(words), limit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--per-kind", type=int, default=40)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--data", default="search", help="as for search.py")
    args = parser.parse_args()
    os.environ.update(common.db_env(args.db, args.data))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import prefetch_related_objects
    from django.test.utils import CaptureQueriesContext

    from refuge.audit import services as audit
    from refuge.registry import queries
    from refuge.registry.api.households import person_out

    user = get_user_model().objects.get(username="registrar")
    drawn = search.draw_queries(args.per_kind, args.seed)
    singles = [t for k, t in drawn if k in ("armenian", "cyrillic", "latin")]
    rows: dict[str, list[float]] = {k: [] for k in (
        "search()", "person_out, as the API does", "person_out, documents prefetched",
        "audit.record_views")}
    statements = []
    for text in singles:
        rows["search()"].append(timed(queries.search, text)[1])
        people = queries.search(text).people
        with CaptureQueriesContext(connection) as captured:
            rows["person_out, as the API does"].append(
                timed(lambda ps: [person_out(p) for p in ps], people)[1])
        statements.append(len(captured.captured_queries))
        people = queries.search(text).people
        rows["person_out, documents prefetched"].append(timed(
            lambda ps: (prefetch_related_objects(ps, "documents"), [person_out(p) for p in ps]),
            people)[1])
        with transaction.atomic():
            rows["audit.record_views"].append(timed(
                audit.record_views, user, "person", [p.uuid for p in people], "api-search")[1])
            transaction.set_rollback(True)
    print(f"== Single names on {args.db}: {len(singles)} queries, "
          f"{sum(statements) / len(statements):.0f} SQL statements for person_out on average")
    for label, values in rows.items():
        print(f"  {label:34} {common.latency_row(values)}")

    pairs = [t for k, t in drawn if k == "two_words"]
    variants = {"_by_name() as it is": lambda text: queries._by_name(text, 50),
                "same words, longest key first": by_name_longest_first}
    timings: dict[str, list[float]] = {label: [] for label in variants}
    for text in pairs:
        found = []
        for label, variant in variants.items():
            people, elapsed = timed(variant, text)
            timings[label].append(elapsed)
            found.append({p.pk for p in people})
        assert len(found[0]) == 50 or all(f == found[0] for f in found), text
    print(f"== Two-word names on {args.db}: {len(pairs)} queries")
    for label, values in timings.items():
        print(f"  {label:34} {common.latency_row(values)}")


if __name__ == "__main__":
    main()
