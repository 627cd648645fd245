"""Who is calling: a person, a service credential or a service token, seen the same way.

A ``Principal`` carries the organization it acts in and the permissions it holds there, resolved
once per request, so every later check is a set lookup.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from identity.models import Group, Membership
from identity.permissions import CATALOGUE, PLATFORM_PERMISSIONS

USER = "user"
SERVICE_CREDENTIAL = "service_credential"
SERVICE_TOKEN = "service_token"
SYSTEM = "system"


@dataclass(frozen=True)
class Principal:
    kind: str
    name: str
    organization: object = None
    permissions: frozenset = field(default_factory=frozenset)
    user: object = None
    service_token: object = None
    is_superuser: bool = False
    # For OAuth2 access tokens: the token's scopes cap everything, grants included.
    scope_limit: frozenset = None
    # A credential bound to one resource: resource-kind permissions count only inside it.
    bound_resource_id: int = None

    @property
    def organization_id(self):
        return self.organization.pk if self.organization is not None else None


SYSTEM_PRINCIPAL = Principal(kind=SYSTEM, name="system")


def _role_permissions(roles):
    return frozenset(permission for role in roles for permission in role.permissions)


def principal_for_user(user, organization):
    """The user acting in ``organization``, or None when they are not a member (nor superuser)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    membership = (
        Membership.objects.select_related("role").filter(user=user, organization=organization).first()
    )
    if membership is None and not user.is_superuser:
        return None
    roles = [membership.role] if membership else []
    roles += [
        role
        for group in Group.objects.filter(organization=organization, auth_group__user=user).prefetch_related("roles")
        for role in group.roles.all()
    ]
    permissions = _role_permissions(roles)
    if user.is_superuser:
        permissions |= frozenset(CATALOGUE) | frozenset(PLATFORM_PERMISSIONS)
    return Principal(
        kind=USER,
        name=user.get_username(),
        organization=organization,
        permissions=permissions,
        user=user,
        is_superuser=user.is_superuser,
    )


def _token_permissions(token):
    preloaded = getattr(token, "role_permissions", None)  # set by service_token_authenticate
    return preloaded if preloaded is not None else _role_permissions(token.roles.all())


def principal_for_service_token(token):
    """The token acting in its organization with the union of its roles' permissions."""
    return Principal(
        kind=SERVICE_TOKEN,
        name=token.name,
        organization=token.organization,
        permissions=_token_permissions(token),
        service_token=token,
    )


def principal_for_service_credential(credential, scopes=None):
    """A credential acting in its organization (None for a root credential) through its token."""
    permissions = getattr(credential, "role_permissions", None)  # set by the bearer token loader
    if permissions is None:
        from identity.oauth.scopes import credential_role_permissions

        permissions = frozenset(credential_role_permissions(credential))
    if credential.organization_id is None:
        permissions |= frozenset(PLATFORM_PERMISSIONS)
    scope_limit = frozenset(scopes) if scopes is not None else None
    if scope_limit is not None:
        permissions &= scope_limit
    return Principal(
        kind=SERVICE_CREDENTIAL,
        name=credential.name,
        organization=credential.organization,
        permissions=permissions,
        user=credential.service_user,
        scope_limit=scope_limit,
        bound_resource_id=credential.bound_resource_id,
    )


def actor_user(principal):
    """The auth user behind a principal, when there is one (for audit links)."""
    user = getattr(principal, "user", None)
    return user if isinstance(user, get_user_model()) and user.pk else None
