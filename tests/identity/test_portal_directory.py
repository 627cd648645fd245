"""Members, groups, resources and roles in the portal."""

import pytest

from identity import services
from identity.models import Group, Membership, Resource, Role
from identity.principals import SYSTEM_PRINCIPAL
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder"))
    return client


@pytest.mark.parametrize("page", ["members", "groups", "resources", "roles", "audit", "service-tokens"])
def test_each_page_renders_for_an_account_holder(holder, organization, page):
    assert holder.get(f"/orgs/{organization.slug}/{page}/").status_code == 200


@pytest.mark.parametrize("page", ["members", "groups", "resources", "roles"])
def test_another_organizations_pages_are_404(holder, other_organization, page):
    assert holder.get(f"/orgs/{other_organization.slug}/{page}/").status_code == 404


def test_adding_a_member_creates_the_user_with_the_role(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/members/", {"username": "bob", "email": "bob@example.com", "role": "member"})
    assert response.status_code == 302
    assert Membership.objects.get(user__username="bob").role.name == "member"


def test_a_bad_email_shows_on_the_email_field(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/members/", {"username": "bob", "email": "nope", "role": "member"})
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert not Membership.objects.filter(user__username="bob").exists()


def test_the_last_account_holder_cannot_be_removed(holder, organization):
    membership = Membership.objects.get(organization=organization, role__name="account_holder")
    response = holder.post(f"/orgs/{organization.slug}/members/{membership.pk}/", {"action": "delete"}, follow=True)
    assert "at least one Account Holder" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_group_is_created_with_roles_and_edited(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/groups/", {"name": "ops", "roles": ["sys_admin"]})
    assert response.status_code == 302
    group = Group.objects.get(name="ops")
    assert [r.name for r in group.roles.all()] == ["sys_admin"]
    holder.post(f"/orgs/{organization.slug}/groups/{group.pk}/", {"name": "operations", "roles": []})
    group.refresh_from_db()
    assert group.name == "operations"


def test_a_taken_group_name_shows_on_the_name_field(holder, organization):
    services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="ops")
    response = holder.post(f"/orgs/{organization.slug}/groups/", {"name": "ops"})
    assert response.context["form"].errors["name"] == ["This name is already taken."]


def test_resources_nest_under_a_parent(holder, organization):
    holder.post(f"/orgs/{organization.slug}/resources/", {"kind": "companies", "name": "acme"})
    parent = Resource.objects.get(name="acme")
    holder.post(f"/orgs/{organization.slug}/resources/", {"kind": "projects", "name": "web", "parent": parent.pk})
    assert Resource.objects.get(name="web").parent == parent


def test_a_bad_resource_kind_shows_on_the_kind_field(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/resources/", {"kind": "Bad Kind", "name": "x"})
    assert "kind" in response.context["form"].errors


def test_a_custom_role_takes_catalogue_and_typed_permissions(holder, organization):
    holder.post(
        f"/orgs/{organization.slug}/roles/",
        {"name": "studio-maker", "permissions": ["groups:read"], "extra_permissions": "studios:create\n"},
    )
    assert Role.objects.get(name="studio-maker").permissions == ["groups:read", "studios:create"]


def test_a_bad_typed_permission_shows_on_the_form(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/roles/", {"name": "x", "extra_permissions": "Not A Permission"})
    assert response.status_code == 400
    assert response.context["form"].errors


def test_members_may_read_but_not_change_the_directory(client, organization):
    client.force_login(make_member(organization, role="member"))
    assert client.get(f"/orgs/{organization.slug}/groups/").status_code == 200
    assert client.post(f"/orgs/{organization.slug}/groups/", {"name": "x"}).status_code == 403
