"""Client keys of a service credential: regenerate with a grace period, retire, end when due.

A credential holds up to two live client keys (``ClientKey``), each its own django-oauth-toolkit
Application, so a key's tokens are its Application's and die with it. ``ServiceCredential.application``
is always the newest key's. Every change locks the credential row first, as the validator's
``_save_bearer_token`` does, so a token grant racing a retirement never outlives the key.
"""

import secrets
from datetime import timedelta

from django.db import transaction
from oauth2_provider.generators import generate_client_id
from oauth2_provider.models import AccessToken, Application, RefreshToken

from identity import audit, clock
from identity.errors import Conflict, InvalidInput, NotFound
from identity.models import AuditAction, ClientKey, ServiceCredential

CLIENT_SECRET_PREFIX = "pcs_"
MAX_LIVE_KEYS = 2
# How long the previous key keeps working after a regeneration.
# An old key used this close to its end gets a warning on the credential's page.
NEAR_END = timedelta(hours=24)
GRACE_PERIODS = {"0": timedelta(0), "1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}


def new_client_secret():
    """256 bits, with a recognisable prefix so leak scanners can find a client key."""
    return CLIENT_SECRET_PREFIX + secrets.token_urlsafe(32)


def new_client_key_pair():
    """``(client_id, client_secret)`` not yet stored anywhere: the portal shows it before Save."""
    return generate_client_id(), new_client_secret()


def add_client_key(*, service_user, name, client_secret, client_id=None):
    """The Application of a new client key (``record_client_key`` ties it to its credential)."""
    fields = {"client_id": client_id} if client_id else {}
    return Application.objects.create(
        name=name[:255],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=client_secret,
        hash_client_secret=True,
        user=service_user,
        **fields,
    )


def record_client_key(credential, application):
    return ClientKey.objects.create(credential=credential, application=application, created_at=clock.now())


def kill_tokens(applications):
    """Delete every token these keys issued: they stop working on the very next request."""
    AccessToken.objects.filter(application__in=applications).delete()
    RefreshToken.objects.filter(application__in=applications).delete()


def credential_applications(credential):
    """Every key's Application of ``credential``, live or ended (a subquery)."""
    return ClientKey.objects.filter(credential=credential).values("application_id")


def live_client_keys(credential, now=None):
    """The live keys, oldest first, with their client ids (one query)."""
    now = now or clock.now()
    keys = ClientKey.objects.filter(credential=credential).select_related("application")
    return [key for key in keys if key.is_live(now)]


def _end_key(key, now):
    key.retired_at = now
    key.save(update_fields=["retired_at"])
    kill_tokens([key.application_id])


def clean_grace_period(grace_period):
    if not isinstance(grace_period, str) or grace_period not in GRACE_PERIODS:
        raise InvalidInput(
            "grace_period: choose one of 0, 1h, 24h, 7d.",
            field_errors={"grace_period": [f"Choose one of: {', '.join(GRACE_PERIODS)}."]},
        )
    return GRACE_PERIODS[grace_period]


def _clean_pending_pair(client_id, client_secret):
    """A pair the portal generated and showed before Save: well formed and its client id still free."""
    if not (isinstance(client_id, str) and 0 < len(client_id) <= 100 and client_id.isalnum()):
        raise InvalidInput("client_id: not a client id this server made.", field_errors={"client_id": ["Invalid."]})
    if not (isinstance(client_secret, str) and client_secret.startswith(CLIENT_SECRET_PREFIX) and len(client_secret) < 200):
        raise InvalidInput("client_secret: not a client key this server made.", field_errors={"client_secret": ["Invalid."]})
    if Application.objects.filter(client_id=client_id).exists():
        raise Conflict("These client keys were saved already. Regenerate again.", field_errors={"client_id": ["Taken."]})


def ensure_room_for_a_key(credential, now=None):
    """The live keys, if one more may be added; a third while two are live is refused (409)."""
    live = live_client_keys(credential, now)
    if len(live) >= MAX_LIVE_KEYS:
        raise Conflict(
            "This credential has two live client keys already: retire one before regenerating.",
            field_errors={"keys": [f"{len(live)} live client keys."]},
        )
    return live


def keys_still_used_near_their_end(keys, now=None):
    """Keys ending within ``NEAR_END`` that have been used since the newest key was made: the
    credential's page warns about them, as a pipeline still on the old key is about to break."""
    now = now or clock.now()
    if not keys:
        return []
    newest = max(keys, key=lambda key: (key.created_at, key.pk))
    return [
        key for key in keys
        if key.expires_at is not None and key.expires_at - now <= NEAR_END
        and key.last_used_at is not None and key.last_used_at >= newest.created_at
    ]


def regenerate_client_key(credential, actor, *, grace_period="0", client_id=None, client_secret=None):
    """Inside the caller's transaction, with ``credential`` locked: a new newest key; the previous
    one ends now (grace "0") or at the end of the grace period, and its tokens with it."""
    grace = clean_grace_period(grace_period)
    now = clock.now()
    live = ensure_room_for_a_key(credential, now)
    if client_id is None or client_secret is None:
        client_id, client_secret = new_client_key_pair()
    else:
        _clean_pending_pair(client_id, client_secret)
    application = add_client_key(
        service_user=credential.service_user, name=credential.name, client_id=client_id, client_secret=client_secret
    )
    record_client_key(credential, application)
    previous = [key for key in live if key.application_id == credential.application_id]
    details = {"client_id": client_id, "grace_period": grace_period}
    for key in previous:
        details["previous_client_id"] = key.client_id
        if grace:
            key.expires_at = now + grace
            key.save(update_fields=["expires_at"])
            details["previous_key_ends_at"] = key.expires_at.isoformat()
        else:
            _end_key(key, now)
            details["previous_key_ends_at"] = now.isoformat()
    credential.application = application
    credential.save(update_fields=["application"])
    audit.record(
        action=AuditAction.SERVICE_CREDENTIAL_REGENERATE, organization=credential.organization, actor=actor,
        target=credential, details=details,
    )
    return client_secret


def retire_client_key(credential, actor, client_id):
    """Inside the caller's transaction, with ``credential`` locked: that key ends now, with its
    tokens. The last live key cannot be retired; retiring the newest makes the other one newest
    again and keeps it (no end), so the credential is never left without a key."""
    now = clock.now()
    live = live_client_keys(credential, now)
    key = next((key for key in live if isinstance(client_id, str) and key.client_id == client_id), None)
    if key is None:
        raise NotFound("No live client key with this client id.")
    if len(live) == 1:
        raise Conflict(
            "This is the credential's only live client key: regenerate before retiring it.",
            field_errors={"client_id": ["The last live client key."]},
        )
    _end_key(key, now)
    details = {"client_id": client_id}
    if key.application_id == credential.application_id:
        remaining = next(other for other in live if other.pk != key.pk)
        remaining.expires_at = None
        remaining.save(update_fields=["expires_at"])
        credential.application_id = remaining.application_id
        credential.save(update_fields=["application"])
        details["newest_client_id"] = remaining.client_id
    audit.record(
        action=AuditAction.CLIENT_KEY_RETIRE, organization=credential.organization, actor=actor,
        target=credential, details=details,
    )
    return credential


def client_keys_expire():
    """Mark keys whose grace period has ended, drop their tokens and record it; safe to re-run.

    The validator refuses them already on every request; this makes lists and the audit log agree.
    """
    ended = 0
    due = ClientKey.objects.filter(retired_at__isnull=True, expires_at__lte=clock.now())
    for pk in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            key = ClientKey.objects.select_for_update(of=("self",)).select_related(
                "application", "credential__organization"
            ).filter(pk=pk, retired_at__isnull=True).first()
            if key is None:
                continue
            _end_key(key, key.expires_at)
            credential = key.credential
            audit.record(
                action=AuditAction.CLIENT_KEY_EXPIRE, organization=credential.organization, target=credential,
                details={"client_id": key.client_id, "ended_at": key.expires_at.isoformat()},
            )
            ended += 1
    return ended


def ensure_has_client_key(credential):
    if credential.auth_method == ServiceCredential.AuthMethod.PRIVATE_KEY_JWT:
        raise Conflict(
            "This credential authenticates with its own key pair; it has no client key.",
            field_errors={"token_endpoint_auth_method": ["private_key_jwt"]},
        )
