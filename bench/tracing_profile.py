"""Where tracing's two timed paths spend their time: SQL statements, then a cProfile.

    .venv/bin/python bench/tracing_profile.py --db sqlite --data trace --people 50000
    .venv/bin/python bench/tracing_profile.py --db postgres --data trace --people 50000

On a registry loaded as for bench/tracing_speed.py (`--open` sought persons added first,
the same way): one new request (`services.record_enquiry`) and one registration's check
(`matching.check_people` on a household drawn from the registry), each with its
statements counted by kind (Django's CaptureQueriesContext), then `--profile` of each
under cProfile, the top functions by cumulative time printed.
"""

import argparse
import cProfile
import io
import pstats
import random
import re
import uuid
from collections import Counter

import common
import tracing_speed


def statements(captured) -> Counter:
    """Statements by kind: the verb and the first table named."""
    kinds = Counter()
    for query in captured.captured_queries:
        sql = query["sql"]
        verb = sql.split(None, 1)[0].upper()
        table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql)
        kinds[f"{verb} {table.group(1) if table else ''}".strip()] += 1
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--open", type=int, default=5_000)
    parser.add_argument("--profile", type=int, default=20, help="requests and households")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--seed", type=int, default=41)
    parser.add_argument("--data", default="trace")
    args = parser.parse_args()
    common.loaded_registry(args.db, args.data, args.people, False)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from refuge.registry.models import Person
    from refuge.tracing import matching, services
    from refuge.tracing.models import Candidate, SoughtPerson

    rng = random.Random(args.seed)
    print(f"== {tracing_speed.open_requests(args.open, rng):,} open sought persons")
    user = tracing_speed.officer()
    # As bench/tracing_speed.py: an earlier run's requests closed, the open requests'
    # candidates dropped, so runs before and after a change do the same work.
    SoughtPerson.objects.filter(enquiry__recorded_by=user).update(status=SoughtPerson.CLOSED)
    Candidate.objects.filter(sought__enquiry__recorded_by__isnull=True,
                             sought__enquiry__enquirer_given_name="Bench").delete()
    size = matching.population()

    def one_request(person) -> None:
        services.record_enquiry({"uuid": str(uuid.uuid4()),
                                 "sought": [tracing_speed.described(person, rng)],
                                 "enquirer_given_name": "Bench",
                                 "enquirer_family_name": "Tracing"}, user=user)

    def one_household(person) -> int:
        return matching.check_people(
            list(Person.objects.counted().filter(household_id=person.household_id)), size)

    people = tracing_speed.random_people(2 * args.profile + 10, rng)
    for path, call, sample in (("new request", one_request, people[:args.profile + 5]),
                               ("registration check", one_household,
                                people[args.profile + 5:])):
        counts, total = Counter(), 0
        for person in sample[:5]:
            with CaptureQueriesContext(connection) as captured:
                call(person)
            counts += statements(captured)
            total += len(captured.captured_queries)
        print(f"== {path}: {total / 5:.1f} SQL statements each (5 runs), by kind:")
        for kind, n in counts.most_common():
            print(f"   {n / 5:6.1f}  {kind}")
        profiler = cProfile.Profile()
        profiler.enable()
        for person in sample[5:]:
            call(person)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(f"== {path}: cProfile of {len(sample) - 5}")
        print(out.getvalue())


if __name__ == "__main__":
    main()
