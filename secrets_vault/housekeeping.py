"""The vault's scheduled and operator work: purge deleted secrets, re-encrypt under a new key,
record expiries and warn before them. Each batch or secret is its own transaction, so a worker
killed mid-run leaves the rest for the next run (the Celery tasks and the commands call these).
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction

from identity import clock
from identity.models import AuditAction, Membership
from identity.permissions import ACCOUNT_HOLDER, SYS_ADMIN
from identity.principals import SYSTEM_PRINCIPAL

from .crypto import NO_KEY_MESSAGE, VaultNotConfigured, get_encryptor
from .events import PERSONAL_SECRET, record_batch_event, record_secret_event
from .models import Secret, SecretUsage

PURGE_BATCH_SIZE = 1000
ROTATE_BATCH_SIZE = 500



def secrets_purge_deleted(*, now=None, batch_size=PURGE_BATCH_SIZE, max_batches=None, on_progress=None):
    """Delete secrets deleted longer ago than the retention period, ``batch_size`` at a time.

    Each batch is its own transaction: a worker that dies mid-run loses at most the batch it
    held (rolled back, so still there for the next run). Rows another run holds are skipped
    (``SKIP LOCKED`` where the database has it; SQLite serializes writers instead). One audit
    event per organization per batch lists the purged secrets' names and types. Returns the
    number purged.
    """
    cutoff = (now or clock.now()) - timedelta(days=settings.PORTCULLIS_SECRET_RETENTION_DAYS)
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
                by_organization[organization_id].append({"name": PERSONAL_SECRET if owner_id else name, "type": secret_type})
            SecretUsage.objects.filter(secret_id__in=[row[0] for row in rows]).delete()
            Secret.objects.filter(id__in=[row[0] for row in rows]).delete()
            for organization_id, secrets in by_organization.items():
                record_batch_event(AuditAction.SECRET_PURGE, organization_id, len(secrets), secrets=secrets)
        purged += len(rows)
        batches += 1
        if on_progress:
            on_progress(purged)
    return purged


def secrets_purgeable_count(*, now=None):
    cutoff = (now or clock.now()) - timedelta(days=settings.PORTCULLIS_SECRET_RETENTION_DAYS)
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
                record_batch_event(AuditAction.SECRET_ROTATE, organization_id, count, key_id=current)
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
    now = now or clock.now()
    marked = 0
    candidates = Secret.objects.filter(
        deleted_at__isnull=True, expires_at__lte=now, expiry_recorded_at__isnull=True
    ).select_related("organization", "owner")
    for secret in candidates.iterator(chunk_size=500):
        with transaction.atomic():
            if Secret.objects.filter(pk=secret.pk, expiry_recorded_at__isnull=True).update(expiry_recorded_at=now):
                record_secret_event(AuditAction.SECRET_EXPIRE, secret, SYSTEM_PRINCIPAL, expires_at=secret.expires_at.isoformat())
                marked += 1
    return marked


def secrets_warn_expiring(*, now=None):
    """Email once per secret, some days before it expires: an organization's admins for its
    secrets, the owner for a personal one. One email per recipient list per run."""
    now = now or clock.now()
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
        Membership.objects.filter(organization=organization, role_binding__role__name__in=[ACCOUNT_HOLDER, SYS_ADMIN])
        .exclude(user__email="")
        .filter(user__is_active=True)
        .values_list("user__email", flat=True)
    )
    return tuple(sorted(set(emails)))
