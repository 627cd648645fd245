"""Bindings hold down the resource tree and live: what a role or a binding says now is what a
caller may do at its next request.

The tree: acme (company) → apollo and artemis (projects) → prod (apollo's environment); globex
(another company) → gemini.
"""

import pytest
from rest_framework.test import APIClient

from identity import services
from identity.authorization import may
from identity.errors import NotPermitted
from identity.models import RoleBinding
from identity.principals import principal_for_service_token, principal_for_user
from identity.services.role_bindings import role_binding_create, role_binding_delete
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_member, make_resource, make_service_token
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db


def admin(organization):
    return SYSTEM_PRINCIPAL_ADMIN(organization)


@pytest.fixture
def tree(organization):
    acme = make_resource(organization, "companies", "acme")
    apollo = make_resource(organization, "projects", "apollo", parent=acme)
    globex = make_resource(organization, "companies", "globex")
    return {
        "acme": acme,
        "apollo": apollo,
        "artemis": make_resource(organization, "projects", "artemis", parent=acme),
        "prod": make_resource(organization, "environments", "prod", parent=apollo),
        "globex": globex,
        "gemini": make_resource(organization, "projects", "gemini", parent=globex),
    }


@pytest.fixture
def project_admin(organization):
    return services.role_create(
        organization=organization, actor=admin(organization), name="project-admin",
        permissions=["projects:read", "projects:write", "environments:write"],
    )


def bind(organization, subject_kind, subject_id, role, resource=None):
    return role_binding_create(
        organization=organization, actor=admin(organization), subject_kind=subject_kind, subject_id=subject_id,
        role=role, resource=resource.pk if resource is not None else None,
    )


def token_bound_at(organization, role, resource):
    token, plaintext = make_service_token(organization, roles=("member",), name=f"at-{resource.name}")
    bind(organization, "service_token", token.pk, role.name, resource)
    return token, plaintext


def where_it_may(principal, permission, tree):
    return {name for name, resource in tree.items() if may(principal, permission, resource)}


# ---------------------------------------------------------------- may(), down the tree


def test_a_binding_on_a_company_holds_on_its_projects_and_their_environments(organization, tree, project_admin):
    token, _ = token_bound_at(organization, project_admin, tree["acme"])
    principal = principal_for_service_token(token)
    assert where_it_may(principal, "projects:write", tree) == {"acme", "apollo", "artemis", "prod"}
    assert not may(principal, "projects:write")


def test_a_binding_on_a_project_holds_on_its_environment_but_not_its_sibling_or_its_company(organization, tree, project_admin):
    token, _ = token_bound_at(organization, project_admin, tree["apollo"])
    assert where_it_may(principal_for_service_token(token), "projects:write", tree) == {"apollo", "prod"}


def test_a_binding_holds_only_what_its_role_gives_there(organization, tree, project_admin):
    token, _ = token_bound_at(organization, project_admin, tree["acme"])
    principal = principal_for_service_token(token)
    assert where_it_may(principal, "projects:read", tree) == {"acme", "apollo", "artemis", "prod"}
    assert where_it_may(principal, "companies:write", tree) == set()


def test_a_groups_binding_on_a_company_holds_for_its_members_below_it(organization, tree, project_admin):
    user = make_member(organization, role="member", username="dana")
    group = services.group_create(organization=organization, actor=admin(organization), name="acme-team", members=["dana"])
    bind(organization, "group", group.pk, project_admin.name, tree["acme"])
    assert where_it_may(principal_for_user(user, organization), "projects:write", tree) == {"acme", "apollo", "artemis", "prod"}


# ---------------------------------------------------------------- through the services


def test_resources_write_on_a_project_lets_a_person_manage_below_it_and_nowhere_else(organization, tree):
    services.role_create(organization=organization, actor=admin(organization), name="tree-admin", permissions=["resources:write"])
    user = make_member(organization, role="member", username="erin")
    bind(organization, "user", user.pk, "tree-admin", tree["apollo"])
    actor = principal_for_user(user, organization)

    staging = services.resource_create(organization=organization, actor=actor, kind="environments", name="staging", parent=tree["apollo"])
    services.resource_update(resource=tree["prod"], actor=actor, name="production")
    assert staging.parent == tree["apollo"]
    for parent in (tree["artemis"], tree["acme"], None):
        with pytest.raises(NotPermitted):
            services.resource_create(organization=organization, actor=actor, kind="environments", name="qa", parent=parent)
    with pytest.raises(NotPermitted):
        services.resource_update(resource=staging, actor=actor, parent=tree["artemis"])


def test_a_project_admin_gives_on_their_project_only_what_they_hold_there(organization, tree, project_admin):
    services.role_create(
        organization=organization, actor=admin(organization), name="credential-admin",
        permissions=["projects:write", "service_credentials:write"],
    )
    user = make_member(organization, role="member", username="fay")
    bind(organization, "user", user.pk, "credential-admin", tree["apollo"])
    actor = principal_for_user(user, organization)
    credential, _ = services.service_credential_create(organization=organization, actor=admin(organization), name="ci")

    services.service_credential_update(
        credential=credential, actor=actor, resource_grants=[{"resource": tree["prod"].pk, "permissions": ["projects:write"]}]
    )
    for place in ("artemis", "acme"):
        with pytest.raises(NotPermitted) as refusal:
            services.service_credential_update(
                credential=credential, actor=actor,
                resource_grants=[{"resource": tree[place].pk, "permissions": ["projects:write"]}],
            )
        assert "resource_grants" in refusal.value.field_errors


# ---------------------------------------------------------------- live: the next request


@pytest.fixture
def auditor(organization):
    return services.role_create(
        organization=organization, actor=admin(organization), name="auditor", permissions=["audit_events:read", "secrets:read"]
    )


def bearer_client(client, credential, secret):
    response = client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(credential.application.client_id, secret))
    assert response.status_code == 200, response.content
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    return api


def audit_log(organization):
    return f"/api/v1/orgs/{organization.slug}/audit-events/"


def test_narrowing_a_role_narrows_a_bearer_token_already_issued_at_its_next_request(client, organization, auditor):
    group = services.group_create(organization=organization, actor=admin(organization), name="auditors", roles=["auditor"])
    api = bearer_client(client, *services.service_credential_create(
        organization=organization, actor=admin(organization), name="reader", groups=[group.pk]
    ))
    assert api.get(audit_log(organization)).status_code == 200

    services.role_update(role=auditor, actor=admin(organization), permissions=["secrets:read"])
    assert api.get(audit_log(organization)).status_code == 403

    services.role_update(role=auditor, actor=admin(organization), permissions=["audit_events:read", "secrets:read"])
    assert api.get(audit_log(organization)).status_code == 200


def test_widening_a_role_widens_a_service_token_at_its_next_request(organization, auditor):
    _, plaintext = make_service_token(organization, roles=("auditor",))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"ApiKey {plaintext}")
    groups = f"/api/v1/orgs/{organization.slug}/groups/"
    assert api.get(groups).status_code == 403

    services.role_update(role=auditor, actor=admin(organization), permissions=["audit_events:read", "groups:read", "secrets:read"])
    assert api.get(groups).status_code == 200


def test_widening_a_role_widens_a_bearer_token_already_issued_at_its_next_request(client, organization, auditor):
    group = services.group_create(organization=organization, actor=admin(organization), name="auditors", roles=["auditor"])
    api = bearer_client(client, *services.service_credential_create(
        organization=organization, actor=admin(organization), name="reader", groups=[group.pk]
    ))
    groups = f"/api/v1/orgs/{organization.slug}/groups/"
    assert api.get(groups).status_code == 403

    services.role_update(role=auditor, actor=admin(organization), permissions=["audit_events:read", "groups:read", "secrets:read"])
    assert api.get(groups).status_code == 200
    assert "groups:read" in api.get("/api/v1/me/").json()["permissions"]


def test_a_token_granted_for_an_explicit_scope_keeps_that_cap_when_the_role_widens(client, organization, auditor):
    credential, secret = services.service_credential_create(organization=organization, actor=admin(organization), name="narrow")
    bind(organization, "service_credential", credential.pk, "auditor")
    response = client.post(
        "/o/token/", {"grant_type": "client_credentials", "scope": "secrets:read"},
        HTTP_AUTHORIZATION=basic(credential.application.client_id, secret),
    )
    assert response.json()["scope"] == "secrets:read"
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    services.role_update(role=auditor, actor=admin(organization), permissions=["audit_events:read", "groups:read", "secrets:read"])
    assert api.get(f"/api/v1/orgs/{organization.slug}/groups/").status_code == 403
    assert api.get("/api/v1/me/").json()["permissions"] == ["secrets:read"]


def test_a_role_changed_after_binding_on_a_company_changes_what_holds_below_it(organization, tree, project_admin):
    token, _ = token_bound_at(organization, project_admin, tree["acme"])
    assert may(principal_for_service_token(token), "environments:write", tree["prod"])

    services.role_update(role=project_admin, actor=admin(organization), permissions=["projects:read", "projects:write"])
    assert not may(principal_for_service_token(token), "environments:write", tree["prod"])


def test_deleting_a_binding_ends_a_bearer_tokens_access_at_its_next_request(client, organization, auditor):
    credential, secret = services.service_credential_create(organization=organization, actor=admin(organization), name="reader")
    binding = bind(organization, "service_credential", credential.pk, "auditor")
    api = bearer_client(client, credential, secret)
    assert api.get(audit_log(organization)).status_code == 200

    role_binding_delete(binding=binding, actor=admin(organization))
    assert api.get(audit_log(organization)).status_code == 403


def test_deleting_a_groups_binding_ends_its_credentials_access_at_their_next_request(client, organization, auditor):
    group = services.group_create(organization=organization, actor=admin(organization), name="auditors", roles=["auditor"])
    api = bearer_client(client, *services.service_credential_create(
        organization=organization, actor=admin(organization), name="reader", groups=[group.pk]
    ))
    assert api.get(audit_log(organization)).status_code == 200

    role_binding_delete(binding=RoleBinding.objects.get(group=group), actor=admin(organization))
    assert api.get(audit_log(organization)).status_code == 403


def test_deleting_a_binding_on_a_company_ends_it_below_at_once(organization, tree, project_admin):
    token, _ = token_bound_at(organization, project_admin, tree["acme"])
    binding = RoleBinding.objects.get(service_token=token, resource=tree["acme"])
    role_binding_delete(binding=binding, actor=admin(organization))
    assert where_it_may(principal_for_service_token(token), "projects:write", tree) == set()
