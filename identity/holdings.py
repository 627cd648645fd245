"""What a subject holds: its role bindings and its groups', read in one query.

Every permission anyone holds comes from role bindings (``identity.models.RoleBinding``): at the
organization, or on a resource and everything below it. This module reads them for a person, a
service credential or a service token and folds them into ``Holdings``; ``identity.authorization``
answers questions with them. Plain SQL: it runs on every authenticated request, and one
statement with the role joined in answers it whatever the number of bindings or groups.
"""

import json
from dataclasses import dataclass, field

from django.db import connection

_SELECT = """
SELECT binding.resource_id, binding.permissions, role.permissions, role.product_id,
       binding.group_id, binding.membership_id, resource.kind, resource.name
FROM identity_rolebinding AS binding
LEFT JOIN identity_role AS role ON role.id = binding.role_id
LEFT JOIN identity_resource AS resource ON resource.id = binding.resource_id
"""

_OF_CREDENTIAL = _SELECT + """
WHERE binding.service_credential_id = %s
   OR binding.group_id IN (
       SELECT group_id FROM identity_servicecredential_groups WHERE servicecredential_id = %s
   )
"""

_OF_PERSON = _SELECT + """
WHERE binding.organization_id = %s
  AND (binding.user_id = %s
       OR binding.group_id IN (
           SELECT portcullis_group.id
           FROM identity_group AS portcullis_group
           JOIN auth_user_groups AS member ON member.group_id = portcullis_group.auth_group_id
           WHERE member.user_id = %s AND portcullis_group.organization_id = %s
       ))
"""

_OF_SERVICE_TOKEN = _SELECT + "WHERE binding.service_token_id = %s"


@dataclass(frozen=True)
class Holdings:
    """Permissions held at the organization, and on resources (each holding below it too)."""

    organization_wide: frozenset = frozenset()
    on_resources: dict = field(default_factory=dict)  # resource id -> frozenset of permissions
    resource_labels: dict = field(default_factory=dict)  # resource id -> "kind/name"
    is_member: bool = False

    def everything(self):
        """Every permission held anywhere: the most an access token may carry as scopes."""
        held = set(self.organization_wide)
        for permissions in self.on_resources.values():
            held |= permissions
        return held


def _as_list(value):
    # SQLite hands JSON columns back as text; psycopg decodes them already.
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


def _fold(rows, *, bound_resource_id=None):
    organization_wide, on_resources, labels, is_member = set(), {}, {}, False
    for resource_id, own, role_permissions, product_id, group_id, membership_id, kind, name in rows:
        is_member = is_member or membership_id is not None
        own, from_role = set(_as_list(own)), set(_as_list(role_permissions))
        if bound_resource_id is not None:
            # A product-bound credential holds only its product's roles, and nothing organization-wide.
            if resource_id is None:
                continue
            from_role = from_role if product_id == bound_resource_id else set()
            own = set() if group_id is not None else own
        permissions = own | from_role
        if not permissions:
            continue
        if resource_id is None:
            organization_wide |= permissions
        else:
            on_resources.setdefault(resource_id, set()).update(permissions)
            labels[resource_id] = f"{kind}/{name}"
    return Holdings(
        organization_wide=frozenset(organization_wide),
        on_resources={pk: frozenset(permissions) for pk, permissions in on_resources.items()},
        resource_labels=labels,
        is_member=is_member,
    )


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def holdings_of_credential(credential):
    rows = _rows(_OF_CREDENTIAL, [credential.pk, credential.pk])
    return _fold(rows, bound_resource_id=credential.bound_resource_id)


def holdings_of_person(user, organization):
    return _fold(_rows(_OF_PERSON, [organization.pk, user.pk, user.pk, organization.pk]))


def holdings_of_service_token(token):
    return _fold(_rows(_OF_SERVICE_TOKEN, [token.pk]))
