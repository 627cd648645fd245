"""Django's PostgreSQL backend, with a health check that costs no round trip when none is needed.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request, so
that a connection the server dropped (a restart, ``pg_terminate_backend``, an idle timeout) is
replaced instead of failing the request. That round trip is a tenth of an API call's time. A
server that ends a session says so, with a termination message or by closing the socket, and an
idle connection otherwise never receives anything. So an idle connection whose socket has nothing
to read is as good as one that answered ``SELECT 1``; only when something has arrived does the
real check run. A connection cut without a word (a network partition) would fail ``SELECT 1``
only after TCP's own timeout, too.
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.connection is not None and self.health_check_enabled and not self.health_check_done:
            if self._idle_and_quiet():
                self.health_check_done = True
                return
        super().close_if_health_check_failed()

    def _idle_and_quiet(self):
        connection = self.connection
        if connection.closed or connection.broken or connection.info.transaction_status != TransactionStatus.IDLE:
            return False
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        return not poller.poll(0)
