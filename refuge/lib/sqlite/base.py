"""Django's SQLite backend, with writers queued by the operating system.

Every write transaction takes SQLite's single write lock at BEGIN IMMEDIATE. A writer
that finds it taken is put to sleep by SQLite's busy handler for 1, 2, 5, 10, 15, 20,
25 ... ms and tries again, so when desks register many households a second, processes
sleep while the lock is free and the CPU idles (measured: a quarter of two cores). Here
each write transaction first takes an exclusive lock on a file beside the database
(flock); the kernel wakes the next writer the moment the last one commits, and SQLite's
lock is then always free. A single write outside a transaction (an audit row, a
session) queues the same way for its one statement (QueuedCursor); readers never queue
(WAL). A process that dies releases its lock with it. A writer waits at most the
`timeout` option, as it would for SQLite's own lock, looking again every 0.2 ms (flock
has no time limit of its own).

SQLite also copies the write-ahead log back into the database (a checkpoint) inside the
COMMIT that fills it past 1,000 pages, which then held the lock for everyone: a third
of each registration's time in the lock went to it. Here a connection checkpoints after
it has let go of the lock, or before it closes, at most once a second; SQLite's own
checkpoint is left only as a backstop, at 10,000 pages (40 MB).
"""

import logging
import os
import time
from collections.abc import Mapping
from contextlib import contextmanager
from itertools import tee

from django.db import OperationalError
from django.db.backends.sqlite3 import base
from django.db.backends.sqlite3._functions import register as register_functions

from refuge.lib.sqlite import cipher

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's busy handler queues writers alone
    fcntl = None


CHECKPOINT_SECONDS = 1.0
BACKSTOP_PAGES = 10_000
# How often a queued writer looks again: short enough that the lock is never left idle
# for long, long enough to cost nothing (a few microseconds a look).
POLL_SECONDS = 0.0002
log = logging.getLogger(__name__)


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class QueuedCursor(base.SQLiteCursorWrapper):
    """A write outside any transaction (an audit row, a session) queues like the others:
    otherwise it meets SQLite's busy handler alone, and a steady stream of queued writers
    could starve it until the timeout."""

    wrapper: "DatabaseWrapper"

    def execute(self, query, params=None):
        with self.wrapper.queued_if_alone(query):
            return super().execute(query, params)

    def executemany(self, query, param_list):
        with self.wrapper.queued_if_alone(query):
            return super().executemany(query, param_list)


def _queued_cipher_cursor():
    """QueuedCursor for a SQLCipher connection, whose cursors must be sqlcipher3's."""
    if cipher.sqlcipher is None:
        return None

    class QueuedCipherCursor(cipher.sqlcipher.Cursor):
        wrapper: "DatabaseWrapper"
        convert_query = base.SQLiteCursorWrapper.convert_query

        def execute(self, query, params=None):
            with self.wrapper.queued_if_alone(query):
                if params is None:
                    return super().execute(query)
                names = list(params) if isinstance(params, Mapping) else None
                return super().execute(self.convert_query(query, param_names=names), params)

        def executemany(self, query, param_list):
            with self.wrapper.queued_if_alone(query):
                peekable, param_list = tee(iter(param_list))
                first = next(peekable, None)
                names = list(first) if isinstance(first, Mapping) else None
                return super().executemany(self.convert_query(query, param_names=names),
                                           param_list)

    return QueuedCipherCursor


QueuedCipherCursor = _queued_cipher_cursor()


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_file: int | None = None
    _writing = False
    _checkpointed = 0.0

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=QueuedCipherCursor if self._key
                                        else QueuedCursor)
        cursor.wrapper = self
        return cursor

    @contextmanager
    def queued_if_alone(self, query: str):
        """Hold the writers' lock around one statement that writes in autocommit mode."""
        alone = (not self._writing and self.get_autocommit() and not self.in_atomic_block
                 and query.lstrip()[:6].upper() in WRITES)
        if alone:
            self._queue_as_writer()
        try:
            yield
        finally:
            if alone:
                self._done_writing()

    def __init__(self, settings_dict, *args, **kwargs):
        super().__init__(settings_dict, *args, **kwargs)
        # OPTIONS["key"]: the file is SQLCipher's, and so are the errors to translate.
        self._key = settings_dict.get("OPTIONS", {}).get("key") or None
        if self._key:
            self.Database = cipher.module(self._key)

    def get_connection_params(self):
        params = super().get_connection_params()
        params.pop("key", None)
        return params

    def get_new_connection(self, conn_params):
        if self._key:
            connection = self._new_encrypted_connection(conn_params)
        else:
            connection = super().get_new_connection(conn_params)
        if self._queues_writers():
            connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
        return connection

    def _new_encrypted_connection(self, conn_params):
        """Django's SQLite connection, opened by SQLCipher with the key given first."""
        connection = cipher.connect(**conn_params, passphrase=self._key)
        register_functions(connection)
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA legacy_alter_table = OFF")
        for init_command in self.init_commands:
            if init_command := init_command.strip():
                connection.execute(init_command)
        return connection

    def _start_transaction_under_autocommit(self):
        self._queue_as_writer()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._done_writing()
            raise

    def _commit(self):
        try:
            super()._commit()
        finally:
            self._done_writing()
        self._checkpoint()

    def _checkpoint(self) -> None:
        """Copy the log into the database now and then, outside the write lock (PASSIVE:
        it waits for nobody and nobody waits for it)."""
        if not self._queues_writers() or self.connection is None:
            return
        now = time.monotonic()
        if now - self._checkpointed >= CHECKPOINT_SECONDS:
            self._checkpointed = now
            try:
                self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except self.Database.Error as error:  # the write is committed: keep it
                log.warning("checkpoint skipped: %s", error)

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._done_writing()

    def _close(self):
        try:
            if not self._writing:
                self._checkpoint()  # a connection that only wrote outside transactions
            return super()._close()
        finally:
            self._done_writing()
            if self._writer_file is not None:
                os.close(self._writer_file)
                self._writer_file = None

    def _queues_writers(self) -> bool:
        return fcntl is not None and not self.is_in_memory_db()

    def _queue_as_writer(self) -> None:
        """Wait for the lock file, as long as SQLite itself would wait (the `timeout`
        option), then fail as SQLite does: "database is locked"."""
        if not self._queues_writers() or not self._open_writer_file():
            return
        waited_since = None
        while True:
            try:
                fcntl.flock(self._writer_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                now = time.monotonic()
                waited_since = waited_since or now
                if now - waited_since > self._timeout():
                    raise OperationalError(
                        f"database is locked: another write has held it for over "
                        f"{self._timeout():g} s") from None
                time.sleep(POLL_SECONDS)
        self._writing = True

    def _timeout(self) -> float:
        return float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))

    def _open_writer_file(self) -> bool:
        """The lock file, made like SQLite makes its -wal and -shm files: with the
        database's permissions and owner, so the service and an administrator running a
        command as root can both use it. Without it, writers are not queued."""
        if self._writer_file is not None:
            return True
        database = str(self.settings_dict["NAME"])
        path = f"{database}-writer"
        try:
            stat = os.stat(database) if os.path.exists(database) else None
            self._writer_file = os.open(path, os.O_RDWR | os.O_CREAT,
                                        stat.st_mode & 0o666 if stat else 0o600)
            if stat and os.fstat(self._writer_file).st_uid == os.geteuid():
                os.fchmod(self._writer_file, stat.st_mode & 0o666)  # whatever the umask
                if os.geteuid() == 0:
                    os.fchown(self._writer_file, stat.st_uid, stat.st_gid)
        except OSError as error:
            log.warning("writers are not queued (%s): SQLite's busy handler alone", error)
            self._writer_file = None
            return False
        return True

    def _done_writing(self) -> None:
        if self._writing:
            self._writing = False
            fcntl.flock(self._writer_file, fcntl.LOCK_UN)
