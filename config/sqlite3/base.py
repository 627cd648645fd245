"""Django's SQLite backend, with writers queueing on a lock file before they begin a transaction.

SQLite lets one writer in at a time; the others sleep in its busy handler for 1, 2, 5, 10, 25 ms
and more before they look again, however soon the writer is done. With several processes writing
short transactions (token grants), much of their time went to those sleeps. Here a transaction
first takes an exclusive ``flock`` on ``<database>-writers.lock``, looking again every millisecond
at most, and only then runs ``BEGIN IMMEDIATE``, which then nearly always gets in at once.

SQLite's own locking stays the authority: the lock file only orders writers, so a process that
skips it (an autocommit write, another program, a process that cannot open the file) is still
safe. Waiting is bounded by the same ``timeout`` option, and fails as SQLite does ("database is
locked"). In-memory databases are left alone.
"""

import fcntl
import os
import time

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

FIRST_WAIT = 0.00005
LONGEST_WAIT = 0.001


class DatabaseWrapper(base.DatabaseWrapper):
    _writers_lock = None  # (database name, file descriptor)
    _holds_writers_lock = False

    def _writers_lock_fd(self):
        name = str(self.settings_dict["NAME"])
        if self._writers_lock is None or self._writers_lock[0] != name:
            if self._writers_lock is not None and self._writers_lock[1] is not None:
                os.close(self._writers_lock[1])
            try:
                # flock needs no write access: every process that may read the database may queue.
                fd = os.open(f"{name}-writers.lock", os.O_RDONLY | os.O_CREAT, 0o644)
            except OSError:
                fd = None
            self._writers_lock = (name, fd)
        return self._writers_lock[1]

    def _take_writers_lock(self):
        fd = self._writers_lock_fd()
        if fd is None:
            return
        wait, deadline = FIRST_WAIT, time.monotonic() + self.settings_dict["OPTIONS"].get("timeout", 5)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OperationalError("database is locked") from None
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT)
        self._holds_writers_lock = True

    def _release_writers_lock(self):
        if self._holds_writers_lock:
            self._holds_writers_lock = False
            fcntl.flock(self._writers_lock[1], fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        if self.is_in_memory_db():
            return super()._start_transaction_under_autocommit()
        self._take_writers_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writers_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writers_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writers_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writers_lock()
