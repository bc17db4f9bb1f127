"""The SQLite backend's writer queue and checkpoints (refuge.lib.sqlite), on a file of
its own: the test database lives in memory, where neither applies."""

import fcntl
import os
import sqlite3
import threading
import time

import pytest
from django.db import OperationalError, connections, transaction

from refuge.lib.sqlite import base


def open_database(path, alias: str):
    """A connection under `alias` (so transaction.atomic(using=alias) finds it)."""
    connections.settings[alias] = connections.configure_settings({
        "default": {}, alias: {
            "ENGINE": "refuge.lib.sqlite", "NAME": str(path),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20,
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
        }})[alias]
    return connections[alias]


def close_database(alias: str) -> None:
    connections[alias].close()
    del connections[alias]
    del connections.settings[alias]


@pytest.fixture
def database(tmp_path, django_db_blocker):
    """A file database of its own, outside the test database pytest-django guards."""
    path = tmp_path / "queue.sqlite3"
    with django_db_blocker.unblock():
        first = open_database(path, "first")
        with first.cursor() as cursor:
            cursor.execute("CREATE TABLE event (what TEXT)")
        yield path, first
        close_database("first")


def test_a_second_writer_waits_for_the_first_to_commit(database):
    path, first = database
    order, holding = [], threading.Event()

    def second_writer():
        second = open_database(path, "second")
        holding.wait()
        with transaction.atomic(using="second"), second.cursor() as cursor:
            order.append("second begins")
            cursor.execute("INSERT INTO event VALUES ('second')")
        close_database("second")

    thread = threading.Thread(target=second_writer)
    thread.start()
    with transaction.atomic(using="first"), first.cursor() as cursor:
        cursor.execute("INSERT INTO event VALUES ('first')")
        holding.set()
        time.sleep(0.3)  # the second writer is queued on the lock file meanwhile
        order.append("first commits")
    thread.join(5)
    assert order == ["first commits", "second begins"]


def test_the_lock_file_is_held_from_begin_to_commit(database):
    path, first = database
    lock = os.open(path.parent / "queue.sqlite3-writer", os.O_RDWR | os.O_CREAT)
    try:
        with transaction.atomic(using="first"):
            first.cursor().execute("INSERT INTO event VALUES ('first')")
            with pytest.raises(BlockingIOError):
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free once committed
    finally:
        os.close(lock)


def test_a_failed_transaction_lets_the_next_writer_in(database):
    path, first = database
    with pytest.raises(RuntimeError), transaction.atomic(using="first"):
        first.cursor().execute("INSERT INTO event VALUES ('rolled back')")
        raise RuntimeError
    assert not first._writing
    with transaction.atomic(using="first"):  # would wait for ever if the lock were held
        first.cursor().execute("INSERT INTO event VALUES ('kept')")


def test_the_log_is_copied_into_the_database_after_the_commit(database, monkeypatch):
    path, first = database
    with first.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone() == (base.BACKSTOP_PAGES,)  # SQLite's own, inside COMMIT
    first._checkpointed = 0.0
    with transaction.atomic(using="first"):
        first.cursor().execute("INSERT INTO event VALUES ('checkpointed')")
    # Read the database file alone, ignoring the log: the row is there.
    alone = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    assert alone.execute("SELECT what FROM event").fetchall() == [("checkpointed",)]
    alone.close()
    monkeypatch.setattr(base, "CHECKPOINT_SECONDS", 3600)
    with transaction.atomic(using="first"):
        first.cursor().execute("INSERT INTO event VALUES ('in the log only')")
    alone = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    assert alone.execute("SELECT count(*) FROM event").fetchone() == (1,)
    alone.close()


def test_a_writer_waits_no_longer_than_the_timeout(database, monkeypatch):
    path, first = database
    monkeypatch.setitem(first.settings_dict["OPTIONS"], "timeout", 0.2)
    lock = os.open(path.parent / "queue.sqlite3-writer", os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)  # another process in the middle of a long write
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"), \
                transaction.atomic(using="first"):
            first.cursor().execute("INSERT INTO event VALUES ('waited')")
        assert 0.2 <= time.monotonic() - started < 2
    finally:
        os.close(lock)
    with transaction.atomic(using="first"):  # free again
        first.cursor().execute("INSERT INTO event VALUES ('written')")


def test_the_lock_file_takes_the_databases_permissions(database):
    path, first = database
    os.chmod(path, 0o640)
    (path.parent / "queue.sqlite3-writer").unlink(missing_ok=True)
    first.close()
    with transaction.atomic(using="first"):
        first.cursor().execute("INSERT INTO event VALUES ('x')")
    assert (path.parent / "queue.sqlite3-writer").stat().st_mode & 0o777 == 0o640


def test_without_a_usable_lock_file_writes_still_go_through(database, monkeypatch):
    path, first = database
    first.close()
    monkeypatch.setitem(first.settings_dict, "NAME", str(path))
    real_open = os.open

    def refused(name, *args, **kwargs):
        if str(name).endswith("-writer"):
            raise PermissionError(13, "Permission denied", name)
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "open", refused)
    with transaction.atomic(using="first"):
        first.cursor().execute("INSERT INTO event VALUES ('unqueued')")
    assert not first._writing


def test_a_write_outside_a_transaction_queues_too(database):
    path, first = database
    lock = os.open(path.parent / "queue.sqlite3-writer", os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock, fcntl.LOCK_EX)  # a transaction elsewhere is writing
    done = threading.Event()

    def audit_row():
        second = open_database(path, "second")
        with second.cursor() as cursor:  # autocommit: no transaction of its own
            cursor.execute("INSERT INTO event VALUES ('audit')")
        assert not second._writing
        close_database("second")
        done.set()

    thread = threading.Thread(target=audit_row)
    try:
        thread.start()
        assert not done.wait(0.3)  # it waits its turn
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        os.close(lock)
    thread.join(5)
    assert done.is_set()
    with first.cursor() as cursor:
        cursor.execute("SELECT what FROM event")  # reads never queue
        assert cursor.fetchall() == [("audit",)]
