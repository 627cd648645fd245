"""Identity models, one module per concept."""

from .audit import AuditAction, AuditEvent
from .bindings import RoleBinding
from .credentials import ClientKey, ServiceCredential, UsedClientAssertion
from .groups import Group
from .invitations import Invitation
from .organizations import Membership, Organization, Role
from .resources import Resource, ResourceKind
from .tokens import ServiceToken

__all__ = [
    "AuditAction",
    "AuditEvent",
    "ClientKey",
    "Group",
    "Invitation",
    "Membership",
    "Organization",
    "Resource",
    "ResourceKind",
    "Role",
    "RoleBinding",
    "ServiceCredential",
    "ServiceToken",
    "UsedClientAssertion",
]
