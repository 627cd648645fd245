"""What an organization's home page reads: what expires soon, what changed lately, what is live.

Each reader starts from the principal and shows only what it may read. ``expiring_items`` is the
one list of things that expire: a new kind of expiring thing (client keys in rotation) is one more
``_expiring_*`` reader added to ``EXPIRING_READERS``; the page and its tests need no change.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from oauth2_provider.models import AccessToken

from identity import clock
from identity.audit_targets import describe_targets
from identity.authorization import may
from identity.models import AuditEvent, ServiceCredential, ServiceToken

EXPIRING_WITHIN_DAYS = 30
RECENT_ACTIVITY = 10


@dataclass(frozen=True)
class ExpiringItem:
    kind: str  # as a person says it: "Service credential", "Certificate"…
    name: str
    expires_at: datetime
    url: str


def _expiring_credentials(principal, organization, now, until):
    if not may(principal, "service_credentials:read"):
        return []
    credentials = ServiceCredential.objects.filter(
        organization=organization, status=ServiceCredential.Status.ACTIVE, expires_at__gt=now, expires_at__lte=until
    ).only("pk", "name", "expires_at")
    return [
        ExpiringItem("Service credential", c.name, c.expires_at,
                     reverse("portal:service_credential_detail", kwargs={"org": organization.slug, "pk": c.pk}))
        for c in credentials
    ]


def _expiring_service_tokens(principal, organization, now, until):
    if not may(principal, "service_tokens:read"):
        return []
    tokens = ServiceToken.objects.filter(organization=organization, expires_at__gt=now, expires_at__lte=until)
    url = reverse("portal:service_token_list", kwargs={"org": organization.slug})
    return [ExpiringItem("Service token", t.name, t.expires_at, url) for t in tokens.only("pk", "name", "expires_at")]


def _expiring_secrets(principal, organization, now, until):
    # Imported here: the vault app builds on identity, not the other way round.
    from secrets_vault.models import Secret, SecretStatus, SecretType

    visible = Q(owner__isnull=True) if may(principal, "secrets:read") else Q(pk__in=[])
    if principal.user is not None and getattr(principal.user, "pk", None) is not None:
        visible |= Q(owner=principal.user)  # one's own personal secrets, whatever one's role
    secrets = Secret.objects.filter(
        visible, organization=organization, deleted_at__isnull=True, status=SecretStatus.ACTIVE,
        expires_at__gt=now, expires_at__lte=until,
    ).only("pk", "name", "type", "expires_at", "owner_id")
    return [
        ExpiringItem(
            ("Certificate" if s.type == SecretType.CERTIFICATE else "Secret") + (" (personal)" if s.owner_id else ""),
            s.name, s.expires_at, reverse("vault:secret_detail", kwargs={"org": organization.slug, "pk": s.pk}),
        )
        for s in secrets
    ]


EXPIRING_READERS = (_expiring_credentials, _expiring_service_tokens, _expiring_secrets)


def expiring_items(*, principal, within_days=EXPIRING_WITHIN_DAYS, now=None):
    """Everything the principal may read that expires in the next ``within_days`` days, soonest first."""
    now = now or clock.now()
    until = now + timedelta(days=within_days)
    items = [item for reader in EXPIRING_READERS for item in reader(principal, principal.organization, now, until)]
    return sorted(items, key=lambda item: (item.expires_at, item.kind, item.name))


def recent_activity(*, principal, limit=RECENT_ACTIVITY):
    """``[(event, Target)]``: the organization's last audit events, their targets named and linked as the
    audit log shows them; [] without audit_events:read."""
    if not may(principal, "audit_events:read"):
        return []
    events = AuditEvent.objects.filter(organization=principal.organization).order_by("-created_at", "-id")[:limit]
    return describe_targets(events, organization=principal.organization)


def live_counts(*, principal, now=None):
    """How many credentials are active, how many of their access tokens and service tokens are live."""
    now, organization = now or clock.now(), principal.organization
    counts = {}
    if may(principal, "service_credentials:read"):
        active = ServiceCredential.objects.filter(organization=organization, status=ServiceCredential.Status.ACTIVE)
        counts["active_credentials"] = active.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).count()
        counts["live_access_tokens"] = AccessToken.objects.filter(
            application__service_credential__organization=organization, expires__gt=now
        ).count()
    if may(principal, "service_tokens:read"):
        counts["live_service_tokens"] = ServiceToken.objects.filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now), organization=organization
        ).count()
    return counts
