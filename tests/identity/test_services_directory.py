"""Directory services: each change is audited in its transaction, and bad input saves nothing."""

import pytest
from django.contrib.auth.models import Group as AuthGroup

from identity import services
from identity.errors import Conflict, InvalidInput
from identity.models import AuditEvent, Group, Membership, Resource, Role
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(organization):
    return SYSTEM_PRINCIPAL_ADMIN(organization)


def test_group_names_that_differ_only_past_the_auth_group_limit_both_save(organization, admin):
    first = services.group_create(organization=organization, actor=admin, name="x" * 149 + "a")
    second = services.group_create(organization=organization, actor=admin, name="x" * 149 + "b")
    assert first.auth_group.name != second.auth_group.name
    assert all(len(group.auth_group.name) <= 150 for group in (first, second))


def test_the_same_group_name_in_two_organizations_is_fine(organization, other_organization, admin):
    services.group_create(organization=organization, actor=admin, name="ops")
    services.group_create(organization=other_organization, actor=SYSTEM_PRINCIPAL_ADMIN(other_organization), name="ops")
    assert Group.objects.filter(name="ops").count() == 2


def test_renaming_a_group_renames_its_auth_group(organization, admin):
    group = services.group_create(organization=organization, actor=admin, name="ops")
    services.group_update(group=group, actor=admin, name="platform")
    assert AuthGroup.objects.get(pk=group.auth_group_id).name == f"org{organization.pk}:platform"


def test_deleting_a_group_deletes_its_auth_group_and_is_audited(organization, admin):
    group = services.group_create(organization=organization, actor=admin, name="ops")
    services.group_delete(group=group, actor=admin)
    assert not AuthGroup.objects.filter(pk=group.auth_group_id).exists()
    assert AuditEvent.objects.filter(action="group.delete", target_name="ops").exists()


def test_a_group_with_an_unknown_member_is_not_half_saved(organization, admin):
    with pytest.raises(InvalidInput) as raised:
        services.group_create(organization=organization, actor=admin, name="ops", members=["ghost"])
    assert "members" in raised.value.field_errors
    assert not Group.objects.exists()
    assert not AuthGroup.objects.exists()


def test_adding_a_member_records_who_did_it(organization, admin):
    membership = services.member_add(organization=organization, actor=admin, username="ivan", role="member")
    event = AuditEvent.objects.get(action="member.add", target_id=str(membership.pk))
    assert (event.actor_name, event.details) == ("tests", {"role": "member"})


def test_removing_a_member_takes_them_out_of_the_organizations_groups(organization, admin):
    user = make_member(organization)
    group = services.group_create(organization=organization, actor=admin, name="ops", members=[user.username])
    services.member_remove(membership=Membership.objects.get(user=user), actor=admin)
    assert not group.auth_group.user_set.filter(pk=user.pk).exists()


def test_a_taken_role_name_is_a_conflict_naming_the_field(organization, admin):
    with pytest.raises(Conflict) as raised:
        services.role_create(organization=organization, actor=admin, name="member", permissions=[])
    assert "name" in raised.value.field_errors


def test_a_role_update_with_a_bad_permission_changes_nothing(organization, admin):
    role = services.role_create(organization=organization, actor=admin, name="reader", permissions=["secrets:read"])
    with pytest.raises(InvalidInput):
        services.role_update(role=role, actor=admin, name="renamed", permissions=["bad permission"])
    assert Role.objects.get(pk=role.pk).name == "reader"


def test_deleting_a_resource_deletes_the_resources_below_it(organization, admin):
    company = services.resource_create(organization=organization, actor=admin, kind="companies", name="acme")
    services.resource_create(organization=organization, actor=admin, kind="projects", name="apollo", parent=company)
    services.resource_delete(resource=company, actor=admin)
    assert not Resource.objects.exists()
    assert AuditEvent.objects.get(action="resource.delete").details == {"descendants_removed": True}


def test_a_resource_parent_must_be_in_the_same_organization(organization, other_organization, admin):
    foreign = Resource.objects.create(organization=other_organization, kind="companies", name="globex")
    with pytest.raises(InvalidInput) as raised:
        services.resource_create(organization=organization, actor=admin, kind="projects", name="x", parent=foreign)
    assert "parent" in raised.value.field_errors
