"""Nobody gives more than they hold: every escalation path found in issue 11, refused with a 403
that names the field which asked for too much, through the API and through the portal.

Each caller holds one narrow custom role (``service_tokens:write`` only, ``groups:write`` only…),
so what it tries to give is always more than it has.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from identity import services
from identity.services.role_bindings import role_binding_create
from identity.models import Group, Membership, Resource, Role, RoleBinding, ServiceCredential, ServiceToken
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_member, make_resource, make_service_token
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db


def narrow_role(organization, *permissions):
    """A custom role holding only ``permissions`` (and reading what it writes)."""
    read = {p.replace(":write", ":read") for p in permissions}
    return services.role_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization),
        name="only-" + "-".join(p.replace(":", "-") for p in permissions), permissions=sorted(set(permissions) | read),
    )


def token_client(organization, *permissions):
    role = narrow_role(organization, *permissions)
    _, plaintext = make_service_token(organization, roles=(role.name,), name=f"token-{role.name}")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"ApiKey {plaintext}")
    return client


def portal_client(organization, *permissions):
    """A person holding only ``permissions``, logged in to the portal."""
    client = Client()
    client.force_login(make_member(organization, role=narrow_role(organization, *permissions).name))
    return client


def url(organization, path):
    return f"/api/v1/orgs/{organization.slug}/{path}"


def refused(response, field):
    assert response.status_code == 403, response.content
    assert field in response.json(), response.json()
    return response.json()[field]


def admin(organization):
    return SYSTEM_PRINCIPAL_ADMIN(organization)


@pytest.fixture
def owners(organization):
    """A group holding account_holder."""
    return services.group_create(organization=organization, actor=admin(organization), name="owners", roles=["account_holder"])


@pytest.fixture
def someone(organization):
    return make_member(organization, role="member", username="someone")


# ---------------------------------------------------------------- service tokens


def test_a_token_holding_only_service_tokens_write_cannot_make_an_account_holder_token(organization):
    client = token_client(organization, "service_tokens:write")
    response = client.post(url(organization, "service-tokens/"), {"name": "root", "roles": ["account_holder"]}, format="json")
    refused(response, "roles")
    assert not ServiceToken.objects.filter(organization=organization, name="root").exists()


def test_a_token_holding_only_service_tokens_write_may_make_a_token_within_what_it_holds(organization):
    client = token_client(organization, "service_tokens:write")
    role = Role.objects.get(organization=organization, name="only-service_tokens-write")
    response = client.post(url(organization, "service-tokens/"), {"name": "peer", "roles": [role.name]}, format="json")
    assert response.status_code == 201, response.content


# ---------------------------------------------------------------- groups


def test_groups_write_alone_cannot_create_a_group_holding_account_holder(organization):
    client = token_client(organization, "groups:write")
    response = client.post(url(organization, "groups/"), {"name": "mine", "roles": ["account_holder"]}, format="json")
    refused(response, "roles")
    assert not Group.objects.filter(organization=organization, name="mine").exists()


def test_groups_write_alone_cannot_give_an_existing_group_account_holder(organization):
    group = services.group_create(organization=organization, actor=admin(organization), name="plain")
    client = token_client(organization, "groups:write")
    refused(client.patch(url(organization, f"groups/{group.pk}/"), {"roles": ["account_holder"]}, format="json"), "roles")
    assert group.organization_roles == []


def test_groups_write_alone_cannot_put_anyone_in_a_group_holding_account_holder(organization, owners, someone):
    client = token_client(organization, "groups:write")
    response = client.patch(url(organization, f"groups/{owners.pk}/"), {"members": ["someone"]}, format="json")
    refused(response, "members")
    assert not owners.auth_group.user_set.filter(pk=someone.pk).exists()


def test_groups_write_alone_cannot_create_a_group_of_account_holders_with_members(organization, someone):
    client = token_client(organization, "groups:write")
    body = {"name": "mine", "roles": ["account_holder"], "members": ["someone"]}
    refused(client.post(url(organization, "groups/"), body, format="json"), "roles")


def test_groups_write_alone_cannot_put_anyone_in_a_group_holding_a_role_on_a_project(organization, someone):
    project = make_resource(organization, "projects", "apollo")
    group = services.group_create(organization=organization, actor=admin(organization), name="apollo-admins")
    role_binding_create(
        organization=organization, actor=admin(organization), subject_kind="group", subject_id=group.pk,
        role="sys_admin", resource=project.pk,
    )
    client = token_client(organization, "groups:write")
    refused(client.patch(url(organization, f"groups/{group.pk}/"), {"members": ["someone"]}, format="json"), "members")


# ---------------------------------------------------------------- members


def test_members_write_alone_cannot_promote_a_member_to_account_holder(organization, someone):
    membership = Membership.objects.get(user=someone, organization=organization)
    client = token_client(organization, "members:write")
    refused(client.patch(url(organization, f"members/{membership.pk}/"), {"role": "account_holder"}, format="json"), "role")
    membership.refresh_from_db()
    assert membership.role.name == "member"


def test_members_write_alone_cannot_add_an_account_holder(organization):
    client = token_client(organization, "members:write")
    body = {"username": "mallory", "email": "mallory@example.com", "role": "account_holder"}
    refused(client.post(url(organization, "members/"), body, format="json"), "role")
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_members_write_alone_cannot_demote_or_remove_an_account_holder(organization):
    holder = make_member(organization, role="account_holder", username="holder")
    make_member(organization, role="account_holder", username="holder-2")
    membership = Membership.objects.get(user=holder, organization=organization)
    client = token_client(organization, "members:write")
    refused(client.patch(url(organization, f"members/{membership.pk}/"), {"role": "member"}, format="json"), "role")
    refused(client.delete(url(organization, f"members/{membership.pk}/")), "role")
    assert Membership.objects.get(pk=membership.pk).role.name == "account_holder"


# ---------------------------------------------------------------- roles


def test_roles_write_cannot_widen_its_own_role(organization):
    client = token_client(organization, "roles:write")
    role = Role.objects.get(organization=organization, name="only-roles-write")
    body = {"permissions": [*role.permissions, "secrets:read"]}
    refused(client.patch(url(organization, f"roles/{role.pk}/"), body, format="json"), "permissions")
    role.refresh_from_db()
    assert "secrets:read" not in role.permissions


def test_roles_write_cannot_widen_a_role_someone_else_holds(organization):
    other = services.role_create(organization=organization, actor=admin(organization), name="readers", permissions=["groups:read"])
    client = token_client(organization, "roles:write")
    body = {"permissions": ["groups:read", "service_tokens:write"]}
    refused(client.patch(url(organization, f"roles/{other.pk}/"), body, format="json"), "permissions")


def test_roles_write_cannot_create_a_role_with_more_than_it_holds(organization):
    client = token_client(organization, "roles:write")
    refused(client.post(url(organization, "roles/"), {"name": "all", "permissions": ["secrets:read"]}, format="json"), "permissions")


# ---------------------------------------------------------------- service credentials


@pytest.fixture
def admins(organization):
    return services.group_create(organization=organization, actor=admin(organization), name="admins", roles=["sys_admin"])


def test_a_credential_creator_cannot_put_it_in_a_group_holding_more(organization, admins):
    client = token_client(organization, "service_credentials:write")
    response = client.post(url(organization, "service-credentials/"), {"name": "ci", "groups": [admins.pk]}, format="json")
    refused(response, "groups")
    assert not ServiceCredential.objects.filter(organization=organization, name="ci").exists()


def test_a_credential_creator_cannot_grant_it_more_on_a_resource(organization):
    project = make_resource(organization, "projects", "apollo")
    client = token_client(organization, "service_credentials:write")
    body = {"name": "ci", "resource_grants": [{"resource": project.pk, "permissions": ["projects:write"]}]}
    refused(client.post(url(organization, "service-credentials/"), body, format="json"), "resource_grants")


def test_a_credential_editor_cannot_move_it_into_a_group_holding_more(organization, admins):
    credential, _ = services.service_credential_create(organization=organization, actor=admin(organization), name="ci")
    client = token_client(organization, "service_credentials:write")
    refused(client.patch(url(organization, f"service-credentials/{credential.pk}/"), {"groups": [admins.pk]}, format="json"), "groups")
    assert not credential.groups.exists()


def test_a_credential_editor_cannot_take_the_key_of_a_credential_holding_more(organization, admins):
    """Regenerating hands the caller the new client key: that is taking what the credential holds."""
    credential, _ = services.service_credential_create(
        organization=organization, actor=admin(organization), name="deployer", groups=[admins.pk]
    )
    client = token_client(organization, "service_credentials:write")
    response = client.post(url(organization, f"service-credentials/{credential.pk}/regenerate-secret/"), {}, format="json")
    assert response.status_code == 403, response.content
    assert "client_secret" not in response.json()


# ---------------------------------------------------------------- a product-bound credential


@pytest.fixture
def bound_client(client, organization, admins):
    """The bearer token of a credential bound to a product and in a sys_admin group."""
    product = Resource.objects.create(organization=organization, kind="products", name="widget")
    services.role_create(
        organization=organization, actor=admin(organization), name="widget-reader", permissions=["products:read"], product=product
    )
    credential, secret = services.service_credential_create(
        organization=organization, actor=admin(organization), name="widget-ci", groups=[admins.pk], bound_resource=product,
        resource_grants=[{"resource": product.pk, "role": "widget-reader"}],
    )
    token = client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(credential.application.client_id, secret))
    assert token.status_code == 200, token.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access_token']}")
    return api


def test_a_product_bound_credential_in_a_sys_admin_group_reads_no_organization_secret(organization, bound_client, settings):
    from secrets_vault import services as vault

    settings.PORTCULLIS_ENCRYPTION_KEYS = ["q0lr7o9WcP9d8T0Xl1lH3yQZbZ3j0d7pSc7y5z2r8mU="]
    secret = vault.secret_create(
        organization=organization, actor=admin(organization), name="db", type="api_key", value={"header_name": "X", "value": "v"}
    )
    assert bound_client.get(url(organization, f"secrets/{secret.pk}/value/")).status_code == 403
    assert bound_client.get(url(organization, "secrets/")).status_code == 403


def test_a_product_bound_credential_in_a_sys_admin_group_creates_no_group(organization, bound_client):
    assert bound_client.post(url(organization, "groups/"), {"name": "mine"}, format="json").status_code == 403
    assert not Group.objects.filter(organization=organization, name="mine").exists()


def test_a_product_bound_credential_in_a_sys_admin_group_makes_no_account_holder_token(organization, bound_client):
    body = {"name": "root", "roles": ["account_holder"]}
    assert bound_client.post(url(organization, "service-tokens/"), body, format="json").status_code == 403
    assert not ServiceToken.objects.filter(organization=organization, name="root").exists()


# ---------------------------------------------------------------- role bindings


def test_groups_write_alone_cannot_bind_account_holder_to_a_group(organization):
    from identity.errors import NotPermitted
    from identity.principals import principal_for_user

    group = services.group_create(organization=organization, actor=admin(organization), name="plain")
    role = narrow_role(organization, "groups:write")
    actor = principal_for_user(make_member(organization, role=role.name), organization)
    with pytest.raises(NotPermitted) as refusal:
        role_binding_create(
            organization=organization, actor=actor, subject_kind="group", subject_id=group.pk, role="account_holder"
        )
    assert "role" in refusal.value.field_errors
    assert not RoleBinding.objects.filter(group=group).exists()


# ---------------------------------------------------------------- the portal


def portal(organization, path):
    return f"/orgs/{organization.slug}/{path}"


def form_errors(response):
    assert response.status_code == 400, response.status_code
    return response.context["form"].errors


def test_the_portal_refuses_members_write_alone_adding_an_account_holder_with_a_password(organization):
    client = portal_client(organization, "members:write")
    body = {"username": "mallory", "email": "mallory@example.com", "role": "account_holder", "password": "Chosen-by-me-1234"}
    errors = form_errors(client.post(portal(organization, "members/new/"), body))
    assert "role" in errors
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_the_portal_refuses_members_write_alone_promoting_to_account_holder(organization, someone):
    membership = Membership.objects.get(user=someone, organization=organization)
    client = portal_client(organization, "members:write")
    errors = form_errors(client.post(portal(organization, f"members/{membership.pk}/"), {"role": "account_holder"}))
    assert "role" in errors
    assert Membership.objects.get(pk=membership.pk).role.name == "member"


def test_the_portal_refuses_groups_write_alone_creating_a_group_of_account_holders(organization):
    client = portal_client(organization, "groups:write")
    errors = form_errors(client.post(portal(organization, "groups/new/"), {"name": "mine", "roles": ["account_holder"]}))
    assert "roles" in errors
    assert not Group.objects.filter(organization=organization, name="mine").exists()


def test_the_portal_refuses_groups_write_alone_joining_a_group_of_account_holders(organization, owners, someone):
    client = portal_client(organization, "groups:write")
    body = {"name": "owners", "roles": ["account_holder"], "members": ["someone"]}
    errors = form_errors(client.post(portal(organization, f"groups/{owners.pk}/"), body))
    assert "members" in errors
    assert not owners.auth_group.user_set.filter(pk=someone.pk).exists()
