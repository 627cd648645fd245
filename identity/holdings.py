"""What a subject holds: its role bindings and its groups', read in one query.

Every permission anyone holds comes from role bindings (``identity.models.RoleBinding``): at the
organization, or on a resource and everything below it. This module reads them for a person, a
service credential or a service token and folds them into ``Holdings``; ``identity.authorization``
answers questions with them. Plain SQL: it runs on every authenticated request. Each query is a
UNION ALL of the subject's own bindings and its groups' so that both halves use their index.

A service token's lookup by its key id reads its bindings in the same statement, with
``BINDING_COLUMNS`` and ``ROLE_AND_RESOURCE`` (its row is narrow, and tokens have few bindings),
folds them with ``holdings_from_rows`` and hands them over as the token's ``preloaded_holdings``:
the principal built for that request then needs no second query. An access token's credential
reads its own with ``holdings_of_credential`` (see ``identity.oauth.validator``).
"""

import json
from dataclasses import dataclass, field

from django.db import connection

BINDING_COLUMNS = (
    "binding.resource_id, binding.permissions, role.permissions, role.product_id,"
    " binding.group_id, binding.membership_id, resource.kind, resource.name"
)
BINDING_WIDTH = 8
ROLE_AND_RESOURCE = (
    " LEFT JOIN identity_role AS role ON role.id = binding.role_id"
    " LEFT JOIN identity_resource AS resource ON resource.id = binding.resource_id"
)

_OF_CREDENTIAL = f"""
SELECT {BINDING_COLUMNS} FROM identity_rolebinding AS binding {ROLE_AND_RESOURCE}
WHERE binding.service_credential_id = %(credential)s
UNION ALL
SELECT {BINDING_COLUMNS}
FROM identity_servicecredential_groups AS member
JOIN identity_rolebinding AS binding ON binding.group_id = member.group_id {ROLE_AND_RESOURCE}
WHERE member.servicecredential_id = %(credential)s
"""

_OF_PERSON = f"""
SELECT {BINDING_COLUMNS} FROM identity_rolebinding AS binding {ROLE_AND_RESOURCE}
WHERE binding.user_id = %(user)s AND binding.organization_id = %(organization)s
UNION ALL
SELECT {BINDING_COLUMNS}
FROM auth_user_groups AS member
JOIN identity_group AS portcullis_group ON portcullis_group.auth_group_id = member.group_id
JOIN identity_rolebinding AS binding ON binding.group_id = portcullis_group.id {ROLE_AND_RESOURCE}
WHERE member.user_id = %(user)s AND portcullis_group.organization_id = %(organization)s
"""

_OF_SERVICE_TOKEN = f"SELECT {BINDING_COLUMNS} FROM identity_rolebinding AS binding {ROLE_AND_RESOURCE} WHERE binding.service_token_id = %(token)s"


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


def _permission_sets():
    """``as_set(column)``: a JSON list column as a frozenset, each distinct value decoded once.

    SQLite hands JSON columns back as text, psycopg as lists. Many bindings repeat the same list
    (fifty bindings of one role, say), so the text is decoded once per fold, not once per row.
    """
    decoded = {}

    def as_set(value):
        if value is None:
            return frozenset()
        if not isinstance(value, str):
            return frozenset(value)
        found = decoded.get(value)
        if found is None:
            found = decoded[value] = frozenset(json.loads(value))
        return found

    return as_set


def holdings_from_rows(rows, *, bound_resource_id=None):
    """Fold rows of ``BINDING_COLUMNS`` (all NULL where a LEFT JOIN found no binding)."""
    organization_wide, on_resources, labels, is_member = set(), {}, {}, False
    as_set = _permission_sets()
    for resource_id, own, role_permissions, product_id, group_id, membership_id, kind, name in rows:
        if membership_id is not None:
            is_member = True
        own, from_role = as_set(own), as_set(role_permissions)
        if bound_resource_id is not None:
            # A product-bound credential holds only its product's roles, and nothing organization-wide.
            if resource_id is None:
                continue
            from_role = from_role if product_id == bound_resource_id else frozenset()
            own = frozenset() if group_id is not None else own
        permissions = (own | from_role) if own else from_role
        if not permissions:
            continue
        if resource_id is None:
            organization_wide |= permissions
            continue
        held = on_resources.get(resource_id)
        if held is None:
            # Most resources carry one binding: its set is kept as it is, copied only if another adds to it.
            on_resources[resource_id] = permissions
            labels[resource_id] = f"{kind}/{name}"
        elif not permissions <= held:
            on_resources[resource_id] = held | permissions
    return Holdings(
        organization_wide=frozenset(organization_wide),
        on_resources=on_resources,
        resource_labels=labels,
        is_member=is_member,
    )


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def holdings_of_credential(credential):
    rows = _rows(_OF_CREDENTIAL, {"credential": credential.pk})
    return holdings_from_rows(rows, bound_resource_id=credential.bound_resource_id)


def holdings_of_person(user, organization):
    return holdings_from_rows(_rows(_OF_PERSON, {"user": user.pk, "organization": organization.pk}))


def holdings_of_service_token(token):
    # Set by the request's own lookup (``service_token_authenticate``) on the instance it returned;
    # never stored or shared.
    held = token.__dict__.get("preloaded_holdings")
    return held if held is not None else holdings_from_rows(_rows(_OF_SERVICE_TOKEN, {"token": token.pk}))
