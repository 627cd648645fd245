"""The service-credentials API: create once-only keys, edit only groups and grants, actions, tenancy."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from identity import services
from identity.models import Resource, ServiceCredential
from identity.principals import SYSTEM_PRINCIPAL
from tests.factories import make_credential, make_member, make_resource, make_service_token

pytestmark = pytest.mark.django_db


def url(organization, suffix=""):
    return f"/api/v1/orgs/{organization.slug}/service-credentials/{suffix}"


@pytest.fixture
def studio(organization):
    return make_resource(organization, "studios", "north", actions=["read", "create", "write"])


def test_create_returns_the_key_once_with_everything_a_pipeline_needs(token_client, organization, studio):
    response = token_client.post(
        url(organization),
        {
            "name": "ci-deployer",
            "description": "Deploys from CI",
            "validity": "30d",
            "token_lifetime": "15m",
            "resource_grants": [{"resource": studio.pk, "permissions": ["studios:create"]}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["client_secret"].startswith("pcs_")
    assert body["realm"] == organization.slug
    assert body["token_url"].endswith("/o/token/")
    assert body["client_id"] in body["usage_example"]
    assert isinstance(body["client_id_issued_at"], int)
    assert response["Cache-Control"] == "no-store"
    detail = token_client.get(url(organization, f"{body['id']}/")).json()
    assert "client_secret" not in detail
    assert detail["resource_grants"] == [{"resource": studio.pk, "role": None, "permissions": ["studios:create"]}]
    assert body["client_secret"] not in token_client.get(url(organization)).content.decode()


def test_private_key_jwt_credentials_get_no_client_secret(token_client, organization):
    from jwcrypto import jwk

    pem = jwk.JWK.generate(kty="EC", crv="P-256").export_to_pem().decode()
    response = token_client.post(
        url(organization), {"name": "signer", "token_endpoint_auth_method": "private_key_jwt", "public_key": pem}, format="json"
    )
    assert response.status_code == 201, response.content
    assert "client_secret" not in response.json()


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "name"),
        ({"name": "x", "validity": "7d"}, "validity"),
        ({"name": "x", "token_lifetime": "3h"}, "token_lifetime"),
        ({"name": "x", "groups": "all"}, "groups"),
        ({"name": "x", "groups": [999999]}, "groups"),
        ({"name": "x", "resource_grants": [{"resource": 999999, "permissions": ["a:b"]}]}, "resource_grants"),
        ({"name": "x", "resource_grants": [{"resource": 1, "permissions": ["Not A Permission"]}]}, "resource_grants"),
        ({"name": "x", "token_endpoint_auth_method": "private_key_jwt"}, "jwks"),
        ({"name": "x", "token_endpoint_auth_method": "private_key_jwt", "public_key": "-----BEGIN garbage"}, "public_key"),
        ({"name": "x", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "oct", "k": "AAAA"}]}}, "jwks"),
    ],
)
def test_bad_input_names_its_field_and_saves_nothing(token_client, organization, body, field):
    response = token_client.post(url(organization), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not ServiceCredential.objects.exists()
    assert not get_user_model().objects.filter(username__startswith="svc-").exists()


def test_a_taken_name_is_409(token_client, organization):
    make_credential(organization, name="taken")
    assert token_client.post(url(organization), {"name": "taken"}, format="json").status_code == 409


def test_only_groups_and_grants_can_be_edited(token_client, organization, studio):
    credential, _ = make_credential(organization)
    group = services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="readers")
    refused = token_client.patch(url(organization, f"{credential.pk}/"), {"name": "renamed"}, format="json")
    assert refused.status_code == 400
    assert "name" in refused.json()
    response = token_client.patch(
        url(organization, f"{credential.pk}/"),
        {"groups": [group.pk], "resource_grants": [{"resource": studio.pk, "permissions": ["studios:read"]}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["groups"] == [group.pk]
    assert response.json()["resource_grants"] == [{"resource": studio.pk, "role": None, "permissions": ["studios:read"]}]


def test_revoke_needs_the_exact_name(token_client, organization):
    credential, _ = make_credential(organization, name="pipeline")
    wrong = token_client.post(url(organization, f"{credential.pk}/revoke/"), {"name": "Pipeline"}, format="json")
    assert wrong.status_code == 400
    assert "name" in wrong.json()
    right = token_client.post(url(organization, f"{credential.pk}/revoke/"), {"name": "pipeline"}, format="json")
    assert right.status_code == 200
    assert right.json()["status"] == "revoked"
    again = token_client.post(url(organization, f"{credential.pk}/enable/"), format="json")
    assert again.status_code == 409


def test_disable_enable_and_regenerate(token_client, organization):
    credential, secret = make_credential(organization)
    assert token_client.post(url(organization, f"{credential.pk}/disable/")).json()["status"] == "disabled"
    assert token_client.post(url(organization, f"{credential.pk}/enable/")).json()["status"] == "active"
    regenerated = token_client.post(url(organization, f"{credential.pk}/regenerate-secret/"))
    assert regenerated.status_code == 200
    assert regenerated.json()["client_secret"] != secret
    assert regenerated["Cache-Control"] == "no-store"


def test_delete_removes_the_credential_and_its_client(token_client, organization):
    from oauth2_provider.models import Application

    credential, _ = make_credential(organization)
    assert token_client.delete(url(organization, f"{credential.pk}/")).status_code == 204
    assert not ServiceCredential.objects.exists()
    assert not Application.objects.exists()


def test_list_filters_by_status_and_search(token_client, organization):
    make_credential(organization, name="alpha")
    beta, _ = make_credential(organization, name="beta")
    token_client.post(url(organization, f"{beta.pk}/disable/"))
    names = [c["name"] for c in token_client.get(url(organization) + "?status=disabled").json()["results"]]
    assert names == ["beta"]
    names = [c["name"] for c in token_client.get(url(organization) + "?search=alp").json()["results"]]
    assert names == ["alpha"]


@pytest.mark.parametrize("suffix,method", [("{pk}/", "get"), ("{pk}/", "patch"), ("{pk}/", "delete"), ("{pk}/revoke/", "post"), ("{pk}/disable/", "post"), ("{pk}/enable/", "post"), ("{pk}/regenerate-secret/", "post")])
def test_another_organizations_credential_is_404(token_client, organization, other_organization, suffix, method):
    credential, _ = make_credential(other_organization)
    response = getattr(token_client, method)(url(organization, suffix.format(pk=credential.pk)), {}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."} or credential.name not in response.content.decode()


def test_anonymous_is_401_with_a_challenge(organization):
    response = APIClient().get(url(organization))
    assert response.status_code == 401
    assert "ApiKey" in response["WWW-Authenticate"]


def test_a_member_without_the_permission_is_403(organization):
    _, plaintext = make_service_token(organization, roles=("member",))
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=plaintext)
    assert client.get(url(organization)).status_code == 403
    assert client.post(url(organization), {"name": "x"}, format="json").status_code == 403


def test_a_creator_cannot_grant_what_they_do_not_hold(organization, studio):
    manager = make_member(organization, role="account_manager")
    client = APIClient()
    client.force_authenticate(manager)
    # account managers lack service_credentials:write altogether
    assert client.post(url(organization), {"name": "x"}, format="json").status_code == 403


def test_root_credentials_are_for_superusers_only(organization):
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "a-strong-password-123")
    client = APIClient()
    client.force_authenticate(superuser)
    created = client.post(
        "/api/v1/root/service-credentials/", {"name": "platform", "permissions": ["organizations:read"]}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["realm"] == "root"
    assert client.get("/api/v1/root/service-credentials/").json()["count"] == 1
    holder = make_member(organization, role="account_holder")
    client.force_authenticate(holder)
    assert client.get("/api/v1/root/service-credentials/").status_code == 404
    org_list = APIClient()
    org_list.force_authenticate(holder)
    assert org_list.get(url(organization)).json()["count"] == 0
