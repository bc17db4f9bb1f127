"""Setting up from a fresh clone: every `refuge` command finds its database ready or says
what to run, a taken port is said in one line, and ./scripts/start installs only when
pyproject.toml changed."""

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

from refuge.ops import schema

REPO = Path(__file__).resolve().parents[3]


def refuge(*args, env, timeout=180):
    return subprocess.run([sys.executable, "-m", "refuge.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def fresh(tmp_path):
    """An environment whose database (SQLite in a new REFUGE_VAR_DIR) was never migrated."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["REFUGE_VAR_DIR"] = str(tmp_path / "var")
    return env


def test_every_command_is_known_to_need_the_database_or_not():
    classified = schema.NO_DATABASE | schema.MIGRATE_FIRST | schema.READS_ONLY
    assert set(get_commands()) - classified == set()
    assert not schema.NO_DATABASE & schema.MIGRATE_FIRST
    assert not (schema.NO_DATABASE | schema.MIGRATE_FIRST) & schema.READS_ONLY


def test_refuge_demo_on_a_database_never_migrated_migrates_it_first(fresh):
    done = refuge("demo", "--people", "20", env=fresh)
    assert done.returncode == 0, done.stderr
    assert "The database is up to date (" in done.stderr
    assert "Demo loaded:" in done.stdout
    assert "no such table" not in done.stderr


def test_refuge_import_people_on_a_database_never_migrated_migrates_it_first(fresh, tmp_path):
    people = tmp_path / "people.csv"
    people.write_text("record_id,given_name,family_name,birth_date\n"
                      "r1,Anahit,Hovhannisyan,1972\nr2,Armen,Hovhannisyan,1969\n",
                      encoding="utf-8")
    done = refuge("import-people", str(people), env=fresh)
    assert done.returncode == 0, done.stderr
    assert "The database is up to date (" in done.stderr
    assert "2 people in 2 new households" in done.stdout


def test_a_command_that_only_reads_says_in_one_line_what_to_run(fresh, tmp_path):
    done = refuge("export", "hxl", "--out", str(tmp_path / "figures.csv"), env=fresh)
    assert done.returncode == 1
    assert done.stderr.strip() == ("The database has no tables yet: run `refuge migrate` "
                                   "first (or `refuge demo` for demo data), then `refuge "
                                   "export` again.")
    assert not (tmp_path / "figures.csv").exists()
    assert refuge("export", "--help", env=fresh).returncode == 0  # help needs no database


def test_an_unreachable_database_is_said_in_one_line(fresh):
    env = {**fresh, "DATABASE_URL": "postgres://nobody@127.0.0.1:9/refuge"}
    done = refuge("token", "somebody", env=env, timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Refuge cannot reach its database:")
    assert "DATABASE_URL" in lines[0]


def test_a_port_already_taken_is_said_in_one_line_with_what_to_do(fresh):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = refuge("serve", "--port", str(port), "--workers", "1", env=fresh, timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"Port {port} on 127.0.0.1 is taken" in lines[0]
    assert f"./scripts/start --port {port + 1}" in lines[0]
    assert "Connection in use" not in done.stderr + done.stdout


FAKE_PYTHON = """#!/usr/bin/env bash
echo "python $*" >> "$LOG"
if [ "$1" = "-V" ]; then echo "Python 3.11.2"; fi
if [ "$3" = "install" ]; then
  printf '#!/usr/bin/env bash\\necho "refuge $*" >> "$LOG"\\n' > "$(dirname "$0")/refuge"
  chmod +x "$(dirname "$0")/refuge"
fi
"""


@pytest.fixture
def checkout(tmp_path):
    """scripts/start in a copy of the checkout, with a .venv whose python and refuge only
    write down what they were asked."""
    root = tmp_path / "checkout"
    (root / "scripts").mkdir(parents=True)
    (root / "scripts" / "start").write_bytes((REPO / "scripts" / "start").read_bytes())
    (root / "scripts" / "start").chmod(0o755)
    (root / "pyproject.toml").write_text('[project]\nname = "refuge"\n', encoding="utf-8")
    (root / "requirements.lock").write_text("Django==5.2.1\n", encoding="utf-8")
    python = root / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON, encoding="utf-8")
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    return root


def start(checkout: Path, *args) -> tuple[str, list[str]]:
    log = checkout / "calls.log"
    log.unlink(missing_ok=True)
    done = subprocess.run([str(checkout / "scripts" / "start"), *args], capture_output=True,
                          text=True, timeout=30, env={"PATH": os.environ["PATH"],
                                                      "LOG": str(log)})
    assert done.returncode == 0, done.stderr
    return done.stdout, log.read_text().splitlines()


def test_scripts_start_says_what_it_does_and_installs_only_when_pyproject_changed(checkout):
    said, calls = start(checkout, "--port", "8105")
    assert "Installing Refuge and its dependencies into .venv with pip" in said
    assert "python -m pip install --quiet -e . -c requirements.lock" in calls
    assert calls[-3:] == ["refuge serve --check-port --port 8105", "refuge demo",
                          "refuge serve --port 8105"]

    said, calls = start(checkout)
    assert "no need to run pip" in said
    assert not any("pip" in call for call in calls)
    assert calls[-1] == "refuge serve"

    (checkout / "pyproject.toml").write_text('[project]\nname = "refuge"\nversion = "2"\n',
                                             encoding="utf-8")
    said, calls = start(checkout)
    assert "Installing Refuge" in said
    assert "python -m pip install --quiet -e . -c requirements.lock" in calls
