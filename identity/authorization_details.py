"""What a principal holds on resources, in the shape of RFC 9396 authorization details.

Introspection (``authorization_details``) and ``me/`` (``resource_permissions``) answer the same
list, so a resource server reads one shape whichever it asks: one entry per resource where the
principal holds a binding (each holding below it too), and the organization-wide permissions
apart, in ``scope`` or ``permissions``.
"""

DETAIL_TYPE = "portcullis_resource"


def authorization_details(principal):
    """``[{"type", "identifier": "<kind>/<name>", "resource_id", "actions": [...]}, …]`` by identifier."""
    labels = principal.resource_labels
    details = [
        {
            "type": DETAIL_TYPE,
            "identifier": labels.get(resource_id, ""),
            "resource_id": resource_id,
            "actions": sorted(permissions),
        }
        for resource_id, permissions in principal.resource_permissions.items()
        if permissions
    ]
    return sorted(details, key=lambda detail: (detail["identifier"], detail["resource_id"]))


def organization_scope(principal):
    """The organization-wide permissions as an OAuth2 ``scope`` string (space-separated, sorted)."""
    return " ".join(sorted(principal.permissions))
