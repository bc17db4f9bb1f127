"""What the benchmarks share: databases, `refuge serve`, synthetic households, CPU, percentiles.

Every benchmark keeps its data apart from var/: SQLite under /tmp/bench-var-NAME and
PostgreSQL in a database of its own, refuge_bench_NAME on 127.0.0.1:5432.
"""

import http.client
import json
import math
import os
import platform
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from faker.providers.person.hy_AM import Provider as ArmenianNames
from faker.providers.person.ru_RU import Provider as RussianNames

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
OUT = ROOT / "bench" / "out"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
TICK = os.sysconf("SC_CLK_TCK")
if str(ROOT) not in sys.path:  # the scripts run as bench/NAME.py, and import refuge
    sys.path.insert(0, str(ROOT))
sys.stdout.reconfigure(line_buffering=True)  # progress shows up even through `tee`


def db_env(db: str, name: str) -> dict:
    """The environment for manage.py and in-process Django, pointing at this bench's data."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["REFUGE_VAR_DIR"] = f"/tmp/bench-var-{name}"
    env["REFUGE_LOG_LEVEL"] = "WARNING"
    # A benchmark measures one thing: no search for duplicates after its demo or import.
    env["REFUGE_SEARCH_AFTER_BULK"] = "false"
    if db == "postgres":
        env["DATABASE_URL"] = f"{PG_SERVER}/refuge_bench_{name}"
        OWN_DATABASES.add(f"refuge_bench_{name}")
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (f"refuge_bench_{name}",)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "refuge_bench_{name}"')
    elif db != "sqlite":
        raise SystemExit(f"--db: sqlite or postgres, not {db}")
    return env


def sqlite_path(env: dict) -> str:
    return str(Path(env["REFUGE_VAR_DIR"]) / "refuge.sqlite3")


def manage(env: dict, *args: str, log: Path | None = None) -> str:
    """Run manage.py with this environment; output goes to `log` when given."""
    if log is None:
        done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-2000:]}")
        return done.stdout
    with open(log, "w") as out:
        subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
                       stdout=out, stderr=subprocess.STDOUT)
    return ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_command(port: int, workers: int | None = None, threads: int | None = None,
                  *extra: str) -> list[str]:
    """`manage.py serve` on a loopback port, with serve's defaults unless told."""
    cmd = [PYTHON, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port), *extra]
    if workers:
        cmd += ["--workers", str(workers)]
    if threads:
        cmd += ["--threads", str(threads)]
    return cmd


@contextmanager
def serve(env: dict, workers: int | None = None, threads: int | None = None,
          log: Path | None = None):
    """`manage.py serve` on a free loopback port, stopped with its whole process group."""
    port = free_port()
    cmd = serve_command(port, workers, threads)
    OUT.mkdir(exist_ok=True)
    with open(log or OUT / "serve.log", "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            wait_until_up(port, proc)
            yield port, proc.pid
        finally:
            stop_group(proc)


def wait_until_up(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"refuge serve exited with {proc.returncode}; see bench/out")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/posts")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("refuge serve did not answer within 90 s")


def stop_group(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def post_json(conn: http.client.HTTPConnection, path: str, body: bytes, token: str):
    conn.request("POST", path, body=body, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    return response.status, response.read()


# CPU: jiffies from /proc, so the server's workers and PostgreSQL's backends count too.

def _proc_stats():
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                text = f.read()
        except OSError:
            continue
        comm = text[text.index("(") + 1:text.rindex(")")]
        rest = text[text.rindex(")") + 2:].split()
        own, children = (sum(int(x) for x in rest[11:13]) / TICK,
                         sum(int(x) for x in rest[13:15]) / TICK)
        yield int(entry.name), int(rest[2]), comm, own, children


OWN_DATABASES: set[str] = set()  # filled by db_env()


def _serves_another_database(pid: int) -> bool:
    """A PostgreSQL backend whose title names a database other than this benchmark's."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            title = f.read().decode(errors="replace")
    except OSError:
        return False
    return "127.0.0.1(" in title and not any(f" {name} " in title for name in OWN_DATABASES)


def cpu_snapshot(server_group: int | None = None) -> dict:
    """CPU seconds used so far: the server's process group, PostgreSQL, this benchmark's
    own process group, everything else (by process), and the machine as a whole."""
    snapshot = {"server": 0.0, "postgres": 0.0, "bench": 0.0, "others": {}}
    own_group = os.getpgrp()
    for pid, group, comm, own, children in _proc_stats():
        if server_group and group == server_group:
            snapshot["server"] += own + children
        elif comm == "postgres" or comm.startswith("postgres:"):
            if _serves_another_database(pid):
                snapshot["others"][pid] = ("postgres (another database)", own)
            else:
                snapshot["postgres"] += own + children
        elif group == own_group:
            snapshot["bench"] += own + children
        else:
            # Only a process's own time: a shell's children would count when reaped,
            # with all the CPU they used before the window.
            snapshot["others"][pid] = (comm, own)
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    snapshot["busy"] = (sum(fields) - idle) / TICK
    snapshot["total"] = sum(fields) / TICK
    return snapshot


def cpu_delta(before: dict, after: dict) -> dict:
    """CPU seconds between two snapshots; `other` sums processes outside the benchmark,
    and `other_top` names the busiest of them."""
    delta = {k: after[k] - before[k] for k in ("server", "postgres", "bench", "busy", "total")}
    others: dict[str, float] = {}
    for pid, (comm, seconds) in after["others"].items():
        used = seconds - before["others"].get(pid, (comm, 0.0))[1]
        if used > 0:
            others[comm] = others.get(comm, 0.0) + used
    delta["other"] = sum(others.values())
    delta["other_top"] = ", ".join(f"{comm} {seconds:.1f}s" for comm, seconds in
                                   sorted(others.items(), key=lambda x: -x[1])[:3]) or "none"
    return delta


def wait_for_quiet(limit: float = 60, busy_below: float = 0.15, window: float = 3) -> str:
    """Wait (at most `limit` s) until the machine is nearly idle, since other work on a
    shared 2-core machine skews every figure; says how long it waited and how busy it was."""
    started = time.monotonic()
    while True:
        before = cpu_snapshot()
        time.sleep(window)
        delta = cpu_delta(before, cpu_snapshot())
        busy = delta["busy"] / delta["total"]
        waited = time.monotonic() - started
        if busy < busy_below or waited >= limit:
            quiet = "quiet" if busy < busy_below else "still busy"
            note = f"waited {waited:.0f} s for a quiet machine: {quiet} ({100 * busy:.0f}% busy)"
            print(f"  ({note})")
            return note


def loaded_registry(db: str, data: str, people: int,
                    load: bool) -> tuple[dict, float | None, int]:
    """The benchmark database `data` with Django set up on it: (environment, seconds the
    load took or None, people registered). With `load`, it is filled first with
    `demo --people N --reset`; without, what is there is used, migrated to this commit.
    Exits if fewer people are loaded than asked for."""
    OUT.mkdir(exist_ok=True)
    env = db_env(db, data)
    loaded = None
    if load:
        manage(env, "migrate", "-v0")
        started = time.monotonic()
        manage(env, "demo", "--people", str(people), "--reset", log=OUT / f"load-{db}.log")
        loaded = time.monotonic() - started
        print(f"== Loaded {people:,} people with demo --reset in {loaded:.0f} s")
    started = time.monotonic()
    manage(env, "migrate", "-v0")  # data loaded by an older commit needs it
    print(f"== migrate: {time.monotonic() - started:.1f} s")
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "refuge.settings")
    import django

    django.setup()
    from refuge.registry.models import Person

    count = Person.objects.count()
    print(f"== {db}: {count:,} people registered")
    if count < people:
        sys.exit(f"only {count:,} people loaded; run with --load")
    return env, loaded, count


def busy(before: dict, own: float, after: dict | None = None) -> dict:
    """How busy the machine was meanwhile, and how much of that was someone else's."""
    cpu = cpu_delta(before, after or cpu_snapshot())
    mine = time.process_time() - own
    print(f"  machine {100 * cpu['busy'] / cpu['total']:.0f}% busy over "
          f"{cpu['total'] / (os.cpu_count() or 1):.1f} s: this process {mine:.1f} s CPU, "
          f"server {cpu['server']:.1f} s, postgres {cpu['postgres']:.1f} s, "
          f"other processes {cpu['other']:.1f} s ({cpu['other_top']})")
    return {"busy_pct": 100 * cpu["busy"] / cpu["total"], "own_cpu_s": mine,
            "server_cpu_s": cpu["server"], "postgres_cpu_s": cpu["postgres"],
            "other_cpu_s": cpu["other"], "other_top": cpu["other_top"]}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; q in 0..100."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def latency_row(values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (f"n={len(ms):4d}  p50={percentile(ms, 50):7.1f} ms  p95={percentile(ms, 95):7.1f} ms"
            f"  max={max(ms) if ms else float('nan'):7.1f} ms")


# Synthetic households: Faker's Armenian and Russian name lists, no real person.

def _latin(text: str) -> str:
    from refuge.lib.names import to_latin

    return to_latin(text)


class Households:
    """Households of five: two adults with passports and three children, in 3 scripts."""

    def __init__(self, seed: int, today: date | None = None):
        self.random = random.Random(seed)
        self.year = (today or date.today()).year

    def _names(self, sex: str) -> tuple[str, str, str]:
        r = self.random
        script = r.choices(["hy", "ru", "latn"], [60, 25, 15])[0]
        if script == "ru":
            male = sex == "M"
            return (r.choice(RussianNames.first_names_male if male
                             else RussianNames.first_names_female),
                    r.choice(RussianNames.last_names_male if male
                             else RussianNames.last_names_female),
                    r.choice(RussianNames.middle_names_male if male
                             else RussianNames.middle_names_female))
        given = r.choice(ArmenianNames.first_names_male if sex == "M"
                         else ArmenianNames.first_names_female)
        family = r.choice(ArmenianNames.last_names)
        father = r.choice(ArmenianNames.first_names_male)
        if script == "latn":
            return _latin(given), _latin(family), _latin(father)
        return given, family, father + "ի"

    def member(self, sex: str, birth: str, relationship: str, adult: bool) -> dict:
        given, family, patronymic = self._names(sex)
        documents = ([{"kind": "passport", "number": f"AN{self.random.randint(10**6, 10**7 - 1)}"}]
                     if adult else [])
        return {"given_name": given, "family_name": family, "patronymic": patronymic,
                "sex": sex, "birth_date": birth, "relationship": relationship, "needs": [],
                "documents": documents}

    def body(self, uuid: str, post: str = "GOR", desk: str = "bench") -> dict:
        r = self.random
        focal_sex = r.choice("MF")
        members = [
            self.member(focal_sex, str(r.randint(1960, 1995)), "focal_point", True),
            self.member("F" if focal_sex == "M" else "M", str(r.randint(1960, 1995)), "spouse",
                        True),
        ]
        for _ in range(3):
            members.append(self.member(r.choice("MF"), f"age {r.randint(0, 15)}", "child", False))
        return {"uuid": uuid, "post": post, "desk": desk, "members": members}


def machine() -> dict:
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f
                      if line.startswith("model name")), "?")
    memory = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    pg = subprocess.run(["psql", f"{PG_SERVER}/postgres", "-Atc", "SHOW server_version"],
                        capture_output=True, text=True).stdout.strip()
    git = ["git", "-C", str(ROOT)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or os.environ.get("BENCH_COMMIT", "?")
    dirty = subprocess.run([*git, "status", "--porcelain", "refuge"], capture_output=True,
                           text=True).stdout.strip()
    return {"date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "commit": commit + (" with uncommitted changes in refuge/" if dirty else ""),
            "nproc": os.cpu_count(), "cpu": model, "memory": memory[1].split()[1],
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "postgres": pg or "?"}


def print_json(label: str, data: dict) -> None:
    print(f"{label} {json.dumps(data, ensure_ascii=False, default=str)}")
