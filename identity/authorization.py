"""The one answer to "may this principal do this, here", and the rule that nobody gives more than
they hold. Every service asks these itself, so no face (portal, API, CLI, task) can skip them.

What a principal holds comes from its role bindings (``identity.holdings``): at the organization,
or on a resource, where it holds on that resource and every resource below it. Holding
``resources:write`` somewhere means administering the resource tree there, which includes every
action of every resource kind (``projects:deploy``…) at that place.
"""

from identity.errors import NotFound, NotPermitted
from identity.models import Resource
from identity.permissions import PLATFORM_KINDS, PLATFORM_PERMISSIONS
from identity.resource_tree import ancestor_ids

SYSTEM = "system"
_TREE_ADMINISTRATION = "resources:write"


def _holds(permissions, permission):
    if permission in permissions:
        return True
    kind = permission.split(":", 1)[0]
    # Administering an organization's resource tree never reaches the platform above it.
    return kind not in PLATFORM_KINDS and permission not in PLATFORM_PERMISSIONS and _TREE_ADMINISTRATION in permissions


def may(principal, permission, obj=None):
    """May ``principal`` use ``permission`` in its organization, or on ``obj`` when one is given?"""
    organization_id = getattr(obj, "organization_id", None) if obj is not None else None
    ancestors = (lambda: _ancestors_of(obj)) if isinstance(obj, Resource) else None
    return _may(principal, permission, organization_id, ancestors)


def _may(principal, permission, organization_id, ancestors):
    """The rule itself, for an object of ``organization_id`` (None: none, or one outside every
    organization); ``ancestors()`` gives a resource's id and its ancestors' (None: not a resource)."""
    if principal is None:
        return False
    if principal.kind == SYSTEM or principal.is_superuser:
        return True
    if organization_id is not None and organization_id != principal.organization_id:
        return False
    if principal.scope_limit is not None and permission not in principal.scope_limit:
        return False
    if _holds(principal.permissions, permission):
        return True
    if ancestors is None or not principal.resource_permissions:
        return False
    return any(_holds(principal.resource_permissions.get(pk, ()), permission) for pk in ancestors())


def may_on_each(principal, checks):
    """``[allowed, …]`` for ``[(permission, resource or None), …]``, reading the tree once."""
    resources = [resource for _, resource in checks if resource is not None]
    chains = ancestor_ids([r.pk for r in resources]) if resources and principal.resource_permissions else {}
    for resource in resources:
        resource._portcullis_ancestors = chains.get(resource.pk, [resource.pk])
    return [may(principal, permission, resource) for permission, resource in checks]


def may_at_each(principal, checks):
    """``[allowed, …]`` for ``[(permission, (organization id, [resource id, its ancestors' ids…])
    or None), …]``: as ``may_on_each`` for resources read with their chains already (access checks)."""
    return [
        _may(principal, permission, None, None) if place is None
        else _may(principal, permission, place[0], lambda chain=place[1]: chain)
        for permission, place in checks
    ]


def _ancestors_of(resource):
    cached = getattr(resource, "_portcullis_ancestors", None)
    if cached is None:
        cached = resource._portcullis_ancestors = resource.ancestor_ids()
    return cached


def ensure_may(principal, permission, obj=None, *, message=None):
    """Raise ``NotPermitted`` unless ``may`` says yes."""
    if not may(principal, permission, obj):
        where = f" on {obj}" if isinstance(obj, Resource) else ""
        raise NotPermitted(message or f"You need the {permission} permission{where}.")


def ensure_may_on_platform(principal, permission):
    """Platform objects (root credentials, organizations) lie outside every organization.

    A principal acting inside an organization (a member, even its Account Holder, or one of its
    tokens) does not learn they exist: ``NotFound``. A superuser, or a root credential's token,
    needs ``permission`` (403 without it).
    """
    if principal is None or (
        principal.kind != SYSTEM and not principal.is_superuser and principal.organization is not None
    ):
        raise NotFound("Not found.")
    ensure_may(principal, permission)


def ensure_may_give(actor, permissions, *, resource=None, field):
    """Nobody gives more than they hold: every permission given must be the actor's own, there.

    ``field`` names the request field that asked for it, for the 403's field errors.
    """
    refused = sorted(p for p in set(permissions) if not may(actor, p, resource))
    if refused:
        where = f" on {resource}" if resource is not None else ""
        shown = ", ".join(refused[:5]) + (" …" if len(refused) > 5 else "")
        message = f"You cannot give {shown}{where}: you do not hold it there."
        raise NotPermitted(message, field_errors={field: [message]})
