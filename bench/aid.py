"""Aid at a million people (issue 18): generating a cycle's entitlements, a household
look-up at the point, a hand-over, and two points handing over the same households at once.

    .venv/bin/python bench/aid.py --db sqlite [--people 1000000] [--load]
    .venv/bin/python bench/aid.py --db postgres [--people 1000000] [--load]

With --load the bench database gets N synthetic people (Faker's Armenian first names,
households of 1 to 6, one in three a child) written with bulk_create straight into the
registry's tables: the registry's own registration path is measured by
bench/registration.py, and what is measured here is aid. Targets: generation <= 60 s,
look-up and hand-over <= 50 ms p95, and exactly one hand-over per entitlement when two
points with 20 clients each hand over the same 10,000 households at once.

The baseline, in the same run: the same entitlements written by one INSERT ... SELECT
in SQL (no Python per row), for the generation; fetching the household row alone by its
id, for the look-up.
"""

import argparse
import json
import os
import random
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import common

BATCH = 10_000
TARGETS = {"generation_s": 60, "lookup_p95_ms": 50, "hand_over_p95_ms": 50}


def load(people: int, seed: int = 18) -> None:
    from faker.providers.person.hy_AM import Provider
    from tqdm import tqdm

    from refuge.accounts.models import Post
    from refuge.registry.models import Household, Person

    rng = random.Random(seed)
    names = list(Provider.first_names_female) + list(Provider.first_names_male)
    families = list(Provider.last_names)
    posts = [Post.objects.get_or_create(code=code, defaults={
        "kind": Post.RECEPTION, "name": name, "province": province})[0]
        for code, name, province in [("GOR", "Goris", "Syunik"), ("VAY", "Vayk", "Vayots Dzor"),
                                     ("YER", "Yerevan", "Yerevan")]]
    start = datetime(2023, 9, 24, tzinfo=UTC)
    made = 0
    with tqdm(total=people, unit="people", desc="loading") as bar:
        while made < people:
            households = []
            sizes = []
            while sum(sizes) < BATCH and made + sum(sizes) < people:
                size = min(rng.randint(1, 6), people - made - sum(sizes))
                post = rng.choice(posts)
                when = start + timedelta(minutes=rng.randint(0, 60 * 24 * 10))
                households.append(Household(registered_at=post, registered_on=when,
                                            uuid=uuid.uuid4(), group=uuid.uuid4()))
                sizes.append(size)
            Household.objects.bulk_create(households)
            members = []
            for household, size in zip(households, sizes, strict=True):
                family = rng.choice(families)
                for index in range(size):
                    child = index >= 2 and rng.random() < 0.7
                    born = date(rng.randint(2006, 2022) if child else rng.randint(1935, 2004),
                                rng.randint(1, 12), rng.randint(1, 28))
                    members.append(Person(
                        uuid=uuid.uuid4(), household=household,
                        registered_at=household.registered_at,
                        registered_on=household.registered_on, given_name=rng.choice(names),
                        family_name=family, birth_date=born, birth_precision="day",
                        relationship="focal_point" if index == 0 else (
                            "child" if child else "spouse" if index == 1 else "other_relative")))
            Person.objects.bulk_create(members, batch_size=2000)
            made += len(members)
            bar.update(len(members))


def baseline_insert(cycle) -> float:
    """The same rows as generation, by one INSERT ... SELECT (everyone their own recipient,
    no per-household amount): what the database alone needs to write them."""
    from django.db import connection, transaction

    from refuge.aid.models import Entitlement

    uuid_sql = ("gen_random_uuid()" if connection.vendor == "postgresql"
                else "lower(hex(randomblob(16)))")
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO aid_entitlement (uuid, cycle_id, person_id, household_id, recipient_id,"
            f" amount, status) SELECT {uuid_sql}, %s, id, household_id, id, 100000, 'due'"
            f" FROM registry_person WHERE status IN ('registered', 'placed')", [cycle.pk])
    seconds = time.monotonic() - started
    Entitlement.objects.filter(cycle=cycle).delete()
    if connection.vendor == "postgresql":
        # As autovacuum would (off on this server): the baseline's deleted rows left dead
        # in the indexes made planning the point's queries take 30 ms at a million.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE aid_entitlement")
    return seconds


def timed(call, repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def due_by_household(households: list) -> dict:
    """{household id: [entitlement uuids, the uuid of the member who receives]}."""
    from refuge.aid.models import Entitlement

    due = {}
    for household_id, entitlement_uuid, person_uuid in (
            Entitlement.objects.filter(household_id__in=[h.pk for h in households])
            .values_list("household_id", "uuid", "person__uuid")):
        due.setdefault(household_id, [[], person_uuid])[0].append(str(entitlement_uuid))
    return due


def two_points(households: list, officer, points, clients: int = 20) -> dict:
    """`clients` threads per point, each point handing over every one of `households`
    (split between its clients), both points at once."""
    from django.db import connection

    from refuge.aid import services
    from refuge.aid.models import HandOver

    due = due_by_household(households)
    outcomes = {"handed": 0, "refused": 0, "error": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(clients * len(points))

    def client(point, share):
        barrier.wait()
        try:
            for household_id in share:
                entitlements, receiver = due[household_id]
                body = {"uuid": str(uuid.uuid4()), "entitlements": entitlements,
                        "received_by": str(receiver)}
                try:
                    services.hand_over(body, user=officer, point=point)
                    kind = "handed"
                except services.AlreadyHandedOver:
                    kind = "refused"
                except Exception as error:  # noqa: BLE001 - counted, and shown
                    kind = "error"
                    print("  error:", type(error).__name__, error)
                with lock:
                    outcomes[kind] += 1
        finally:
            connection.close()

    ids = list(due)
    threads = []
    for point in points:
        order = ids[:]
        random.Random(point.pk).shuffle(order)
        for n in range(clients):
            threads.append(threading.Thread(target=client, args=(point, order[n::clients])))
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    handed_over = HandOver.objects.filter(entitlement__household_id__in=ids).count()
    entitlements = sum(len(v[0]) for v in due.values())
    return {**outcomes, "seconds": round(seconds, 1), "households": len(ids),
            "entitlements": entitlements, "hand_overs_stored": handed_over,
            "exactly_one_each": handed_over == entitlements,
            "lost": len(ids) * len(points) - sum(outcomes.values())}


def offline_points(households: list, officer, points, both: float = 0.1) -> dict:
    """Two points with no network, each with the same due list: every family visits one,
    and a share `both` visits the other as well, later the same day. Each point queues
    its hand-overs (with the time they were made) and sends them, oldest first, when the
    network returns: point A first, then B. Counts what comes back as conflicts."""
    from refuge.aid import services

    rng = random.Random(2023)
    due = due_by_household(households)
    queues = {point.code: [] for point in points}
    morning = datetime.now(UTC) - timedelta(hours=8)
    visited_both = 0
    for n, household_id in enumerate(due):
        first, second = rng.sample(points, 2)
        entitlements, receiver = due[household_id]
        visits = [(first, morning + timedelta(seconds=10 * n))]
        if rng.random() < both:
            visited_both += 1
            visits.append((second, morning + timedelta(hours=4, seconds=10 * n)))
        for point, when in visits:
            queues[point.code].append((when, {
                "uuid": str(uuid.uuid4()), "entitlements": entitlements,
                "received_by": str(receiver), "at": when.isoformat()}))
    conflicts, sent = [], 0
    for point in points:
        for _when, body in sorted(queues[point.code], key=lambda item: item[0]):
            try:
                services.hand_over(body, user=officer, point=point)
                sent += 1
            except services.AlreadyHandedOver as refused:
                conflicts.append({"point": point.code, "entitlements": len(refused.earlier),
                                  "earlier": str(refused.earlier[0][1].uuid)})
    queued = sum(len(q) for q in queues.values())
    return {"families": len(due), "visited_both": visited_both, "queued": queued,
            "sent": sent, "conflicts": len(conflicts),
            "conflicting_entitlements": sum(c["entitlements"] for c in conflicts),
            "lost": queued - sent - len(conflicts), "first_conflicts": conflicts[:3]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--load", action="store_true")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--race", type=int, default=10_000, help="households both points serve")
    parser.add_argument("--offline", type=int, default=1_000, help="families at two offline points")
    parser.add_argument("--data", default="aid")
    args = parser.parse_args()
    env = common.db_env(args.db, args.data)
    common.manage(env, "migrate", "-v0")
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from refuge.accounts.models import ApiToken, Post
    from refuge.aid import eligibility, services
    from refuge.aid.models import Programme
    from refuge.registry.models import Household, Person

    if args.load:
        from refuge.aid.models import Distribution, Entitlement, HandOver

        HandOver.objects.all().delete()
        Distribution.objects.all().delete()
        Entitlement.objects.all().delete()
        Programme.objects.all().delete()
        load(args.people - Person.objects.count())
    if args.db == "postgres":
        # As autovacuum would after a load (this server runs with it off): without
        # statistics, the planner reads the registry as nearly empty.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_person, registry_household, aid_entitlement")
    people = Person.objects.count()
    print(f"== {args.db}: {people:,} people in {Household.objects.count():,} households")
    print("==", common.machine())
    common.wait_for_quiet()
    admin = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True})[0]
    officer = User.objects.get_or_create(username="bench-officer")[0]
    officer.groups.add(Group.objects.get_or_create(name="aid_officer")[0])
    Programme.objects.all().delete()
    programme, _ = services.create_programme(
        {"name": "One-off support", "kind": "cash", "unit": "AMD", "per_person": 100_000,
         "frequency": "monthly", "cycles": 2, "starts_on": "2023-10-01"}, user=admin)
    first, second = programme.rounds.order_by("number")

    baseline = baseline_insert(second)
    print(f"== baseline INSERT ... SELECT of every entitlement: {baseline:.1f} s")
    started = time.monotonic()
    added = eligibility.generate(first)
    generation = time.monotonic() - started
    print(f"== generation: {added:,} entitlements in {generation:.1f} s "
          f"({added / generation:,.0f}/s; {generation / baseline:.1f}x the baseline; "
          f"target {TARGETS['generation_s']} s)")
    started = time.monotonic()
    again = eligibility.generate(first)
    print(f"== generation again: {again} added in {time.monotonic() - started:.1f} s")
    services.approve(first, user=admin)

    rng = random.Random(7)
    highest = Household.objects.order_by("-pk").values_list("pk", flat=True).first()
    sample = list(Household.objects.filter(pk__in=[rng.randint(1, highest) for _ in range(
        args.repeat * 3)]).select_related("registered_at"))[: args.repeat * 2]
    client = Client(HTTP_HOST="127.0.0.1")
    token = ApiToken.objects.issue(officer)[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client.get(f"/api/aid/households/{sample[0].registration_number}", **headers)  # warm-up
    looked = iter(sample[: args.repeat])
    lookups = timed(lambda: client.get(
        f"/api/aid/households/{next(looked).registration_number}", **headers), args.repeat)
    bare = iter(sample[: args.repeat])
    bare_rows = timed(lambda: Household.objects.get(pk=next(bare).pk), args.repeat)
    print(f"== look-up (GET /api/aid/households/NUMBER, audited): {common.latency_row(lookups)}")
    print(f"   baseline, the household row by id: {common.latency_row(bare_rows)}; "
          f"p95 ratio {common.percentile(lookups, 95) / common.percentile(bare_rows, 95):.0f}x")
    bodies = []
    for household in sample[args.repeat: args.repeat * 2]:
        answer = client.get(f"/api/aid/households/{household.registration_number}",
                            **headers).json()
        due = [e["uuid"] for m in answer["members"] for e in m["due"]]
        bodies.append({"uuid": str(uuid.uuid4()), "entitlements": due, "point": "GOR",
                       "received_by": answer["members"][0]["uuid"]})
    sent = iter(bodies)
    hand_overs = timed(lambda: client.post("/api/aid/distributions", json.dumps(next(sent)),
                                           content_type="application/json", **headers),
                       len(bodies))
    print(f"== hand-over (POST /api/aid/distributions): {common.latency_row(hand_overs)}")

    race = list(Household.objects.exclude(distributions__isnull=False)
                .order_by("?")[: args.race]) if args.db == "postgres" else list(
        Household.objects.exclude(distributions__isnull=False).order_by("-pk")[: args.race])
    points = list(Post.objects.filter(code__in=["GOR", "VAY"]))
    result = two_points(race, officer, points)
    print(f"== two points x 20 clients, the same {result['households']:,} households: {result}")
    offline = offline_points(list(Household.objects.exclude(distributions__isnull=False)
                                  .order_by("pk")[: args.offline]), officer, points)
    print(f"== two offline points, one family in ten visiting both: {offline}")
    common.print_json("RESULT", {
        "db": args.db, "people": people, "generation_s": round(generation, 1),
        "baseline_s": round(baseline, 1), "entitlements": added,
        "lookup_p95_ms": round(1000 * common.percentile(lookups, 95), 1),
        "hand_over_p95_ms": round(1000 * common.percentile(hand_overs, 95), 1),
        "race": result, "offline": offline})


if __name__ == "__main__":
    main()
