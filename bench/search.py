"""Search latency with a million people: queries.search() in-process, then POST /api/search.

    .venv/bin/python bench/search.py --db sqlite --load     # loads 1,000,000 people first
    .venv/bin/python bench/search.py --db postgres --load
    .venv/bin/python bench/search.py --db sqlite            # reuses what is loaded

Queries are drawn from the loaded data: single names in Armenian, Cyrillic and Latin
letters, two-word names, document numbers, phone numbers (as stored and as dialled
locally) and registration numbers. --explain prints the plan of the slowest query.
"""

import argparse
import http.client
import json
import os
import random
import time
from collections import defaultdict

import common

KINDS = ("armenian", "cyrillic", "latin", "two_words", "document", "phone", "registration")


def draw_queries(per_kind: int, seed: int) -> list[tuple[str, str]]:
    """(kind, text) pairs sampled from the registry by random primary keys."""
    from django.db.models import Max

    from refuge.registry.models import Document, Household, Person
    from refuge.registry.numbers import registration_number

    r = random.Random(seed)
    top = Person.objects.aggregate(top=Max("id"))["top"]
    wanted: dict[str, list[str]] = defaultdict(list)

    def full(kind: str) -> bool:
        return len(wanted[kind]) >= per_kind

    for _round in range(200):
        if all(full(k) for k in ("armenian", "cyrillic", "latin", "two_words", "phone")):
            break
        ids = [r.randint(1, top) for _ in range(500)]
        for person in Person.objects.filter(pk__in=ids):
            script = person.name_script
            word = person.family_name if r.random() < 0.5 else person.given_name
            if script in ("armenian", "cyrillic", "latin") and " " not in word and word:
                if not full(script):
                    wanted[script].append(word)
            if person.given_name and person.family_name and not full("two_words"):
                wanted["two_words"].append(f"{person.given_name} {person.family_name}")
            if person.phone and not full("phone"):
                local = f"0{person.phone[4:6]} {person.phone[6:]}"  # +37477123456 -> 077 123456
                wanted["phone"].append(person.phone if r.random() < 0.5 else local)
    documents = Document.objects.aggregate(top=Max("id"))["top"]
    numbers = Document.objects.filter(pk__in=[r.randint(1, documents) for _ in range(per_kind * 3)])
    wanted["document"] = [d.number for d in numbers][:per_kind]
    households = Household.objects.aggregate(top=Max("id"))["top"]
    found = Household.objects.select_related("registered_at").filter(
        pk__in=[r.randint(1, households) for _ in range(per_kind * 2)])
    wanted["registration"] = [registration_number(h.registered_at.code, h.pk)
                              for h in found][:per_kind]
    queries = [(kind, text) for kind in KINDS for text in wanted[kind]]
    r.shuffle(queries)
    return queries


def summarise(label: str, timings: dict[str, list[float]], hits: dict[str, list[int]]) -> dict:
    print(f"== {label}")
    every = [t for ts in timings.values() for t in ts]
    for kind in KINDS:
        found = hits[kind]
        print(f"  {kind:12} {common.latency_row(timings[kind])}  "
              f"results avg {sum(found) / max(1, len(found)):5.1f}, "
              f"none for {sum(1 for h in found if h == 0)}")
    print(f"  {'all':12} {common.latency_row(every)}")
    return {kind: {"n": len(ts), "p50_ms": common.percentile(ts, 50) * 1000,
                   "p95_ms": common.percentile(ts, 95) * 1000, "max_ms": max(ts) * 1000}
            for kind, ts in [*timings.items(), ("all", every)] if ts}


def in_process(queries: list[tuple[str, str]], warmup: list) -> tuple[dict, list]:
    from refuge.registry import queries as registry

    for _kind, text in warmup:
        registry.search(text)
    common.wait_for_quiet()
    timings, hits, slowest = defaultdict(list), defaultdict(list), []
    before, own = common.cpu_snapshot(), time.process_time()
    for kind, text in queries:
        started = time.perf_counter()
        result = registry.search(text)
        elapsed = time.perf_counter() - started
        timings[kind].append(elapsed)
        hits[kind].append(len(result.people))
        slowest.append((elapsed, kind, text, result.understood_as))
    slowest.sort(reverse=True)
    figures = summarise("queries.search() in-process", timings, hits)
    figures["machine"] = common.busy(before, own)
    return figures, slowest[:5]


def over_http(env: dict, queries: list[tuple[str, str]], warmup: list) -> dict:
    token = common.manage(env, "token", "registrar", "--name", "bench-search").strip()
    timings, hits = defaultdict(list), defaultdict(list)
    errors = 0
    log = common.OUT / f"serve-search-{os.getpid()}.log"
    with common.serve(env, log=log) as (port, group):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def ask(text: str):
            body = json.dumps({"q": text}).encode()
            started = time.perf_counter()
            status, answer = common.post_json(conn, "/api/search", body, token)
            return status, answer, time.perf_counter() - started

        for _kind, text in warmup:
            ask(text)
        common.wait_for_quiet()
        conn.close()  # gunicorn drops idle keep-alive connections after 2 s
        ask(warmup[0][1])
        before, own = common.cpu_snapshot(group), time.process_time()
        for kind, text in queries:
            status, answer, elapsed = ask(text)
            if status != 200:
                errors += 1
                continue
            timings[kind].append(elapsed)
            hits[kind].append(len(json.loads(answer)["people"]))
        conn.close()
        after = common.cpu_snapshot(group)
    figures = summarise("POST /api/search over HTTP, one keep-alive client", timings, hits)
    figures["machine"] = common.busy(before, own, after)
    print(f"  errors: {errors}")
    return {**figures, "errors": errors}


def explain(text: str) -> None:
    """Rerun one search, then show the plan of the slowest statement it ran."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from refuge.registry import queries as registry

    with CaptureQueriesContext(connection) as captured:
        registry.search(text)
    print(f"== Queries run for {text!r}")
    for query in captured.captured_queries:
        print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:200]}...")
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
    prefix = ("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite"
              else "EXPLAIN (ANALYZE, BUFFERS) ")
    with connection.cursor() as cursor:
        cursor.execute(prefix + slowest["sql"])
        for row in cursor.fetchall():
            print("      " + " | ".join(str(c) for c in row))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--load", action="store_true", help="run demo --reset first, timed")
    parser.add_argument("--per-kind", type=int, default=50, help="queries of each kind")
    parser.add_argument("--warmup", type=int, default=3, help="untimed queries of each kind")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--explain", action="store_true", help="plans of the slowest queries")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--data", default="search", help="data name: /tmp/bench-var-NAME or "
                        "database refuge_bench_NAME")
    args = parser.parse_args()
    env, loaded, people = common.loaded_registry(args.db, args.data, args.people, args.load)
    queries = draw_queries(args.per_kind, args.seed)
    warmup = draw_queries(args.warmup, args.seed + 1)
    local, slowest = in_process(queries, warmup)
    print("  slowest: " + "; ".join(f"{t * 1000:.0f} ms {kind} {text!r} -> {how}"
                                    for t, kind, text, how in slowest))
    if args.explain:
        for _t, _kind, text, _how in slowest[:2]:
            explain(text)
    http_figures = None if args.no_http else over_http(env, queries, warmup)
    common.print_json("RESULT", {"bench": "search", "db": args.db, "people": people,
                                 "load_s": loaded, "in_process": local, "http": http_figures,
                                 "machine": common.machine()})


if __name__ == "__main__":
    main()
