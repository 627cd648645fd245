"""Today's grants become role bindings, and every organization gets its resource kinds.

A member's role, a group's roles and a service token's roles become bindings at the organization;
django-guardian object permissions on resources (credentials' resource grants, and any a person or
group was given) become bindings of single permissions on those resources. A grant made from a
role was stored as its permissions, so it moves as permissions: the role's name was never kept.
Every kind a resource or a permission already uses is declared, with the actions in use, so
nothing that worked stops working.
"""

from django.db import migrations

PLATFORM_KINDS = {
    "members", "groups", "resources", "roles", "service_credentials", "service_tokens", "secrets",
    "audit_events", "organizations", "root_service_credentials",
}
DEFAULT_RESOURCE_KINDS = {"companies", "projects", "environments", "products"}


def _kind_and_action(permission):
    kind, _, action = permission.partition(":")
    return kind, action


def move_grants(apps, schema_editor):
    Organization = apps.get_model("identity", "Organization")
    Resource = apps.get_model("identity", "Resource")
    ResourceKind = apps.get_model("identity", "ResourceKind")
    RoleBinding = apps.get_model("identity", "RoleBinding")
    Membership = apps.get_model("identity", "Membership")
    Group = apps.get_model("identity", "Group")
    Role = apps.get_model("identity", "Role")
    ServiceToken = apps.get_model("identity", "ServiceToken")
    ServiceCredential = apps.get_model("identity", "ServiceCredential")
    ContentType = apps.get_model("contenttypes", "ContentType")
    UserObjectPermission = apps.get_model("guardian", "UserObjectPermission")
    GroupObjectPermission = apps.get_model("guardian", "GroupObjectPermission")

    for membership in Membership.objects.all():
        RoleBinding.objects.create(
            organization_id=membership.organization_id, user_id=membership.user_id,
            membership=membership, role_id=membership.role_id,
        )
    for group in Group.objects.all():
        for role in group.roles.all():
            RoleBinding.objects.create(organization_id=group.organization_id, group=group, role=role)
    for token in ServiceToken.objects.all():
        for role in token.roles.all():
            RoleBinding.objects.create(organization_id=token.organization_id, service_token=token, role=role)

    resources = {r.pk: r for r in Resource.objects.all()}
    content_type = ContentType.objects.filter(app_label="identity", model="resource").first()
    if content_type is not None:
        credentials_by_user = {c.service_user_id: c for c in ServiceCredential.objects.all()}
        groups_by_auth_group = {g.auth_group_id: g for g in Group.objects.all()}
        grants = {}
        for row in UserObjectPermission.objects.filter(content_type=content_type).select_related("permission"):
            credential = credentials_by_user.get(row.user_id)
            subject = ("service_credential", credential.pk) if credential else ("user", row.user_id)
            grants.setdefault((subject, int(row.object_pk)), set()).add(row.permission.codename)
        for row in GroupObjectPermission.objects.filter(content_type=content_type).select_related("permission"):
            group = groups_by_auth_group.get(row.group_id)
            if group is not None:
                grants.setdefault((("group", group.pk), int(row.object_pk)), set()).add(row.permission.codename)
        for ((kind, subject_id), resource_id), permissions in grants.items():
            resource = resources.get(resource_id)
            if resource is not None:
                RoleBinding.objects.create(
                    organization_id=resource.organization_id, resource=resource,
                    permissions=sorted(permissions), **{f"{kind}_id": subject_id},
                )
        UserObjectPermission.objects.filter(content_type=content_type).delete()
        GroupObjectPermission.objects.filter(content_type=content_type).delete()

    for organization in Organization.objects.all():
        actions = {kind: {"read", "write"} for kind in DEFAULT_RESOURCE_KINDS}
        for resource in Resource.objects.filter(organization=organization):
            actions.setdefault(resource.kind, {"read", "write"})
        in_use = [p for role in Role.objects.filter(organization=organization) for p in role.permissions]
        in_use += [p for b in RoleBinding.objects.filter(organization=organization) for p in b.permissions]
        for permission in in_use:
            kind, action = _kind_and_action(permission)
            if kind not in PLATFORM_KINDS:
                actions.setdefault(kind, {"read", "write"}).add(action)
        for kind, kind_actions in actions.items():
            ResourceKind.objects.create(organization=organization, name=kind, actions=sorted(kind_actions))


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0004_role_bindings_and_resource_kinds"),
        ("guardian", "0002_generic_permissions_index"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(move_grants, migrations.RunPython.noop)]
