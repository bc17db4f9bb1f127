"""Registration throughput against `refuge serve`, and the raw insert rate as its baseline.

    .venv/bin/python bench/registration.py --db sqlite
    .venv/bin/python bench/registration.py --db postgres

Clients: --clients keep-alive connections in total (20), spread over --client-procs
processes, each POSTing households of five to /api/households with a bearer token
for a fixed --duration after a --warmup. Only 201 responses count. Then, with the
server stopped, the same rows (1 household, 5 people, 2 documents) are inserted with
raw SQL through sqlite3 / psycopg, one transaction and commit per household.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import sqlite3
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime

import common

from refuge.lib import dates, names


def sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def client_process(port: int, token: str, threads: int, start: float, warmup: float,
                   duration: float, seed: int) -> dict:
    """`threads` keep-alive clients; returns what they saw inside the measured window."""
    measure_from, until = start + warmup, start + warmup + duration
    cpu: dict = {}
    seen: list = []

    def timer() -> None:
        sleep_until(measure_from)
        cpu["from"] = time.process_time()
        sleep_until(until)
        cpu["until"] = time.process_time()

    def client(index: int) -> None:
        households = common.Households(seed * 1000 + index)
        statuses: Counter = Counter()
        outside: Counter = Counter()  # everything seen in the warm-up and after the window
        latencies: list[float] = []
        created = 0
        conn = None
        sleep_until(start)
        while time.monotonic() < until:
            body = json.dumps(households.body(str(uuid.uuid4()))).encode()
            conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            sent = time.monotonic()
            try:
                status, _body = common.post_json(conn, "/api/households", body, token)
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                conn.close()
                conn = None
            done = time.monotonic()
            created += status == 201
            if measure_from <= done < until:
                statuses[status] += 1
                if status == 201:
                    latencies.append(done - sent)
            else:
                outside[status] += 1
        seen.append((statuses, latencies, created, outside))

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    workers.append(threading.Thread(target=timer))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    statuses = sum((s for s, _l, _c, _o in seen), Counter())
    outside = sum((o for _s, _l, _c, o in seen), Counter())
    return {"statuses": dict(statuses), "latencies": [x for _s, ls, _c, _o in seen for x in ls],
            "created": sum(c for _s, _l, c, _o in seen), "cpu": cpu["until"] - cpu["from"],
            "outside": {str(k): v for k, v in outside.items()}}


def split(total: int, parts: int) -> list[int]:
    parts = max(1, min(parts, total))
    return [total // parts + (i < total % parts) for i in range(parts)]


def run_refuge(db: str, env: dict, args) -> dict:
    common.manage(env, "migrate", "-v0")
    common.manage(env, "demo", "--people", "1000", "--reset")
    token = common.manage(env, "token", "registrar", "--name", "bench").strip()
    log = common.OUT / f"serve-registration-{db}-{os.getpid()}.log"
    with common.serve(env, args.workers, args.threads, log=log) as (port, group):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        body = json.dumps(common.Households(0).body(str(uuid.uuid4()))).encode()
        status, answer = common.post_json(conn, "/api/households", body, token)
        conn.close()
        if status != 201:
            raise SystemExit(f"a first registration gave {status}: {answer[:500]!r}")
        quiet = common.wait_for_quiet()
        start = time.monotonic() + 1.0
        measure_from = start + args.warmup
        per_process = split(args.clients, args.client_procs)
        with multiprocessing.get_context("fork").Pool(len(per_process)) as pool:
            pending = [pool.apply_async(client_process, (port, token, n, start, args.warmup,
                                                         args.duration, args.seed + i))
                       for i, n in enumerate(per_process)]
            sleep_until(measure_from)
            before = common.cpu_snapshot(group)
            sleep_until(measure_from + args.duration)
            after = common.cpu_snapshot(group)
            results = [p.get(timeout=args.warmup + args.duration + 180) for p in pending]
    statuses = sum((Counter(r["statuses"]) for r in results), Counter())
    latencies = [x for r in results for x in r["latencies"]]
    cpu = common.cpu_delta(before, after)
    if db == "sqlite":  # PostgreSQL's processes are then someone else's work
        cpu["other"] += cpu["postgres"]
        cpu["postgres"] = 0.0
    ok = statuses.get(201, 0)
    return {
        "quiet": quiet,
        "households_per_s": ok / args.duration,
        "people_per_s": 5 * ok / args.duration,
        "created_in_window": ok,
        "errors": {str(k): v for k, v in statuses.items() if k != 201},
        "created_total": 1 + sum(r["created"] for r in results),
        "outside_window": dict(sum((Counter(r["outside"]) for r in results), Counter())),
        "saved_total": count_saved(db, env),
        "latency_p50_ms": common.percentile(latencies, 50) * 1000,
        "latency_p95_ms": common.percentile(latencies, 95) * 1000,
        "latency_max_ms": max(latencies, default=float("nan")) * 1000,
        "client_cpu_s": sum(r["cpu"] for r in results),
        "server_cpu_s": cpu["server"],
        "postgres_cpu_s": cpu["postgres"],
        "machine_busy_pct": 100 * cpu["busy"] / cpu["total"],
        "other_cpu_s": cpu["other"],
        "other_top": cpu["other_top"],
        "server_cpu_ms_per_household": 1000 * cpu["server"] / max(1, ok),
        # What the cores could do if nothing else ran: all CPU this run used, per household.
        "cpu_bound_households_per_s": (os.cpu_count() or 1) * ok / max(
            1e-9, cpu["server"] + cpu["postgres"] + sum(r["cpu"] for r in results)),
    }


def count_saved(db: str, env: dict) -> int:
    query = "SELECT count(*) FROM registry_registrationevent WHERE desk = 'bench'"
    with connect(db, env) as conn:
        return conn.execute(query).fetchone()[0]


# The baseline: the same rows, straight into the same tables.

PERSON_COLUMNS = ("uuid", "relationship", "given_name", "family_name", "patronymic",
                  "name_script", "given_key", "family_key", "patronymic_key", "sex",
                  "birth_date", "birth_precision", "origin", "phone", "destination", "status",
                  "needs", "version")
# Newer schemas also keep on each person where and when it was registered.
REGISTRATION_COLUMNS = ("registered_at_id", "registered_on")
INSERT_HOUSEHOLD = ('INSERT INTO registry_household (uuid, "group", registered_on, status, '
                    "accommodation, version, registered_at_id) "
                    "VALUES (%s, %s, %s, 'active', '', 1, %s)")
SELECT_PEOPLE = "SELECT uuid, id FROM registry_person WHERE household_id = %s"
INSERT_DOCUMENT = ("INSERT INTO registry_document (uuid, kind, number, number_key, person_id) "
                   "VALUES (%s, %s, %s, %s, %s)")


def connect(db: str, env: dict):
    if db == "postgres":
        import psycopg

        return psycopg.connect(env["DATABASE_URL"], autocommit=True)
    conn = sqlite3.connect(common.sqlite_path(env), timeout=20, isolation_level=None)
    conn.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                       "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;")
    return conn


def insert_person_sql(columns: tuple[str, ...]) -> str:
    return (f"INSERT INTO registry_person ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})")


def person_columns(db: str, conn) -> tuple[str, ...]:
    """The columns this schema's person rows need, household_id last."""
    if db == "postgres":
        found = {row[0] for row in conn.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'registry_person'")}
    else:
        found = {row[1] for row in conn.execute("PRAGMA table_info(registry_person)")}
    extra = REGISTRATION_COLUMNS if set(REGISTRATION_COLUMNS) <= found else ()
    return (*PERSON_COLUMNS, *extra, "household_id")


def person_template(member: dict, today: date) -> tuple:
    """A person row as Refuge derives it, less the uuid and household."""
    birth = dates.parse_birth_date(member["birth_date"], today)
    given, family, patronymic = member["given_name"], member["family_name"], member["patronymic"]
    return (member["relationship"], given, family, patronymic,
            names.combine_scripts([given, family, patronymic]), names.search_key(given),
            names.search_key(family), names.search_key(patronymic), member["sex"],
            birth.value.isoformat(), birth.precision, "", "", "", "registered", "", 1)


def insert_postgres(conn, template: list[tuple], post_id: int, columns: tuple) -> None:
    """One household, its people and their documents, in one transaction."""
    household, now = uuid.uuid4(), datetime.now(UTC)
    extra = (post_id, now) if len(columns) > len(PERSON_COLUMNS) + 1 else ()
    people = [(uuid.uuid4(), *person, *extra) for person, _docs in template]
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(INSERT_HOUSEHOLD + " RETURNING id", (household, household, now, post_id))
        insert_members(cur, lambda q: q, cur.fetchone()[0], people, template, uuid.uuid4,
                       insert_person_sql(columns))


def insert_sqlite(conn, template: list[tuple], post_id: int, columns: tuple) -> None:
    """The same for SQLite: UUIDs as hex text, as Django stores them there."""
    household = uuid.uuid4().hex
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    extra = (post_id, now) if len(columns) > len(PERSON_COLUMNS) + 1 else ()
    people = [(uuid.uuid4().hex, *person, *extra) for person, _docs in template]
    cur = conn.cursor()
    cur.execute("BEGIN IMMEDIATE")
    try:
        cur.execute(INSERT_HOUSEHOLD.replace("%s", "?"), (household, household, now, post_id))
        insert_members(cur, lambda q: q.replace("%s", "?"), cur.lastrowid, people, template,
                       lambda: uuid.uuid4().hex, insert_person_sql(columns).replace("%s", "?"))
        cur.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            cur.execute("ROLLBACK")
        raise


def insert_members(cur, sql, household_id, people, template, new_id, insert_person) -> None:
    cur.executemany(insert_person, [(*p, household_id) for p in people])
    cur.execute(sql(SELECT_PEOPLE), (household_id,))
    ids = dict(cur.fetchall())
    cur.executemany(sql(INSERT_DOCUMENT), [
        (new_id(), kind, number, "".join(c for c in number.upper() if c.isalnum()),
         ids[person[0]])
        for person, (_row, docs) in zip(people, template, strict=True)
        for kind, number in docs
    ])


def run_raw(db: str, env: dict, clients: int, args) -> dict:
    today = date.today()
    households = common.Households(args.seed + 99)
    templates = []
    for _ in range(500):
        body = households.body("x")
        templates.append([(person_template(m, today),
                           [(d["kind"], d["number"]) for d in m["documents"]])
                          for m in body["members"]])
    with connect(db, env) as conn:
        post_id = conn.execute("SELECT id FROM registry_post WHERE code = 'GOR'").fetchone()[0]
        columns = person_columns(db, conn)
    common.wait_for_quiet()
    start = time.monotonic() + 0.5
    measure_from, until = start + args.warmup, start + args.warmup + args.raw_duration
    counts = [0] * clients
    errors: Counter = Counter()

    def client(index: int) -> None:
        conn = connect(db, env)
        insert = insert_postgres if db == "postgres" else insert_sqlite
        sleep_until(start)
        n = index
        while time.monotonic() < until:
            try:
                insert(conn, templates[n % len(templates)], post_id, columns)
            except Exception as error:  # counted and reported
                errors[type(error).__name__] += 1
                continue
            n += clients
            if measure_from <= time.monotonic() < until:
                counts[index] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    before = common.cpu_snapshot()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = common.cpu_delta(before, common.cpu_snapshot())
    return {"clients": clients, "households_per_s": sum(counts) / args.raw_duration,
            "errors": dict(errors), "machine_busy_pct": 100 * cpu["busy"] / cpu["total"],
            "other_cpu_s": cpu["other"], "other_top": cpu["other_top"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--clients", type=int, default=20, help="concurrent connections")
    parser.add_argument("--client-procs", type=int, default=4, help="client processes")
    parser.add_argument("--duration", type=float, default=20, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=5, help="unmeasured seconds first")
    parser.add_argument("--workers", type=int, help="gunicorn workers (serve's default)")
    parser.add_argument("--threads", type=int, help="threads per worker (serve's default)")
    parser.add_argument("--raw-clients", default="1,20", help="raw baseline concurrencies")
    parser.add_argument("--raw-duration", type=float, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", default="reg", help="data name: /tmp/bench-var-NAME or "
                        "database refuge_bench_NAME; give concurrent runs different names")
    args = parser.parse_args()
    common.OUT.mkdir(exist_ok=True)
    env = common.db_env(args.db, args.data)

    refuge = run_refuge(args.db, env, args)
    print(f"== Refuge on {args.db}: {args.clients} clients in {args.client_procs} processes, "
          f"{args.duration:g} s after {args.warmup:g} s warm-up")
    print(f"  {refuge['households_per_s']:.1f} households/s "
          f"({refuge['people_per_s']:.0f} people/s), errors: {refuge['errors'] or 'none'}")
    print(f"  latency of 201s: p50 {refuge['latency_p50_ms']:.0f} ms, "
          f"p95 {refuge['latency_p95_ms']:.0f} ms, max {refuge['latency_max_ms']:.0f} ms")
    print(f"  CPU seconds in the window: clients {refuge['client_cpu_s']:.1f}, "
          f"server {refuge['server_cpu_s']:.1f}, postgres {refuge['postgres_cpu_s']:.1f}; "
          f"other processes {refuge['other_cpu_s']:.1f} ({refuge['other_top']}); "
          f"machine {refuge['machine_busy_pct']:.0f}% busy")
    print(f"  server CPU per household: {refuge['server_cpu_ms_per_household']:.1f} ms; "
          f"if nothing else ran, the CPU would allow "
          f"{refuge['cpu_bound_households_per_s']:.0f} households/s")
    print(f"  201s in all {refuge['created_total']}, households saved {refuge['saved_total']}; "
          f"outside the window: {refuge['outside_window']}")

    raws = [run_raw(args.db, env, int(n), args) for n in args.raw_clients.split(",")]
    print(f"== Raw SQL on {args.db}: one transaction per household, {args.raw_duration:g} s")
    for raw in raws:
        ratio = (refuge["households_per_s"] / raw["households_per_s"]
                 if raw["households_per_s"] else float("nan"))
        raw["refuge_ratio"] = ratio
        print(f"  {raw['clients']:2d} clients: {raw['households_per_s']:.0f} households/s "
              f"(machine {raw['machine_busy_pct']:.0f}% busy, other processes "
              f"{raw['other_cpu_s']:.1f} s, errors: {raw['errors'] or 'none'})"
              f"; Refuge/raw = {ratio:.3f}")
    common.print_json("RESULT", {"bench": "registration", "db": args.db, "args": vars(args),
                                 "refuge": refuge, "raw": raws, "machine": common.machine()})


if __name__ == "__main__":
    main()
