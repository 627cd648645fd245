"""A service token is shown once: never in a later response, the database or a log line."""

import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from identity import apikeys

pytestmark = pytest.mark.django_db


def every_row_as_text():
    """Every row of every table, the cache and sessions included, as one string."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def secret_part(token):
    """The part that makes a token a secret: without its public prefix and key id."""
    return token[len(apikeys.PREFIX) + apikeys.KEY_ID_LENGTH : -apikeys.CHECKSUM_LENGTH]


def test_a_created_token_never_appears_again(token_client, organization, caplog):
    caplog.set_level(logging.DEBUG)
    base = f"/api/v1/orgs/{organization.slug}"
    created = token_client.post(f"{base}/service-tokens/", {"name": "leaky", "roles": ["sys_admin"]}, format="json")
    assert created.status_code == 201
    token, token_id = created.json()["token"], created.json()["id"]

    own = APIClient()
    own.credentials(HTTP_AUTHORIZATION=f"ApiKey {token}")
    later = [
        token_client.get(f"{base}/service-tokens/"),
        token_client.get(f"{base}/service-tokens/{token_id}/"),
        token_client.get(f"{base}/audit-events/"),
        own.get("/api/v1/me/"),
        own.get(f"{base}/audit-events/"),
        APIClient().get("/api/v1/me/", HTTP_X_API_KEY=token[:-1] + ("A" if token[-1] != "A" else "B")),
    ]
    for response in later:
        assert response.status_code in (200, 401)
        assert secret_part(token) not in response.content.decode()

    stored = every_row_as_text()
    assert secret_part(token) not in stored
    assert token not in stored

    logged = caplog.text + "\n".join(repr(record.args) for record in caplog.records)
    assert secret_part(token) not in logged


def test_the_plaintext_is_not_in_dumpdata(token_client, organization):
    created = token_client.post(
        f"/api/v1/orgs/{organization.slug}/service-tokens/", {"name": "dumped", "roles": ["member"]}, format="json"
    )
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    assert secret_part(created.json()["token"]) not in out.getvalue()
