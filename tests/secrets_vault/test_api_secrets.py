"""The secrets endpoints: each type created, read and edited; errors named on their fields."""

import pytest

from identity.models import AuditAction, AuditEvent
from secrets_vault.models import Secret, SecretUsage
from tests.factories import OrganizationFactory, make_member

from .conftest import SENTINEL, client_for, make_certificate, values_by_type

TYPES = ["api_key", "bearer_token", "client_credentials", "certificate", "key_value"]


def url(organization, suffix=""):
    return f"/api/v1/orgs/{organization.slug}/secrets/{suffix}"


def create(client, organization, **body):
    body.setdefault("name", "github-token")
    body.setdefault("type", "api_key")
    body.setdefault("value", {"header_name": "X-API-Key", "value": SENTINEL})
    return client.post(url(organization), body, format="json")


@pytest.mark.parametrize("secret_type", TYPES)
def test_each_type_is_created_read_and_edited(holder_client, organization, certificate_pair, secret_type):
    value = values_by_type(certificate_pair)[secret_type]
    response = create(holder_client, organization, name=f"my-{secret_type}", type=secret_type, value=value)
    assert response.status_code == 201, response.content
    assert SENTINEL not in response.content.decode()
    assert "value" not in response.json()
    secret_id = response.json()["id"]

    read = holder_client.get(url(organization, f"{secret_id}/value/"))
    assert read.status_code == 200
    assert read["Cache-Control"] == "no-store"
    assert read.json() == {"value": value}

    changes = {
        "api_key": {"value": "rotated"},
        "bearer_token": {"header_name": "X-Auth"},
        "client_credentials": {"scopes": ["admin"]},
        "certificate": {"private_key": ""},
        "key_value": {"pairs": {"ONLY": "one"}},
    }[secret_type]
    patched = holder_client.patch(url(organization, f"{secret_id}/"), {"value": changes, "name": f"renamed-{secret_type}"}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["name"] == f"renamed-{secret_type}"
    after = holder_client.get(url(organization, f"{secret_id}/value/")).json()["value"]
    for key, new in changes.items():
        if new == "":
            assert key not in after
        else:
            assert after[key] == new


def test_certificate_metadata_and_expiry_come_from_the_certificate(holder_client, organization):
    cert_pem, key_pem, certificate = make_certificate(days=30)
    response = create(holder_client, organization, type="certificate", value={"certificate": cert_pem, "private_key": key_pem})
    body = response.json()
    assert body["metadata"]["subject"] == "CN=svc.example.com"
    assert body["metadata"]["serial"] == format(certificate.serial_number, "x")
    assert len(body["metadata"]["fingerprint_sha256"].split(":")) == 32
    assert body["expires_at"].startswith(certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M"))


@pytest.mark.parametrize(
    "secret_type, value, field",
    [
        ("api_key", {"header_name": "X-Key", "value": ""}, "value.value"),
        ("api_key", {"header_name": "bad header", "value": "x"}, "value.header_name"),
        ("api_key", {"header_name": 5, "value": "x"}, "value.header_name"),
        ("api_key", {"header_name": "X", "value": "x", "extra": 1}, "value"),
        ("bearer_token", {"header_name": "Authorization"}, "value.header_value"),
        ("client_credentials", {"client_secret": "s"}, "value.client_id"),
        ("client_credentials", {"client_id": "c", "client_secret": "s", "scopes": {"read": True}}, "value.scopes"),
        ("client_credentials", {"client_id": "c", "client_secret": "s", "scopes": [1]}, "value.scopes"),
        ("certificate", {"certificate": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"}, "value.certificate"),
        ("certificate", {"certificate": "x" * (65 * 1024)}, "value.certificate"),
        ("key_value", {"pairs": {}}, "value.pairs"),
        ("key_value", {"pairs": {"A": 1}}, "value.pairs"),
        ("key_value", {"pairs": ["A"]}, "value.pairs"),
        ("key_value", {"pairs": {f"K{i}": "v" for i in range(501)}}, "value.pairs"),
        ("api_key", ["not", "an", "object"], "value"),
    ],
)
def test_bad_values_are_named_on_their_field(holder_client, organization, secret_type, value, field):
    response = create(holder_client, organization, type=secret_type, value=value)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Secret.objects.exists()


def test_a_key_that_does_not_match_the_certificate_is_named(holder_client, organization, certificate_pair):
    cert_pem, _, _ = certificate_pair
    _, other_key, _ = make_certificate()
    response = create(holder_client, organization, type="certificate", value={"certificate": cert_pem, "private_key": other_key})
    assert response.status_code == 400
    assert "does not match" in response.json()["value.private_key"][0]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": ""}, "name"),
        ({"name": 12345 * 10**200}, "name"),
        ({"type": "password"}, "type"),
        ({"expires_at": "next tuesday"}, "expires_at"),
        ({"personal": "maybe"}, "personal"),
    ],
)
def test_bad_top_level_fields_are_named(holder_client, organization, body, field):
    response = create(holder_client, organization, **body)
    assert response.status_code == 400
    assert field in response.json()


def test_a_body_that_is_not_an_object_is_a_400(holder_client, organization):
    assert holder_client.post(url(organization), [1, 2], format="json").status_code == 400
    assert holder_client.post(url(organization), "null", content_type="application/json").status_code == 400
    assert holder_client.post(url(organization), "{bad", content_type="application/json").status_code == 400


def test_a_taken_name_is_a_409(holder_client, organization):
    assert create(holder_client, organization).status_code == 201
    response = create(holder_client, organization)
    assert response.status_code == 409
    assert "name" in response.json()


def test_list_shows_metadata_with_filters_and_search(holder_client, organization, certificate_pair):
    for secret_type, value in values_by_type(certificate_pair).items():
        assert create(holder_client, organization, name=f"svc-{secret_type}", type=secret_type, value=value).status_code == 201
    create(holder_client, organization, name="soon", expires_at="2000-01-01T00:00:00Z")
    body = holder_client.get(url(organization)).json()
    assert body["count"] == 6
    assert SENTINEL not in str(body)
    assert [s["name"] for s in holder_client.get(url(organization), {"type": "key_value"}).json()["results"]] == ["svc-key_value"]
    assert [s["name"] for s in holder_client.get(url(organization), {"status": "expired"}).json()["results"]] == ["soon"]
    assert holder_client.get(url(organization), {"search": "CERT"}).json()["count"] == 1
    assert "status" in holder_client.get(url(organization), {"status": "nope"}).json()


def test_list_runs_a_fixed_number_of_queries(holder_client, organization, django_assert_max_num_queries):
    for number in range(20):
        create(holder_client, organization, name=f"secret-{number}")
    with django_assert_max_num_queries(8):
        assert holder_client.get(url(organization)).json()["count"] == 20


def test_value_reads_are_audited_and_recorded_as_usages(holder_client, organization, account_holder):
    secret_id = create(holder_client, organization).json()["id"]
    holder_client.get(url(organization, f"{secret_id}/value/"))
    holder_client.get(url(organization, f"{secret_id}/value/"))
    usage = SecretUsage.objects.get()
    assert (usage.principal_name, usage.count) == (account_holder.username, 2)
    assert AuditEvent.objects.filter(action=AuditAction.SECRET_READ).count() == 2
    usages = holder_client.get(url(organization, f"{secret_id}/usages/")).json()["results"]
    assert usages[0]["count"] == 2


def test_a_deactivated_secret_cannot_be_read_until_activated(holder_client, organization):
    secret_id = create(holder_client, organization).json()["id"]
    assert holder_client.post(url(organization, f"{secret_id}/deactivate/")).json()["status"] == "inactive"
    response = holder_client.get(url(organization, f"{secret_id}/value/"))
    assert response.status_code == 409
    assert "deactivated" in response.json()["detail"]
    assert holder_client.post(url(organization, f"{secret_id}/activate/")).json()["status"] == "active"
    assert holder_client.get(url(organization, f"{secret_id}/value/")).status_code == 200


def test_a_deleted_secret_is_gone_everywhere_at_once(holder_client, organization):
    secret_id = create(holder_client, organization).json()["id"]
    assert holder_client.delete(url(organization, f"{secret_id}/")).status_code == 204
    assert holder_client.get(url(organization)).json()["count"] == 0
    for suffix in ("", "value/", "usages/"):
        assert holder_client.get(url(organization, f"{secret_id}/{suffix}")).status_code == 404
    for suffix in ("deactivate/", "activate/"):
        assert holder_client.post(url(organization, f"{secret_id}/{suffix}")).status_code == 404
    assert holder_client.delete(url(organization, f"{secret_id}/")).status_code == 404
    assert create(holder_client, organization).status_code == 201  # the name is free again


def test_service_tokens_read_values_with_the_permission(token_client, organization):
    secret_id = create(token_client, organization).json()["id"]
    response = token_client.get(url(organization, f"{secret_id}/value/"))
    assert response.json()["value"]["value"] == SENTINEL
    assert SecretUsage.objects.get().principal_kind == "service_token"


class TestPermissionMatrix:
    def test_anonymous_gets_401(self, api_client, organization):
        response = api_client.get(url(organization))
        assert response.status_code == 401
        assert "WWW-Authenticate" in response

    def test_another_organization_gets_404(self, holder_client, organization):
        other = OrganizationFactory()
        outsider = client_for(make_member(other, role="account_holder"))
        secret_id = create(holder_client, organization).json()["id"]
        assert outsider.get(url(organization)).status_code == 404
        assert outsider.get(url(organization, f"{secret_id}/value/")).status_code == 404
        assert outsider.get(url(other, f"{secret_id}/value/")).status_code == 404

    def test_a_member_without_the_permission_gets_403(self, holder_client, member_client, organization):
        secret_id = create(holder_client, organization).json()["id"]
        assert member_client.get(url(organization)).status_code == 403
        assert member_client.get(url(organization, f"{secret_id}/value/")).status_code == 403
        assert create(member_client, organization, name="x").status_code == 403

    @pytest.mark.parametrize("role", ["account_holder", "sys_admin", "account_manager"])
    def test_admin_roles_manage_organization_secrets(self, organization, role):
        client = client_for(make_member(organization, role=role))
        secret_id = create(client, organization).json()["id"]
        assert client.get(url(organization, f"{secret_id}/value/")).status_code == 200


class TestPersonalSecrets:
    def test_any_member_keeps_personal_secrets(self, member_client, organization):
        response = create(member_client, organization, personal=True)
        assert response.status_code == 201
        assert response.json()["personal"] is True
        secret_id = response.json()["id"]
        assert member_client.get(url(organization, f"{secret_id}/value/")).json()["value"]["value"] == SENTINEL
        assert member_client.get(url(organization), {"personal": "true"}).json()["count"] == 1

    def test_nobody_else_sees_them_not_even_the_account_holder(self, member_client, holder_client, organization):
        secret_id = create(member_client, organization, personal=True).json()["id"]
        assert holder_client.get(url(organization)).json()["count"] == 0
        assert holder_client.get(url(organization), {"personal": "true"}).json()["count"] == 0
        for suffix in ("", "value/", "usages/"):
            assert holder_client.get(url(organization, f"{secret_id}/{suffix}")).status_code == 404
        assert holder_client.delete(url(organization, f"{secret_id}/")).status_code == 404

    def test_the_same_name_may_be_personal_and_organizational(self, holder_client, organization):
        assert create(holder_client, organization).status_code == 201
        assert create(holder_client, organization, personal=True).status_code == 201

    def test_a_service_token_has_no_personal_secrets(self, token_client, organization):
        response = create(token_client, organization, personal=True)
        assert response.status_code == 400
        assert "personal" in response.json()


def test_missing_key_fails_closed_with_a_clear_503(holder_client, organization, settings):
    secret_id = create(holder_client, organization).json()["id"]
    settings.PORTCULLIS_ENCRYPTION_KEYS = []
    response = holder_client.get(url(organization, f"{secret_id}/value/"))
    assert response.status_code == 503
    assert "PORTCULLIS_ENCRYPTION_KEYS" in response.json()["detail"]
    creating = create(holder_client, organization, name="another")
    assert creating.status_code == 503
    assert Secret.objects.count() == 1


def test_the_schema_documents_the_secrets_endpoints(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/orgs/{org}/secrets/{id}/value/" in schema
