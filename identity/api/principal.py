"""Resolve the calling principal for an organization named in the URL.

Another organization's slug, and an organization the caller does not belong to, both raise
``NotFound``: the API never hints that it exists.
"""

from oauth2_provider.models import AccessToken
from rest_framework.exceptions import NotFound

from identity.models import Organization, ServiceToken
from identity.principals import principal_for_access_token, principal_for_service_token, principal_for_user
from identity.selectors import organization_for_user
from identity.services.validation import query_text


def principal_for_request(request, org_slug):
    auth = request.auth
    if isinstance(auth, ServiceToken):
        if auth.organization.slug != org_slug:
            raise NotFound()
        return principal_for_service_token(auth)
    if isinstance(auth, AccessToken):
        principal = principal_for_access_token(auth)
        if principal.organization is None or principal.organization.slug != org_slug:
            raise NotFound()
        return principal
    organization = organization_for_user(request.user, org_slug)
    principal = principal_for_user(request.user, organization) if organization else None
    if principal is None:
        raise NotFound()
    return principal


def default_principal(request):
    """The principal for `me/`: a token's own organization, or the user's chosen or first one."""
    auth = request.auth
    if isinstance(auth, ServiceToken):
        return principal_for_service_token(auth)
    if isinstance(auth, AccessToken):
        return principal_for_access_token(auth)
    slug = query_text(request.query_params, "org")
    organization = (
        organization_for_user(request.user, slug)
        if slug
        else Organization.objects.filter(memberships__user=request.user).order_by("slug").first()
    )
    if organization is None:
        return None
    return principal_for_user(request.user, organization)
