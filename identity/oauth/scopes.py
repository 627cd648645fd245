"""What a service credential may be granted as OAuth2 scopes: its permissions.

These run on every token grant: one query for the roles of all the credential's groups, one for
each kind of resource grant, however many groups and roles there are.
"""

from guardian.models import GroupObjectPermission, UserObjectPermission

from identity.models import Resource, Role

_ON_RESOURCES = {"content_type__app_label": Resource._meta.app_label, "content_type__model": Resource._meta.model_name}


def credential_role_permissions(credential):
    """Organization-wide permissions from the roles of the credential's groups."""
    rows = Role.objects.filter(groups__service_credentials=credential.pk).values_list("permissions", flat=True)
    return {permission for permissions in rows for permission in permissions}


def credential_grants(credential, *, include_groups=False):
    """``{resource_id: {permissions}}`` granted to the credential (and, if asked, its groups)."""
    rows = list(
        UserObjectPermission.objects.filter(user_id=credential.service_user_id, **_ON_RESOURCES).values_list(
            "object_pk", "permission__codename"
        )
    )
    if include_groups:
        rows += GroupObjectPermission.objects.filter(
            group__portcullis_group__service_credentials=credential.pk, **_ON_RESOURCES
        ).values_list("object_pk", "permission__codename")
    grants = {}
    for object_pk, codename in rows:
        grants.setdefault(int(object_pk), set()).add(codename)
    return grants


def credential_scopes(credential):
    """Every permission the credential holds anywhere: the most its tokens may carry."""
    scopes = credential_role_permissions(credential)
    for permissions in credential_grants(credential, include_groups=True).values():
        scopes |= permissions
    if credential.organization_id is None:
        from identity.permissions import PLATFORM_PERMISSIONS

        scopes |= set(PLATFORM_PERMISSIONS)
    return scopes


class PermissionScopes:
    """django-oauth-toolkit's scopes backend: scopes are permission strings, checked per client
    by the validator (``validate_scopes``), so this only names them for discovery."""

    def get_all_scopes(self):
        return {}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        credential = getattr(application, "service_credential", None)
        return sorted(credential_scopes(credential)) if credential else []

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return self.get_available_scopes(application, request)
