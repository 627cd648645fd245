"""Which groups and per-resource grants a service credential gets, and that its creator may give them.

A credential never gets more than its creator could grant; its grants are guardian object
permissions of its service-account user, and its groups' Django groups hold that user too.
"""

from guardian.shortcuts import assign_perm, remove_perm

from identity.authorization import may, resource_permission
from identity.errors import NotPermitted
from identity.models import Group, Resource, Role
from identity.permissions import PLATFORM_KINDS, is_valid_permission

from .validation import field_error, is_id


def groups_by_id(organization, group_ids):
    if group_ids is None:
        return []
    if not isinstance(group_ids, (list, tuple)) or not all(isinstance(g, int) and not isinstance(g, bool) for g in group_ids):
        raise field_error("groups", "Give a list of group ids.")
    # An id beyond any row's names no group (SQLite could not even bind it): "no such group" below.
    groups = list(Group.objects.filter(organization=organization, pk__in=[g for g in group_ids if is_id(g)]).prefetch_related("roles"))
    missing = sorted(set(group_ids) - {g.pk for g in groups})
    if missing:
        raise field_error("groups", f"No such group: {', '.join(map(str, missing))}.")
    return groups


def _may_grant(actor, permission, resource=None):
    """A credential never gets more than its creator could grant.

    Platform permissions (``groups:write``…) must be the actor's own. Permissions of resource kinds
    (``studios:create``…) may be granted by whoever holds them on that resource or administers the
    resource tree (``resources:write``).
    """
    if may(actor, permission, resource):
        return True
    kind = permission.split(":", 1)[0]
    return kind not in PLATFORM_KINDS and may(actor, "resources:write", resource)


def clean_grants(organization, actor, grants):
    """``[(resource, {permissions})]`` from the API shape ``[{"resource": id, "permissions": […]}]``.

    A grant may name a ``role`` instead of (or beside) single permissions: its permissions count.
    """
    if grants is None:
        return []
    if not isinstance(grants, (list, tuple)) or len(grants) > 500:
        raise field_error("resource_grants", "Give a list of at most 500 grants.")
    cleaned = {}
    for index, grant in enumerate(grants):
        if not isinstance(grant, dict) or not isinstance(grant.get("resource"), int) or isinstance(grant.get("resource"), bool):
            raise field_error("resource_grants", f"Grant {index + 1}: give a resource id.")
        permissions = grant.get("permissions", [])
        if not isinstance(permissions, (list, tuple)) or not all(isinstance(p, str) for p in permissions):
            raise field_error("resource_grants", f"Grant {index + 1}: permissions must be a list of strings.")
        invalid = [p for p in permissions if not is_valid_permission(p)]
        if invalid:
            raise field_error("resource_grants", f"Grant {index + 1}: not a permission: {', '.join(invalid[:3])}.")
        permissions = set(permissions)
        role_name = grant.get("role")
        if role_name is not None:
            role = Role.objects.filter(organization=organization, name=role_name).first() if isinstance(role_name, str) else None
            if role is None:
                raise field_error("resource_grants", f"Grant {index + 1}: no such role.")
            permissions |= set(role.permissions)
        if not permissions:
            raise field_error("resource_grants", f"Grant {index + 1}: give permissions or a role.")
        cleaned.setdefault(grant["resource"], set()).update(permissions)
    resources = {r.pk: r for r in Resource.objects.filter(organization=organization, pk__in=[pk for pk in cleaned if is_id(pk)])}
    missing = sorted(set(cleaned) - set(resources))
    if missing:
        raise field_error("resource_grants", f"No such resource: {', '.join(map(str, missing[:5]))}.")
    result = [(resources[pk], permissions) for pk, permissions in cleaned.items()]
    for resource, permissions in result:
        refused = sorted(p for p in permissions if not _may_grant(actor, p, resource))
        if refused:
            raise NotPermitted(
                f"You cannot grant {', '.join(refused[:3])} on {resource}.",
                field_errors={"resource_grants": [f"You cannot grant {', '.join(refused[:3])} on {resource}."]},
            )
    return result


def ensure_groups_within_actor(actor, groups):
    for group in groups:
        refused = sorted({p for role in group.roles.all() for p in role.permissions if not _may_grant(actor, p)})
        if refused:
            message = f"The group {group.name} gives {', '.join(refused[:3])}, which you do not hold."
            raise NotPermitted(message, field_errors={"groups": [message]})


def apply_groups(credential, groups):
    current = set(credential.groups.all())
    for group in current - set(groups):
        group.auth_group.user_set.remove(credential.service_user)
    for group in set(groups) - current:
        group.auth_group.user_set.add(credential.service_user)
    credential.groups.set(groups)


def apply_grants(credential, grants):
    from identity.oauth.scopes import credential_grants

    user = credential.service_user
    existing = credential_grants(credential)
    wanted = {resource.pk: (resource, permissions) for resource, permissions in grants}
    resources = {r.pk: r for r in Resource.objects.filter(pk__in=list(existing))}
    for resource_id, permissions in existing.items():
        keep = wanted.get(resource_id, (None, set()))[1]
        for permission in permissions - keep:
            if resource_id in resources:
                remove_perm(resource_permission(permission), user, resources[resource_id])
    for resource_id, (resource, permissions) in wanted.items():
        for permission in permissions - existing.get(resource_id, set()):
            assign_perm(resource_permission(permission), user, resource)


def grants_summary(grants):
    return [{"resource": r.pk, "name": str(r), "permissions": sorted(p)} for r, p in grants]


def service_credential_check_access(*, organization, actor, groups, resource_grants):
    """``(groups, grants)`` if create and update would accept them; raises as they would.

    Saves nothing, so the portal's wizard can check its groups-and-resources step before the summary.
    """
    group_objects = groups_by_id(organization, groups)
    ensure_groups_within_actor(actor, group_objects)
    return group_objects, clean_grants(organization, actor, resource_grants)
