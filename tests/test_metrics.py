"""`GET /metrics`: Prometheus text, behind the operator's bearer token when one is set, counting
grants, API calls and throttle hits with labels that never carry a secret or a tenant's name.

Counters are process-wide and only grow, so every test compares a value before and after.
"""

import pytest
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from identity import metrics
from tests.factories import make_credential
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db

METRICS_TOKEN = "metrics-scraper-token-for-tests"


def scrape(client, **headers):
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    return response.content.decode()


def value(exposition, name, **labels):
    """The sample ``name`` whose labels include ``labels``; 0 when it is not there yet."""
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0


def grant(client, client_id, secret):
    return client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(client_id, secret))


@pytest.fixture
def metrics_token(settings):
    settings.PORTCULLIS_METRICS_TOKEN = METRICS_TOKEN
    return METRICS_TOKEN


def test_metrics_are_served_in_prometheus_text_format_without_a_configured_token(client, settings):
    settings.PORTCULLIS_METRICS_TOKEN = ""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    families = {family.name: family.type for family in text_string_to_metric_families(response.content.decode())}
    assert families["portcullis_oauth_grants"] == "counter"
    assert families["portcullis_http_requests"] == "counter"
    assert families["portcullis_throttle_hits"] == "counter"
    assert families["portcullis_http_request_duration_seconds"] == "histogram"


def test_a_scraper_asking_for_openmetrics_gets_openmetrics(client):
    response = client.get("/metrics", HTTP_ACCEPT="application/openmetrics-text; version=1.0.0")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.decode().rstrip().endswith("# EOF")


def test_metrics_need_the_configured_bearer_token(client, metrics_token):
    missing = client.get("/metrics")
    assert missing.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer ")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong-token").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {metrics_token}").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}é").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").status_code == 200


def test_metrics_are_reached_over_plain_http_when_https_redirects_are_on(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/metrics").status_code == 200


def test_an_api_call_is_counted_by_route_name_and_status(client, token_client):
    labels = {"route": "api:me", "method": "GET"}
    before = scrape(client)
    assert token_client.get("/api/v1/me/").status_code == 200
    assert APIClient().get("/api/v1/me/").status_code == 401
    after = scrape(client)
    name = "portcullis_http_requests_total"
    assert value(after, name, status="200", **labels) == value(before, name, status="200", **labels) + 1
    assert value(after, name, status="401", **labels) == value(before, name, status="401", **labels) + 1
    duration = "portcullis_http_request_duration_seconds_count"
    assert value(after, duration, route="api:me") == value(before, duration, route="api:me") + 2


def test_labels_name_the_route_never_the_path_another_tenant_or_a_made_up_url(client, token_client, other_organization):
    before = scrape(client)
    assert token_client.get(f"/api/v1/orgs/{other_organization.slug}/service-tokens/").status_code == 404
    assert client.get("/no-such-page/acme-payroll-42/").status_code == 404
    assert client.generic("BREW", "/api/v1/me/").status_code in (401, 405)
    after = scrape(client)
    name = "portcullis_http_requests_total"
    route = {"route": "api:service-token-list", "status": "404"}
    assert value(after, name, **route) == value(before, name, **route) + 1
    assert value(after, name, route=metrics.UNMATCHED_ROUTE, status="404") == value(
        before, name, route=metrics.UNMATCHED_ROUTE, status="404"
    ) + 1
    assert value(after, name, route="api:me", method="other") == value(before, name, route="api:me", method="other") + 1
    assert other_organization.slug not in after
    assert "acme-payroll-42" not in after
    assert "BREW" not in after


def test_a_grant_is_counted_by_client_authentication_method_and_outcome(client, organization):
    credential, secret = make_credential(organization)
    name = "portcullis_oauth_grants_total"
    issued = {"method": "client_secret_basic", "outcome": "issued"}
    refused = {"method": "client_secret_basic", "outcome": "invalid_client"}
    before = scrape(client)
    assert grant(client, credential.client_id, secret).status_code == 200
    assert grant(client, credential.client_id, "not-the-secret").status_code == 401
    after = scrape(client)
    assert value(after, name, **issued) == value(before, name, **issued) + 1
    assert value(after, name, **refused) == value(before, name, **refused) + 1


def test_no_secret_token_or_client_id_appears_in_the_metrics_after_grants(client, organization):
    credential, secret = make_credential(organization)
    sentinel = "sentinel-wrong-secret-7f3a9c"
    access_token = grant(client, credential.client_id, secret).json()["access_token"]
    grant(client, credential.client_id, sentinel)
    client.post("/o/token/", {"grant_type": "client_credentials", "client_id": sentinel, "client_secret": sentinel})
    APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {access_token}")
    exposition = scrape(client)
    for planted in (secret, access_token, sentinel, credential.client_id, organization.slug):
        assert planted not in exposition


def test_grant_labels_outside_the_known_lists_are_recorded_as_other(client):
    name = "portcullis_oauth_grants_total"
    before = scrape(client)
    metrics.record_grant("client-id-abc123", "secret-looking-value")
    after = scrape(client)
    assert value(after, name, method="other", outcome="other") == value(before, name, method="other", outcome="other") + 1
    assert "client-id-abc123" not in after
    assert "secret-looking-value" not in after


def test_throttle_hits_are_counted_by_endpoint(client):
    name = "portcullis_throttle_hits_total"
    before = scrape(client)
    metrics.record_throttle_hit("token")
    metrics.record_throttle_hit("203.0.113.9")
    after = scrape(client)
    assert value(after, name, endpoint="token") == value(before, name, endpoint="token") + 1
    assert value(after, name, endpoint="other") == value(before, name, endpoint="other") + 1
    assert "203.0.113.9" not in after
