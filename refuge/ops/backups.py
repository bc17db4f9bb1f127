"""Backups of the SQLite database, taken while the server runs, and their restore.

A backup uses SQLite's online backup API in one step: a consistent snapshot of the
database as of one moment, read while desks go on writing (WAL: readers and the writer
never wait for each other). It is written beside the target, checked, and only then
moved into place, so a failed backup never leaves a half file under the name asked for.
With REFUGE_DB_KEY set the backup is encrypted with the same key.

A restore first keeps a copy of the database it replaces, copies the backup into the
live database (again with the backup API, under the write lock, so a running server sees
the restored data at its next transaction), brings its schema up to date, and recounts
the pre-counted figures from the people restored.

PostgreSQL is backed up with its own tools (pg_dump, see the README).
"""

import os
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from refuge.lib.sqlite import cipher


class NotSQLite(Exception):
    pass


@dataclass
class Copy:
    path: Path
    bytes: int
    people: int
    households: int
    seconds: float


def database_path() -> Path:
    if connection.vendor != "sqlite":
        raise NotSQLite("this database is PostgreSQL: back it up with pg_dump (README, "
                        "\"Backups\")")
    return Path(settings.DATABASES["default"]["NAME"])


def _key() -> str | None:
    return settings.DATABASES["default"].get("OPTIONS", {}).get("key") or None


def _open(path: Path):
    return cipher.connect(str(path), _key(), timeout=60)


def _counts(db) -> tuple[int, int]:
    people = db.execute("SELECT COUNT(*) FROM registry_person WHERE status != 'merged'"
                        ).fetchone()[0]
    households = db.execute("SELECT COUNT(*) FROM registry_household").fetchone()[0]
    return people, households


def check(path: Path) -> tuple[int, int]:
    """(people, households) in a backup, after SQLite's own check of the file; raises
    ValueError saying what is wrong with it."""
    if not path.exists():
        raise ValueError(f"{path} does not exist")
    db = _open(path)
    try:
        result = db.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise ValueError(f"{path} is damaged: {result}")
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if "registry_person" not in tables:
            raise ValueError(f"{path} is not a Refuge database")
        return _counts(db)
    except cipher.DATABASE_ERRORS as error:
        raise ValueError(f"{path} cannot be read ({error}): not a SQLite database, or "
                         "encrypted with another REFUGE_DB_KEY") from None
    finally:
        db.close()


def backup(target: Path) -> Copy:
    """Copy the live database to `target` while it is in use."""
    source_path = database_path()
    started = time.monotonic()
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    source, copy = _open(source_path), _open(partial)
    try:
        source.backup(copy)  # one step: a snapshot of one moment
    finally:
        copy.close()
        source.close()
    people, households = check(partial)
    os.replace(partial, target)
    return Copy(target, target.stat().st_size, people, households,
                time.monotonic() - started)


def restore(backup_file: Path) -> tuple[Copy, Path]:
    """Copy a backup into the live database; returns what was restored and where the
    database it replaced was kept. The caller migrates and recounts."""
    target = database_path()
    check(backup_file)
    started = time.monotonic()
    kept = target.with_name(f"{target.stem}-before-restore-{time.strftime('%Y%m%d-%H%M%S')}"
                            f"{target.suffix}")
    if target.exists():
        backup(kept)
    connection.close()
    source, live = _open(backup_file), _open(target)
    try:
        source.backup(live)
    finally:
        live.close()
        source.close()
    people, households = check(target)
    return Copy(target, target.stat().st_size, people, households,
                time.monotonic() - started), kept
