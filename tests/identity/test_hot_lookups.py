"""The hot lookups in plain SQL (``identity.sql_rows``): a client by its id, an access token by its
checksum, a service token by its key id.

They must read back exactly what the ORM reads (datetimes aware, JSON parsed, booleans as bool,
on SQLite as on PostgreSQL) and keep working after a failed statement, a rollback, a recycled
connection and a fork, on both databases.
"""

import os
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from rest_framework.test import APIClient

from identity.models import Organization, ServiceCredential, ServiceToken
from identity.oauth.validator import PortcullisOAuth2Validator, live_access_token
from identity.services.service_tokens import _token_by_key_id, service_token_authenticate
from tests.factories import OrganizationFactory, make_credential, make_service_token
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db(transaction=True)


def field_values(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


def assert_same_as_the_orm(loaded, model):
    from_orm = model.objects.get(pk=loaded.pk)
    assert field_values(loaded) == field_values(from_orm)
    for name, value in field_values(loaded).items():
        assert type(value) is type(getattr(from_orm, name)), name
    assert loaded._state.adding is False and loaded._state.db == "default"


@pytest.fixture
def fixture(transactional_db):
    from django.core.cache import cache

    cache.clear()  # throttle counters live in the shared cache
    organization = OrganizationFactory()
    credential, secret = make_credential(
        organization, permissions=["studios:read"], auth_method="private_key_jwt"
    )
    ServiceCredential.objects.filter(pk=credential.pk).update(expires_at=timezone.now() + timedelta(days=3))
    token_row, api_key = make_service_token(organization, roles=("sys_admin",), expires_in="30d")
    basic_credential, basic_secret = make_credential(organization, permissions=["studios:read"])
    return {"credential": credential, "token_row": token_row, "api_key": api_key,
            "basic": (basic_credential.client_id, basic_secret)}


def bearer_token(basic_pair):
    response = APIClient().post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(*basic_pair))
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def test_a_client_reads_back_as_the_orm_reads_it(fixture):
    credential = fixture["credential"]
    client = PortcullisOAuth2Validator()._load_application(credential.client_id, type("R", (), {"client": None})())
    assert_same_as_the_orm(client, Application)
    assert_same_as_the_orm(client.service_credential, ServiceCredential)
    assert_same_as_the_orm(client.service_credential.organization, Organization)
    assert isinstance(client.service_credential.jwks, dict) and client.service_credential.jwks["keys"]
    assert client.service_credential.expires_at.tzinfo is not None


def test_an_access_token_reads_back_as_the_orm_reads_it(fixture):
    access_token = live_access_token(bearer_token(fixture["basic"]))
    assert_same_as_the_orm(access_token, AccessToken)
    assert_same_as_the_orm(access_token.application, Application)
    credential = access_token.application.service_credential
    assert_same_as_the_orm(credential, ServiceCredential)
    assert_same_as_the_orm(credential.organization, Organization)
    assert_same_as_the_orm(credential.service_user, get_user_model())
    assert access_token.expires.tzinfo is not None and not access_token.is_expired()


def test_a_service_token_reads_back_as_the_orm_reads_it(fixture):
    token = service_token_authenticate(fixture["api_key"])
    assert_same_as_the_orm(token, ServiceToken)
    assert_same_as_the_orm(token.organization, Organization)
    assert token.expires_at.tzinfo is not None


def test_unknown_keys_find_nothing(fixture):
    assert _token_by_key_id("0" * 16) is None
    assert live_access_token("no-such-token") is None
    request = type("R", (), {"client": None})()
    assert PortcullisOAuth2Validator()._load_application("no-such-client", request) is None


def calls_succeed(fixture):
    """A grant, a bearer call and an API-key call, each answered 200."""
    token = bearer_token(fixture["basic"])
    bearer = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    api_key = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"ApiKey {fixture['api_key']}")
    return bearer.status_code == 200 and api_key.status_code == 200


def test_the_lookups_work_after_a_failed_statement_and_its_rollback(fixture):
    assert calls_succeed(fixture)
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table_at_all")
    assert calls_succeed(fixture)
    with transaction.atomic():
        assert _token_by_key_id(fixture["token_row"].key_id) is not None
        transaction.set_rollback(True)
    assert calls_succeed(fixture)


def test_the_lookups_work_on_a_recycled_connection(fixture):
    assert calls_succeed(fixture)
    connection.close()
    assert calls_succeed(fixture)


def test_the_lookups_work_in_a_forked_child_and_still_in_the_parent(fixture):
    assert calls_succeed(fixture)
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            # The parent's connection objects hold its socket: drop them, open the child's own.
            for alias in connections:
                connections[alias] = connections.create_connection(alias)
            code = 0 if calls_succeed(fixture) else 2
            connections.close_all()
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert calls_succeed(fixture)


def test_a_grant_reads_its_new_token_back_only_for_an_app_authorized_receiver(fixture):
    """django-oauth-toolkit reads the token it has just saved only to send ``app_authorized``."""
    from django.test.utils import CaptureQueriesContext
    from oauth2_provider.signals import app_authorized

    def token_reads(queries):
        table = AccessToken._meta.db_table
        return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT") and f'FROM "{table}"' in q["sql"]]

    with CaptureQueriesContext(connection) as queries:
        bearer_token(fixture["basic"])
    assert token_reads(queries.captured_queries) == []

    received = []

    def receiver(sender, request, token, **kwargs):
        received.append(token)

    app_authorized.connect(receiver)
    try:
        with CaptureQueriesContext(connection) as queries:
            issued = bearer_token(fixture["basic"])
    finally:
        app_authorized.disconnect(receiver)
    assert len(token_reads(queries.captured_queries)) == 1
    assert [token.application.client_id for token in received] == [fixture["basic"][0]]
    assert live_access_token(issued).pk == received[0].pk
