"""The base of every organization page: who is asking, in which organization, may they."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404

from identity.authorization import may
from identity.errors import DomainError
from identity.principals import principal_for_user
from identity.selectors import organization_for_user


class OrganizationPortalMixin(LoginRequiredMixin):
    """Resolves ``request.organization`` and ``request.principal`` from the `org` URL kwarg.

    Not a member: 404 (no hint the organization exists). Without ``permission_required``: 403.
    """

    permission_required = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        organization = organization_for_user(request.user, kwargs.get("org", ""))
        principal = principal_for_user(request.user, organization) if organization else None
        if principal is None:
            raise Http404("No such organization.")
        request.organization, request.principal = organization, principal
        if self.permission_required and not may(principal, self.permission_required):
            raise PermissionDenied(f"You need the {self.permission_required} permission.")
        return super().dispatch(request, *args, **kwargs)

    @property
    def organization(self):
        return self.request.organization

    @property
    def principal(self):
        return self.request.principal

    def may(self, permission):
        return may(self.principal, permission)


def apply_domain_error(form, error):
    """Put a service's field errors on the form's fields (others on the form itself)."""
    if not isinstance(error, DomainError):
        raise TypeError(error)
    placed = False
    for field, messages in error.field_errors.items():
        target = field if field in form.fields else field.split(".")[-1] if field.split(".")[-1] in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)
