"""Every operation a person or token performs on a secret; each writes its audit event in its own
transaction (see ``events``). Audit events and usages hold names and types, never a value. The
scheduled work (purge, key rotation, expiry) is in ``housekeeping``.
"""

import json
import logging
from datetime import timezone as dt_timezone

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from identity import clock
from identity.errors import Conflict, InvalidInput
from identity.models import AuditAction
from identity.services.validation import clean_name

from .crypto import get_encryptor
from .events import record_secret_event
from .models import Secret, SecretStatus, SecretUsage
from .payloads import clean_payload, clean_type
from .selectors import WRITE, ensure_may

logger = logging.getLogger(__name__)

UNSET = object()



def _clean_expires_at(value):
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise InvalidInput(
                "expires_at: use an ISO 8601 date and time.",
                field_errors={"expires_at": ["Use an ISO 8601 date and time, e.g. 2030-01-31T00:00:00Z."]},
            )
        value = parsed
    if not hasattr(value, "tzinfo"):
        raise InvalidInput("expires_at: give a date and time.", field_errors={"expires_at": ["Give a date and time."]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt_timezone.utc)
    return value


def _seal(secret, payload):
    """Encrypt ``payload`` into the row's columns, bound to its organization, id and type."""
    plaintext = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    secret.key_id, secret.nonce, secret.ciphertext = get_encryptor().encrypt(plaintext, secret.associated_data())


def _open(secret):
    plaintext = get_encryptor().decrypt(secret.key_id, secret.nonce, secret.ciphertext, secret.associated_data())
    return json.loads(plaintext)


def _save_named(secret):
    """Save, turning a race on the name constraints into the same 409 as the pre-check."""
    try:
        with transaction.atomic():
            secret.save()
    except IntegrityError as error:
        raise _taken(secret.name) from error


def _taken(name):
    return Conflict(f"The name “{name}” is already taken.", field_errors={"name": ["This name is already taken."]})


def _ensure_name_free(secret):
    clash = Secret.objects.filter(
        organization_id=secret.organization_id, owner_id=secret.owner_id, name=secret.name, deleted_at__isnull=True
    ).exclude(pk=secret.pk)
    if clash.exists():
        raise _taken(secret.name)


@transaction.atomic
def secret_create(*, organization, actor, name, type, value, expires_at=None, personal=False):
    """A new secret of ``organization`` (or of ``actor``'s profile when ``personal``)."""
    name = clean_name(name)
    secret_type = clean_type(type)
    if not isinstance(personal, bool):
        raise InvalidInput("personal: give true or false.", field_errors={"personal": ["Give true or false."]})
    owner = None
    if personal:
        owner = actor.user if actor.user is not None and getattr(actor.user, "pk", None) else None
        if owner is None:
            raise InvalidInput(
                "personal: only a person has personal secrets.", field_errors={"personal": ["Only a person has personal secrets."]}
            )
    else:
        ensure_may(actor, WRITE)
    clean = clean_payload(secret_type, value)
    secret = Secret(
        organization=organization,
        owner=owner,
        name=name,
        type=secret_type,
        metadata=clean.metadata,
        # A certificate's expiry is the certificate's own, whatever else was sent.
        expires_at=clean.expires_at or _clean_expires_at(expires_at),
        created_by=actor.user if getattr(actor.user, "pk", None) else None,
    )
    _ensure_name_free(secret)
    _seal(secret, clean.payload)
    _save_named(secret)
    record_secret_event(AuditAction.SECRET_CREATE, secret, actor)
    return secret


@transaction.atomic
def secret_update(*, secret, actor, name=UNSET, value=UNSET, expires_at=UNSET):
    """Rename, replace the value (merged over the current one field by field), or change expiry."""
    ensure_may(actor, WRITE, secret)
    secret = Secret.objects.select_for_update().get(pk=secret.pk)
    changed = []
    if name is not UNSET:
        name = clean_name(name)
        if name != secret.name:
            secret.name = name
            _ensure_name_free(secret)
            changed.append("name")
    if value is not UNSET:
        if not isinstance(value, dict):
            raise InvalidInput("value: give an object.", field_errors={"value": ["Give an object with the type's fields."]})
        merged = {**_open(secret), **value}
        clean = clean_payload(secret.type, merged)
        secret.metadata = clean.metadata
        if clean.expires_at is not None:
            secret.expires_at = clean.expires_at
        _seal(secret, clean.payload)
        secret.expiry_recorded_at = secret.warned_at = None
        changed.append("value")
    if expires_at is not UNSET and secret.type != "certificate":
        secret.expires_at = _clean_expires_at(expires_at)
        secret.expiry_recorded_at = secret.warned_at = None
        changed.append("expires_at")
    if changed:
        _save_named(secret)
        record_secret_event(AuditAction.SECRET_UPDATE, secret, actor, fields=changed)
    return secret


def _set_status(secret, actor, status, action):
    ensure_may(actor, WRITE, secret)
    if secret.status != status:
        secret.status = status
        secret.save(update_fields=["status", "updated_at"])
        record_secret_event(action, secret, actor)
    return secret


@transaction.atomic
def secret_deactivate(*, secret, actor):
    return _set_status(secret, actor, SecretStatus.INACTIVE, AuditAction.SECRET_DEACTIVATE)


@transaction.atomic
def secret_activate(*, secret, actor):
    return _set_status(secret, actor, SecretStatus.ACTIVE, AuditAction.SECRET_ACTIVATE)


@transaction.atomic
def secret_delete(*, secret, actor):
    """Gone from every list and read at once; the row is purged after the retention period."""
    ensure_may(actor, WRITE, secret)
    secret.deleted_at = clock.now()
    secret.save(update_fields=["deleted_at", "updated_at"])
    record_secret_event(AuditAction.SECRET_DELETE, secret, actor)


@transaction.atomic
def secret_read_value(*, secret, actor):
    """The decrypted payload; the read is audited and counted as a usage by ``actor``."""
    ensure_may(actor, "secrets:read", secret)
    if secret.status == SecretStatus.INACTIVE:
        raise Conflict(f"The secret “{secret.name}” is deactivated: activate it before reading its value.")
    payload = _open(secret)
    record_secret_event(AuditAction.SECRET_READ, secret, actor)
    _record_usage(secret, actor, clock.now())
    return payload


def _record_usage(secret, actor, now):
    name = actor.name[:200]
    updated = SecretUsage.objects.filter(secret=secret, principal_kind=actor.kind, principal_name=name).update(
        last_used_at=now, count=F("count") + 1
    )
    if updated:
        return
    try:
        with transaction.atomic():
            SecretUsage.objects.create(
                secret=secret,
                principal_kind=actor.kind,
                principal_name=name,
                user=actor.user if getattr(actor.user, "pk", None) else None,
                service_token=actor.service_token,
                first_used_at=now,
                last_used_at=now,
                count=1,
            )
    except IntegrityError:
        # Another request created the row first: count this read on it.
        SecretUsage.objects.filter(secret=secret, principal_kind=actor.kind, principal_name=name).update(
            last_used_at=now, count=F("count") + 1
        )
