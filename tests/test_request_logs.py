"""Request logs: one JSON line per request on `portcullis.request`, with the request id its audit
events carry, and never a secret, token, query string, header or body value."""

import json
import logging
import sys

import pytest
from rest_framework.test import APIClient

from config.json_logging import JsonFormatter
from identity.models import AuditEvent
from tests.factories import make_credential, make_member, make_service_token
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db

FORMATTER = JsonFormatter()


def request_lines(caplog):
    return [json.loads(FORMATTER.format(record)) for record in caplog.records if record.name == "portcullis.request"]


def everything_logged(caplog):
    """Every record as the console writes it, and as pytest does, arguments included."""
    return "\n".join(
        [FORMATTER.format(record) for record in caplog.records]
        + [caplog.text]
        + [repr(record.args) for record in caplog.records]
    )


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.INFO, logger="portcullis.request")
    return caplog


def test_each_request_writes_one_json_line_with_route_status_duration_address_and_principal(token_client, request_log):
    response = token_client.get("/api/v1/me/")
    assert response.status_code == 200
    [line] = request_lines(request_log)
    assert line["logger"] == "portcullis.request"
    assert line["request_id"] == response["X-Request-Id"]
    assert line["method"] == "GET"
    assert line["route"] == "api:me"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["client_address"] == "127.0.0.1"
    assert line["principal_kind"] == "service_token"


def test_the_principal_kind_is_a_person_a_credential_or_no_one(client, organization, request_log):
    credential, secret = make_credential(organization)
    access_token = client.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(credential.client_id, secret)
    ).json()["access_token"]
    member = make_member(organization, role="account_holder")
    person = APIClient()
    person.force_login(member)
    request_log.clear()

    APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {access_token}")
    person.get("/api/v1/me/")
    APIClient().get("/api/v1/me/")
    assert [line["principal_kind"] for line in request_lines(request_log)] == ["service_credential", "user", None]


def test_a_request_id_from_the_client_is_carried_by_the_audit_event_and_the_log_line(token_client, organization, request_log):
    response = token_client.post(
        f"/api/v1/orgs/{organization.slug}/service-tokens/",
        {"name": "deploy-bot", "roles": ["sys_admin"]},
        format="json",
        HTTP_X_REQUEST_ID="abc-123",
    )
    assert response.status_code == 201, response.content
    assert response["X-Request-Id"] == "abc-123"
    event = AuditEvent.objects.get(target_type="servicetoken", target_id=str(response.json()["id"]))
    assert event.request_id == "abc-123"
    [line] = request_lines(request_log)
    assert line["request_id"] == "abc-123"
    assert line["route"] == "api:service-token-list"
    assert line["status"] == 201


def test_an_unsafe_request_id_is_replaced_by_one_the_audit_event_and_log_line_share(token_client, organization, request_log):
    unsafe = "abc 123\"} injected"
    response = token_client.post(
        f"/api/v1/orgs/{organization.slug}/service-tokens/",
        {"name": "deploy-bot", "roles": ["sys_admin"]},
        format="json",
        HTTP_X_REQUEST_ID=unsafe,
    )
    assert response.status_code == 201
    event = AuditEvent.objects.get(target_type="servicetoken", target_id=str(response.json()["id"]))
    [line] = request_lines(request_log)
    assert line["request_id"] == event.request_id == response["X-Request-Id"]
    assert "injected" not in everything_logged(request_log)


def test_no_secret_token_query_string_header_or_body_value_reaches_the_logs(client, organization, caplog):
    caplog.set_level(logging.DEBUG)
    sentinel = "sentinel-7c1e9b4d"
    _, service_token = make_service_token(organization)
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"ApiKey {service_token}")
    created = token_client.post(
        f"/api/v1/orgs/{organization.slug}/service-credentials/",
        {"name": "leak-check", "description": sentinel, "validity": "90d"},
        format="json",
    )
    assert created.status_code == 201, created.content
    client_id, client_secret = created.json()["client_id"], created.json()["client_secret"]
    access_token = client.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(client_id, client_secret)
    ).json()["access_token"]

    client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(client_id, sentinel))
    client.post("/o/token/", {"grant_type": "client_credentials", "client_id": client_id, "client_secret": sentinel})
    APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {access_token}")
    APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {sentinel}")
    APIClient().get("/api/v1/me/", HTTP_X_API_KEY=sentinel)
    token_client.get(f"/api/v1/orgs/{organization.slug}/service-credentials/?search={sentinel}", HTTP_USER_AGENT=sentinel)
    token_client.get(f"/api/v1/orgs/no-such-org/service-credentials/?search={sentinel}")

    logged = everything_logged(caplog)
    assert request_lines(caplog)
    for planted in (sentinel, client_secret, access_token, service_token):
        assert planted not in logged


def test_the_console_writes_json_holding_only_named_fields():
    handlers = [handler for handler in logging.getLogger().handlers if isinstance(handler.formatter, JsonFormatter)]
    assert handlers, "the root logger's console handler formats as JSON"
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/x/",), None)
    record.request = "<WSGIRequest: GET '/x/?token=sentinel-query'>"
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = json.loads(FORMATTER.format(record))
    assert line["message"] == "Not Found: /x/"
    assert line["level"] == "WARNING"
    assert "ValueError: boom" in line["exception"]
    assert "sentinel-query" not in json.dumps(line)
