"""Every operation that changes identity state; each writes its audit event in its transaction."""

from .directory import (
    group_create,
    group_delete,
    group_update,
    member_add,
    member_remove,
    member_update,
    resource_create,
    resource_delete,
    resource_update,
    role_create,
    role_delete,
    role_update,
)
from .credential_access import service_credential_check_access
from .invitations import invitation_accept, invitation_by_token, invitation_cancel, invitation_decline
from .organizations import account_holder_create, organization_create
from .resource_kinds import resource_kind_create, resource_kind_delete, resource_kind_update
from .service_credentials import (
    oauth_housekeeping,
    service_credential_check_name,
    service_credential_create,
    service_credential_delete,
    service_credential_disable,
    service_credential_enable,
    service_credential_regenerate_secret,
    service_credential_revoke,
    service_credential_update,
    service_credentials_expire,
)
from .service_tokens import (
    bootstrap_token_ensure,
    service_token_authenticate,
    service_token_create,
    service_token_delete,
)

__all__ = [
    "account_holder_create",
    "bootstrap_token_ensure",
    "group_create",
    "group_delete",
    "group_update",
    "invitation_accept",
    "invitation_by_token",
    "invitation_cancel",
    "invitation_decline",
    "member_add",
    "member_remove",
    "member_update",
    "organization_create",
    "oauth_housekeeping",
    "resource_create",
    "resource_delete",
    "resource_kind_create",
    "resource_kind_delete",
    "resource_kind_update",
    "resource_update",
    "role_create",
    "role_delete",
    "role_update",
    "service_credential_check_access",
    "service_credential_check_name",
    "service_credential_create",
    "service_credential_delete",
    "service_credential_disable",
    "service_credential_enable",
    "service_credential_regenerate_secret",
    "service_credential_revoke",
    "service_credential_update",
    "service_credentials_expire",
    "service_token_authenticate",
    "service_token_create",
    "service_token_delete",
]
