"""The client's address as the operator's trusted proxy reports it, for throttles and the audit log."""

import pytest
from django.test import override_settings

from identity.client_address import client_address
from identity.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_without_a_proxy_the_connection_address_counts_and_forwarded_headers_do_not():
    assert client_address({"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "10.0.0.1"}) == "198.51.100.7"


@override_settings(PORTCULLIS_TRUSTED_PROXY_HOPS=1)
def test_behind_one_proxy_the_entry_it_appended_counts():
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}
    assert client_address(meta) == "203.0.113.9"


@override_settings(PORTCULLIS_TRUSTED_PROXY_HOPS=2)
def test_behind_two_proxies_the_outer_ones_entry_counts():
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9, 10.0.0.3"}
    assert client_address(meta) == "203.0.113.9"


@override_settings(PORTCULLIS_TRUSTED_PROXY_HOPS=1)
def test_a_malformed_forwarded_entry_is_no_address():
    assert client_address({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "not-an-ip\x00"}) is None


@override_settings(PORTCULLIS_TRUSTED_PROXY_HOPS=1)
def test_audit_events_record_the_forwarded_client_address(token_client, organization):
    response = token_client.post(
        f"/api/v1/orgs/{organization.slug}/service-tokens/",
        {"name": "audited", "roles": ["member"]},
        format="json",
        HTTP_X_FORWARDED_FOR="203.0.113.77",
        REMOTE_ADDR="10.0.0.2",
    )
    assert response.status_code == 201, response.content
    assert AuditEvent.objects.get(action="service_token.create", target_name="audited").ip_address == "203.0.113.77"


def test_deploy_checks_warn_when_no_issuer_is_configured():
    from identity.checks import check_issuer

    with override_settings(PORTCULLIS_ISSUER=""):
        assert [warning.id for warning in check_issuer(None)] == ["portcullis.W002"]
    with override_settings(PORTCULLIS_ISSUER="https://portcullis.example.com"):
        assert check_issuer(None) == []
