"""Django's PostgreSQL backend, with a health check that asks the server nothing.

With ``CONN_HEALTH_CHECKS`` Django checks a persistent connection before a request reuses it, by
running ``SELECT 1``: one more round trip on every request. Under load, an API-key call ran about
5% faster without it (1.01x to 1.10x over three runs of tests/benchmarks/test_bench_health_check.py;
on an idle server the round trip is 0.1 to 0.3 ms of a 1.5 ms call). A connection the server
has ended (a restart, ``pg_terminate_backend``, an idle timeout) has said so already: its last
message and the end of the stream wait in the client's socket. libpq reads them without blocking
(``PQconsumeInput``, psycopg's ``pgconn.consume_input()``), which fails on a closed stream and
leaves the connection's status bad, in about a microsecond. A connection left in a failed
transaction is refused too, as ``SELECT 1`` would have been. What neither check can tell, a peer gone without closing, fails the
request's own first query instead of the health check's, and Django closes that connection as
the request ends.
"""

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq

USABLE_TRANSACTION_STATES = (pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS)


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is None or self.connection.closed:
            return False
        pgconn = self.connection.pgconn
        try:
            # A read returns what has arrived: the server's farewell (its FATAL message) first,
            # then, on the next read, the end of the stream.
            pgconn.consume_input()
            pgconn.consume_input()
        except psycopg.Error:
            return False
        return pgconn.status == pq.ConnStatus.OK and pgconn.transaction_status in USABLE_TRANSACTION_STATES
