"""The directory API: groups, resources, roles and members, their shapes and their field errors."""

import pytest

from identity.models import AuditEvent, Group, Membership, Resource, Role
from tests.factories import make_member, make_resource_kind

pytestmark = pytest.mark.django_db


def url(organization, path):
    return f"/api/v1/orgs/{organization.slug}/{path}"


def assert_field_error(response, field):
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


# ---------------------------------------------------------------- groups


def test_a_group_is_created_with_role_names_and_member_usernames(token_client, organization, account_holder):
    response = token_client.post(
        url(organization, "groups/"),
        {"name": "platform", "roles": ["sys_admin"], "members": [account_holder.username]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["roles"], body["members"]) == ("platform", ["sys_admin"], [account_holder.username])
    assert AuditEvent.objects.filter(action="group.create", target_id=str(body["id"])).exists()


def test_patching_a_group_replaces_its_members(token_client, organization, account_holder):
    group_id = token_client.post(url(organization, "groups/"), {"name": "ops"}, format="json").json()["id"]
    response = token_client.patch(url(organization, f"groups/{group_id}/"), {"members": [account_holder.username]}, format="json")
    assert response.status_code == 200
    assert response.json()["members"] == [account_holder.username]


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": ["not", "a", "string"]}, "name"),
        ({"name": {"a": 1}}, "name"),
        ({"name": "ops", "roles": "sys_admin"}, "roles"),
        ({"name": "ops", "roles": ["no_such_role"]}, "roles"),
        ({"name": "ops", "members": ["nobody-here"]}, "members"),
        ({"name": "ops", "members": [{"username": "x"}]}, "members"),
    ],
)
def test_bad_group_input_names_the_field(token_client, organization, body, field):
    assert_field_error(token_client.post(url(organization, "groups/"), body, format="json"), field)
    assert not Group.objects.exists()


def test_a_member_of_another_organization_cannot_join_a_group(token_client, organization, other_organization):
    outsider = make_member(other_organization)
    response = token_client.post(url(organization, "groups/"), {"name": "ops", "members": [outsider.username]}, format="json")
    assert_field_error(response, "members")


# ---------------------------------------------------------------- resources


def test_a_resource_is_created_below_its_parent(token_client, organization):
    company = token_client.post(url(organization, "resources/"), {"kind": "companies", "name": "acme"}, format="json").json()
    response = token_client.post(
        url(organization, "resources/"), {"kind": "projects", "name": "apollo", "parent": company["id"]}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["parent"] == company["id"]
    assert company["parent"] is None


def test_the_same_name_may_be_used_for_another_kind(token_client, organization):
    for kind in ("projects", "products"):
        assert token_client.post(url(organization, "resources/"), {"kind": kind, "name": "apollo"}, format="json").status_code == 201


@pytest.mark.parametrize(
    "body,field",
    [
        ({"name": "apollo"}, "kind"),
        ({"kind": "Projects!", "name": "apollo"}, "kind"),
        ({"kind": "projects"}, "name"),
        ({"kind": "projects", "name": "apollo", "parent": "abc"}, "parent"),
        ({"kind": "projects", "name": "apollo", "parent": 987654}, "parent"),
        ({"kind": "projects", "name": "apollo", "parent": 10**30}, "parent"),
    ],
)
def test_bad_resource_input_names_the_field(token_client, organization, body, field):
    assert_field_error(token_client.post(url(organization, "resources/"), body, format="json"), field)
    assert not Resource.objects.exists()


def test_a_parent_in_another_organization_is_no_such_resource(token_client, organization, other_organization):
    foreign = Resource.objects.create(organization=other_organization, kind="companies", name="globex")
    response = token_client.post(url(organization, "resources/"), {"kind": "projects", "name": "x", "parent": foreign.pk}, format="json")
    assert_field_error(response, "parent")


def test_a_resource_cannot_be_moved_below_itself(token_client, organization):
    parent = Resource.objects.create(organization=organization, kind="companies", name="acme")
    child = Resource.objects.create(organization=organization, kind="projects", name="apollo", parent=parent)
    response = token_client.patch(url(organization, f"resources/{parent.pk}/"), {"parent": child.pk}, format="json")
    assert_field_error(response, "parent")


# ---------------------------------------------------------------- roles


def test_a_custom_role_is_created_with_sorted_permissions(token_client, organization):
    make_resource_kind(organization, "studios", ["create"])
    response = token_client.post(
        url(organization, "roles/"), {"name": "deployer", "permissions": ["studios:create", "secrets:read"]}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["permissions"] == ["secrets:read", "studios:create"]
    assert body["is_builtin"] is False
    assert body["description"] == ""


def test_the_built_in_roles_are_listed_first(token_client, organization):
    roles = token_client.get(url(organization, "roles/")).json()["results"]
    assert {r["name"] for r in roles if r["is_builtin"]} == {"account_holder", "sys_admin", "account_manager", "member"}


@pytest.mark.parametrize(
    "body,field",
    [
        ({"permissions": []}, "name"),
        ({"name": "deployer"}, "permissions"),
        ({"name": "deployer", "permissions": "secrets:read"}, "permissions"),
        ({"name": "deployer", "permissions": ["not a permission"]}, "permissions"),
        ({"name": "deployer", "permissions": [["secrets:read"]]}, "permissions"),
    ],
)
def test_bad_role_input_names_the_field(token_client, organization, body, field):
    assert_field_error(token_client.post(url(organization, "roles/"), body, format="json"), field)
    assert not Role.objects.filter(is_builtin=False).exists()


def test_built_in_roles_cannot_be_changed_or_deleted(token_client, organization):
    builtin = Role.objects.get(organization=organization, name="member")
    assert token_client.patch(url(organization, f"roles/{builtin.pk}/"), {"permissions": []}, format="json").status_code == 409
    assert token_client.delete(url(organization, f"roles/{builtin.pk}/")).status_code == 409
    assert Role.objects.filter(pk=builtin.pk).exists()


def test_a_role_still_given_to_members_cannot_be_deleted(token_client, organization):
    role_id = token_client.post(url(organization, "roles/"), {"name": "deployer", "permissions": []}, format="json").json()["id"]
    token_client.post(url(organization, "members/"), {"username": "dave", "role": "deployer"}, format="json")
    assert token_client.delete(url(organization, f"roles/{role_id}/")).status_code == 409


# ---------------------------------------------------------------- members


def test_adding_a_member_creates_the_person_and_answers_with_the_membership(token_client, organization):
    response = token_client.post(
        url(organization, "members/"), {"username": "erin", "email": "erin@example.com", "role": "account_manager"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["username"], body["email"], body["role"]) == ("erin", "erin@example.com", "account_manager")
    assert body["id"] == Membership.objects.get(user__username="erin").pk


def test_patching_a_member_changes_the_role(token_client, organization):
    membership = Membership.objects.get(user=make_member(organization, role="member"))
    response = token_client.patch(url(organization, f"members/{membership.pk}/"), {"role": "sys_admin"}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == "sys_admin"
    membership.refresh_from_db()
    assert membership.role.name == "sys_admin"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"role": "member"}, "username"),
        ({"username": "frank"}, "role"),
        ({"username": "frank", "role": "no_such_role"}, "role"),
        ({"username": "frank", "role": "member", "email": "not-an-email"}, "email"),
        ({"username": "frank", "role": ["member"]}, "role"),
    ],
)
def test_bad_member_input_names_the_field(token_client, organization, body, field):
    assert_field_error(token_client.post(url(organization, "members/"), body, format="json"), field)
    assert not Membership.objects.filter(user__username="frank").exists()


def test_patching_a_member_to_an_unknown_role_names_the_field(token_client, organization, account_holder):
    membership = Membership.objects.get(user=account_holder)
    assert_field_error(token_client.patch(url(organization, f"members/{membership.pk}/"), {"role": "king"}, format="json"), "role")


def test_the_last_account_holder_can_be_neither_demoted_nor_removed(token_client, organization, account_holder):
    membership = Membership.objects.get(user=account_holder)
    assert token_client.patch(url(organization, f"members/{membership.pk}/"), {"role": "member"}, format="json").status_code == 409
    assert token_client.delete(url(organization, f"members/{membership.pk}/")).status_code == 409
    membership.refresh_from_db()
    assert membership.role.name == "account_holder"


def test_members_can_be_searched(token_client, organization):
    make_member(organization, username="grace")
    make_member(organization, username="heidi")
    results = token_client.get(url(organization, "members/"), {"search": "gra"}).json()["results"]
    assert [row["username"] for row in results] == ["grace"]


def test_lists_are_paginated(token_client, organization):
    for number in range(3):
        token_client.post(url(organization, "groups/"), {"name": f"group-{number}"}, format="json")
    page = token_client.get(url(organization, "groups/"), {"page_size": 2}).json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"]


def test_patching_only_a_name_keeps_everything_else(token_client, organization, account_holder):
    parent = Resource.objects.create(organization=organization, kind="companies", name="acme")
    child = Resource.objects.create(organization=organization, kind="projects", name="apollo", parent=parent)
    assert token_client.patch(url(organization, f"resources/{child.pk}/"), {"name": "artemis"}, format="json").json()["parent"] == parent.pk
    group = token_client.post(
        url(organization, "groups/"), {"name": "ops", "roles": ["member"], "members": [account_holder.username]}, format="json"
    ).json()
    patched = token_client.patch(url(organization, f"groups/{group['id']}/"), {"name": "sre"}, format="json").json()
    assert (patched["roles"], patched["members"]) == (["member"], [account_holder.username])


def test_patching_a_resource_parent_to_null_makes_it_top_level(token_client, organization):
    parent = Resource.objects.create(organization=organization, kind="companies", name="acme")
    child = Resource.objects.create(organization=organization, kind="projects", name="apollo", parent=parent)
    assert token_client.patch(url(organization, f"resources/{child.pk}/"), {"parent": None}, format="json").json()["parent"] is None


# ---------------------------------------------------------------- wrong JSON types, for every directory list


@pytest.mark.parametrize(
    "path,body,field",
    [
        ("groups/", {"name": 42}, "name"),
        ("groups/", {"name": True}, "name"),
        ("groups/", {"name": "ops", "members": {"alice": True}}, "members"),
        ("groups/", {"name": "ops", "roles": {"member": 1}}, "roles"),
        ("resources/", {"kind": "projects", "name": 42}, "name"),
        ("resources/", {"kind": 7, "name": "apollo"}, "kind"),
        ("resources/", {"kind": "projects", "name": "apollo", "parent": {"id": 1}}, "parent"),
        ("roles/", {"name": 42, "permissions": []}, "name"),
        ("roles/", {"name": "deployer", "permissions": {"secrets:read": True}}, "permissions"),
        ("roles/", {"name": "deployer", "permissions": ["Secrets:Read"]}, "permissions"),
        ("roles/", {"name": "deployer", "permissions": ["secrets"]}, "permissions"),
        ("members/", {"username": 42, "role": "member"}, "username"),
        ("members/", {"username": "frank", "role": 3}, "role"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_value_of_the_wrong_json_type_names_the_field(token_client, organization, path, body, field):
    before = AuditEvent.objects.count()
    assert_field_error(token_client.post(url(organization, path), body, format="json"), field)
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("path", ["groups/", "resources/", "roles/", "members/"])
def test_an_array_as_the_whole_body_is_a_400_saying_so(token_client, organization, path):
    response = token_client.post(url(organization, path), [], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


@pytest.mark.parametrize("path", ["groups/", "resources/", "roles/"])
def test_a_patch_with_a_number_for_a_name_names_the_field(token_client, organization, path):
    created = {
        "groups/": {"name": "ops"},
        "resources/": {"kind": "projects", "name": "apollo"},
        "roles/": {"name": "deployer", "permissions": []},
    }[path]
    pk = token_client.post(url(organization, path), created, format="json").json()["id"]
    assert_field_error(token_client.patch(url(organization, f"{path}{pk}/"), {"name": 42}, format="json"), "name")


# ---------------------------------------------------------------- resources: grants hold below


def test_a_grant_on_a_parent_holds_on_everything_below_it(token_client, organization):
    from identity.authorization import may
    from identity.models import RoleBinding
    from identity.principals import principal_for_user

    make_resource_kind(organization, "studios", ["create"])
    company = token_client.post(url(organization, "resources/"), {"kind": "companies", "name": "acme"}, format="json").json()
    project = token_client.post(
        url(organization, "resources/"), {"kind": "projects", "name": "apollo", "parent": company["id"]}, format="json"
    ).json()
    environment = token_client.post(
        url(organization, "resources/"), {"kind": "environments", "name": "prod", "parent": project["id"]}, format="json"
    ).json()
    sibling = token_client.post(url(organization, "resources/"), {"kind": "companies", "name": "globex"}, format="json").json()
    user = make_member(organization, role="member")
    RoleBinding.objects.create(
        organization=organization, user=user, permissions=["studios:create"], resource_id=project["id"]
    )
    principal = principal_for_user(user, organization)

    assert may(principal, "studios:create", Resource.objects.get(pk=environment["id"]))
    assert may(principal, "studios:create", Resource.objects.get(pk=project["id"]))
    assert not may(principal, "studios:create", Resource.objects.get(pk=company["id"]))
    assert not may(principal, "studios:create", Resource.objects.get(pk=sibling["id"]))
    assert not may(principal, "studios:delete", Resource.objects.get(pk=environment["id"]))


def test_moving_a_resource_below_a_parent_of_another_organization_names_the_field(token_client, organization, other_organization):
    mine = Resource.objects.create(organization=organization, kind="projects", name="apollo")
    foreign = Resource.objects.create(organization=other_organization, kind="companies", name="globex")
    assert_field_error(token_client.patch(url(organization, f"resources/{mine.pk}/"), {"parent": foreign.pk}, format="json"), "parent")
    mine.refresh_from_db()
    assert mine.parent is None


# ---------------------------------------------------------------- roles and members


def test_a_custom_role_can_be_renamed_given_new_permissions_and_deleted(token_client, organization):
    role_id = token_client.post(url(organization, "roles/"), {"name": "deployer", "permissions": []}, format="json").json()["id"]
    patched = token_client.patch(
        url(organization, f"roles/{role_id}/"), {"name": "releaser", "permissions": ["secrets:read"]}, format="json"
    )
    assert patched.status_code == 200
    assert (patched.json()["name"], patched.json()["permissions"]) == ("releaser", ["secrets:read"])
    assert token_client.delete(url(organization, f"roles/{role_id}/")).status_code == 204
    assert not Role.objects.filter(pk=role_id).exists()


def test_a_role_cannot_take_a_taken_name(token_client, organization):
    role_id = token_client.post(url(organization, "roles/"), {"name": "deployer", "permissions": []}, format="json").json()["id"]
    response = token_client.patch(url(organization, f"roles/{role_id}/"), {"name": "sys_admin"}, format="json")
    assert response.status_code == 409
    assert "name" in response.json()


def test_roles_are_listed_built_ins_first_then_by_name_on_every_page(token_client, organization):
    for name in ("zulu", "alpha", "mike"):
        token_client.post(url(organization, "roles/"), {"name": name, "permissions": []}, format="json")
    names = []
    for page in (1, 2, 3, 4):
        names += [row["name"] for row in token_client.get(url(organization, "roles/"), {"page_size": 2, "page": page}).json()["results"]]
    assert names == ["account_holder", "account_manager", "member", "sys_admin", "alpha", "mike", "zulu"]


def test_a_member_is_added_promoted_and_removed(token_client, organization, account_holder):
    added = token_client.post(url(organization, "members/"), {"username": "ivan", "role": "member"}, format="json").json()
    promoted = token_client.patch(url(organization, f"members/{added['id']}/"), {"role": "account_holder"}, format="json")
    assert promoted.json()["role"] == "account_holder"
    assert token_client.delete(url(organization, f"members/{added['id']}/")).status_code == 204
    assert not Membership.objects.filter(user__username="ivan", organization=organization).exists()
    assert token_client.get(url(organization, f"members/{added['id']}/")).status_code == 404


def test_removing_a_member_takes_them_out_of_the_organizations_groups(token_client, organization, account_holder):
    person = make_member(organization, username="judy")
    group = token_client.post(url(organization, "groups/"), {"name": "ops", "members": ["judy"]}, format="json").json()
    membership = Membership.objects.get(user=person)
    assert token_client.delete(url(organization, f"members/{membership.pk}/")).status_code == 204
    assert token_client.get(url(organization, f"groups/{group['id']}/")).json()["members"] == []


def test_one_of_two_account_holders_can_be_removed(token_client, organization, account_holder):
    second = Membership.objects.get(user=make_member(organization, role="account_holder"))
    assert token_client.delete(url(organization, f"members/{second.pk}/")).status_code == 204


def test_a_member_patch_ignores_nothing_silently(token_client, organization, account_holder):
    membership = Membership.objects.get(user=account_holder)
    assert_field_error(token_client.patch(url(organization, f"members/{membership.pk}/"), {"role": None}, format="json"), "role")


# ---------------------------------------------------------------- audit trail and pagination


def test_every_directory_change_is_audited_with_its_actor(token_client, organization, account_holder):
    group = token_client.post(url(organization, "groups/"), {"name": "ops"}, format="json").json()
    token_client.patch(url(organization, f"groups/{group['id']}/"), {"name": "sre"}, format="json")
    token_client.delete(url(organization, f"groups/{group['id']}/"))
    resource = token_client.post(url(organization, "resources/"), {"kind": "projects", "name": "apollo"}, format="json").json()
    token_client.patch(url(organization, f"resources/{resource['id']}/"), {"name": "artemis"}, format="json")
    token_client.delete(url(organization, f"resources/{resource['id']}/"))
    role = token_client.post(url(organization, "roles/"), {"name": "deployer", "permissions": []}, format="json").json()
    token_client.patch(url(organization, f"roles/{role['id']}/"), {"description": "Ships"}, format="json")
    token_client.delete(url(organization, f"roles/{role['id']}/"))
    member = token_client.post(url(organization, "members/"), {"username": "kim", "role": "member"}, format="json").json()
    token_client.patch(url(organization, f"members/{member['id']}/"), {"role": "sys_admin"}, format="json")
    token_client.delete(url(organization, f"members/{member['id']}/"))

    expected = {
        f"{kind}.{verb}"
        for kind, verbs in {"group": "create update delete", "resource": "create update delete", "role": "create update delete",
                            "member": "add update remove"}.items()
        for verb in verbs.split()
    }
    rows = token_client.get(f"/api/v1/orgs/{organization.slug}/audit-events/", {"page_size": 200}).json()["results"]
    by_token = {row["action"] for row in rows if row["actor_kind"] == "service_token"}
    assert expected <= by_token
    for action in ("group.", "member."):
        filtered = token_client.get(f"/api/v1/orgs/{organization.slug}/audit-events/", {"action": action}).json()["results"]
        assert filtered and all(row["action"].startswith(action) for row in filtered)


def test_a_rejected_change_writes_no_audit_event(token_client, organization, account_holder):
    before = AuditEvent.objects.count()
    token_client.post(url(organization, "groups/"), {"name": "ops", "roles": ["no_such_role"]}, format="json")
    token_client.delete(url(organization, f"members/{Membership.objects.get(user=account_holder).pk}/"))
    assert AuditEvent.objects.count() == before


def test_the_audit_log_filters_by_actor_and_never_lists_another_organizations_events(
    token_client, holder_client, organization, other_organization, account_holder
):
    holder_client.post(url(organization, "groups/"), {"name": "by-holder"}, format="json")
    token_client.post(url(organization, "groups/"), {"name": "by-token"}, format="json")
    Resource.objects.create(organization=other_organization, kind="projects", name="foreign")
    from identity import services
    from tests.factories import SYSTEM_PRINCIPAL_ADMIN

    services.group_create(organization=other_organization, actor=SYSTEM_PRINCIPAL_ADMIN(other_organization), name="foreign-group")
    rows = token_client.get(f"/api/v1/orgs/{organization.slug}/audit-events/", {"actor": account_holder.username}).json()["results"]
    assert [row["target_name"] for row in rows if row["action"] == "group.create"] == ["by-holder"]
    everything = token_client.get(f"/api/v1/orgs/{organization.slug}/audit-events/", {"page_size": 200}).content.decode()
    assert "foreign-group" not in everything


@pytest.mark.parametrize("path", ["groups/", "resources/", "roles/", "members/", "service-tokens/", "audit-events/"])
def test_every_list_pages_with_page_size(token_client, organization, account_holder, path):
    token_client.post(url(organization, "groups/"), {"name": "ops"}, format="json")
    token_client.post(url(organization, "resources/"), {"kind": "projects", "name": "apollo"}, format="json")
    first = token_client.get(url(organization, path), {"page_size": 1}).json()
    assert first["count"] >= 1
    assert first["count"] == token_client.get(url(organization, path), {"page_size": 200}).json()["count"]
    assert len(first["results"]) == 1
    if first["count"] > 1:
        second = token_client.get(first["next"]).json()
        assert second["results"][0]["id"] != first["results"][0]["id"]
    assert token_client.get(url(organization, path), {"page": 999}).status_code == 404
