"""A service token created through the API is in its creating response and nowhere else: not in
a later response, the database (dumpdata, audit details), a log line, and not as its stored digest.
"""

import io
import logging

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from identity import apikeys
from identity.models import AuditEvent, ServiceToken

pytestmark = pytest.mark.django_db


def fragments(token):
    """The whole token and the part of it that is secret (no prefix, key id or checksum)."""
    return [token, token[len(apikeys.PREFIX) + apikeys.KEY_ID_LENGTH : -apikeys.CHECKSUM_LENGTH]]


def assert_absent(token, text, where):
    for fragment in fragments(token):
        assert fragment not in text, f"the token leaked into {where}"


@pytest.fixture
def created(token_client, organization, caplog):
    caplog.set_level(logging.DEBUG)
    response = token_client.post(
        f"/api/v1/orgs/{organization.slug}/service-tokens/",
        {"name": "never-leaks", "roles": ["sys_admin"], "expires_in": "30d"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    return response.json()


def test_the_token_is_in_no_later_response(token_client, organization, created):
    token, base = created["token"], f"/api/v1/orgs/{organization.slug}"
    own_apikey, own_header = APIClient(), APIClient()
    own_apikey.credentials(HTTP_AUTHORIZATION=f"ApiKey {token}")
    own_header.credentials(HTTP_X_API_KEY=token)
    responses = {
        "list": token_client.get(f"{base}/service-tokens/"),
        "detail": token_client.get(f"{base}/service-tokens/{created['id']}/"),
        "audit-events": token_client.get(f"{base}/audit-events/", {"page_size": 200}),
        "me (ApiKey)": own_apikey.get("/api/v1/me/"),
        "me (X-API-Key)": own_header.get("/api/v1/me/"),
        "its own list": own_header.get(f"{base}/service-tokens/"),
        "its own audit-events": own_header.get(f"{base}/audit-events/"),
        "another org": own_header.get("/api/v1/orgs/nowhere/service-tokens/"),
    }
    for where, response in responses.items():
        assert response.status_code in (200, 404), where
        assert_absent(token, response.content.decode(), where)
        assert_absent(token, str(response.headers), f"{where} headers")
    assert token_client.delete(f"{base}/service-tokens/{created['id']}/").status_code == 204
    refused = own_header.get("/api/v1/me/")
    assert refused.status_code == 401
    assert_absent(token, refused.content.decode(), "the 401 after deletion")


def test_the_token_is_nowhere_in_the_database(created):
    token = created["token"]
    dumped = io.StringIO()
    call_command("dumpdata", stdout=dumped)
    assert_absent(token, dumped.getvalue(), "dumpdata")
    for event in AuditEvent.objects.all():
        assert_absent(token, str(event.details), f"the details of {event.action}")
        assert_absent(token, str(event), f"str() of {event.action}")


def test_the_stored_digest_is_not_the_token(created):
    token = created["token"]
    row = ServiceToken.objects.get(pk=created["id"])
    assert row.digest != token
    assert_absent(token, row.digest, "the digest")
    assert apikeys.matches(token, row.digest)
    assert_absent(token, str(row), "str() of the row")
    assert_absent(token, repr(row), "repr() of the row")


def test_the_token_is_in_no_log_line(organization, created, caplog):
    token = created["token"]
    APIClient().get("/api/v1/me/", HTTP_X_API_KEY=token)
    APIClient().get("/api/v1/me/", HTTP_X_API_KEY=token[:-1] + ("A" if token[-1] != "A" else "B"))
    logged = caplog.text + "".join(f"{record.msg!r}{record.args!r}" for record in caplog.records)
    assert caplog.records, "nothing was captured: the check would prove nothing"
    assert_absent(token, logged, "the logs")
