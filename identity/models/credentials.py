"""Service credentials: OAuth2 clients for machines, and the JWT ids they have used."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from oauth2_provider.models import Application

from identity import clock

from .groups import Group
from .organizations import Organization
from .resources import Resource

VALIDITY_DAYS = {"30d": 30, "90d": 90, "180d": 180, "365d": 365, "never": None}
TOKEN_LIFETIMES = {"15m": 15 * 60, "1h": 3600, "2h": 2 * 3600, "8h": 8 * 3600, "24h": 24 * 3600}


class ServiceCredential(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        DISABLED = "disabled"
        REVOKED = "revoked"
        EXPIRED = "expired"

    class AuthMethod(models.TextChoices):
        CLIENT_SECRET_BASIC = "client_secret_basic"
        CLIENT_SECRET_POST = "client_secret_post"
        PRIVATE_KEY_JWT = "private_key_jwt"

    # No organization: a root credential with platform-wide permissions (superusers only).
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="service_credentials"
    )
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True, max_length=2000)
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="service_credential")
    service_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_credential"
    )
    validity = models.CharField(max_length=8, choices=[(k, k) for k in VALIDITY_DAYS], default="90d")
    expires_at = models.DateTimeField(null=True, blank=True)
    token_lifetime = models.CharField(max_length=4, choices=[(k, k) for k in TOKEN_LIFETIMES], default="1h")
    groups = models.ManyToManyField(Group, blank=True, related_name="service_credentials")
    bound_resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.SET_NULL, related_name="bound_credentials",
        help_text="When set, the credential's permissions count only inside this resource.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    auth_method = models.CharField(max_length=32, choices=AuthMethod.choices, default=AuthMethod.CLIENT_SECRET_BASIC)
    jwks = models.JSONField(default=dict, blank=True, help_text="Public keys for private_key_jwt.")
    # private_key_jwt keys published by the client itself (fetched and cached by identity.oauth.remote_keys).
    jwks_uri = models.URLField(max_length=2000, blank=True, default="")
    # External token issuers whose tokens stand in for a key: [{"issuer", "audience", "subject", "claims"}].
    federated_trusts = models.JSONField(default=list, blank=True)
    # A root credential's platform permissions, exactly as given at creation; [] in an organization.
    platform_permissions = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="service_credential_name_unique_per_org"),
            # NULLs are distinct in the constraint above: root credentials need their own.
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(organization__isnull=True), name="root_service_credential_name_unique"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def client_id(self):
        """The newest client key's id: ``application`` is always the newest key's (``ClientKey``)."""
        return self.application.client_id

    @property
    def realm(self):
        return self.organization.slug if self.organization_id else "root"

    @property
    def token_lifetime_seconds(self):
        return TOKEN_LIFETIMES[self.token_lifetime]

    def is_live(self, now=None):
        """May it get tokens, and may its tokens be used? Expiry counts even before the task runs."""
        now = now or clock.now()
        return self.status == self.Status.ACTIVE and (self.expires_at is None or self.expires_at > now)

    @property
    def effective_status(self):
        """The status as users see it: an active credential past its validity is expired already."""
        return self.Status.EXPIRED if self.status == self.Status.ACTIVE and not self.is_live() else self.status

    def seconds_left(self, now=None):
        if self.expires_at is None:
            return None
        return max(0, int((self.expires_at - (now or clock.now())).total_seconds()))


class ClientKey(models.Model):
    """One client id + key pair of a credential, as AWS access keys: two are live during a rotation.

    Each is its own django-oauth-toolkit Application (client id, hashed key), so the tokens a key
    issued belong to it and end with it. A key ends at ``expires_at`` (the end of a grace period)
    or when it is retired; ``retired_at`` records when it ended, whichever way. The validator's
    lookups join through this table and refuse an ended key and its tokens at the next request.
    """

    credential = models.ForeignKey(ServiceCredential, on_delete=models.CASCADE, related_name="client_keys")
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="client_key")
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.application.client_id

    @property
    def client_id(self):
        return self.application.client_id

    def is_live(self, now=None):
        now = now or clock.now()
        return self.retired_at is None and (self.expires_at is None or self.expires_at > now)


def expiry_for(validity, start=None):
    days = VALIDITY_DAYS[validity]
    return None if days is None else (start or timezone.now()) + timedelta(days=days)


class UsedClientAssertion(models.Model):
    """A `jti` of a private_key_jwt assertion, kept until the assertion expires, so it works once."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    jti_digest = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "jti_digest"], name="client_assertion_jti_once"),
        ]
