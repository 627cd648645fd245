"""What a service credential may be granted as OAuth2 scopes: its permissions."""

from django.contrib.contenttypes.models import ContentType
from guardian.models import GroupObjectPermission, UserObjectPermission

from identity.models import Resource


def credential_role_permissions(credential):
    """Organization-wide permissions from the roles of the credential's groups."""
    return {
        permission
        for group in credential.groups.all()
        for role in group.roles.all()
        for permission in role.permissions
    }


def credential_grants(credential, *, include_groups=False):
    """``{resource_id: {permissions}}`` granted to the credential (and, if asked, its groups)."""
    content_type = ContentType.objects.get_for_model(Resource)
    rows = list(
        UserObjectPermission.objects.filter(user=credential.service_user, content_type=content_type).values_list(
            "object_pk", "permission__codename"
        )
    )
    if include_groups:
        rows += GroupObjectPermission.objects.filter(
            group__portcullis_group__service_credentials=credential, content_type=content_type
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
