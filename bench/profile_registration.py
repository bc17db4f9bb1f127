"""Where one POST /api/households spends its time: SQL statements, then a cProfile.

    .venv/bin/python bench/profile_registration.py --db sqlite
    .venv/bin/python bench/profile_registration.py --db postgres

Runs in-process through Django's test client (the whole middleware stack, no HTTP
server), against the registration benchmark's database.
"""

import argparse
import cProfile
import json
import os
import pstats
import time
import uuid

import common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--data", default="reg", help="as for registration.py")
    parser.add_argument("--seed", type=int, default=int(time.time()),
                        help="families to register (a new seed: none registered before)")
    args = parser.parse_args()
    env = common.db_env(args.db, args.data)
    common.manage(env, "migrate", "-v0")
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from refuge.accounts.models import ApiToken

    if not get_user_model().objects.filter(username="registrar").exists():
        common.manage(env, "demo", "--people", "1000", "--reset")
    _token, key = ApiToken.objects.issue(get_user_model().objects.get(username="registrar"))
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {key}")
    households = common.Households(args.seed)

    def register() -> None:
        body = json.dumps(households.body(str(uuid.uuid4()), desk="profile"))
        response = client.post("/api/households", body, content_type="application/json")
        assert response.status_code == 201, response.content[:300]

    for _ in range(10):
        register()
    with CaptureQueriesContext(connection) as captured:
        register()
    print(f"== One registration on {args.db}: {len(captured.captured_queries)} SQL statements")
    for query in captured.captured_queries:
        print(f"  {float(query['time']) * 1000:6.2f} ms  {query['sql'][:110]}")

    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.requests):
        register()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"== {args.requests} registrations in one thread, no profiler: "
          f"{1000 * elapsed / args.requests:.1f} ms each, {1000 * cpu / args.requests:.1f} ms "
          f"of it this process's CPU ({args.requests / elapsed:.0f} households/s)")

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.requests):
        register()
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"== {args.requests} registrations in one thread: {1000 * elapsed / args.requests:.1f}"
          f" ms each under cProfile ({args.requests / elapsed:.0f} households/s)")
    common.OUT.mkdir(exist_ok=True)
    profiler.dump_stats(common.OUT / f"registration-{args.db}.prof")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats("refuge/", args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
