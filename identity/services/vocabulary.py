"""Which permissions exist in an organization: the platform catalogue and its resource kinds' actions."""

from identity.models import ResourceKind
from identity.permissions import CATALOGUE, PERMISSION_PATTERN, PLATFORM_PERMISSIONS

from .validation import field_error


def declared_permissions(organization):
    """Every permission that may be given in ``organization``."""
    declared = set(CATALOGUE)
    for kind in ResourceKind.objects.filter(organization=organization):
        declared.update(kind.permissions)
    return declared


def clean_permissions(organization, permissions, *, field="permissions"):
    """The sorted, distinct permissions; 400 naming ``field`` for a malformed or undeclared one."""
    if not isinstance(permissions, (list, tuple)) or not all(isinstance(p, str) for p in permissions):
        raise field_error(field, "Give a list of permission strings.")
    if len(permissions) > 500:
        raise field_error(field, "Give at most 500 permissions.")
    malformed = [p for p in permissions if not PERMISSION_PATTERN.fullmatch(p)]
    if malformed:
        raise field_error(field, f"Not a permission (use kinds:action, e.g. projects:deploy): {', '.join(malformed[:5])}.")
    undeclared = sorted(set(permissions) - declared_permissions(organization))
    if undeclared:
        raise field_error(
            field,
            f"No such permission: {', '.join(undeclared[:5])}. Resource permissions come from the "
            "organization's resource kinds (resource-kinds/).",
        )
    return sorted(set(permissions))


def clean_platform_permissions(permissions, *, field="permissions"):
    """The sorted, distinct platform permissions (a root credential's); 400 naming ``field``
    for anything else."""
    if not isinstance(permissions, (list, tuple)) or not all(isinstance(p, str) for p in permissions):
        raise field_error(field, "Give a list of permission strings.")
    unknown = sorted(set(permissions) - set(PLATFORM_PERMISSIONS))
    if unknown:
        shown = ", ".join(p[:100] for p in unknown[:5])
        raise field_error(field, f"No such platform permission: {shown}. Choose from: {', '.join(PLATFORM_PERMISSIONS)}.")
    return sorted(set(permissions))
