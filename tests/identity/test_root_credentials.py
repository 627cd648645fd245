"""`root/service-credentials/`: root credentials that hold what they were given, managed by token."""

import pytest
from django.contrib.auth import get_user_model
from jwcrypto import jwk
from rest_framework.test import APIClient

from identity.authorization import may
from identity.errors import NotFound
from identity.models import AuditEvent, ServiceCredential
from identity.oauth.scopes import credential_scopes
from identity.principals import SYSTEM_PRINCIPAL, principal_for_service_credential, principal_for_service_token
from identity.services.root_credentials import (
    root_credential_by_reference,
    root_credential_create,
    root_credential_delete,
)
from tests.factories import make_credential, make_service_token
from tests.identity.test_access_checks import as_bearer, bearer_token

pytestmark = pytest.mark.django_db

ROOT = "/api/v1/root/service-credentials/"
ME = "/api/v1/me/"


def public_key_pem():
    return jwk.JWK.generate(kty="EC", crv="P-256").export_to_pem().decode()


def root_credential(*permissions, name=None):
    return root_credential_create(
        actor=SYSTEM_PRINCIPAL, name=name or f"root-{'-'.join(permissions) or 'nothing'}", permissions=list(permissions)
    )


def root_client(*permissions):
    return as_bearer(bearer_token(*root_credential(*permissions)))


@pytest.fixture
def manager():
    return root_client("root_service_credentials:read", "root_service_credentials:write")


def test_a_root_credential_holds_exactly_the_permissions_it_was_given(client):
    credential, secret = root_credential("organizations:read")

    assert credential.platform_permissions == ["organizations:read"]
    assert credential_scopes(credential) == {"organizations:read"}
    me = as_bearer(bearer_token(credential, secret)).get(ME)
    assert me.status_code == 200
    assert me.json()["permissions"] == ["organizations:read"]


def test_a_root_credential_with_only_organizations_read_cannot_manage_root_accounts():
    reader = root_client("organizations:read")
    target, _ = root_credential("organizations:read", name="target")

    assert reader.get(ROOT).status_code == 403
    assert reader.post(ROOT, {"name": "x", "permissions": []}, format="json").status_code == 403
    assert reader.delete(f"{ROOT}{target.client_id}/").status_code == 403
    assert ServiceCredential.objects.filter(pk=target.pk).exists()


def test_a_root_token_creates_lists_and_deletes_root_accounts_without_any_superuser(manager):
    assert not get_user_model().objects.filter(is_superuser=True).exists()

    created = manager.post(
        ROOT, {"name": "org-provisioner", "permissions": ["root_service_credentials:read"]}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["permissions"] == ["root_service_credentials:read"]
    assert body["realm"] == "root" and body["client_secret"].startswith("pcs_")
    assert created["Cache-Control"] == "no-store"
    assert "groups" not in body and "resource_grants" not in body

    listed = manager.get(ROOT).json()
    assert "org-provisioner" in [row["name"] for row in listed["results"]]
    assert body["client_secret"] not in str(listed)
    assert manager.get(f"{ROOT}{body['id']}/").json()["client_id"] == body["client_id"]
    assert manager.get(f"{ROOT}{body['client_id']}/").json()["id"] == body["id"]

    assert manager.delete(f"{ROOT}{body['client_id']}/").status_code == 204
    assert not ServiceCredential.objects.filter(pk=body["id"]).exists()
    assert manager.get(f"{ROOT}{body['client_id']}/").status_code == 404


def test_a_root_account_is_deleted_by_its_numeric_id_too(manager):
    target, _ = root_credential(name="by-id")
    assert manager.delete(f"{ROOT}{target.pk}/").status_code == 204
    assert not ServiceCredential.objects.filter(pk=target.pk).exists()


def test_the_token_of_a_deleted_root_account_stops_working_at_once(manager):
    credential, secret = root_credential("organizations:read", name="doomed")
    doomed = as_bearer(bearer_token(credential, secret))
    assert doomed.get(ME).status_code == 200

    assert manager.delete(f"{ROOT}{credential.client_id}/").status_code == 204
    assert doomed.get(ME).status_code == 401


def test_creating_and_deleting_a_root_account_is_audited_on_the_platform_log(manager):
    created = manager.post(ROOT, {"name": "audited", "permissions": []}, format="json").json()
    manager.delete(f"{ROOT}{created['id']}/")

    events = AuditEvent.objects.filter(organization=None, target_name="audited").order_by("pk")
    assert [e.action for e in events] == ["service_credential.create", "service_credential.delete"]
    assert events[0].details["permissions"] == [] and events[0].actor_kind == "service_credential"


def test_an_unknown_permission_is_a_400_naming_permissions(manager):
    response = manager.post(ROOT, {"name": "x", "permissions": ["organizations:delete"]}, format="json")
    assert response.status_code == 400
    assert "permissions" in response.json()
    assert "organizations:delete" in str(response.json()["permissions"])
    organization_permission = manager.post(ROOT, {"name": "x", "permissions": ["secrets:read"]}, format="json")
    assert organization_permission.status_code == 400 and "permissions" in organization_permission.json()
    assert not ServiceCredential.objects.filter(name="x").exists()


@pytest.mark.parametrize("permissions", ["organizations:read", [1], None, {"a": 1}])
def test_permissions_of_the_wrong_json_type_are_a_400_naming_permissions(manager, permissions):
    response = manager.post(ROOT, {"name": "x", "permissions": permissions}, format="json")
    assert response.status_code == 400 and "permissions" in response.json()


def test_a_root_token_cannot_give_a_permission_it_does_not_hold(manager):
    response = manager.post(ROOT, {"name": "wider", "permissions": ["organizations:write"]}, format="json")
    assert response.status_code == 403
    assert "organizations:write" in str(response.json()["permissions"])
    assert not ServiceCredential.objects.filter(name="wider").exists()


def test_a_superuser_gives_any_platform_permission():
    superuser = get_user_model().objects.create_superuser("root", "root@example.test", "x" * 16)
    client = APIClient()
    client.force_authenticate(superuser)
    everything = ["organizations:read", "organizations:write", "root_service_credentials:read", "root_service_credentials:write"]
    response = client.post(ROOT, {"name": "all", "permissions": everything}, format="json")
    assert response.status_code == 201, response.content
    assert ServiceCredential.objects.get(name="all").platform_permissions == everything


def test_both_client_authentication_methods_and_their_bad_input(manager):
    jwt_account = manager.post(
        ROOT,
        {"name": "jwt", "permissions": [], "token_endpoint_auth_method": "private_key_jwt", "public_key": public_key_pem()},
        format="json",
    )
    assert jwt_account.status_code == 201, jwt_account.content
    assert "client_secret" not in jwt_account.json()
    assert jwt_account.json()["jwks"]["keys"][0]["kty"] == "EC"
    post = manager.post(ROOT, {"name": "post", "permissions": [], "token_endpoint_auth_method": "client_secret_post"}, format="json")
    assert post.status_code == 201 and post.json()["client_secret"]

    no_key = manager.post(ROOT, {"name": "nokey", "permissions": [], "token_endpoint_auth_method": "private_key_jwt"}, format="json")
    assert no_key.status_code == 400 and "public_key" in no_key.json()
    unknown = manager.post(ROOT, {"name": "odd", "permissions": [], "token_endpoint_auth_method": "client_secret_jwt"}, format="json")
    assert unknown.status_code == 400 and "token_endpoint_auth_method" in unknown.json()
    duplicate = manager.post(ROOT, {"name": "jwt", "permissions": []}, format="json")
    assert duplicate.status_code == 409 and "name" in duplicate.json()
    grouped = manager.post(ROOT, {"name": "grouped", "permissions": [], "groups": [1]}, format="json")
    assert grouped.status_code == 400 and "groups" in grouped.json()


@pytest.mark.parametrize("reference", ["9" * 40, "0", "-1", "abc\x00def", "x" * 300])
def test_an_unknown_or_hostile_reference_is_a_404(manager, reference):
    assert manager.get(f"{ROOT}{reference}/").status_code == 404
    assert manager.delete(f"{ROOT}{reference}/").status_code == 404


def test_an_account_holder_cannot_see_or_touch_root_accounts(holder_client):
    target, _ = root_credential(name="hidden")
    for response in (
        holder_client.get(ROOT),
        holder_client.post(ROOT, {"name": "mine", "permissions": []}, format="json"),
        holder_client.get(f"{ROOT}{target.pk}/"),
        holder_client.delete(f"{ROOT}{target.client_id}/"),
    ):
        assert response.status_code == 404
        assert "hidden" not in response.content.decode()
    assert ServiceCredential.objects.filter(pk=target.pk).exists()


def test_an_organizations_tokens_cannot_see_root_accounts(organization):
    target, _ = root_credential(name="hidden")
    _, api_key = make_service_token(organization, roles=("account_holder",))
    api_key_client = APIClient()
    api_key_client.credentials(HTTP_AUTHORIZATION=f"ApiKey {api_key}")
    org_bearer = as_bearer(bearer_token(*make_credential(organization, permissions=("studios:read",))))
    for client in (api_key_client, org_bearer):
        assert client.get(ROOT).status_code == 404
        assert client.delete(f"{ROOT}{target.client_id}/").status_code == 404
    assert ServiceCredential.objects.filter(pk=target.pk).exists()


def test_the_services_refuse_an_organization_principal_and_an_organizations_credential(organization):
    token, _ = make_service_token(organization, roles=("account_holder",))
    insider = principal_for_service_token(token)
    target, _ = root_credential(name="hidden")
    with pytest.raises(NotFound):
        root_credential_delete(actor=insider, credential=target)
    with pytest.raises(NotFound):
        root_credential_create(actor=insider, name="mine", permissions=[])
    org_credential, _ = make_credential(organization)
    with pytest.raises(NotFound):
        root_credential_delete(actor=SYSTEM_PRINCIPAL, credential=org_credential)
    with pytest.raises(NotFound):
        root_credential_by_reference(org_credential.client_id)


def test_administering_an_organizations_resource_tree_never_reaches_platform_permissions(organization):
    credential, _ = make_credential(organization)
    principal = principal_for_service_credential(credential)
    principal = principal.__class__(**{**principal.__dict__, "permissions": frozenset({"resources:write"})})
    assert may(principal, "projects:deploy")
    assert not may(principal, "root_service_credentials:write")
    assert not may(principal, "organizations:write")
