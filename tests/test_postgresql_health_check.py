"""The PostgreSQL backend trusts a quiet idle connection without ``SELECT 1``, and still replaces a
connection the server has ended before the request's first query."""

import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

from identity.models import Organization

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's health check"),
    pytest.mark.django_db(transaction=True),
]


def start_request():
    """What Django does when a request starts (``close_old_connections``), for the default connection."""
    connection.close_if_unusable_or_obsolete()


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_health_checks_are_on():
    connection.ensure_connection()

    assert connection.health_check_enabled


def test_a_quiet_idle_connection_is_trusted_without_a_round_trip(monkeypatch):
    pid = backend_pid()

    def select_one_sent(self):
        raise AssertionError("SELECT 1 sent to a quiet idle connection")

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", select_one_sent)
    start_request()

    assert Organization.objects.count() == 0
    assert backend_pid() == pid


def test_a_connection_the_server_ended_is_replaced_before_the_first_query():
    pid = backend_pid()
    killer = connections.create_connection("default")
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        killer.close()
    deadline = time.monotonic() + 5
    while connection._idle_and_quiet() and time.monotonic() < deadline:
        time.sleep(0.01)  # the server's goodbye is on its way

    start_request()

    assert Organization.objects.count() == 0  # would raise "terminating connection" without the check
    assert backend_pid() != pid
