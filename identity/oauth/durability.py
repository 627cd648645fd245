"""Transactions whose COMMIT does not wait for the disk, for the writes a crash may lose.

A token grant stores a new token (and, for private_key_jwt, the assertion's one-use ``jti``);
waiting for the disk was half of a grant's time. What a crash (of the machine: a process crash
loses nothing) can cost is the writes of its last fraction of a second. Both databases lose only
a suffix of them, in commit order, so:

- a lost token's client asks again after a 401;
- a ``jti`` is committed before the token it paid for, so no token survives without its ``jti``:
  an assertion that may be replayed after a crash bought nothing that survived;
- everything that must survive (revocations, status changes, keys, bindings) commits durably, and
  a durable commit flushes every earlier one with it.

PostgreSQL: ``SET LOCAL synchronous_commit TO off``, for that transaction only. SQLite (in WAL
mode): ``PRAGMA synchronous=NORMAL`` for the connection, which it refuses inside a transaction,
so it is set before BEGIN and set back to FULL after COMMIT or ROLLBACK; a connection that cannot
be set back is closed, and a new one starts at FULL.

Only a transaction this block opens itself is relaxed: inside an outer one (or with autocommit
turned off), nothing changes.
``PORTCULLIS_DURABLE_GRANTS`` turns it off (and is the baseline of
tests/benchmarks/test_bench_grant_durability.py).
"""

import contextlib
import logging

from django.conf import settings
from django.db import DatabaseError, connections, transaction

logger = logging.getLogger(__name__)

_SQLITE_DURABLE = "PRAGMA synchronous=FULL"
_SQLITE_RELAXED = "PRAGMA synchronous=NORMAL"


@contextlib.contextmanager
def atomic_that_a_crash_may_lose(using="default"):
    """``transaction.atomic(using)``, whose COMMIT does not wait for the disk when it is its own."""
    connection = connections[using]
    relaxed = not (connection.in_atomic_block or settings.PORTCULLIS_DURABLE_GRANTS or not connection.get_autocommit())
    around = _sqlite_relaxed(connection) if relaxed and connection.vendor == "sqlite" else contextlib.nullcontext()
    with around, transaction.atomic(using=using):
        if relaxed and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO off")
        yield


@contextlib.contextmanager
def _sqlite_relaxed(connection):
    with connection.cursor() as cursor:
        cursor.execute(_SQLITE_RELAXED)
    try:
        yield
    finally:
        _make_durable_again(connection)


def _make_durable_again(connection):
    try:
        with connection.cursor() as cursor:
            cursor.execute(_SQLITE_DURABLE)
    except DatabaseError:
        # Never leave a relaxed connection behind for a durable write: a new one starts at FULL.
        # The transaction itself is over (committed or rolled back), so its outcome stands.
        logger.warning("Could not set the database connection back to durable commits; closing it")
        connection.close()
