"""Roles in the portal: built-in ones read only, custom ones created, edited and deleted."""

import pytest

from identity import services
from identity.models import Role
from identity.principals import SYSTEM_PRINCIPAL
from tests.factories import make_member, make_resource_kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder"))
    return client


def test_the_list_shows_built_in_and_custom_roles(holder, organization):
    services.role_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="auditor", permissions=["audit_events:read"])
    page = holder.get(f"/orgs/{organization.slug}/roles/").content.decode()
    for name in ("account_holder", "sys_admin", "account_manager", "member", "auditor"):
        assert name in page
    assert "built-in" in page


def test_a_custom_role_takes_catalogue_and_resource_kind_permissions(holder, organization):
    make_resource_kind(organization, "studios", ["create"])
    response = holder.post(
        f"/orgs/{organization.slug}/roles/new/",
        {"name": "studio-maker", "description": "Makes studios", "permissions": ["groups:read", "studios:create"]},
    )
    assert response.status_code == 302
    role = Role.objects.get(name="studio-maker")
    assert role.permissions == ["groups:read", "studios:create"]
    assert role.description == "Makes studios"


def test_an_undeclared_permission_is_refused_on_its_field(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/roles/new/", {"name": "x", "permissions": ["studios:create"]})
    assert response.status_code == 400
    assert response.context["form"].errors["permissions"]
    assert not Role.objects.filter(name="x").exists()


def test_a_custom_role_is_edited_keeping_resource_kind_permissions(holder, organization):
    make_resource_kind(organization, "studios", ["create"])
    role = services.role_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="r", permissions=["groups:read", "studios:create"])
    page = holder.get(f"/orgs/{organization.slug}/roles/{role.pk}/").content.decode()
    assert "studios:create" in page
    holder.post(f"/orgs/{organization.slug}/roles/{role.pk}/", {"name": "r2", "permissions": ["roles:read", "studios:create"]})
    role.refresh_from_db()
    assert (role.name, role.permissions) == ("r2", ["roles:read", "studios:create"])


def test_built_in_roles_have_no_edit_or_delete_page(holder, organization):
    builtin = Role.objects.get(organization=organization, name="sys_admin")
    assert holder.get(f"/orgs/{organization.slug}/roles/{builtin.pk}/").status_code == 404
    assert holder.post(f"/orgs/{organization.slug}/roles/{builtin.pk}/delete/").status_code == 404


def test_deleting_asks_first_then_deletes(holder, organization):
    role = services.role_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="temp", permissions=[])
    url = f"/orgs/{organization.slug}/roles/{role.pk}/delete/"
    assert "Delete “temp”?" in holder.get(url).content.decode()
    holder.post(url)
    assert not Role.objects.filter(pk=role.pk).exists()
