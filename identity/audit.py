"""Writing audit events, with where the request came from.

Services call ``record`` inside their own transaction. The request's address and id come from a
context variable that ``RequestContextMiddleware`` sets, so services need not pass requests around.
"""

import contextvars
from dataclasses import dataclass

from identity.models import AuditEvent
from identity.principals import SYSTEM_PRINCIPAL, actor_user


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    request_id: str = ""


current_request = contextvars.ContextVar("portcullis_request_context", default=RequestContext())


def record(*, action, organization=None, actor=None, target=None, target_name=None, details=None):
    actor = actor or SYSTEM_PRINCIPAL
    context = current_request.get()
    return AuditEvent.objects.create(
        organization=organization,
        actor_user=actor_user(actor),
        actor_kind=actor.kind,
        actor_name=actor.name[:200],
        action=action,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_name=(target_name if target_name is not None else str(target) if target is not None else "")[:300],
        details=details or {},
        ip_address=context.ip_address,
        request_id=context.request_id,
    )
