"""Root service credentials: the platform's own machine identities, outside every organization.

A root credential holds exactly the platform permissions it was given at creation
(``organizations:*``, ``root_service_credentials:*``), and only a superuser or a root credential
holding ``root_service_credentials:write`` makes or deletes one, never giving more than it holds.
Anyone acting inside an organization, its Account Holder included, does not see them (404).
The API (``root/service-credentials/``, the Mia-Platform aliases) and the back office call these.
"""

from identity.authorization import ensure_may_on_platform
from identity.errors import NotFound
from identity.models import ServiceCredential

from .service_credentials import Method, service_credential_create, service_credential_delete

MAX_REFERENCE_LENGTH = 255
# A numeric reference is an id only while it fits a database integer; longer digit strings can
# only be client ids.
MAX_ID_DIGITS = 18


def root_credential_by_reference(reference):
    """The root credential whose id or client id is ``reference``; ``NotFound`` otherwise.

    This only finds; each operation on what it finds checks its actor itself.
    """
    reference = str(reference) if isinstance(reference, int) and not isinstance(reference, bool) else reference
    if not isinstance(reference, str) or not reference or len(reference) > MAX_REFERENCE_LENGTH or "\x00" in reference:
        raise NotFound("No such root service credential.")
    roots = ServiceCredential.objects.filter(organization__isnull=True).select_related("application")
    credential = None
    if reference.isascii() and reference.isdigit() and len(reference) <= MAX_ID_DIGITS:
        credential = roots.filter(pk=int(reference)).first()
    if credential is None:
        credential = roots.filter(application__client_id=reference).first()
    if credential is None:
        raise NotFound("No such root service credential.")
    return credential


def root_credential_create(
    *,
    actor,
    name,
    permissions,
    token_endpoint_auth_method=Method.CLIENT_SECRET_BASIC,
    jwks=None,
    public_key=None,
    description="",
    validity="90d",
    token_lifetime="1h",
):
    """A new root credential holding ``permissions``; returns ``(credential, client_secret)``,
    the secret None for private_key_jwt. Unknown permissions: 400 naming ``permissions``; one the
    actor does not hold: 403 naming it; a name taken: 409 naming ``name``."""
    return service_credential_create(
        organization=None,
        actor=actor,
        name=name,
        description=description,
        validity=validity,
        token_lifetime=token_lifetime,
        token_endpoint_auth_method=token_endpoint_auth_method,
        jwks=jwks,
        public_key=public_key,
        platform_permissions=permissions,
    )


def root_credential_delete(*, actor, credential):
    """Delete a root credential for good, with its tokens; the platform audit log keeps it."""
    if credential.organization_id is not None:
        raise NotFound("No such root service credential.")
    ensure_may_on_platform(actor, "root_service_credentials:write")
    service_credential_delete(credential=credential, actor=actor)
