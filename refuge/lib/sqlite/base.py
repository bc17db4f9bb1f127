"""Django's SQLite backend, with writers queued by the operating system.

Every write transaction takes SQLite's single write lock at BEGIN IMMEDIATE. A writer
that finds it taken is put to sleep by SQLite's busy handler for 1, 2, 5, 10, 15, 20,
25 ... ms and tries again, so when desks register many households a second, processes
sleep while the lock is free and the CPU idles (measured: a quarter of two cores). Here
each write transaction first takes an exclusive lock on a file beside the database
(flock); the kernel wakes the next writer the moment the last one commits, and SQLite's
lock is then always free. Readers are not affected (WAL), nor are single statements
outside a transaction. A process that dies releases its lock with it.

SQLite also copies the write-ahead log back into the database (a checkpoint) inside the
COMMIT that fills it past 1,000 pages, which then held the lock for everyone: a third
of each registration's time in the lock went to it. Here a connection checkpoints after
it has let go of the lock, or before it closes, at most once a second; SQLite's own
checkpoint is left only as a backstop, at 10,000 pages (40 MB).
"""

import os
import time

from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's busy handler queues writers alone
    fcntl = None


CHECKPOINT_SECONDS = 1.0
BACKSTOP_PAGES = 10_000


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_file: int | None = None
    _writing = False
    _checkpointed = 0.0

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if self._queues_writers():
            connection.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
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
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

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
        if not self._queues_writers():
            return
        if self._writer_file is None:
            self._writer_file = os.open(f"{self.settings_dict['NAME']}-writer",
                                        os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._writer_file, fcntl.LOCK_EX)
        self._writing = True

    def _done_writing(self) -> None:
        if self._writing:
            self._writing = False
            fcntl.flock(self._writer_file, fcntl.LOCK_UN)
