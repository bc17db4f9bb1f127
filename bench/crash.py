"""Crash safety: registrations acknowledged while servers are killed with SIGKILL (issue 16).

    .venv/bin/python bench/crash.py --db sqlite
    .venv/bin/python bench/crash.py --db postgres
    .venv/bin/python bench/crash.py --db postgres --servers 2

--clients threads POST households of five to /api/households for --duration seconds,
spread over --servers `refuge serve` processes on one database. --kills times, evenly
spaced, one server's whole process group is killed with -9 and started again on its port.
A client that gets no answer (a refused or dropped connection, a timeout, a 5xx) sends the
same body with the same UUID again, to the next server, until it is answered. Afterwards,
with every server stopped, the database is read:

- acknowledged but missing: a 200/201 was received, and the household is not stored;
- stored twice: a household with more people, documents or registration events than it
  was sent with, or a family stored under a second household (same names, same day);
- figures: the pre-counted registration figures against a count of the people.

All three must be 0.
"""

import argparse
import http.client
import json
import os
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import common

RETRY_FOR = 120  # seconds a client keeps sending one household before giving up


class Server:
    """One `manage.py serve` on a fixed port, killed with -9 and started again."""

    def __init__(self, env: dict, index: int, workers: int | None):
        self.env, self.port, self.workers = env, common.free_port(), workers
        self.log = common.OUT / f"serve-crash-{index}-{os.getpid()}.log"
        self.proc: subprocess.Popen | None = None
        self.started = False

    def start(self) -> None:
        # Migrated at the first start: a restart comes back sooner without.
        extra = ("--no-migrate",) if self.started else ()
        cmd = common.serve_command(self.port, self.workers, None, *extra)
        out = open(self.log, "a")  # noqa: SIM115 (the server keeps it open)
        self.proc = subprocess.Popen(cmd, cwd=common.ROOT, env=self.env, stdout=out,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        common.wait_until_up(self.port, self.proc)
        self.started = True

    def kill(self) -> None:
        os.killpg(self.proc.pid, 9)
        self.proc.wait()

    def stop(self) -> None:
        common.stop_group(self.proc)


def client(index: int, servers: list[Server], token: str, until: float, seed: int,
           seen: dict, lock: threading.Lock) -> None:
    households = common.Households(seed * 1000 + index)
    turn = index
    while time.monotonic() < until:
        household_uuid = str(uuid.uuid4())
        body = json.dumps(households.body(household_uuid, desk=f"crash-{index}")).encode()
        first_sent, answer = time.monotonic(), None
        while answer is None and time.monotonic() < first_sent + RETRY_FOR:
            server = servers[turn % len(servers)]
            try:
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
                status, _body = common.post_json(conn, "/api/households", body, token)
                conn.close()
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
            with lock:
                seen["statuses"][status] += 1
            if status in (200, 201):
                answer = status
            elif isinstance(status, int) and status < 500:
                answer = status  # refused: counted, not retried
            else:
                turn += 1
                time.sleep(0.2)
        with lock:
            if answer in (200, 201):
                seen["acknowledged"][household_uuid] = body
            elif answer is None:
                seen["gave_up"] += 1
            else:
                seen["refused"][answer] += 1


def killer(servers: list[Server], kills: int, start: float, duration: float,
           log: list) -> None:
    for k in range(kills):
        time.sleep(max(0.0, start + duration * (k + 1) / (kills + 1) - time.monotonic()))
        server = servers[k % len(servers)]
        killed_at = time.monotonic()
        server.kill()
        time.sleep(1.0)
        server.start()
        log.append({"server": k % len(servers), "at_s": round(killed_at - start, 1),
                    "down_s": round(time.monotonic() - killed_at, 1)})


def check(env: dict, acknowledged: dict) -> dict:
    """What the database holds of the acknowledged households, read after every server
    has stopped."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    import django

    django.setup()
    from django.db.models import Count, Sum

    from refuge.registry.models import (
        Document,
        Household,
        Person,
        RegistrationEvent,
        RegistrationFigure,
    )

    stored = {str(h.uuid): h for h in Household.objects.filter(uuid__in=list(acknowledged))}
    missing = [u for u in acknowledged if u not in stored]
    members = dict(Person.objects.filter(household__in=stored.values()).values_list(
        "household__uuid").annotate(n=Count("id")))
    documents = dict(Document.objects.filter(person__household__in=stored.values())
                     .values_list("person__household__uuid").annotate(n=Count("id")))
    events = dict(RegistrationEvent.objects.filter(household__in=stored.values())
                  .values_list("household__uuid").annotate(n=Count("id")))
    twice = []
    for household_uuid, body in acknowledged.items():
        if household_uuid not in stored:
            continue
        sent = json.loads(body)["members"]
        key = uuid.UUID(household_uuid)
        if (members.get(key, 0) != len(sent) or events.get(key, 0) != 1
                or documents.get(key, 0) != sum(len(m["documents"]) for m in sent)):
            twice.append(household_uuid)
    # A family stored a second time under another household: the focal point's names and
    # birth date on two households registered by the crash test's desks.
    families = (Person.objects.filter(relationship=Person.FOCAL_POINT,
                                      household__events__desk__startswith="crash-")
                .values("given_name", "family_name", "patronymic", "birth_date")
                .annotate(households=Count("household", distinct=True))
                .filter(households__gt=1))
    # Each person is counted once with need "" and once more per need they have.
    counted = RegistrationFigure.objects.filter(need="").aggregate(n=Sum("people"))["n"] or 0
    people = Person.objects.counted().count()
    return {"acknowledged": len(acknowledged), "stored": len(stored),
            "acknowledged_missing": len(missing), "stored_twice": len(twice),
            "families_on_two_households": families.count(),
            "figures_people": counted, "people": people,
            "figures_off_by": counted - people}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--workers", type=int, help="gunicorn workers per server")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30, help="seconds of new households")
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--data", default="crash", help="data name: /tmp/bench-var-NAME or "
                        "database refuge_bench_NAME")
    args = parser.parse_args()
    common.OUT.mkdir(exist_ok=True)
    env = common.db_env(args.db, args.data)
    common.manage(env, "migrate", "-v0")
    common.manage(env, "demo", "--people", "200", "--reset")
    token = common.manage(env, "token", "registrar", "--name", "crash").strip()
    servers = [Server(env, i, args.workers) for i in range(args.servers)]
    for server in servers:
        server.start()
    seen = {"statuses": Counter(), "acknowledged": {}, "refused": Counter(), "gave_up": 0}
    lock, kills = threading.Lock(), []
    start = time.monotonic()
    until = start + args.duration
    threads = [threading.Thread(target=client, args=(i, servers, token, until, args.seed,
                                                     seen, lock))
               for i in range(args.clients)]
    threads.append(threading.Thread(target=killer, args=(servers, args.kills, start,
                                                         args.duration, kills)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for server in servers:
        server.stop()
    found = check(env, seen["acknowledged"])
    print(f"== Crash test on {args.db}, {args.servers} server(s), {args.clients} clients, "
          f"{args.duration:g} s, {len(kills)} kill -9: {kills}")
    print(f"  answers: {dict(seen['statuses'])}; refused households: "
          f"{dict(seen['refused']) or 'none'}; given up: {seen['gave_up']}")
    print(f"  acknowledged {found['acknowledged']}, stored {found['stored']}: "
          f"acknowledged but missing {found['acknowledged_missing']}, stored twice "
          f"{found['stored_twice']}, families on two households "
          f"{found['families_on_two_households']}; figures {found['figures_people']} people "
          f"against {found['people']} counted (off by {found['figures_off_by']})")
    common.print_json("crash", {"db": args.db, "args": vars(args), "kills": kills,
                                "statuses": {str(k): v for k, v in seen["statuses"].items()},
                                "gave_up": seen["gave_up"], **found,
                                "machine": common.machine()})
    bad = (found["acknowledged_missing"] or found["stored_twice"]
           or found["families_on_two_households"] or found["figures_off_by"])
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    Path(common.OUT).mkdir(exist_ok=True)
    main()
