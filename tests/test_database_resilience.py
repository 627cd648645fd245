"""psycopg's prepared statements survive what a production connection meets: a failed statement, a
rollback, a recycled connection and a fork.

psycopg prepares a query once it has run ``prepare_threshold`` times on a connection (see
DATABASES in config/settings.py). Each test drives the token endpoint and a bearer API call past
that threshold, so their queries are prepared, then makes something go wrong and checks that later
grants and calls on the same process still succeed, through the HTTP contract only.
"""

import contextlib
import os
import time

import psycopg
import pytest
from django.db import close_old_connections, connection, connections, transaction
from django.test import Client

from identity.models import ServiceCredential
from tests.factories import OrganizationFactory, make_credential
from tests.identity.oauth_helpers import basic

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's prepared statements are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def rounds_to_prepare():
    """Enough grant-and-call rounds for every query of one round to be prepared."""
    return connection.settings_dict["OPTIONS"]["prepare_threshold"] + 1


@pytest.fixture
def pipeline(transactional_db):
    """``use(rounds)``: that many token grants, each followed by a bearer API call; each status pair."""
    from django.core.cache import cache

    cache.clear()  # throttle counters live in the shared cache
    credential, secret = make_credential(OrganizationFactory(), permissions=["studios:read"])
    client = Client(raise_request_exception=False)

    def use(rounds):
        statuses = []
        for _ in range(rounds):
            grant = client.post(
                "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(credential.client_id, secret)
            )
            call_status = None
            if grant.status_code == 200:
                bearer = f"Bearer {grant.json()['access_token']}"
                call_status = client.get("/api/v1/me/", HTTP_AUTHORIZATION=bearer).status_code
            statuses.append((grant.status_code, call_status))
        return statuses

    use.credential = credential
    return use


def all_succeeded(rounds):
    return [(200, 200)] * rounds


def prepared_statement_count():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@contextlib.contextmanager
def another_session():
    """A second session on the test database, as another process of the deployment would hold."""
    settings = connection.settings_dict
    params = {"dbname": settings["NAME"], "user": settings["USER"], "password": settings["PASSWORD"],
              "host": settings["HOST"], "port": settings["PORT"]}
    with psycopg.connect(**{key: value for key, value in params.items() if value}) as session:
        yield session


@contextlib.contextmanager
def lock_timeout(duration):
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = '{duration}'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


@contextlib.contextmanager
def rows_locked_by_another_session(credential):
    """The credential and its OAuth application locked ``FOR UPDATE`` by another transaction:
    a grant must lock the one or reference the other, and waits."""
    with another_session() as session, session.transaction(force_rollback=True):
        session.execute(f"SELECT 1 FROM {ServiceCredential._meta.db_table} WHERE id = %s FOR UPDATE", [credential.pk])
        session.execute(
            f"SELECT 1 FROM {credential.application._meta.db_table} WHERE id = %s FOR UPDATE", [credential.application_id]
        )
        yield


@pytest.mark.parametrize("stage", ["before-the-queries-are-prepared", "as-they-are-prepared", "once-they-are-prepared"])
def test_grants_succeed_again_after_a_grant_failed_on_a_lock_timeout(pipeline, stage):
    # The grant that fails runs each query for the first time, for the time that prepares it, or later.
    rounds_before = {"before-the-queries-are-prepared": 0, "as-they-are-prepared": rounds_to_prepare() - 1,
                     "once-they-are-prepared": rounds_to_prepare()}[stage]
    assert pipeline(rounds_before) == all_succeeded(rounds_before)

    with lock_timeout("100ms"), rows_locked_by_another_session(pipeline.credential):
        [(failed_grant, _)] = pipeline(1)
    assert failed_grant != 200

    assert pipeline(rounds_to_prepare() + 1) == all_succeeded(rounds_to_prepare() + 1)
    assert prepared_statement_count() > 0


def test_grants_succeed_again_after_a_rollback(pipeline):
    assert pipeline(rounds_to_prepare()) == all_succeeded(rounds_to_prepare())
    assert prepared_statement_count() > 0

    with pytest.raises(RuntimeError), transaction.atomic():
        assert pipeline(1) == all_succeeded(1)
        raise RuntimeError("roll back")

    assert pipeline(rounds_to_prepare() + 1) == all_succeeded(rounds_to_prepare() + 1)
    assert prepared_statement_count() > 0


def test_grants_succeed_on_a_new_connection_after_the_old_one_was_closed(pipeline):
    assert pipeline(rounds_to_prepare()) == all_succeeded(rounds_to_prepare())
    old_backend = backend_pid()

    connection.close()  # as Django does at the end of a request after CONN_MAX_AGE

    assert pipeline(rounds_to_prepare() + 1) == all_succeeded(rounds_to_prepare() + 1)
    assert backend_pid() != old_backend


def test_grants_succeed_on_a_new_connection_after_the_server_ended_the_old_one(pipeline):
    assert pipeline(rounds_to_prepare()) == all_succeeded(rounds_to_prepare())
    old_backend = backend_pid()
    with another_session() as session:
        session.execute("SELECT pg_terminate_backend(%s)", [old_backend])
        wait_until_gone(session, old_backend)

    close_old_connections()  # what Django runs as a request starts: the health check is due again

    assert pipeline(rounds_to_prepare() + 1) == all_succeeded(rounds_to_prepare() + 1)
    assert backend_pid() != old_backend


def wait_until_gone(session, backend, seconds=5):
    """Until the server process has ended (pg_terminate_backend only signals it)."""
    deadline = time.monotonic() + seconds
    while session.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend]).fetchone():
        assert time.monotonic() < deadline, f"backend {backend} still runs"
        session.commit()  # pg_stat_activity is a snapshot per transaction
        time.sleep(0.01)
    time.sleep(0.05)  # its socket's end of stream on its way to us


def test_the_health_check_asks_the_server_nothing(pipeline, monkeypatch):
    assert pipeline(1) == all_succeeded(1)
    monkeypatch.setattr(connection.connection, "cursor", lambda *a, **k: pytest.fail("the health check ran a query"))
    monkeypatch.setattr(connection.connection, "execute", lambda *a, **k: pytest.fail("the health check ran a query"))
    assert connection.is_usable()


def test_a_connection_the_server_ended_is_not_usable(pipeline):
    assert pipeline(1) == all_succeeded(1)
    ended = backend_pid()
    with another_session() as session:
        session.execute("SELECT pg_terminate_backend(%s)", [ended])
        wait_until_gone(session, ended)
    assert not connection.is_usable()
    close_old_connections()  # as the next request starts: a new connection for what follows
    assert pipeline(1) == all_succeeded(1)


def test_a_connection_left_in_a_failed_transaction_is_not_usable(transactional_db):
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("BEGIN")
    with contextlib.suppress(psycopg.errors.DivisionByZero):
        raw.execute("SELECT 1 / 0")
    assert not connection.is_usable()
    raw.execute("ROLLBACK")
    assert connection.is_usable()


def run_in_forked_child(work):
    """Run ``work()`` in a forked child process; its exit code (0 when it returned True).

    The child inherits the parent's connection objects and their sockets. Closing them would send
    PostgreSQL a Terminate on the parent's session, so the child only drops them and opens its own.
    """
    child = os.fork()
    if child == 0:
        code = 1
        try:
            for alias in connections:
                connections[alias] = connections.create_connection(alias)
            code = 0 if work() else 1
            connections.close_all()
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status)


def test_a_forked_child_grants_on_its_own_connection_and_the_parents_connection_still_works(pipeline):
    assert pipeline(rounds_to_prepare()) == all_succeeded(rounds_to_prepare())
    parent_backend = backend_pid()

    def child_work():
        return pipeline(rounds_to_prepare() + 1) == all_succeeded(rounds_to_prepare() + 1) and backend_pid() != parent_backend

    assert run_in_forked_child(child_work) == 0

    assert pipeline(rounds_to_prepare() + 1) == all_succeeded(rounds_to_prepare() + 1)
    assert backend_pid() == parent_backend
