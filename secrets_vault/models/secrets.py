"""Secrets: an encrypted payload of one of five types, with non-secret metadata beside it."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

EXPIRING_SOON_DAYS = 14


class SecretType(models.TextChoices):
    API_KEY = "api_key", "API Key"
    BEARER_TOKEN = "bearer_token", "Bearer Token"
    CLIENT_CREDENTIALS = "client_credentials", "Client Credentials"
    CERTIFICATE = "certificate", "Certificate"
    KEY_VALUE = "key_value", "Key/Value"


class SecretStatus(models.TextChoices):
    """The stored state a person sets; ``Secret.display_status`` adds the expiry-derived ones."""

    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"


class DisplayStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    EXPIRING_SOON = "expiring_soon", "Expiring soon"
    EXPIRED = "expired", "Expired"


class Secret(models.Model):
    """A secret of an organization (``owner`` empty) or of one member's profile (``owner`` set).

    The primary key is a UUID chosen before the row is saved: the ciphertext's associated data
    binds the row id, so the payload can be encrypted before the single INSERT (no second write,
    no window where a row exists without its ciphertext), and ids in URLs reveal no counts.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("identity.Organization", on_delete=models.CASCADE, related_name="secrets")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="personal_secrets"
    )
    name = models.CharField(max_length=150)
    type = models.CharField(max_length=32, choices=SecretType.choices)
    ciphertext = models.BinaryField(editable=False)
    nonce = models.BinaryField(max_length=12, editable=False)
    key_id = models.CharField(max_length=16, editable=False, db_index=True)
    # Non-secret facts only: header name, scopes, certificate fields, the keys of key/value pairs.
    metadata = models.JSONField(default=dict, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    status = models.CharField(max_length=16, choices=SecretStatus.choices, default=SecretStatus.ACTIVE)
    expiry_recorded_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                condition=Q(deleted_at__isnull=True, owner__isnull=True),
                name="secret_name_unique_per_org",
            ),
            models.UniqueConstraint(
                fields=["organization", "owner", "name"],
                condition=Q(deleted_at__isnull=True, owner__isnull=False),
                name="secret_name_unique_per_owner",
            ),
        ]
        indexes = [models.Index(fields=["organization", "owner", "deleted_at"], name="secret_visible_idx")]

    def __str__(self):
        return self.name

    @property
    def is_personal(self):
        return self.owner_id is not None

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    def associated_data(self):
        """What the ciphertext is bound to: moving it to another row or organization breaks it."""
        return f"portcullis.secret.v1|{self.organization_id}|{self.pk}|{self.type}".encode()

    def display_status(self, now=None):
        now = now or timezone.now()
        if self.status == SecretStatus.INACTIVE:
            return DisplayStatus.INACTIVE
        if self.expires_at is not None:
            if self.expires_at <= now:
                return DisplayStatus.EXPIRED
            if self.expires_at <= now + timedelta(days=EXPIRING_SOON_DAYS):
                return DisplayStatus.EXPIRING_SOON
        return DisplayStatus.ACTIVE


def display_status_q(status, now):
    """The filter matching ``Secret.display_status() == status``."""
    soon = now + timedelta(days=EXPIRING_SOON_DAYS)
    active = Q(status=SecretStatus.ACTIVE)
    if status == DisplayStatus.INACTIVE:
        return Q(status=SecretStatus.INACTIVE)
    if status == DisplayStatus.EXPIRED:
        return active & Q(expires_at__lte=now)
    if status == DisplayStatus.EXPIRING_SOON:
        return active & Q(expires_at__gt=now, expires_at__lte=soon)
    return active & (Q(expires_at__isnull=True) | Q(expires_at__gt=soon))
