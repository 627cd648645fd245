"""Read queries the portal and the API share; each starts from the caller and their organization.

Personal secrets are their owner's alone: to anyone else, an administrator included, they do
not exist (404). Organization secrets need ``secrets:read``. Deleted secrets are never found.
"""

import uuid

from django.db.models import Q
from django.utils import timezone

from identity.authorization import may
from identity.errors import InvalidInput, NotFound, NotPermitted

from .models import Secret, SecretType, SecretUsage
from .models.secrets import DisplayStatus, display_status_q

READ = "secrets:read"
WRITE = "secrets:write"


def ensure_may(principal, permission, secret=None):
    """Personal secrets: only the owner. Organization secrets: the permission."""
    if secret is not None and secret.is_personal:
        if principal.user is None or secret.owner_id != getattr(principal.user, "pk", None):
            raise NotFound("No such secret.")
        return
    if not may(principal, permission):
        raise NotPermitted(f"You need the {permission} permission.")


def _visible(principal):
    return Secret.objects.filter(organization=principal.organization, deleted_at__isnull=True)


def secret_list(*, principal, personal=False, type="", status="", search="", now=None):
    """The caller's personal secrets, or the organization's (with ``secrets:read``)."""
    if personal:
        if principal.user is None or getattr(principal.user, "pk", None) is None:
            return Secret.objects.none()
        queryset = _visible(principal).filter(owner=principal.user)
    else:
        ensure_may(principal, READ)
        queryset = _visible(principal).filter(owner__isnull=True)
    if type:
        if type not in SecretType.values:
            raise InvalidInput("type: unknown type.", field_errors={"type": [f"Choose one of: {', '.join(SecretType.values)}."]})
        queryset = queryset.filter(type=type)
    if status:
        if status not in DisplayStatus.values:
            raise InvalidInput(
                "status: unknown status.", field_errors={"status": [f"Choose one of: {', '.join(DisplayStatus.values)}."]}
            )
        queryset = queryset.filter(display_status_q(status, now or timezone.now()))
    if search:
        queryset = queryset.filter(Q(name__icontains=search))
    return queryset.select_related("created_by", "owner").defer("ciphertext", "nonce").order_by("name", "id")


def secret_get(*, principal, secret_id, permission=READ):
    """One visible secret (with its payload columns), or ``NotFound``/``NotPermitted``."""
    try:
        secret_id = uuid.UUID(str(secret_id))
    except ValueError as error:
        raise NotFound("No such secret.") from error
    secret = _visible(principal).select_related("organization", "created_by", "owner").filter(pk=secret_id).first()
    if secret is None:
        raise NotFound("No such secret.")
    ensure_may(principal, permission, secret)
    return secret


def secret_usages(*, secret):
    return SecretUsage.objects.filter(secret=secret).select_related("user", "service_token").order_by("-last_used_at")
