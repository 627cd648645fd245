"""Every operation that changes a secret; each writes its audit event in its own transaction.

Audit events and usages hold names and types, never a value. Personal secrets are named only
as "personal secret" in the organization's audit log, which their owner's admins can read.
"""

import json
import logging
from collections import defaultdict
from datetime import timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from identity import audit
from identity.errors import Conflict, InvalidInput
from identity.models import AuditAction, AuditEvent, Membership
from identity.permissions import ACCOUNT_HOLDER, SYS_ADMIN
from identity.principals import SYSTEM_PRINCIPAL
from identity.services.validation import clean_name

from .crypto import NO_KEY_MESSAGE, VaultNotConfigured, get_encryptor
from .models import Secret, SecretStatus, SecretUsage
from .payloads import clean_payload, clean_type
from .selectors import WRITE, ensure_may

logger = logging.getLogger(__name__)

UNSET = object()
PURGE_BATCH_SIZE = 1000
ROTATE_BATCH_SIZE = 500


def _now():
    return timezone.now()


def _audit_name(secret):
    return "personal secret" if secret.is_personal else secret.name


def _record(action, secret, actor, **details):
    audit.record(
        action=action,
        organization=secret.organization,
        actor=actor,
        target=secret,
        target_name=_audit_name(secret),
        details={"type": secret.type, "personal": secret.is_personal, **details},
    )


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
    _record(AuditAction.SECRET_CREATE, secret, actor)
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
        _record(AuditAction.SECRET_UPDATE, secret, actor, fields=changed)
    return secret


def _set_status(secret, actor, status, action):
    ensure_may(actor, WRITE, secret)
    if secret.status != status:
        secret.status = status
        secret.save(update_fields=["status", "updated_at"])
        _record(action, secret, actor)
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
    secret.deleted_at = _now()
    secret.save(update_fields=["deleted_at", "updated_at"])
    _record(AuditAction.SECRET_DELETE, secret, actor)


@transaction.atomic
def secret_read_value(*, secret, actor):
    """The decrypted payload; the read is audited and counted as a usage by ``actor``."""
    ensure_may(actor, "secrets:read", secret)
    if secret.status == SecretStatus.INACTIVE:
        raise Conflict(f"The secret “{secret.name}” is deactivated: activate it before reading its value.")
    payload = _open(secret)
    _record(AuditAction.SECRET_READ, secret, actor)
    _record_usage(secret, actor, _now())
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


def secrets_purge_deleted(*, now=None, batch_size=PURGE_BATCH_SIZE, max_batches=None, on_progress=None):
    """Delete secrets deleted longer ago than the retention period, ``batch_size`` at a time.

    Each batch is its own transaction: a worker that dies mid-run loses at most the batch it
    held (rolled back, so still there for the next run). Rows another run holds are skipped
    (``SKIP LOCKED`` where the database has it; SQLite serializes writers instead). One audit
    event per organization per batch lists the purged secrets' names and types. Returns the
    number purged.
    """
    cutoff = (now or _now()) - timedelta(days=settings.PORTCULLIS_SECRET_RETENTION_DAYS)
    purged = batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            rows = list(
                Secret.objects.filter(deleted_at__lt=cutoff)
                .select_for_update(skip_locked=True)
                .order_by()  # any order will do; sorting every batch would make the purge quadratic
                .values_list("id", "organization_id", "owner_id", "name", "type")[:batch_size]
            )
            if not rows:
                break
            by_organization = defaultdict(list)
            for _, organization_id, owner_id, name, secret_type in rows:
                by_organization[organization_id].append(
                    {"name": "personal secret" if owner_id else name, "type": secret_type}
                )
            SecretUsage.objects.filter(secret_id__in=[row[0] for row in rows]).delete()
            Secret.objects.filter(id__in=[row[0] for row in rows]).delete()
            for organization_id, secrets in by_organization.items():
                AuditEvent.objects.create(
                    organization_id=organization_id,
                    actor_kind="system",
                    actor_name="system",
                    action=AuditAction.SECRET_PURGE,
                    target_type="secret",
                    target_name=f"{len(secrets)} secrets",
                    details={"count": len(secrets), "secrets": secrets},
                )
        purged += len(rows)
        batches += 1
        if on_progress:
            on_progress(purged)
    return purged


def secrets_purgeable_count(*, now=None):
    cutoff = (now or _now()) - timedelta(days=settings.PORTCULLIS_SECRET_RETENTION_DAYS)
    return Secret.objects.filter(deleted_at__lt=cutoff).count()


def secrets_rotate_encryption_key(*, batch_size=ROTATE_BATCH_SIZE, on_progress=None):
    """Re-encrypt every secret not under the first key, a batch per transaction.

    Resumable: each run selects what is still under another key id, so a crash only leaves
    work for the next run. Returns ``(rotated, total)``.
    """
    encryptor = get_encryptor()
    current = encryptor.current_key_id
    if current is None:
        raise VaultNotConfigured(NO_KEY_MESSAGE)
    total = Secret.objects.exclude(key_id=current).count()
    rotated = 0
    after = None
    while True:
        with transaction.atomic():
            # Walk the primary key forward so no batch rescans rows already done in this run.
            pending = Secret.objects.exclude(key_id=current)
            if after is not None:
                pending = pending.filter(pk__gt=after)
            secrets = list(
                pending.select_for_update(skip_locked=True)
                .only("id", "organization_id", "type", "key_id", "nonce", "ciphertext")
                .order_by("id")[:batch_size]
            )
            if not secrets:
                break
            after = secrets[-1].pk
            per_organization = defaultdict(int)
            for secret in secrets:
                plaintext = encryptor.decrypt(secret.key_id, secret.nonce, secret.ciphertext, secret.associated_data())
                secret.key_id, secret.nonce, secret.ciphertext = encryptor.encrypt(plaintext, secret.associated_data())
                per_organization[secret.organization_id] += 1
            _write_ciphertexts(secrets)
            for organization_id, count in per_organization.items():
                AuditEvent.objects.create(
                    organization_id=organization_id,
                    actor_kind="system",
                    actor_name="system",
                    action=AuditAction.SECRET_ROTATE,
                    target_type="secret",
                    target_name=f"{count} secrets",
                    details={"count": count, "key_id": current},
                )
        rotated += len(secrets)
        if on_progress:
            on_progress(rotated, max(total, rotated))
    return rotated, total


def _write_ciphertexts(secrets):
    """One parameterised UPDATE per row via ``executemany``: far cheaper than ``bulk_update``'s
    CASE expression over hundreds of rows."""
    table = connection.ops.quote_name(Secret._meta.db_table)
    pk = Secret._meta.pk
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET key_id = %s, nonce = %s, ciphertext = %s WHERE id = %s",
            [
                (secret.key_id, secret.nonce, secret.ciphertext, pk.get_db_prep_value(secret.pk, connection))
                for secret in secrets
            ],
        )


def secrets_mark_expired(*, now=None):
    """Record each newly expired secret once (an audit event); returns how many."""
    now = now or _now()
    marked = 0
    candidates = Secret.objects.filter(
        deleted_at__isnull=True, expires_at__lte=now, expiry_recorded_at__isnull=True
    ).select_related("organization", "owner")
    for secret in candidates.iterator(chunk_size=500):
        with transaction.atomic():
            if Secret.objects.filter(pk=secret.pk, expiry_recorded_at__isnull=True).update(expiry_recorded_at=now):
                _record(AuditAction.SECRET_EXPIRE, secret, SYSTEM_PRINCIPAL, expires_at=secret.expires_at.isoformat())
                marked += 1
    return marked


def secrets_warn_expiring(*, now=None):
    """Email once per secret, some days before it expires: an organization's admins for its
    secrets, the owner for a personal one. One email per recipient list per run."""
    now = now or _now()
    horizon = now + timedelta(days=settings.PORTCULLIS_EXPIRY_WARNING_DAYS)
    due = list(
        Secret.objects.filter(
            deleted_at__isnull=True, warned_at__isnull=True, expires_at__gt=now, expires_at__lte=horizon
        )
        .select_related("organization", "owner")
        .order_by("organization_id", "expires_at")
    )
    groups = defaultdict(list)
    for secret in due:
        recipients = (secret.owner.email,) if secret.is_personal else _admin_emails(secret.organization)
        if recipients and recipients[0]:
            groups[(secret.organization, tuple(sorted(recipients)))].append(secret)
    sent = 0
    for (organization, recipients), secrets in groups.items():
        lines = [f"- {s.name} ({s.get_type_display()}) expires on {s.expires_at:%Y-%m-%d %H:%M} UTC" for s in secrets]
        send_mail(
            subject=f"[Portcullis] {len(secrets)} secret(s) in {organization.name} expire soon",
            message="These secrets expire soon; replace them before they do:\n\n" + "\n".join(lines) + "\n",
            from_email=None,
            recipient_list=list(recipients),
        )
        Secret.objects.filter(pk__in=[s.pk for s in secrets]).update(warned_at=now)
        sent += 1
    return sent


def _admin_emails(organization):
    emails = (
        Membership.objects.filter(organization=organization, role__name__in=[ACCOUNT_HOLDER, SYS_ADMIN])
        .exclude(user__email="")
        .filter(user__is_active=True)
        .values_list("user__email", flat=True)
    )
    return tuple(sorted(set(emails)))
