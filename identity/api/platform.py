"""The base of every platform endpoint (above all organizations): who may call, and the check.

Only two kinds of caller act on the platform: a superuser in person (portal session), and a root
service credential (outside every organization) through its access token. Anyone else, an
organization's Account Holder included, is answered 404: the platform is not theirs to know of.
"""

from oauth2_provider.models import AccessToken
from rest_framework import generics
from rest_framework.exceptions import NotFound, PermissionDenied

from identity.authorization import may
from identity.permissions import required_permission
from identity.platform_principals import superuser_principal
from identity.principals import principal_for_access_token


def platform_principal_for_request(request):
    """The platform principal calling, or ``NotFound`` when the caller is none."""
    auth = request.auth
    if isinstance(auth, AccessToken):
        credential = getattr(auth.application, "service_credential", None)
        if credential is not None and credential.organization_id is None:
            return principal_for_access_token(auth)
        raise NotFound()
    principal = superuser_principal(request.user) if auth is None else None
    if principal is None:
        raise NotFound()
    return principal


class PlatformAPIView(generics.GenericAPIView):
    """Sets ``self.principal``; 404 for callers outside the platform, 403 without the permission.

    ``permission_kind`` names the platform kind (``organizations``); safe methods need
    ``<kind>:read``, others ``<kind>:write``.
    """

    permission_kind = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.principal = platform_principal_for_request(request)
        permission = required_permission(self.permission_kind, request.method)
        if not may(self.principal, permission):
            raise PermissionDenied(f"You need the {permission} permission.")
