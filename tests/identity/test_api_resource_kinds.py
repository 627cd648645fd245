"""`resource-kinds/`: declaring what resources can be; kinds and actions in use are kept."""

import pytest
from rest_framework.test import APIClient

from identity import services
from identity.models import AuditEvent, Resource, ResourceKind, Role
from identity.principals import SYSTEM_PRINCIPAL
from identity.services.role_bindings import role_binding_create
from tests.factories import make_member, make_resource, make_resource_kind, make_service_token

pytestmark = pytest.mark.django_db


def url(organization, path=""):
    return f"/api/v1/orgs/{organization.slug}/resource-kinds/{path}"


def assert_field_error(response, field, status=400):
    assert response.status_code == status, response.content
    assert field in response.json(), response.json()
    return " ".join(response.json()[field])


def test_a_kind_is_created_with_its_actions_and_audited(token_client, organization):
    response = token_client.post(url(organization), {"name": "studios", "actions": ["read", "write", "create"]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["actions"], body["resource_count"]) == ("studios", ["create", "read", "write"], 0)
    event = AuditEvent.objects.get(action="resource_kind.create", target_id=str(body["id"]))
    assert event.details == {"actions": ["create", "read", "write"]}


def test_the_list_shows_the_default_kinds_with_their_resource_counts(token_client, organization):
    make_resource(organization, "projects", "web")
    response = token_client.get(url(organization))
    assert response.status_code == 200
    body = response.json()
    counts = {kind["name"]: kind["resource_count"] for kind in body["results"]}
    assert counts == {"companies": 0, "environments": 0, "products": 0, "projects": 1}
    assert body["count"] == 4


def test_a_taken_name_is_a_conflict(token_client, organization):
    response = token_client.post(url(organization), {"name": "projects", "actions": ["read"]}, format="json")
    assert_field_error(response, "name", status=409)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"actions": ["read"]}, "name"),
        ({"name": "Studios", "actions": ["read"]}, "name"),
        ({"name": "9lives", "actions": ["read"]}, "name"),
        ({"name": "stu dios", "actions": ["read"]}, "name"),
        ({"name": "s" * 51, "actions": ["read"]}, "name"),
        ({"name": 42, "actions": ["read"]}, "name"),
        ({"name": "studios\x00", "actions": ["read"]}, "name"),
        ({"name": "secrets", "actions": ["read"]}, "name"),
        ({"name": "organizations", "actions": ["read"]}, "name"),
        ({"name": "root_service_credentials", "actions": ["read"]}, "name"),
        ({"name": "studios"}, "actions"),
        ({"name": "studios", "actions": []}, "actions"),
        ({"name": "studios", "actions": "read"}, "actions"),
        ({"name": "studios", "actions": ["Read"]}, "actions"),
        ({"name": "studios", "actions": ["read:all"]}, "actions"),
        ({"name": "studios", "actions": [1]}, "actions"),
        ({"name": "studios", "actions": ["a" * 50]}, "actions"),
        ({"name": "studios", "actions": [f"a{n}" for n in range(51)]}, "actions"),
    ],
)
def test_bad_kind_input_names_the_field(token_client, organization, body, field):
    assert_field_error(token_client.post(url(organization), body, format="json"), field)
    assert not ResourceKind.objects.filter(organization=organization).exclude(
        name__in=["companies", "projects", "environments", "products"]
    ).exists()


def test_actions_are_changed_and_audited(token_client, organization):
    kind = make_resource_kind(organization, "studios", ["read"])
    response = token_client.patch(url(organization, f"{kind.pk}/"), {"actions": ["read", "deploy"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["actions"] == ["deploy", "read"]
    event = AuditEvent.objects.get(action="resource_kind.update", target_id=str(kind.pk))
    assert event.details["previous_actions"] == ["read"]


def test_an_action_a_role_still_gives_is_not_removed(token_client, organization):
    kind = make_resource_kind(organization, "studios", ["read", "deploy"])
    services.role_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="deployer", permissions=["studios:deploy"])
    response = token_client.patch(url(organization, f"{kind.pk}/"), {"actions": ["read"]}, format="json")
    message = assert_field_error(response, "actions", status=409)
    assert "studios:deploy" in message and "deployer" in message
    kind.refresh_from_db()
    assert kind.actions == ["deploy", "read"]


def test_an_action_a_binding_still_gives_is_not_removed(token_client, organization, account_holder):
    kind = make_resource_kind(organization, "studios", ["read", "deploy"])
    studio = make_resource(organization, "studios", "main")
    role_binding_create(
        organization=organization, actor=SYSTEM_PRINCIPAL, subject_kind="user", subject_id=account_holder.pk,
        permissions=["studios:deploy"], resource=studio.pk,
    )
    response = token_client.patch(url(organization, f"{kind.pk}/"), {"actions": ["read"]}, format="json")
    message = assert_field_error(response, "actions", status=409)
    assert "studios:deploy" in message and "1 role binding" in message


def test_a_kind_with_resources_is_not_renamed(token_client, organization):
    make_resource(organization, "studios", "main")
    kind = ResourceKind.objects.get(organization=organization, name="studios")
    response = token_client.patch(url(organization, f"{kind.pk}/"), {"name": "stages"}, format="json")
    message = assert_field_error(response, "name", status=409)
    assert "1 resource is of kind studios" in message


def test_an_unused_kind_is_renamed(token_client, organization):
    kind = make_resource_kind(organization, "studios", ["read"])
    response = token_client.patch(url(organization, f"{kind.pk}/"), {"name": "stages"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "stages"


def test_a_kind_is_not_renamed_onto_a_taken_name(token_client, organization):
    kind = make_resource_kind(organization, "studios", ["read"])
    response = token_client.patch(url(organization, f"{kind.pk}/"), {"name": "projects"}, format="json")
    assert_field_error(response, "name", status=409)


def test_a_kind_is_not_deleted_while_resources_of_it_exist(token_client, organization):
    make_resource(organization, "studios", "main")
    kind = ResourceKind.objects.get(organization=organization, name="studios")
    response = token_client.delete(url(organization, f"{kind.pk}/"))
    assert_field_error(response, "name", status=409)
    assert ResourceKind.objects.filter(pk=kind.pk).exists()
    assert not AuditEvent.objects.filter(action="resource_kind.delete").exists()


def test_a_kind_whose_permissions_a_role_gives_is_not_deleted(token_client, organization):
    kind = make_resource_kind(organization, "studios", ["read"])
    services.role_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="viewer", permissions=["studios:read"])
    assert_field_error(token_client.delete(url(organization, f"{kind.pk}/")), "name", status=409)


def test_an_unused_kind_is_deleted_and_audited(token_client, organization):
    kind = make_resource_kind(organization, "studios", ["read"])
    assert token_client.delete(url(organization, f"{kind.pk}/")).status_code == 204
    assert not ResourceKind.objects.filter(pk=kind.pk).exists()
    event = AuditEvent.objects.get(action="resource_kind.delete")
    assert (event.target_name, event.details) == ("studios", {"actions": ["read"]})


def test_another_organizations_kind_is_not_found(token_client, organization, other_organization):
    theirs = make_resource_kind(other_organization, "studios", ["read"])
    assert token_client.get(url(organization, f"{theirs.pk}/")).status_code == 404
    assert token_client.patch(url(organization, f"{theirs.pk}/"), {"actions": ["x"]}, format="json").status_code == 404
    assert token_client.delete(url(organization, f"{theirs.pk}/")).status_code == 404
    assert token_client.get(url(other_organization)).status_code == 404
    assert ResourceKind.objects.get(pk=theirs.pk).actions == ["read"]


def test_a_member_without_resources_write_is_refused(organization):
    client = APIClient()
    client.force_authenticate(user=make_member(organization, role="member"))
    assert client.get(url(organization)).status_code == 200
    response = client.post(url(organization), {"name": "studios", "actions": ["read"]}, format="json")
    assert response.status_code == 403
    kind = ResourceKind.objects.get(organization=organization, name="projects")
    assert client.delete(url(organization, f"{kind.pk}/")).status_code == 403
    assert ResourceKind.objects.filter(pk=kind.pk).exists()


def test_a_token_without_resources_read_is_refused(organization):
    services.role_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="auditor", permissions=["audit_events:read"])
    _, plaintext = make_service_token(organization, roles=("auditor",))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"ApiKey {plaintext}")
    assert client.get(url(organization)).status_code == 403


def test_a_huge_id_is_not_found(token_client, organization):
    assert token_client.get(url(organization, f"{10**30}/")).status_code == 404


# ---------------------------------------------------------------- what resources and roles may use


def test_a_resource_of_an_undeclared_kind_is_refused_naming_kind(token_client, organization):
    response = token_client.post(f"/api/v1/orgs/{organization.slug}/resources/", {"kind": "projets", "name": "web"}, format="json")
    message = assert_field_error(response, "kind")
    assert "No such resource kind" in message and "projects" in message
    assert not Resource.objects.exists()


def test_a_declared_kind_is_usable_by_resources_and_roles_at_once(token_client, organization):
    token_client.post(url(organization), {"name": "studios", "actions": ["read", "deploy"]}, format="json")
    response = token_client.post(f"/api/v1/orgs/{organization.slug}/resources/", {"kind": "studios", "name": "main"}, format="json")
    assert response.status_code == 201, response.content
    response = token_client.post(
        f"/api/v1/orgs/{organization.slug}/roles/", {"name": "deployer", "permissions": ["studios:deploy"]}, format="json"
    )
    assert response.status_code == 201, response.content


def test_a_role_is_given_a_product_and_shows_it(token_client, organization):
    product = make_resource(organization, "products", "shop")
    response = token_client.post(
        f"/api/v1/orgs/{organization.slug}/roles/",
        {"name": "shop-admin", "permissions": ["products:write"], "product": product.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["product"] == product.pk
    role = Role.objects.get(name="shop-admin")
    response = token_client.patch(f"/api/v1/orgs/{organization.slug}/roles/{role.pk}/", {"product": None}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["product"] is None
    role.refresh_from_db()
    assert role.product is None


@pytest.mark.parametrize("product", ["shop", True, 10**30, "project"])
def test_a_roles_product_must_be_a_product_of_the_organization(token_client, organization, product):
    project = make_resource(organization, "projects", "web")
    product = project.pk if product == "project" else product
    response = token_client.post(
        f"/api/v1/orgs/{organization.slug}/roles/", {"name": "x", "permissions": [], "product": product}, format="json"
    )
    assert_field_error(response, "product")
