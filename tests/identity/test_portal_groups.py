"""Groups in the portal: create, edit name, roles and members, delete after confirmation."""

import pytest

from identity import services
from identity.models import Group
from identity.principals import SYSTEM_PRINCIPAL
from tests.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(client, organization):
    client.force_login(make_member(organization, role="account_holder"))
    return client


def test_a_group_is_created_with_roles_and_members(holder, organization):
    make_member(organization, username="ivy")
    response = holder.post(f"/orgs/{organization.slug}/groups/new/", {"name": "ops", "roles": ["sys_admin"], "members": ["ivy"]})
    assert response.status_code == 302
    group = Group.objects.get(name="ops")
    assert [r.name for r in group.organization_roles] == ["sys_admin"]
    assert [u.username for u in group.auth_group.user_set.all()] == ["ivy"]
    assert "ops" in holder.get(f"/orgs/{organization.slug}/groups/").content.decode()


def test_a_group_is_renamed_and_its_roles_changed(holder, organization):
    group = services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="ops", roles=["sys_admin"])
    edit = holder.get(f"/orgs/{organization.slug}/groups/{group.pk}/").content.decode()
    assert 'value="ops"' in edit
    holder.post(f"/orgs/{organization.slug}/groups/{group.pk}/", {"name": "operations", "roles": ["member"]})
    group.refresh_from_db()
    assert group.name == "operations"
    assert [r.name for r in group.organization_roles] == ["member"]


def test_a_taken_group_name_shows_on_the_name_field(holder, organization):
    services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="ops")
    response = holder.post(f"/orgs/{organization.slug}/groups/new/", {"name": "ops"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["This name is already taken."]
    assert Group.objects.filter(name="ops").count() == 1


def test_an_empty_name_shows_on_the_name_field(holder, organization):
    response = holder.post(f"/orgs/{organization.slug}/groups/new/", {"name": ""})
    assert "name" in response.context["form"].errors


def test_deleting_asks_first_then_deletes(holder, organization):
    group = services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="temp")
    url = f"/orgs/{organization.slug}/groups/{group.pk}/delete/"
    assert "Delete “temp”?" in holder.get(url).content.decode()
    assert Group.objects.filter(pk=group.pk).exists()
    assert holder.post(url).status_code == 302
    assert not Group.objects.filter(pk=group.pk).exists()


def test_the_list_searches_by_name(holder, organization):
    services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="alpha-team")
    services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="beta-team")
    page = holder.get(f"/orgs/{organization.slug}/groups/?search=alpha").content.decode()
    assert "alpha-team" in page and "beta-team" not in page


def test_no_groups_shows_an_empty_state(holder, organization):
    assert "No groups yet." in holder.get(f"/orgs/{organization.slug}/groups/").content.decode()


def test_member_counts_leave_out_the_credentials_in_the_group(holder, organization):
    from tests.factories import make_credential

    person = make_member(organization, role="member", username="person")
    group = services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL, name="deployers", members=[person.username])
    credential, _ = make_credential(organization, name="ci")
    services.service_credential_update(credential=credential, actor=SYSTEM_PRINCIPAL, groups=[group.pk])
    assert group.auth_group.user_set.count() == 2  # the credential is in it through its service user
    page = holder.get(f"/orgs/{organization.slug}/groups/")
    assert [g.people_count for g in page.context["page"].object_list] == [1]
    assert "<td>1</td>" in page.content.decode()
