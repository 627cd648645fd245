"""Resource kinds in the portal, and the pickers made from them: a resource's kind, a role's permissions."""

import re

import pytest

from identity import services
from identity.models import AuditEvent, Resource, ResourceKind, Role
from identity.principals import SYSTEM_PRINCIPAL
from tests.factories import make_member, make_resource, make_resource_kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder"))
    return client


def page_url(organization, path=""):
    return f"/orgs/{organization.slug}/resource-kinds/{path}"


# ---------------------------------------------------------------- the resource kinds pages


def test_the_list_shows_each_kind_with_its_actions_and_resource_count(holder, organization):
    make_resource(organization, "projects", "web")
    make_resource_kind(organization, "studios", ["read", "deploy"])
    response = holder.get(page_url(organization))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("companies", "environments", "products", "projects", "studios", "deploy"):
        assert f"<code>{name}</code>" in page
    assert ">1</a>" in page  # the one project, linking to the resources of that kind


def test_the_navigation_leads_to_resource_kinds(holder, organization):
    labels = [item["label"] for item in holder.get(page_url(organization)).context["navigation"]]
    assert "Resource Kinds" in labels


def test_a_kind_is_added_with_its_actions_and_audited(holder, organization):
    response = holder.post(page_url(organization, "new/"), {"name": "studios", "actions": "read, write deploy"})
    assert response.status_code == 302
    kind = ResourceKind.objects.get(organization=organization, name="studios")
    assert kind.actions == ["deploy", "read", "write"]
    assert AuditEvent.objects.filter(action="resource_kind.create", target_id=str(kind.pk)).exists()


def test_a_taken_name_shows_on_the_name_field(holder, organization):
    response = holder.post(page_url(organization, "new/"), {"name": "projects", "actions": "read"})
    assert response.status_code == 400
    assert "already taken" in response.context["form"].errors["name"][0]


@pytest.mark.parametrize(
    "data,field",
    [
        ({"name": "Studios", "actions": "read"}, "name"),
        ({"name": "secrets", "actions": "read"}, "name"),
        ({"name": "studios", "actions": ""}, "actions"),
        ({"name": "studios", "actions": "read Write"}, "actions"),
        ({"name": "studios", "actions": "read:all"}, "actions"),
    ],
)
def test_bad_input_shows_on_its_field(holder, organization, data, field):
    response = holder.post(page_url(organization, "new/"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not ResourceKind.objects.filter(name="studios").exists()


def test_a_kind_is_edited(holder, organization):
    kind = make_resource_kind(organization, "studios", ["read"])
    page = holder.get(page_url(organization, f"{kind.pk}/")).content.decode()
    assert 'value="read"' in page
    response = holder.post(page_url(organization, f"{kind.pk}/"), {"name": "stages", "actions": "read, deploy"})
    assert response.status_code == 302
    kind.refresh_from_db()
    assert (kind.name, kind.actions) == ("stages", ["deploy", "read"])
    assert AuditEvent.objects.filter(action="resource_kind.update", target_id=str(kind.pk)).exists()


def test_removing_an_action_a_role_gives_is_refused_naming_the_role(holder, organization):
    kind = make_resource_kind(organization, "studios", ["read", "deploy"])
    services.role_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="deployer", permissions=["studios:deploy"])
    response = holder.post(page_url(organization, f"{kind.pk}/"), {"name": "studios", "actions": "read"})
    assert response.status_code == 400
    error = response.context["form"].errors["actions"][0]
    assert "studios:deploy" in error and "deployer" in error
    kind.refresh_from_db()
    assert kind.actions == ["deploy", "read"]


def test_deleting_a_kind_with_resources_is_refused(holder, organization):
    make_resource(organization, "studios", "main")
    kind = ResourceKind.objects.get(organization=organization, name="studios")
    response = holder.post(page_url(organization, f"{kind.pk}/delete/"), follow=True)
    assert "1 resource is of kind studios" in response.content.decode()
    assert ResourceKind.objects.filter(pk=kind.pk).exists()


def test_deleting_asks_first_then_deletes(holder, organization):
    kind = make_resource_kind(organization, "studios", ["read"])
    assert "Delete “studios”?" in holder.get(page_url(organization, f"{kind.pk}/delete/")).content.decode()
    holder.post(page_url(organization, f"{kind.pk}/delete/"))
    assert not ResourceKind.objects.filter(pk=kind.pk).exists()
    assert AuditEvent.objects.filter(action="resource_kind.delete", target_name="studios").exists()


def test_another_organizations_kind_is_not_found(holder, organization, other_organization):
    theirs = make_resource_kind(other_organization, "studios", ["read"])
    assert holder.get(page_url(organization, f"{theirs.pk}/")).status_code == 404
    assert holder.post(page_url(organization, f"{theirs.pk}/delete/")).status_code == 404
    assert ResourceKind.objects.filter(pk=theirs.pk).exists()


def test_a_member_reads_kinds_but_cannot_change_them(client, organization):
    client.force_login(make_member(organization, role="member"))
    page = client.get(page_url(organization))
    assert page.status_code == 200 and "Add resource kind" not in page.content.decode()
    assert client.get(page_url(organization, "new/")).status_code == 403
    assert client.post(page_url(organization, "new/"), {"name": "studios", "actions": "read"}).status_code == 403
    assert not ResourceKind.objects.filter(name="studios").exists()


# ---------------------------------------------------------------- the resource form's kind


def test_the_resource_form_offers_only_declared_kinds(holder, organization, other_organization):
    make_resource_kind(organization, "studios", ["read"])
    make_resource_kind(other_organization, "galaxies", ["read"])
    form = holder.get(f"/orgs/{organization.slug}/resources/new/").context["form"]
    offered = [value for value, _ in form.fields["kind"].choices if value]
    assert offered == ["companies", "environments", "products", "projects", "studios"]
    assert '<select name="kind"' in holder.get(f"/orgs/{organization.slug}/resources/new/").content.decode()


def test_a_typo_in_the_kind_is_refused_naming_kind(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/resources/new/", {"kind": "projets", "name": "web"})
    assert response.status_code == 400
    assert "kind" in response.context["form"].errors
    assert not Resource.objects.exists()


def test_a_resource_of_a_kind_no_longer_declared_opens_and_saving_says_why(holder, organization):
    legacy = Resource.objects.create(organization=organization, kind="studios", name="old")
    page = holder.get(f"/orgs/{organization.slug}/resources/{legacy.pk}/")
    assert page.status_code == 200
    response = holder.post(f"/orgs/{organization.slug}/resources/{legacy.pk}/", {"kind": "studios", "name": "renamed"})
    assert response.status_code == 400
    assert "No such resource kind" in response.context["form"].errors["kind"][0]
    legacy.refresh_from_db()
    assert legacy.name == "old"


# ---------------------------------------------------------------- the role form's permissions and product


def test_the_role_form_groups_permission_checkboxes_by_kind(holder, organization):
    make_resource_kind(organization, "studios", ["read", "deploy"])
    response = holder.get(f"/orgs/{organization.slug}/roles/new/")
    groups = dict(response.context["form"].fields["permissions"].choices)
    assert groups["studios"] == [("studios:deploy", "deploy"), ("studios:read", "read")]
    assert groups["service_credentials"] == [("service_credentials:read", "read"), ("service_credentials:write", "write")]
    assert "projects" in groups
    page = response.content.decode()
    assert '<legend><code>studios</code></legend>' in page
    assert 'type="checkbox" name="permissions" value="studios:deploy"' in page
    assert 'name="extra_permissions"' not in page  # no free text any more


def test_a_role_is_created_from_checked_permissions_and_a_product(holder, organization):
    make_resource_kind(organization, "studios", ["deploy"])
    product = make_resource(organization, "products", "shop")
    response = holder.post(
        f"/orgs/{organization.slug}/roles/new/",
        {"name": "shop-deployer", "permissions": ["groups:read", "studios:deploy"], "product": product.pk},
    )
    assert response.status_code == 302
    role = Role.objects.get(name="shop-deployer")
    assert (role.permissions, role.product) == (["groups:read", "studios:deploy"], product)


def test_an_undeclared_permission_cannot_be_posted(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/roles/new/", {"name": "x", "permissions": ["studios:create"]})
    assert response.status_code == 400
    assert "permissions" in response.context["form"].errors
    assert not Role.objects.filter(name="x").exists()


def test_the_product_select_offers_only_the_organizations_products(holder, organization, other_organization):
    shop = make_resource(organization, "products", "shop")
    make_resource(organization, "projects", "web")
    make_resource(other_organization, "products", "theirs")
    form = holder.get(f"/orgs/{organization.slug}/roles/new/").context["form"]
    assert form.fields["product"].choices == [("", "— none —"), (shop.pk, "shop")]


def test_editing_a_role_shows_its_permissions_checked_and_keeps_its_product(holder, organization):
    make_resource_kind(organization, "studios", ["deploy"])
    product = make_resource(organization, "products", "shop")
    role = services.role_create(
        organization=organization, actor=SYSTEM_PRINCIPAL, name="r", permissions=["studios:deploy"], product=product
    )
    page = holder.get(f"/orgs/{organization.slug}/roles/{role.pk}/").content.decode()
    assert re.search(r'value="studios:deploy" id="id_permissions_\d+_\d+"[^>]* checked', page)
    assert not re.search(r'value="roles:read" id="id_permissions_\d+_\d+"[^>]* checked', page)
    holder.post(
        f"/orgs/{organization.slug}/roles/{role.pk}/",
        {"name": "r2", "permissions": ["studios:deploy", "roles:read"], "product": product.pk},
    )
    role.refresh_from_db()
    assert (role.name, role.permissions, role.product) == ("r2", ["roles:read", "studios:deploy"], product)


def test_a_bound_roles_product_is_not_changed(holder, organization):
    product = make_resource(organization, "products", "shop")
    role = services.role_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="r", permissions=["roles:read"])
    member = make_member(organization, role="member")
    services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="g", roles=["r"], members=[member.username])
    response = holder.post(
        f"/orgs/{organization.slug}/roles/{role.pk}/", {"name": "r", "permissions": ["roles:read"], "product": product.pk}
    )
    assert response.status_code == 400
    assert "product" in response.context["form"].errors
    role.refresh_from_db()
    assert role.product is None
