"""The audit event of an operation on one secret: its name and type, never its value.

A personal secret is named only as "personal secret" in the organization's audit log, which its
owner's admins can read.
"""

from identity import audit
from identity.models import AuditEvent

PERSONAL_SECRET = "personal secret"


def audit_name(secret):
    return PERSONAL_SECRET if secret.is_personal else secret.name


def record_secret_event(action, secret, actor, **details):
    audit.record(
        action=action,
        organization=secret.organization,
        actor=actor,
        target=secret,
        target_name=audit_name(secret),
        details={"type": secret.type, "personal": secret.is_personal, **details},
    )


def record_batch_event(action, organization_id, count, **details):
    """One system event for ``count`` secrets of an organization handled in one batch."""
    AuditEvent.objects.create(
        organization_id=organization_id,
        actor_kind="system",
        actor_name="system",
        action=action,
        target_type="secret",
        target_name=f"{count} secrets",
        details={"count": count, **details},
    )
