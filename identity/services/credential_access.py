"""A service credential's groups and resource grants: checked, then kept as role bindings.

A resource grant is a role binding of the credential on a resource, naming a role (kept: the
grant follows the role) and/or single permissions. A credential never gets more than whoever
gives it holds, at that place; joining a group gives it the group's bindings, so the same rule
holds for the groups it is put in.
"""

from identity.authorization import ensure_may, ensure_may_give, may, may_on_each
from identity.errors import NotPermitted
from identity.holdings import holdings_of_credential
from identity.models import Group, Resource, Role, RoleBinding
from identity.models.bindings import SERVICE_CREDENTIAL, SUBJECT_ADMIN_KINDS

from .role_bindings import resource_bindings, set_resource_bindings
from .validation import field_error, is_id
from .vocabulary import clean_permissions

MAX_GRANTS = 500


def groups_by_id(organization, group_ids):
    if group_ids is None:
        return []
    if not isinstance(group_ids, (list, tuple)) or not all(isinstance(g, int) and not isinstance(g, bool) for g in group_ids):
        raise field_error("groups", "Give a list of group ids.")
    # An id beyond any row's names no group (SQLite could not even bind it): "no such group" below.
    groups = list(Group.objects.filter(organization=organization, pk__in=[g for g in group_ids if is_id(g)]))
    missing = sorted(set(group_ids) - {g.pk for g in groups})
    if missing:
        raise field_error("groups", f"No such group: {', '.join(map(str, missing))}.")
    return groups


def clean_grants(organization, grants):
    """``[(resource, role or None, {permissions})]`` from ``[{"resource": id, "role"?, "permissions"?}]``.

    Permissions a grant's role already gives are not stored beside it, so the grant keeps following
    the role when the role changes.
    """
    if grants is None:
        return None
    if not isinstance(grants, (list, tuple)) or len(grants) > MAX_GRANTS:
        raise field_error("resource_grants", f"Give a list of at most {MAX_GRANTS} grants.")
    for index, grant in enumerate(grants, start=1):
        resource_id = grant.get("resource") if isinstance(grant, dict) else None
        if not isinstance(resource_id, int) or isinstance(resource_id, bool):
            raise field_error("resource_grants", f"Grant {index}: give a resource id.")
        if grant.get("role") is not None and not isinstance(grant["role"], str):
            raise field_error("resource_grants", f"Grant {index}: a role is given by its name.")
    # One query for the resources and one for the roles, however many grants there are.
    resources = Resource.objects.filter(organization=organization, pk__in=[g["resource"] for g in grants if is_id(g["resource"])])
    resources = {resource.pk: resource for resource in resources}
    roles = {role.name: role for role in Role.objects.filter(organization=organization, name__in=[g.get("role") for g in grants if g.get("role")])}
    cleaned = {}
    for index, grant in enumerate(grants, start=1):
        resource = resources.get(grant["resource"])
        if resource is None:
            raise field_error("resource_grants", f"Grant {index}: no such resource.")
        role = roles.get(grant.get("role")) if grant.get("role") else None
        if grant.get("role") and role is None:
            raise field_error("resource_grants", f"Grant {index}: no such role: {grant['role']}.")
        permissions = set(clean_permissions(organization, grant.get("permissions") or [], field="resource_grants"))
        permissions -= set(role.permissions) if role else set()
        if role is None and not permissions:
            raise field_error("resource_grants", f"Grant {index}: give permissions or a role.")
        cleaned.setdefault((resource.pk, role.pk if role else None), (resource, role, set()))[2].update(permissions)
    return list(cleaned.values())


def ensure_may_join(actor, credential, groups):
    """Joining a group gives the credential what the group's bindings give: the actor must hold it."""
    current = set(credential.groups.all()) if credential is not None else set()
    joining = [group for group in groups if group not in current]
    if joining and credential is not None:
        ensure_may(actor, "service_credentials:write")
    for binding in RoleBinding.objects.filter(group__in=joining).select_related("role", "resource", "group"):
        given = set(binding.permissions) | set(binding.role.permissions if binding.role_id else ())
        ensure_may_give(actor, given, resource=binding.resource, field="groups")


def ensure_may_take_over(actor, credential, *, verb):
    """Whoever gets a credential's key does all it holds: the actor must hold that too, there.

    Otherwise ``service_credentials:write`` alone would give a new key to a credential in a
    sys_admin group, and with it sys_admin.
    """
    held = holdings_of_credential(credential)
    refused = sorted(p for p in held.organization_wide if not may(actor, p))
    resources = Resource.objects.in_bulk(list(held.on_resources)) if held.on_resources else {}
    for pk, permissions in held.on_resources.items():
        refused += [f"{p} on {resources[pk]}" for p in sorted(permissions) if not may(actor, p, resources[pk])]
    if refused:
        shown = ", ".join(refused[:5]) + (" …" if len(refused) > 5 else "")
        raise NotPermitted(f"You cannot {verb} this credential: it holds {shown}, which you do not hold.")


def apply_groups(credential, groups):
    current = set(credential.groups.all())
    for group in current - set(groups):
        group.auth_group.user_set.remove(credential.service_user)
    for group in set(groups) - current:
        group.auth_group.user_set.add(credential.service_user)
    credential.groups.set(groups)


def grants_view(credential):
    """The API's and the portal's ``resource_grants``: one entry per binding on a resource."""
    return [
        {
            "resource": binding.resource_id,
            "name": str(binding.resource),
            "role": binding.role.name if binding.role_id else None,
            "permissions": sorted(set(binding.permissions) | set(binding.role.permissions if binding.role_id else ())),
            "own_permissions": sorted(binding.permissions),
        }
        for binding in resource_bindings(credential)
    ]


def grants_summary(grants):
    return [
        {"resource": r.pk, "name": str(r), "role": role.name if role else None, "permissions": sorted(p)}
        for r, role, p in grants
    ]


def service_credential_check_access(*, organization, actor, groups, resource_grants, credential=None):
    """``(groups, grants)`` if create and update would accept them; raises as they would.

    Saves nothing, so the portal's wizard can check its groups-and-resources step before the summary.
    """
    group_objects = groups_by_id(organization, groups) if groups is not None else None
    if group_objects is not None:
        ensure_may_join(actor, credential, group_objects)
    grants = clean_grants(organization, resource_grants)
    if grants is not None and credential is None:
        for resource, role, permissions in grants:
            ensure_may_give(actor, set(permissions) | set(role.permissions if role else ()), resource=resource, field="resource_grants")
    return group_objects, grants


def bindings_out_of_reach(actor, credential):
    """The credential's bindings on resources where ``actor`` may not manage them (one tree query)."""
    bindings = resource_bindings(credential)
    permission = f"{SUBJECT_ADMIN_KINDS[SERVICE_CREDENTIAL]}:write"
    allowed = may_on_each(actor, [(permission, binding.resource) for binding in bindings])
    return [binding for binding, ok in zip(bindings, allowed) if not ok]


def keeping_out_of_reach(actor, credential, grants):
    """``grants`` for the part of the tree the actor manages, plus every other binding exactly as it is.

    A project admin's page shows only their project's grants; saving it must not read as
    "remove everything elsewhere".
    """
    kept = [(binding.resource, binding.role, set(binding.permissions)) for binding in bindings_out_of_reach(actor, credential)]
    return list(grants) + kept


def apply_grants(*, organization, actor, credential, grants):
    return set_resource_bindings(organization=organization, actor=actor, subject=credential, grants=grants)
