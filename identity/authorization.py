"""The one answer to "may this principal do this on that object", for people, credentials, tokens.

Organization-wide permissions come from roles (the membership's, the groups', the token's).
Permissions on a resource may also come from grants (django-guardian object permissions on the
resource or any resource above it), given to the principal's user or to one of its groups.
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from guardian.models import GroupObjectPermission, UserObjectPermission

from identity.models import Resource
from identity.permissions import PLATFORM_KINDS


def may(principal, permission, obj=None):
    if principal is None:
        return False
    if obj is not None and not _same_organization(principal, obj):
        return False
    if principal.scope_limit is not None and permission not in principal.scope_limit:
        return False
    if principal.bound_resource_id is not None and not _inside_binding(principal, permission, obj):
        return False
    if permission in principal.permissions:
        return True
    if isinstance(obj, Resource) and principal.user is not None:
        return permission in resource_permissions(principal.user, obj)
    return False


def _inside_binding(principal, permission, obj):
    """A bound credential's resource-kind permissions hold only on its resource and below."""
    if isinstance(obj, Resource):
        return principal.bound_resource_id in obj.ancestor_ids()
    return permission.split(":", 1)[0] in PLATFORM_KINDS


def _same_organization(principal, obj):
    organization_id = getattr(obj, "organization_id", None)
    if organization_id is None:
        return True
    return principal.is_superuser or organization_id == principal.organization_id


def resource_permission(permission):
    """The auth Permission row guardian needs for a vocabulary string on resources."""
    content_type = ContentType.objects.get_for_model(Resource)
    row, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=permission, defaults={"name": f"Can {permission}"}
    )
    return row


def resource_permissions(user, resource):
    """Every permission ``user`` holds on ``resource`` through grants on it or its ancestors."""
    object_pks = [str(pk) for pk in resource.ancestor_ids()]
    content_type = ContentType.objects.get_for_model(Resource)
    direct = UserObjectPermission.objects.filter(user=user, content_type=content_type, object_pk__in=object_pks)
    via_groups = GroupObjectPermission.objects.filter(
        group__user=user, content_type=content_type, object_pk__in=object_pks
    )
    return frozenset(direct.values_list("permission__codename", flat=True)) | frozenset(
        via_groups.values_list("permission__codename", flat=True)
    )
