"""`refuge backup` and `refuge restore` on SQLite, taken while desks write, and the
SQLite file encrypted with SQLCipher when REFUGE_DB_KEY is set: run as real processes."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
NAME = "Vardanushik"
WRITER = f"""
import os, sys, uuid
os.environ["DJANGO_SETTINGS_MODULE"] = "refuge.settings"
import django
django.setup()
from django.contrib.auth.models import User
from refuge.accounts.models import Post
from refuge.registry import services
post = Post.objects.get_or_create(code="GOR", defaults=dict(
    kind=Post.RECEPTION, name="Goris reception centre", province="Syunik"))[0]
user = User.objects.get_or_create(username="desk")[0]
stop, done = sys.argv[1], 0
while not os.path.exists(stop) and done < int(sys.argv[2]):
    services.register_household({{"uuid": str(uuid.uuid4()), "members": [
        {{"given_name": "{NAME}", "family_name": "Hovhannisyan", "birth_date": "1980"}},
        {{"given_name": "Aram", "relationship": "child", "sex": "M"}}]}},
        user=user, post=post, ask_about_duplicates=False)
    done += 1
    print(done, flush=True)
"""
FIGURES = ("from refuge.registry.counting import registrations_count_check; "
           "print(*registrations_count_check())")


def refuge(*args, env, timeout=300):
    return subprocess.run([sys.executable, "-m", "refuge.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def scratch(tmp_path: Path, name: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REFUGE_DB_KEY")}
    env.update(REFUGE_VAR_DIR=str(tmp_path / name), **extra)
    return env


def write(env, tmp_path, households: int):
    stop = tmp_path / "stop"
    stop.unlink(missing_ok=True)
    return subprocess.Popen([sys.executable, "-c", WRITER, str(stop), str(households)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, text=True), stop


def test_a_backup_taken_while_desks_write_restores_with_its_figures(tmp_path):
    live = scratch(tmp_path, "live")
    assert refuge("migrate", "-v", "0", env=live).returncode == 0
    writer, stop = write(live, tmp_path, 100_000)
    try:
        acknowledged = 0
        while acknowledged < 30:
            acknowledged = int(writer.stdout.readline())
        made = refuge("backup", str(tmp_path / "during.sqlite3"), env=live)
        assert made.returncode == 0, made.stderr
        acknowledged = int(writer.stdout.readline())  # it went on writing meanwhile
    finally:
        stop.touch()
        writer.communicate(timeout=60)
    assert "Backed up to" in made.stdout and "checked" in made.stdout
    people = int(made.stdout.split(" people")[0].rsplit(" ", 1)[1])
    assert 60 <= people and people % 2 == 0  # whole households: a consistent snapshot

    elsewhere = scratch(tmp_path, "elsewhere")
    restored = refuge("restore", str(tmp_path / "during.sqlite3"), env=elsewhere)
    assert restored.returncode == 0, restored.stderr
    assert f"Restored {tmp_path / 'during.sqlite3'}: {people} people" in restored.stdout
    figures = refuge("shell", "-v", "0", "-c", FIGURES, env=elsewhere)
    assert figures.stdout.split() == [str(people), str(people)]


def test_a_restore_keeps_the_database_it_replaces(tmp_path):
    live = scratch(tmp_path, "live")
    assert refuge("migrate", "-v", "0", env=live).returncode == 0
    writer, _stop = write(live, tmp_path, 3)
    writer.communicate(timeout=120)
    assert refuge("backup", str(tmp_path / "three.sqlite3"), env=live).returncode == 0
    writer, _stop = write(live, tmp_path, 2)
    writer.communicate(timeout=120)
    restored = refuge("restore", str(tmp_path / "three.sqlite3"), env=live)
    assert restored.returncode == 0, restored.stderr
    assert ": 6 people in 3 households" in restored.stdout
    kept = list((tmp_path / "live").glob("refuge-before-restore-*.sqlite3"))
    assert len(kept) == 1
    assert sqlite3.connect(kept[0]).execute(
        "SELECT COUNT(*) FROM registry_household").fetchone() == (5,)


def test_a_file_that_is_not_a_backup_is_refused_in_one_line(tmp_path):
    env = scratch(tmp_path, "live")
    (tmp_path / "notes.txt").write_text("not a database")
    refused = refuge("restore", str(tmp_path / "notes.txt"), env=env)
    assert refused.returncode != 0
    assert "cannot be read" in refused.stderr and "Traceback" not in refused.stderr


def test_with_a_key_the_database_and_its_backups_are_encrypted(tmp_path):
    pytest.importorskip("sqlcipher3")
    secret = scratch(tmp_path, "live", REFUGE_DB_KEY="correct horse battery staple")
    assert refuge("migrate", "-v", "0", env=secret).returncode == 0
    writer, _stop = write(secret, tmp_path, 5)
    writer.communicate(timeout=120)
    database = tmp_path / "live" / "refuge.sqlite3"
    assert refuge("backup", str(tmp_path / "copy.sqlite3"), env=secret).returncode == 0
    for path in (database, tmp_path / "copy.sqlite3"):
        raw = path.read_bytes()
        assert NAME.encode() not in raw and not raw.startswith(b"SQLite format 3")
        with pytest.raises(sqlite3.DatabaseError):
            sqlite3.connect(path).execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    figures = refuge("shell", "-v", "0", "-c", FIGURES, env=secret)
    assert figures.stdout.split() == ["10", "10"]
    elsewhere = scratch(tmp_path, "elsewhere", REFUGE_DB_KEY="correct horse battery staple")
    assert refuge("restore", str(tmp_path / "copy.sqlite3"), env=elsewhere).returncode == 0
    wrong = scratch(tmp_path, "wrong", REFUGE_DB_KEY="another key")
    refused = refuge("restore", str(tmp_path / "copy.sqlite3"), env=wrong)
    assert refused.returncode != 0 and "another REFUGE_DB_KEY" in refused.stderr
