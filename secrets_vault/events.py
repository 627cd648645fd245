"""The audit event of an operation on one secret: its name and type, never its value.

A personal secret is named only as "personal secret" in the organization's audit log, which its
owner's admins can read.
"""

from identity import audit


def audit_name(secret):
    return "personal secret" if secret.is_personal else secret.name


def record_secret_event(action, secret, actor, **details):
    audit.record(
        action=action,
        organization=secret.organization,
        actor=actor,
        target=secret,
        target_name=audit_name(secret),
        details={"type": secret.type, "personal": secret.is_personal, **details},
    )
