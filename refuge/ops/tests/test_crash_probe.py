"""The crash probe (bench/crash.py) on every change: clients register households while the
server is killed with -9 and started again, and retry what got no answer. Nothing
acknowledged may be missing, nothing stored twice, and the figures must count everyone.
The full probe (20 clients, two kills, two servers on PostgreSQL) is in docs/benchmarks.md;
this is a short one on the suite's own database."""

import subprocess
import sys
from pathlib import Path

from django.db import connection

BENCH = Path(__file__).resolve().parents[3] / "bench"


def test_nothing_acknowledged_is_lost_or_stored_twice_when_the_server_is_killed():
    db = "postgres" if connection.vendor == "postgresql" else "sqlite"
    servers = "2" if db == "postgres" else "1"
    done = subprocess.run(
        [sys.executable, str(BENCH / "crash.py"), "--db", db, "--servers", servers,
         "--clients", "6", "--duration", "12", "--kills", "2",
         "--data", "crash-test"],
        capture_output=True, text=True, timeout=600)
    report = done.stdout[-3000:] + done.stderr[-3000:]
    assert done.returncode == 0, report
    assert "acknowledged but missing 0, stored twice 0" in report
    assert "2 kill -9" in report
