"""`orgs/{org}/role-bindings/`: list, create, read and delete bindings; delegated administration."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from identity.models import AuditAction, AuditEvent, Role, RoleBinding
from identity.services.role_bindings import role_binding_create
from tests.factories import (
    SYSTEM_PRINCIPAL_ADMIN,
    OrganizationFactory,
    make_credential,
    make_member,
    make_resource,
    make_service_token,
)

pytestmark = pytest.mark.django_db


def url(organization, suffix=""):
    return f"/api/v1/orgs/{organization.slug}/role-bindings/{suffix}"


@pytest.fixture
def tree(organization):
    """acme (company) → apollo (project) → prod (environment); zeus, apollo's sibling project."""
    acme = make_resource(organization, "companies", "acme")
    apollo = make_resource(organization, "projects", "apollo", parent=acme)
    prod = make_resource(organization, "environments", "prod", parent=apollo)
    zeus = make_resource(organization, "projects", "zeus", parent=acme)
    return {"acme": acme, "apollo": apollo, "prod": prod, "zeus": zeus}


@pytest.fixture
def credential(organization):
    return make_credential(organization, name="ci")[0]


def bind(organization, subject_kind, subject_id, *, role=None, permissions=None, resource=None):
    return role_binding_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), subject_kind=subject_kind,
        subject_id=subject_id, role=role, permissions=permissions, resource=resource.pk if resource else None,
    )


def client_for(user):
    client = APIClient()
    client.force_authenticate(user=user)
    return client


# ---------------------------------------------------------------- create, read, list, delete


def test_a_binding_is_created_and_answered_with_its_subject_role_and_resource(token_client, organization, tree, credential):
    Role.objects.create(organization=organization, name="deployer", permissions=["projects:read"])
    response = token_client.post(
        url(organization),
        {"subject_kind": "service_credential", "subject_id": credential.pk, "role": "deployer",
         "permissions": ["environments:read"], "resource": tree["apollo"].pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: v for k, v in body.items() if k not in ("id", "created_at")} == {
        "subject_kind": "service_credential", "subject_id": credential.pk, "subject_name": "ci", "role": "deployer",
        "permissions": ["environments:read"], "resource": tree["apollo"].pk, "resource_name": "projects/apollo",
    }
    assert token_client.get(url(organization, f"{body['id']}/")).json() == body
    event = AuditEvent.objects.get(action=AuditAction.ROLE_BINDING_CREATE)
    assert event.details["resource"] == "projects/apollo"


def test_an_organization_wide_binding_has_no_resource(token_client, organization):
    member = make_member(organization)
    response = token_client.post(
        url(organization), {"subject_kind": "user", "subject_id": member.pk, "permissions": ["secrets:read"],
                            "resource": None}, format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["resource"], response.json()["resource_name"], response.json()["role"]) == (None, None, None)


def test_the_same_binding_twice_is_a_conflict(token_client, organization, credential, tree):
    body = {"subject_kind": "service_credential", "subject_id": credential.pk, "permissions": ["projects:read"],
            "resource": tree["apollo"].pk}
    assert token_client.post(url(organization), body, format="json").status_code == 201
    again = token_client.post(url(organization), body, format="json")
    assert again.status_code == 409
    assert "subject_id" in again.json()


def test_a_binding_is_deleted_with_an_audit_event(token_client, organization, credential, tree):
    binding = bind(organization, "service_credential", credential.pk, permissions=["projects:read"], resource=tree["apollo"])
    assert token_client.delete(url(organization, f"{binding.pk}/")).status_code == 204
    assert not RoleBinding.objects.filter(pk=binding.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_BINDING_DELETE, target_id=str(binding.pk)).exists()


def test_a_members_role_binding_cannot_be_deleted_here(token_client, organization):
    member = make_member(organization)
    binding = RoleBinding.objects.get(membership__user=member)
    response = token_client.delete(url(organization, f"{binding.pk}/"))
    assert response.status_code == 409
    assert "role" in response.json()
    assert RoleBinding.objects.filter(pk=binding.pk).exists()


def test_the_list_filters_by_subject_and_resource(token_client, organization, credential, tree):
    on_apollo = bind(organization, "service_credential", credential.pk, permissions=["projects:read"], resource=tree["apollo"])
    on_org = bind(organization, "service_credential", credential.pk, permissions=["secrets:read"])
    group_binding = bind(organization, "group", _group(organization).pk, permissions=["projects:read"], resource=tree["apollo"])

    def ids(**params):
        response = token_client.get(url(organization), params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(subject_kind="service_credential", subject_id=credential.pk) == [on_apollo.pk, on_org.pk]
    assert ids(resource=tree["apollo"].pk) == [on_apollo.pk, group_binding.pk]
    assert ids(subject_kind="group") == [group_binding.pk]
    assert on_org.pk in ids(resource="null") and on_apollo.pk not in ids(resource="null")


def _group(organization):
    from identity import services

    return services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="ops")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"subject_kind": "robot"}, "subject_kind"),
        ({"subject_kind": "user\x00"}, "subject_kind"),
        ({"subject_kind": "user", "subject_id": "abc"}, "subject_id"),
        ({"subject_kind": "user", "subject_id": str(10**30)}, "subject_id"),
        ({"subject_id": "3"}, "subject_kind"),
        ({"resource": "apollo"}, "resource"),
        ({"resource": "-1"}, "resource"),
        ({"resource": str(10**30)}, "resource"),
        ({"resource": "1\x00"}, "resource"),
    ],
)
def test_a_bad_filter_is_refused_naming_it(token_client, organization, params, field):
    response = token_client.get(url(organization), params)
    assert response.status_code == 400
    assert field in response.json(), response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject_kind": "robot", "subject_id": 1, "role": "member", "resource": None}, "subject_kind"),
        ({"subject_kind": "user", "subject_id": "x", "role": "member", "resource": None}, "subject_id"),
        ({"subject_kind": "user", "subject_id": 10**30, "role": "member", "resource": None}, "subject_id"),
        ({"subject_kind": "user", "subject_id": 1, "role": "member"}, "resource"),
        ({"subject_kind": "user", "subject_id": 1, "role": "member", "resource": True}, "resource"),
        ({"subject_kind": "user", "subject_id": 1, "role": "no\x00pe", "resource": None}, "role"),
        ({"subject_kind": "user", "subject_id": 1, "role": 7, "resource": None}, "role"),
        ({"subject_kind": "user", "subject_id": 1, "permissions": "secrets:read", "resource": None}, "permissions"),
        ({"subject_kind": "user", "subject_id": 1, "permissions": ["no:such"], "resource": None}, "permissions"),
    ],
)
def test_a_bad_body_is_refused_naming_the_field(token_client, organization, body, field):
    if body["subject_id"] == 1:
        body = {**body, "subject_id": make_member(organization).pk}
    before = RoleBinding.objects.count()
    response = token_client.post(url(organization), body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert RoleBinding.objects.count() == before


def test_neither_role_nor_permissions_is_refused(token_client, organization, credential):
    body = {"subject_kind": "service_credential", "subject_id": credential.pk, "resource": None}
    response = token_client.post(url(organization), body, format="json")
    assert response.status_code == 400
    assert "role" in response.json()


# ---------------------------------------------------------------- other organizations


def test_another_organizations_subject_is_no_such_subject(token_client, organization, other_organization):
    stranger, _ = make_credential(other_organization)
    body = {"subject_kind": "service_credential", "subject_id": stranger.pk, "permissions": ["secrets:read"],
            "resource": None}
    response = token_client.post(url(organization), body, format="json")
    assert response.status_code == 400
    assert "subject_id" in response.json()


def test_another_organizations_resource_is_no_such_resource(token_client, organization, other_organization, credential):
    elsewhere = make_resource(other_organization, "projects", "elsewhere")
    body = {"subject_kind": "service_credential", "subject_id": credential.pk, "permissions": ["projects:read"],
            "resource": elsewhere.pk}
    response = token_client.post(url(organization), body, format="json")
    assert response.status_code == 400
    assert "resource" in response.json()


def test_another_organizations_binding_is_not_found(token_client, organization, other_organization):
    stranger, _ = make_credential(other_organization)
    binding = bind(other_organization, "service_credential", stranger.pk, permissions=["secrets:read"])
    assert token_client.get(url(organization, f"{binding.pk}/")).status_code == 404
    assert token_client.delete(url(organization, f"{binding.pk}/")).status_code == 404
    assert RoleBinding.objects.filter(pk=binding.pk).exists()
    assert token_client.get(url(other_organization)).status_code == 404


def test_reading_bindings_needs_roles_read(organization):
    Role.objects.create(organization=organization, name="vault-reader", permissions=["secrets:read"])
    _, plaintext = make_service_token(organization, roles=("vault-reader",))
    response = APIClient().get(url(organization), HTTP_X_API_KEY=plaintext)
    assert response.status_code == 403
    assert "roles:read" in response.json()["detail"]


# ---------------------------------------------------------------- delegated administration


@pytest.fixture
def project_admin(organization, tree):
    """A member who administers credentials on apollo (and below) only."""
    Role.objects.create(
        organization=organization, name="apollo-admin",
        permissions=["service_credentials:write", "projects:read", "projects:write", "environments:read"],
    )
    person = make_member(organization, role="member")
    bind(organization, "user", person.pk, role="apollo-admin", resource=tree["apollo"])
    return client_for(person)


def _grant(credential, resource, **what):
    return {"subject_kind": "service_credential", "subject_id": credential.pk, "resource": resource.pk, **what}


def test_a_project_admin_binds_a_credential_on_their_project_and_below(project_admin, organization, tree, credential):
    on_project = project_admin.post(url(organization), _grant(credential, tree["apollo"], permissions=["projects:write"]), format="json")
    assert on_project.status_code == 201, on_project.json()
    on_environment = project_admin.post(url(organization), _grant(credential, tree["prod"], permissions=["environments:read"]), format="json")
    assert on_environment.status_code == 201, on_environment.json()
    assert project_admin.delete(url(organization, f"{on_project.json()['id']}/")).status_code == 204


def test_a_project_admin_may_not_bind_on_a_sibling_project(project_admin, organization, tree, credential):
    response = project_admin.post(url(organization), _grant(credential, tree["zeus"], permissions=["projects:read"]), format="json")
    assert response.status_code == 403
    assert "service_credentials:write" in response.json()["subject_kind"][0]


def test_a_project_admin_may_not_bind_on_the_organization(project_admin, organization, credential):
    body = {"subject_kind": "service_credential", "subject_id": credential.pk, "permissions": ["projects:read"], "resource": None}
    response = project_admin.post(url(organization), body, format="json")
    assert response.status_code == 403
    assert "subject_kind" in response.json()


def test_a_project_admin_may_not_give_a_permission_they_do_not_hold_there(project_admin, organization, tree, credential):
    response = project_admin.post(url(organization), _grant(credential, tree["apollo"], permissions=["environments:write"]), format="json")
    assert response.status_code == 403
    assert "environments:write" in response.json()["permissions"][0]
    assert not RoleBinding.objects.filter(service_credential=credential).exists()


def test_a_project_admin_may_not_give_a_role_beyond_what_they_hold(project_admin, organization, tree, credential):
    Role.objects.create(organization=organization, name="vault", permissions=["secrets:read"])
    response = project_admin.post(url(organization), _grant(credential, tree["apollo"], role="vault"), format="json")
    assert response.status_code == 403
    assert "secrets:read" in response.json()["role"][0]


def test_a_project_admin_may_not_delete_a_binding_on_a_sibling(project_admin, organization, tree, credential):
    binding = bind(organization, "service_credential", credential.pk, permissions=["projects:read"], resource=tree["zeus"])
    assert project_admin.delete(url(organization, f"{binding.pk}/")).status_code == 403
    assert RoleBinding.objects.filter(pk=binding.pk).exists()


def test_a_project_admin_may_not_manage_people_there(project_admin, organization, tree):
    other = make_member(organization)
    response = project_admin.post(
        url(organization), {"subject_kind": "user", "subject_id": other.pk, "permissions": ["projects:read"],
                            "resource": tree["apollo"].pk}, format="json",
    )
    assert response.status_code == 403
    assert "members:write" in response.json()["subject_kind"][0]


# ---------------------------------------------------------------- query counts


def _list_queries(client, organization):
    client.get(url(organization))  # the token's last use is written at most once a minute: not counted
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(organization))
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_the_list_runs_the_same_queries_for_two_bindings_or_forty(token_client, organization, tree, credential):
    for resource in (tree["apollo"], tree["prod"]):
        bind(organization, "service_credential", credential.pk, permissions=["projects:read"], resource=resource)
    few, few_count = _list_queries(token_client, organization)
    for index in range(38):
        kind = ("projects", "environments", "companies")[index % 3]
        resource = make_resource(organization, kind, f"r{index}")
        bind(organization, "service_credential", credential.pk, permissions=[f"{kind}:read"], resource=resource)
        make_credential(organization)
    many, many_count = _list_queries(token_client, organization)
    assert many_count >= few_count + 38
    assert many == few <= 5


def test_a_binding_from_another_org_does_not_leak_into_the_list(token_client, organization):
    other = OrganizationFactory()
    stranger, _ = make_credential(other)
    bind(other, "service_credential", stranger.pk, permissions=["secrets:read"])
    names = [row["subject_name"] for row in token_client.get(url(organization)).json()["results"]]
    assert stranger.name not in names
