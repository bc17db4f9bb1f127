"""`refuge dedupe` and the desk's check at a million people (issue 3).

    .venv/bin/python bench/dedupe.py --db sqlite --load     # loads 1,000,000 people first
    .venv/bin/python bench/dedupe.py --db postgres --load
    .venv/bin/python bench/dedupe.py --db sqlite            # reuses what is loaded

1. `manage.py dedupe` in a process of its own: wall time, and its peak resident memory
   from wait4 (the interpreter, Django, the people read from the database, the engine).
   The review queue is emptied first (`--keep-queue` not to), so the run writes every
   pair and household link as a registry's first run does.
2. The desk's check: households typed as a desk types them, checked against the registry
   with `queries.desk_matches()` in-process and with POST /api/matching/check over HTTP
   against `refuge serve`. Half the households are people already registered, typed again
   in another script (Armenian as Latin, Cyrillic as Armenian) with a typo now and then;
   half are new people with Faker's names, as most of a desk's day is.
"""

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import time

import common

MEMBER_FIELDS = ("given_name", "family_name", "patronymic", "sex", "birth_date", "origin")


def empty_queue() -> None:
    from refuge.matching.models import CandidatePair, HouseholdMatch

    pairs, _ = CandidatePair.objects.all().delete()
    links, _ = HouseholdMatch.objects.all().delete()
    print(f"== review queue emptied: {pairs:,} pairs and {links:,} household links")


def run_dedupe(env: dict) -> dict:
    started = time.monotonic()
    log = common.OUT / "dedupe.log"
    with open(log, "w") as out:
        child = subprocess.Popen([common.PYTHON, str(common.ROOT / "manage.py"), "dedupe"],
                                 env=env, cwd=common.ROOT, stdout=out, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"dedupe failed: see {log}")
    summary = log.read_text().strip().splitlines()[-1]
    peak = usage.ru_maxrss / 1024
    print(f"== manage.py dedupe: {seconds:.1f} s wall, peak memory {peak:,.0f} MB\n   {summary}")
    return {"seconds": seconds, "peak_mb": peak, "summary": summary}


def _retyped(text: str, r: random.Random) -> str:
    """The name in another script, now and then with one letter dropped."""
    from refuge.lib import names

    script = names.detect_script(text)
    other = names.to_latin(text) if script != "latin" else text.upper()
    if len(other) > 4 and r.random() < 0.3:
        cut = r.randrange(1, len(other) - 1)
        other = other[:cut] + other[cut + 1:]
    return other


def typed_households(count: int, seed: int) -> list[list[dict]]:
    """Households as a desk types them: half registered already, half new people. Each
    member retyped from the registry carries who they are (`_person`, taken off before
    the check), so the check can be scored on whether it shows the true match."""
    from django.db.models import Max
    from faker import Faker

    from refuge.registry.models import Household, Person

    r = random.Random(seed)
    fake = Faker(["hy_AM", "ru_RU"])
    fake.seed_instance(seed)
    top = Household.objects.aggregate(top=Max("id"))["top"]
    typed = []
    while len(typed) < count // 2:
        household = Household.objects.filter(pk=r.randint(1, top)).first()
        if household is None:
            continue
        members = []
        for person in Person.objects.filter(household=household).order_by("pk")[:6]:
            born = person.birth_date.isoformat() if person.birth_date else ""
            members.append({"_person": person.pk,
                            "given_name": _retyped(person.given_name, r),
                            "family_name": _retyped(person.family_name, r),
                            "patronymic": person.patronymic, "sex": person.sex,
                            "birth_date": born, "origin": person.origin})
        typed.append(members)
    while len(typed) < count:
        family = fake.last_name_male()
        size = r.randint(1, 6)
        typed.append([{"given_name": fake.first_name(), "family_name": family,
                       "patronymic": "", "sex": r.choice("FM"),
                       "birth_date": str(r.randint(1940, 2024)), "origin": ""}
                      for _ in range(size)])
    r.shuffle(typed)
    return typed


# One of the commonest names of 2023 (issue 15, item 6): a given and a family name shared
# by many people at a million, whose true match must be fetched among its namesakes.
NAMESAKE = ("Գոռ", "Պետրոսյան")
FATHERS = ("Արմեն", "Հովհաննես", "Սամվել", "Աշոտ", "Կարեն", "Վարդան", "Գագիկ", "Սերգեյ")


def add_namesakes(count: int, seed: int) -> int:
    """Register `count` men named NAMESAKE, each in a household of his own, born on days
    spread over 1950–2010, through the import (the registration service), unless the
    registry already holds them. Returns how many it holds."""
    from refuge.registry.imports import import_people
    from refuge.registry.models import Person

    given, family = NAMESAKE
    held = Person.objects.filter(given_name=given, family_name=family).count()
    if held >= count:
        return held
    r = random.Random(seed)
    lines = ["record_id,household_ref,given_name,family_name,patronymic,sex,birth_date,"
             "place_of_origin"]
    for i in range(held, count):
        born = f"{r.randint(1950, 2010)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
        lines.append(f"namesake-{i},namesake-{i},{given},{family},{r.choice(FATHERS)},M,"
                     f"{born},Ստեփանակերտ")
    result = import_people("\n".join(lines) + "\n", user=None)
    if result.errors:
        sys.exit(f"namesakes not imported: {result.errors[:3]}")
    return Person.objects.filter(given_name=given, family_name=family).count()


def typed_namesakes(count: int, seed: int) -> list[list[dict]]:
    """`count` of the namesakes typed again, alone, in Latin letters, born as registered."""
    from refuge.registry.models import Person

    given, family = NAMESAKE
    r = random.Random(seed)
    ids = list(Person.objects.filter(given_name=given, family_name=family)
               .values_list("pk", flat=True))
    typed = []
    for person in Person.objects.filter(pk__in=r.sample(ids, min(count, len(ids)))):
        typed.append([{"_person": person.pk, "given_name": _retyped(given, r),
                       "family_name": _retyped(family, r), "patronymic": person.patronymic,
                       "sex": "M", "birth_date": person.birth_date.isoformat(),
                       "origin": person.origin}])
    return typed


def typed(members: list[dict]) -> list[dict]:
    """The members as the desk sends them, without who they truly are."""
    return [{k: v for k, v in m.items() if k != "_person"} for m in members]


def in_process(households: list[list[dict]], warmup: list) -> dict:
    from refuge.matching import queries

    for members in warmup:
        queries.desk_matches(typed(members))
    common.wait_for_quiet()
    timings, found, again, shown, dated, dated_shown = [], 0, 0, 0, 0, 0
    before, own = common.cpu_snapshot(), time.process_time()
    for members in households:
        started = time.perf_counter()
        matches = queries.desk_matches(typed(members))
        timings.append(time.perf_counter() - started)
        found += sum(1 for m in matches if m)
        for member, possible in zip(members, matches, strict=True):
            if "_person" in member:
                true_shown = any(m.person.pk == member["_person"] for m in possible)
                again, shown = again + 1, shown + true_shown
                if member["birth_date"]:  # names alone are never shown (issue 15)
                    dated, dated_shown = dated + 1, dated_shown + true_shown
    print(f"== queries.desk_matches() in-process, {len(households)} households\n"
          f"  {common.latency_row(timings)}  members with a match shown: {found}\n"
          f"  re-registrations whose true match is shown: {shown:,} of {again:,} "
          f"({shown / max(1, again):.1%}); of those typed with a birth date: "
          f"{dated_shown:,} of {dated:,} ({dated_shown / max(1, dated):.1%})")
    return {"n": len(timings), "p50_ms": common.percentile(timings, 50) * 1000,
            "p95_ms": common.percentile(timings, 95) * 1000, "max_ms": max(timings) * 1000,
            "members_matched": found, "true_match_shown": shown, "re_registered": again,
            "true_match_shown_dated": dated_shown, "re_registered_dated": dated,
            "machine": common.busy(before, own)}


def over_http(env: dict, households: list[list[dict]], warmup: list) -> dict:
    token = common.manage(env, "token", "registrar", "--name", "bench-dedupe").strip()
    timings, errors = [], 0
    with common.serve(env, log=common.OUT / f"serve-dedupe-{os.getpid()}.log") as (port, group):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def ask(members: list[dict]):
            body = json.dumps({"members": typed(members)}).encode()
            started = time.perf_counter()
            status, _answer = common.post_json(conn, "/api/matching/check", body, token)
            return status, time.perf_counter() - started

        for members in warmup:
            ask(members)
        common.wait_for_quiet()
        conn.close()  # gunicorn drops idle keep-alive connections after 2 s
        ask(warmup[0])
        before, own = common.cpu_snapshot(group), time.process_time()
        for members in households:
            status, elapsed = ask(members)
            if status != 200:
                errors += 1
                continue
            timings.append(elapsed)
        after = common.cpu_snapshot(group)
        conn.close()
    print(f"== POST /api/matching/check over HTTP, one keep-alive client\n"
          f"  {common.latency_row(timings)}  errors: {errors}")
    return {"n": len(timings), "p50_ms": common.percentile(timings, 50) * 1000,
            "p95_ms": common.percentile(timings, 95) * 1000, "max_ms": max(timings) * 1000,
            "errors": errors, "machine": common.busy(before, own, after)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--load", action="store_true", help="run demo --reset first, timed")
    parser.add_argument("--households", type=int, default=200, help="households checked")
    parser.add_argument("--no-dedupe", action="store_true", help="only the desk's check")
    parser.add_argument("--keep-queue", dest="empty_queue", action="store_false",
                        help="leave the review queue as the last run left it (by default it "
                        "is emptied, so that dedupe writes every pair as a first run does)")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--namesakes", type=int, default=0,
                        help="register this many men named Գոռ Պետրոսյան (kept for later "
                        "runs) and check 100 of them typed again, apart from the rest")
    parser.add_argument("--unordered", action="store_true",
                        help="the desk's candidates read in no order, as before issue 15's "
                        "item 6 (in-process only): the 'before' of that item's figure")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--data", default="matching", help="data name: /tmp/bench-var-NAME or "
                        "database refuge_bench_NAME")
    args = parser.parse_args()
    env, loaded, people = common.loaded_registry(args.db, args.data, args.people, args.load)
    if args.empty_queue:
        empty_queue()
    dedupe = None if args.no_dedupe else run_dedupe(env)
    if args.unordered:
        from refuge.matching import queries

        queries._born_as_typed_first = lambda rows: None
        args.no_http = True
    if args.namesakes:  # before the households are drawn, so that every run draws the same
        held = add_namesakes(args.namesakes, args.seed)
        print(f"== {held:,} namesakes ({' '.join(NAMESAKE)}) registered")
    households = typed_households(args.households, args.seed)
    warmup = typed_households(10, args.seed + 1)
    local = in_process(households, warmup)
    namesakes = None
    if args.namesakes:
        namesakes = in_process(typed_namesakes(100, args.seed), warmup)
    http_figures = None if args.no_http else over_http(env, households, warmup)
    common.print_json("RESULT", {"bench": "dedupe", "db": args.db, "people": people,
                                 "load_s": loaded, "dedupe": dedupe, "check_in_process": local,
                                 "check_namesakes": namesakes,
                                 "check_http": http_figures, "machine": common.machine()})


if __name__ == "__main__":
    main()
