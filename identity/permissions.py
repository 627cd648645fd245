"""The permission vocabulary: `<kinds>:<action>` strings, which are also the OAuth2 scopes.

Portal and API objects have a fixed catalogue (below). Resource kinds (studios, products, …) are
open-ended: any string of the same shape may be granted on a resource, e.g. `studios:create`.
"""

import re

PERMISSION_PATTERN = re.compile(r"^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$")

PLATFORM_KINDS = (
    "members",
    "groups",
    "resources",
    "roles",
    "service_credentials",
    "service_tokens",
    "secrets",
    "audit_events",
)
ACTIONS = ("read", "write")

CATALOGUE = tuple(f"{kind}:{action}" for kind in PLATFORM_KINDS for action in ACTIONS)

# Platform-wide permissions, outside every organization: held by superusers, and by each root
# service credential as given at its creation. No organization's role or binding can hold them.
PLATFORM_PERMISSIONS = (
    "organizations:read",
    "organizations:write",
    "root_service_credentials:read",
    "root_service_credentials:write",
)

ACCOUNT_HOLDER = "account_holder"
SYS_ADMIN = "sys_admin"
ACCOUNT_MANAGER = "account_manager"
MEMBER = "member"

BUILTIN_ROLES = {
    ACCOUNT_HOLDER: {
        "description": "Owns the organization: every permission.",
        "permissions": CATALOGUE,
    },
    SYS_ADMIN: {
        "description": "Administers identities, credentials, tokens and secrets.",
        "permissions": CATALOGUE,
    },
    ACCOUNT_MANAGER: {
        "description": "Manages the organization's secrets and reads its directory.",
        "permissions": (
            "members:read",
            "groups:read",
            "resources:read",
            "roles:read",
            "secrets:read",
            "secrets:write",
            "audit_events:read",
        ),
    },
    MEMBER: {
        "description": "Reads the directory; keeps personal secrets.",
        "permissions": ("members:read", "groups:read", "resources:read", "roles:read"),
    },
}


def is_valid_permission(value):
    return isinstance(value, str) and bool(PERMISSION_PATTERN.match(value))


def required_permission(kind, method):
    """The permission an HTTP method needs on a kind: safe methods read, the rest write."""
    action = "read" if method in ("GET", "HEAD", "OPTIONS") else "write"
    return f"{kind}:{action}"
