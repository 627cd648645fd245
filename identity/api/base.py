"""The base of every organization-scoped endpoint: find the organization, the principal, check."""

from rest_framework import generics
from rest_framework.exceptions import PermissionDenied

from identity.authorization import may
from identity.permissions import required_permission

from .principal import principal_for_request


class OrganizationScopedMixin:
    """Sets ``self.organization`` and ``self.principal``; 404 outside it, 403 without permission.

    ``permission_kind`` names the kind (``groups``); safe methods need ``<kind>:read``, others
    ``<kind>:write``.
    """

    permission_kind = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.principal = principal_for_request(request, kwargs["org"])
        self.organization = self.principal.organization
        permission = required_permission(self.permission_kind, request.method)
        if not may(self.principal, permission):
            raise PermissionDenied(f"You need the {permission} permission.")


class OrganizationScopedAPIView(OrganizationScopedMixin, generics.GenericAPIView):
    pass
