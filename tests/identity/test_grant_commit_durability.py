"""A grant's writes commit without waiting for the disk (identity.oauth.durability); everything
else commits durably, and no connection is left relaxed after a grant, whatever went wrong.

PostgreSQL: ``SET LOCAL synchronous_commit TO off`` inside the grant's transactions. SQLite:
``PRAGMA synchronous=NORMAL`` around them, FULL again after. Transactional tests: the block only
relaxes a transaction it opens itself, never one a test (or a caller) already holds.
"""

import json
import os

import pytest
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from jwcrypto import jwk

from identity import services
from identity.models import Organization
from identity.oauth import durability
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, OrganizationFactory, make_credential
from tests.identity.oauth_helpers import basic, claims_for, post_assertion, sign

pytestmark = pytest.mark.django_db(transaction=True)

RELAXED = {"postgresql": "SET LOCAL synchronous_commit TO off", "sqlite": "PRAGMA synchronous=NORMAL"}.get(connection.vendor)
SQLITE_FULL = 2
needs_a_relaxing_database = pytest.mark.skipif(RELAXED is None, reason="PostgreSQL and SQLite only")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's PRAGMA synchronous")


def statements_of(action):
    with CaptureQueriesContext(connection) as queries:
        response = action()
    return response, [query["sql"] for query in queries]


def first(statements, fragment):
    return next(index for index, sql in enumerate(statements) if fragment in sql)


def sqlite_synchronous():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        return cursor.fetchone()[0]


@needs_a_relaxing_database
def test_a_client_secret_grant_stores_its_token_without_waiting_for_the_disk(client, organization):
    credential, secret = make_credential(organization, permissions=["studios:read"])

    response, statements = statements_of(
        lambda: client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(credential.client_id, secret))
    )

    assert response.status_code == 200
    assert statements.count(RELAXED) == 1
    assert first(statements, RELAXED) < first(statements, 'INTO "oauth2_provider_accesstoken"')


@needs_a_relaxing_database
def test_a_private_key_jwt_grant_commits_its_jti_before_its_token_and_neither_waits_for_the_disk(client, organization):
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid="key-1")
    credential, _ = make_credential(organization, auth_method="private_key_jwt", jwks={"keys": [json.loads(key.export_public())]})

    response, statements = statements_of(lambda: post_assertion(client, sign(key, claims_for(credential.client_id), alg="ES256")))

    assert response.status_code == 200, response.content
    jti, token = first(statements, 'INTO "identity_usedclientassertion"'), first(statements, 'INTO "oauth2_provider_accesstoken"')
    # Two transactions, each relaxed, the jti's committed first: a crash loses a suffix of such
    # commits, so a token that survives always has its jti.
    assert statements.count(RELAXED) == 2
    assert first(statements, RELAXED) < jti < first(statements[jti:], "COMMIT") + jti < token


@needs_a_relaxing_database
def test_an_operator_can_make_grants_wait_for_the_disk(client, organization, settings):
    settings.PORTCULLIS_DURABLE_GRANTS = True
    credential, secret = make_credential(organization, permissions=["studios:read"])

    response, statements = statements_of(
        lambda: client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(credential.client_id, secret))
    )

    assert response.status_code == 200
    assert RELAXED not in statements


@needs_a_relaxing_database
def test_a_revocation_commits_durably(organization):
    credential, _ = make_credential(organization, permissions=["studios:read"])

    _, statements = statements_of(
        lambda: services.service_credential_revoke(
            credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization), confirm_name=credential.name
        )
    )

    assert statements and RELAXED not in statements


def test_inside_an_outer_transaction_nothing_is_relaxed():
    with transaction.atomic():
        _, statements = statements_of(lambda: _write_in_a_relaxed_block())

    assert RELAXED not in statements


def test_with_autocommit_off_nothing_is_relaxed():
    transaction.set_autocommit(False)
    try:
        _, statements = statements_of(lambda: _write_in_a_relaxed_block())
        transaction.commit()
    finally:
        transaction.set_autocommit(True)

    assert RELAXED not in statements


def _write_in_a_relaxed_block():
    with durability.atomic_that_a_crash_may_lose():
        OrganizationFactory()


@sqlite_only
def test_the_connection_is_durable_again_after_a_grant(client, organization):
    credential, secret = make_credential(organization, permissions=["studios:read"])
    client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(credential.client_id, secret))
    assert sqlite_synchronous() == SQLITE_FULL


@sqlite_only
def test_a_failed_statement_and_its_rollback_leave_the_connection_durable():
    existing = OrganizationFactory()
    with pytest.raises(IntegrityError), durability.atomic_that_a_crash_may_lose():
        Organization.objects.create(slug="fresh", name="Fresh")
        Organization.objects.create(slug=existing.slug, name="Duplicate")

    assert sqlite_synchronous() == SQLITE_FULL
    assert not Organization.objects.filter(slug="fresh").exists()


@sqlite_only
def test_an_exception_in_the_block_rolls_back_and_leaves_the_connection_durable():
    with pytest.raises(RuntimeError), durability.atomic_that_a_crash_may_lose():
        OrganizationFactory(slug="rolled-back")
        raise RuntimeError("the grant went wrong")

    assert sqlite_synchronous() == SQLITE_FULL
    assert not Organization.objects.filter(slug="rolled-back").exists()


@sqlite_only
def test_a_connection_that_cannot_be_made_durable_again_is_closed(monkeypatch):
    real_cursor = connection.cursor

    def cursor_that_fails_on_full():
        cursor = real_cursor()
        execute = cursor.execute

        def failing_execute(sql, params=None):
            if sql == "PRAGMA synchronous=FULL":
                raise DatabaseError("disk I/O error")
            return execute(sql, params)

        cursor.execute = failing_execute
        return cursor

    with durability.atomic_that_a_crash_may_lose():
        monkeypatch.setattr(connection, "cursor", cursor_that_fails_on_full)
        OrganizationFactory(slug="kept")
    monkeypatch.undo()

    assert connection.connection is None  # closed: the next query opens a new, durable one
    assert sqlite_synchronous() == SQLITE_FULL
    assert Organization.objects.filter(slug="kept").exists()


@sqlite_only
def test_a_recycled_connection_starts_durable(settings):
    # The setting's own connection options must not make every commit relaxed.
    assert "synchronous" not in connection.settings_dict["OPTIONS"].get("init_command", "").lower()
    with durability.atomic_that_a_crash_may_lose():
        OrganizationFactory()
    connection.close()
    assert sqlite_synchronous() == SQLITE_FULL


@sqlite_only
def test_a_forked_child_relaxes_only_its_own_connection():
    assert sqlite_synchronous() == SQLITE_FULL
    child = os.fork()
    if child == 0:
        code = 1
        try:
            # The child drops the parent's connection without closing it and opens its own.
            connections["default"] = connections.create_connection("default")
            with durability.atomic_that_a_crash_may_lose():
                OrganizationFactory(slug="from-the-child")
            code = 0 if sqlite_synchronous() == SQLITE_FULL else 2
            connections.close_all()
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert sqlite_synchronous() == SQLITE_FULL
    assert Organization.objects.filter(slug="from-the-child").exists()
