"""Tracing's two speed targets (issue 17) on a registry loaded with `demo`:

    .venv/bin/python bench/tracing_speed.py --db sqlite --load      # demo --people 1000000 first
    .venv/bin/python bench/tracing_speed.py --db postgres           # reuses what is loaded

1. A new request against everyone registered: `services.record_enquiry`, the service the
   pages, the API and the files call (saving the enquiry and matching each sought person
   at once), timed end to end, and `matching.check_sought` alone. Each request describes
   a registered person as a relative would: the given name, the family name seven times
   in ten, an age six times in ten (else the birth date), the father's name four in ten,
   as registered (this measures the lookups and the scoring, not accuracy: that is
   bench/tracing.py).
2. One registration checked against the open requests: `--open` (10,000) sought persons
   are added first, half of them describing registered people, half strangers; then, for
   households drawn from the registry, `matching.check_people(members)`, what tracing's
   listener runs once a registration commits (tracing/listeners.py), is timed.

An earlier run's new requests are closed and the open requests' candidates dropped
first, so that runs on one database (before and after a change, the same seed) do the
same work. Each path prints a baseline of the same run and its p95 ratio: the registry's
lookup alone (the statement that finds a request's candidates), and reading the
household's members.

Each is timed on the wall clock and in this process's CPU time (`time.process_time`:
on SQLite that includes the database's work, on PostgreSQL it leaves the server's out);
on a shared machine the wall clock mostly measures waiting for a core.
"""

import argparse
import random
import time
import uuid
from datetime import date

import common


def described(person, rng: random.Random) -> dict:
    """A registered person as a relative describes them."""
    item = {"given_name": person.given_name, "sex": person.sex}
    if person.family_name and rng.random() < 0.7:
        item["family_name"] = person.family_name
    if person.patronymic and rng.random() < 0.4:
        item["patronymic"] = person.patronymic
    if person.birth_date:
        if rng.random() < 0.6:
            item["age"] = max(0, date.today().year - person.birth_date.year)
        else:
            item["birth_date"] = person.birth_date.isoformat()
    return item


def random_people(count: int, rng: random.Random) -> list:
    from django.db.models import Max

    from refuge.registry.models import Person

    top = Person.objects.aggregate(top=Max("id"))["top"]
    found: list = []
    while len(found) < count:
        ids = [rng.randint(1, top) for _ in range(min(2 * count, 5000))]
        found += list(Person.objects.counted().filter(pk__in=ids)
                      .exclude(given_name="")[:count - len(found)])
    return found


def officer():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from refuge.accounts import roles

    User = get_user_model()  # noqa: N806

    user, _created = User.objects.get_or_create(username="bench-tracing-officer")
    user.groups.add(Group.objects.get_or_create(name=roles.TRACING_OFFICER)[0])
    return user


def new_requests(count: int, rng: random.Random) -> dict:
    from refuge.tracing import matching, services
    from refuge.tracing.models import SoughtPerson

    user = officer()
    # An earlier run's requests are closed: each run starts from the same open requests
    # (they would otherwise be the candidates of this run's, which describe the same
    # people), so runs on one database, before and after a change, compare.
    SoughtPerson.objects.filter(enquiry__recorded_by=user).update(status=SoughtPerson.CLOSED)
    whole, match, whole_cpu, match_cpu = [], [], [], []
    people = random_people(count, rng)
    size = matching.population()
    for person in people:
        payload = {"uuid": str(uuid.uuid4()), "sought": [described(person, rng)],
                   "enquirer_given_name": "Bench", "enquirer_family_name": "Tracing"}
        started, cpu = time.perf_counter(), time.process_time()
        enquiry, _created = services.record_enquiry(payload, user=user)
        whole.append(time.perf_counter() - started)
        whole_cpu.append(time.process_time() - cpu)
        sought = enquiry.sought.get()
        started, cpu = time.perf_counter(), time.process_time()
        matching.check_sought(sought, size)
        match.append(time.perf_counter() - started)
        match_cpu.append(time.process_time() - cpu)
    # Baseline in the same run: the registry's lookup alone, the one statement that finds
    # a sought person's candidates, read as Person rows (no scoring, no other table).
    bare, bare_cpu = [], []
    for one in SoughtPerson.objects.filter(enquiry__enquirer_given_name="Bench").order_by(
            "-pk")[:count]:
        started, cpu = time.perf_counter(), time.process_time()
        list(matching.registered_candidates(one).order_by()[:matching.LOOKED_AT])
        bare.append(time.perf_counter() - started)
        bare_cpu.append(time.process_time() - cpu)
    print(f"   record_enquiry CPU {common.latency_row(whole_cpu)}\n"
          f"   baseline, the registry's lookup alone, CPU {common.latency_row(bare_cpu)}; "
          f"p95 ratio {_ratio(whole_cpu, bare_cpu)}x (wall {_ratio(whole, bare)}x)")
    return {"requests": count, "record_enquiry_ms": common.latency_row(whole),
            "baseline_lookup_ms": common.latency_row(bare),
            "baseline_lookup_cpu_ms": common.latency_row(bare_cpu),
            "p95_ratio_cpu": _ratio(whole_cpu, bare_cpu),
            "record_enquiry_cpu_ms": common.latency_row(whole_cpu),
            "check_sought_ms": common.latency_row(match),
            "check_sought_cpu_ms": common.latency_row(match_cpu),
            "population_count_ms": _timed(matching.population)}


def _ratio(measured: list[float], baseline: list[float]) -> float:
    return round(common.percentile(measured, 95) / common.percentile(baseline, 95), 1)


def _timed(call) -> str:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return common.latency_row(times)


def open_requests(count: int, rng: random.Random) -> int:
    """`count` open sought persons, half describing registered people, half strangers
    (a registered description with another given name), added in bulk."""
    from refuge.tracing.models import Enquiry, SoughtPerson

    have = SoughtPerson.objects.open().count()
    if have >= count:
        return have
    people = random_people(count - have, rng)
    enquiries = Enquiry.objects.bulk_create(
        [Enquiry(enquirer_given_name="Bench", enquirer_family_name="Tracing")
         for _ in people])
    sought = []
    for n, (enquiry, person) in enumerate(zip(enquiries, people, strict=True)):
        item = described(person, rng)
        if n % 2:
            item["given_name"] = people[(n * 7919) % len(people)].given_name
        if "age" in item:
            item["birth_date"], item["birth_precision"] = date(
                date.today().year - item.pop("age"), 7, 1), "estimated"
        elif "birth_date" in item:
            item["birth_date"], item["birth_precision"] = date.fromisoformat(
                item["birth_date"]), "day"
        one = SoughtPerson(enquiry=enquiry, **item)
        one.derive_search_forms()
        sought.append(one)
    SoughtPerson.objects.bulk_create(sought, batch_size=2000)
    return SoughtPerson.objects.open().count()


def registrations_checked(count: int, rng: random.Random) -> dict:
    from refuge.registry.models import Person
    from refuge.tracing import matching
    from refuge.tracing.models import Candidate

    # The open requests' candidates from an earlier run are dropped: the people checked
    # here are then new to them, as a registration's are, and every run writes alike.
    Candidate.objects.filter(sought__enquiry__recorded_by__isnull=True,
                             sought__enquiry__enquirer_given_name="Bench").delete()
    households = {p.household_id for p in random_people(count, rng)}
    times, cpu_times, checked, sizes, bare, bare_cpu = [], [], [], [], [], []
    size = matching.population()
    for household in households:
        started, cpu = time.perf_counter(), time.process_time()
        members = list(Person.objects.counted().filter(household_id=household))
        bare.append(time.perf_counter() - started)
        bare_cpu.append(time.process_time() - cpu)
        started, cpu = time.perf_counter(), time.process_time()
        checked.append(matching.check_people(members, size))
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu)
        sizes.append(len(members))
    # Baseline in the same run: reading the household's members (what the check is given).
    # Most registrations answer no request: their check is the screening alone.
    none = [cpu for cpu, n in zip(cpu_times, checked, strict=True) if not n]
    print(f"   check_people CPU {common.latency_row(cpu_times)}\n"
          f"   check_people CPU, households rescoring no request {common.latency_row(none)}\n"
          f"   baseline, the household's members read, CPU {common.latency_row(bare_cpu)}; "
          f"p95 ratio {_ratio(cpu_times, bare_cpu)}x (wall {_ratio(times, bare)}x)")
    return {"households": len(times), "people_per_household": round(sum(sizes) / len(sizes), 1),
            "check_people_ms": common.latency_row(times),
            "check_people_cpu_ms": common.latency_row(cpu_times),
            "check_people_cpu_ms_rescoring_none": common.latency_row(none),
            "baseline_members_read_cpu_ms": common.latency_row(bare_cpu),
            "p95_ratio_cpu": _ratio(cpu_times, bare_cpu),
            "sought_persons_scored_per_household": round(sum(checked) / len(checked), 2),
            "households_scoring_any": sum(1 for c in checked if c)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--load", action="store_true", help="run demo --reset first, timed")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--open", type=int, default=10_000)
    parser.add_argument("--registrations", type=int, default=300)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--data", default="tracing", help="data name: /tmp/bench-var-NAME "
                        "or database refuge_bench_NAME")
    args = parser.parse_args()
    _env, loaded, people = common.loaded_registry(args.db, args.data, args.people, args.load)
    rng = random.Random(args.seed)
    before = common.cpu_snapshot()
    started = time.monotonic()
    requests = new_requests(args.requests, rng)
    print(f"== new requests against {people:,}: {requests}")
    opened = open_requests(args.open, rng)
    print(f"== {opened:,} open sought persons")
    checks = registrations_checked(args.registrations, rng)
    print(f"== registrations checked against them: {checks}")
    common.print_json("RESULT", {
        "bench": "tracing_speed", "db": args.db, "people": people, "load_s": loaded,
        "open_sought": opened, "new_request": requests, "registration_check": checks,
        "busy": common.busy(before, time.monotonic() - started), "machine": common.machine()})


if __name__ == "__main__":
    main()
