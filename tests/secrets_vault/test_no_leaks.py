"""A planted value never shows: not in the database in clear, logs, audit, responses or admin."""

import logging

import pytest
from django.db import connection

from identity.models import AuditEvent
from secrets_vault.models import Secret
from tests.factories import UserFactory

from .conftest import SENTINEL, values_by_type


def database_as_text():
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                for cell in row:
                    if isinstance(cell, (bytes, memoryview)):
                        chunks.append(bytes(cell).decode("latin-1"))
                    else:
                        chunks.append(str(cell))
    return "\n".join(chunks)


@pytest.fixture
def every_type_through_the_api(holder_client, organization, certificate_pair, caplog):
    caplog.set_level(logging.DEBUG)
    base = f"/api/v1/orgs/{organization.slug}/secrets/"
    responses = []
    for secret_type, value in values_by_type(certificate_pair).items():
        response = holder_client.post(base, {"name": secret_type, "type": secret_type, "value": value}, format="json")
        assert response.status_code == 201
        responses.append(response)
        secret_id = response.json()["id"]
        responses.append(holder_client.get(f"{base}{secret_id}/"))
        assert holder_client.get(f"{base}{secret_id}/value/").json() == {"value": value}
        responses.append(holder_client.patch(f"{base}{secret_id}/", {"name": f"{secret_type}-2"}, format="json"))
        responses.append(holder_client.get(f"{base}{secret_id}/usages/"))
    responses.append(holder_client.get(base))
    bad = {"name": "bad", "type": "api_key", "value": {"header_name": "bad header", "value": SENTINEL}}
    responses.append(holder_client.post(base, bad, format="json"))
    responses.append(holder_client.post(base, {**bad, "value": {"value": SENTINEL, SENTINEL: 1}}, format="json"))
    return responses


def test_sentinel_is_not_in_the_database_in_clear(every_type_through_the_api, certificate_pair):
    assert Secret.objects.count() == 5
    text = database_as_text()
    assert SENTINEL not in text
    private_key_line = certificate_pair[1].splitlines()[1]
    assert private_key_line not in text


def test_sentinel_is_not_in_responses_other_than_value(every_type_through_the_api):
    for response in every_type_through_the_api:
        assert SENTINEL not in response.content.decode(), response.content


def test_sentinel_is_not_in_audit_events(every_type_through_the_api):
    assert AuditEvent.objects.filter(action__startswith="secret.").count() >= 15
    for event in AuditEvent.objects.all():
        assert SENTINEL not in f"{event} {event.details}"


def test_sentinel_is_not_logged(every_type_through_the_api, caplog):
    assert SENTINEL not in caplog.text


def test_admin_shows_metadata_only(every_type_through_the_api, client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get("/admin/secrets_vault/secret/")
    assert listing.status_code == 200
    assert SENTINEL not in listing.content.decode()
    for secret in Secret.objects.all():
        page = client.get(f"/admin/secrets_vault/secret/{secret.pk}/change/", secure=True)
        assert page.status_code == 200, page.status_code
        html = page.content.decode()
        assert secret.name in html
        assert SENTINEL not in html
        assert "BEGIN PRIVATE KEY" not in html


def test_str_of_a_secret_is_its_name(organization, holder_principal):
    from .conftest import make_secret

    secret = make_secret(organization, holder_principal)
    assert str(secret) == "github-token"
    assert SENTINEL not in repr(secret.__dict__.get("metadata"))
