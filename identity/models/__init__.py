"""Identity models, one module per concept."""

from .audit import AuditAction, AuditEvent
from .credentials import ServiceCredential, UsedClientAssertion
from .groups import Group
from .organizations import Membership, Organization, Role
from .resources import Resource
from .tokens import ServiceToken

__all__ = [
    "AuditAction",
    "AuditEvent",
    "Group",
    "Membership",
    "Organization",
    "Resource",
    "Role",
    "ServiceCredential",
    "ServiceToken",
    "UsedClientAssertion",
]
