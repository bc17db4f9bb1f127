"""How long each dashboard view and export takes with the registry loaded (issue 5).

    .venv/bin/python bench/situation.py --db sqlite [--people 1000000] [--load]
    .venv/bin/python bench/situation.py --db postgres [--people 1000000] [--load]

With --load it fills the benchmark database with `refuge demo --people N --reset`
(which keeps the pre-counted figures as it goes); without, it reuses what is there.
Each view is timed in-process through Django's test client as an analyst, 20 times
after one warm-up; the target is 500 ms for every view and export.
"""

import argparse
import os
import statistics
import time

import common

VIEWS = [
    ("dashboard page", "/dashboard/"),
    ("dashboard refresh", "/dashboard/?part=1"),
    ("daily report page", "/reports/daily/"),
    ("daily report PDF", "/reports/daily.pdf"),
    ("figures CSV", "/exports/figures.csv"),
    ("figures HXL", "/exports/figures.hxl"),
    ("figures XLSX", "/exports/figures.xlsx"),
    ("situation API", "/api/situation"),
    ("overview page", "/"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--load", action="store_true")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--data", default="situation", help="data name: /tmp/bench-var-NAME "
                        "or database refuge_bench_NAME (another bench's million will do)")
    args = parser.parse_args()
    env = common.db_env(args.db, args.data)
    common.manage(env, "migrate", "-v0")
    if args.load:
        started = time.monotonic()
        common.manage(env, "demo", "--people", str(args.people), "--reset")
        print(f"== loaded {args.people:,} people in {time.monotonic() - started:.0f} s")
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from refuge.registry.models import Person

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="analyst"))
    print(f"== {args.db}: {Person.objects.count():,} people; "
          f"{args.repeat} requests per view after a warm-up")
    worst = 0.0
    for name, url in VIEWS:
        assert client.get(url).status_code == 200, url
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        worst = max(worst, times[-1])
        print(f"  {name:20} p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  "
              f"max {times[-1]:7.1f} ms  ({len(response.content):,} bytes)")
    print(f"== slowest single request: {worst:.1f} ms (target 500 ms)")


if __name__ == "__main__":
    main()
