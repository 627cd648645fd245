"""What a service credential may be granted as OAuth2 scopes: every permission its bindings give.

This runs on every token grant: one query (``identity.holdings``), however many groups, roles and
bindings the credential has.
"""

from identity.holdings import holdings_of_credential
from identity.permissions import PLATFORM_PERMISSIONS


def credential_scopes(credential):
    """Every permission the credential holds anywhere: the most its tokens may carry."""
    scopes = holdings_of_credential(credential).everything()
    if credential.organization_id is None:
        scopes |= set(credential.platform_permissions) & set(PLATFORM_PERMISSIONS)
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
