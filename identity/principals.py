"""Who is calling: a person, a service credential or a service token, seen the same way.

A ``Principal`` carries the organization it acts in and what its role bindings give it there,
resolved once per request (one query), so every later check is a set lookup.
"""

from dataclasses import dataclass, field
from functools import partial

from django.contrib.auth import get_user_model
from django.utils.functional import SimpleLazyObject

from identity.holdings import holdings_of_credential, holdings_of_person, holdings_of_service_token
from identity.oauth.token_scope import token_scopes
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
    # Held at the organization: every check without a resource, and on every resource.
    permissions: frozenset = field(default_factory=frozenset)
    user: object = None
    service_token: object = None
    is_superuser: bool = False
    # For OAuth2 access tokens: the token's scopes cap everything, bindings on resources included.
    scope_limit: frozenset = None
    # A credential bound to one product: it holds nothing outside it.
    bound_resource_id: int = None
    # Held on resources (and everything below them): {resource id: frozenset}, with their labels.
    resource_permissions: dict = field(default_factory=dict, hash=False, compare=False)
    resource_labels: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def organization_id(self):
        return self.organization.pk if self.organization is not None else None


SYSTEM_PRINCIPAL = Principal(kind=SYSTEM, name="system")


def principal_for_user(user, organization):
    """The user acting in ``organization``, or None when they are not a member (nor superuser)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    held = holdings_of_person(user, organization)
    if not held.is_member and not user.is_superuser:
        return None
    permissions = held.organization_wide
    if user.is_superuser:
        permissions |= frozenset(CATALOGUE) | frozenset(PLATFORM_PERMISSIONS)
    return Principal(
        kind=USER,
        name=user.get_username(),
        organization=organization,
        permissions=permissions,
        user=user,
        is_superuser=user.is_superuser,
        resource_permissions=held.on_resources,
        resource_labels=held.resource_labels,
    )


def principal_for_service_token(token):
    """The token acting in its organization with what its role bindings give."""
    held = holdings_of_service_token(token)
    return Principal(
        kind=SERVICE_TOKEN,
        name=token.name,
        organization=token.organization,
        permissions=held.organization_wide,
        service_token=token,
        resource_permissions=held.on_resources,
        resource_labels=held.resource_labels,
    )


def principal_for_service_credential(credential, scopes=None):
    """A credential acting in its organization (None for a root credential) through its token.

    ``scopes`` are the access token's: they cap what the credential's bindings give.
    """
    held = holdings_of_credential(credential)
    permissions = held.organization_wide
    if credential.organization_id is None:
        # Only what it was given at creation (identity.services.root_credentials).
        permissions |= frozenset(credential.platform_permissions) & frozenset(PLATFORM_PERMISSIONS)
    on_resources = held.on_resources
    scope_limit = frozenset(scopes) if scopes is not None else None
    if scope_limit is not None:
        permissions &= scope_limit
        on_resources = {pk: held & scope_limit for pk, held in on_resources.items() if held & scope_limit}
    return Principal(
        kind=SERVICE_CREDENTIAL,
        name=credential.name,
        organization=credential.organization,
        permissions=permissions,
        # Read on first use (an audited write, a personal secret): a bearer call's lookup does not
        # fetch the service user, and most calls never need it.
        user=SimpleLazyObject(partial(getattr, credential, "service_user")),
        scope_limit=scope_limit,
        bound_resource_id=credential.bound_resource_id,
        resource_permissions=on_resources,
        resource_labels={pk: label for pk, label in held.resource_labels.items() if pk in on_resources},
    )


def principal_for_access_token(access_token):
    """The credential behind a live access token, capped by the token's scopes."""
    credential = access_token.application.service_credential
    return principal_for_service_credential(credential, scopes=token_scopes(access_token))


def actor_user(principal):
    """The auth user behind a principal, when there is one (for audit links)."""
    user = getattr(principal, "user", None)
    return user if isinstance(user, get_user_model()) and user.pk else None
