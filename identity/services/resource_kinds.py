"""Resource kinds: what an organization's resources can be, and the actions that can be given on them.

A kind's actions are the resource permissions the organization may give (``projects:deploy``), so
changing a kind must never leave a resource, role or binding pointing at something undeclared:
a kind in use keeps its name, and an action in use stays until nothing holds it.
"""

import re

from django.db import transaction

from identity import audit
from identity.authorization import ensure_may
from identity.errors import Conflict
from identity.models import AuditAction, Resource, ResourceKind, Role, RoleBinding
from identity.permissions import PLATFORM_KINDS, PLATFORM_PERMISSIONS

from .validation import ensure_name_free, field_error, save_unique

WORD = re.compile(r"[a-z][a-z0-9_]*")
MAX_NAME_LENGTH = ResourceKind._meta.get_field("name").max_length
# Permissions are stored and accepted up to 100 characters: a 50-character kind, ":" and 49 more.
MAX_ACTION_LENGTH = 49
MAX_ACTIONS = 50
# Kinds the platform's own permissions use: declaring one would let resource permissions (and
# ``resources:write``, which holds every resource kind's actions) pass for platform permissions.
RESERVED_KINDS = frozenset(PLATFORM_KINDS) | {p.split(":", 1)[0] for p in PLATFORM_PERMISSIONS} | {
    "root_service_credentials"
}


def _clean_kind_name(name):
    if not isinstance(name, str) or not name.strip():
        raise field_error("name", "This field is required.")
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise field_error("name", f"Ensure this field has no more than {MAX_NAME_LENGTH} characters.")
    if not WORD.fullmatch(name):
        raise field_error("name", "Use lower-case letters, digits and underscores, starting with a letter, in the plural (e.g. studios).")
    if name in RESERVED_KINDS:
        raise field_error("name", f"“{name}” is a kind of the platform's own permissions; choose another name.")
    return name


def _clean_actions(actions):
    if not isinstance(actions, (list, tuple)) or not all(isinstance(a, str) for a in actions):
        raise field_error("actions", "Give a list of actions, e.g. [\"read\", \"write\", \"deploy\"].")
    actions = sorted({a.strip() for a in actions})
    if not actions:
        raise field_error("actions", "Give at least one action.")
    if len(actions) > MAX_ACTIONS:
        raise field_error("actions", f"Give at most {MAX_ACTIONS} actions.")
    too_long = [a for a in actions if len(a) > MAX_ACTION_LENGTH]
    if too_long:
        raise field_error("actions", f"An action has at most {MAX_ACTION_LENGTH} characters: {too_long[0][:60]}….")
    malformed = [a for a in actions if not WORD.fullmatch(a)]
    if malformed:
        shown = ", ".join(repr(a) for a in malformed[:5])
        raise field_error("actions", f"Use lower-case letters, digits and underscores, starting with a letter: {shown}.")
    return actions


def _holders(organization, permissions):
    """``{permission: ["role deployer", "2 role bindings"…]}`` for those still held somewhere."""
    wanted, held = set(permissions), {}
    for name, role_permissions in Role.objects.filter(organization=organization).values_list("name", "permissions"):
        for permission in wanted.intersection(role_permissions):
            held.setdefault(permission, []).append(f"role {name}")
    binding_counts = {}
    bindings = RoleBinding.objects.filter(organization=organization).exclude(permissions=[])
    for binding_permissions in bindings.values_list("permissions", flat=True):
        for permission in wanted.intersection(binding_permissions):
            binding_counts[permission] = binding_counts.get(permission, 0) + 1
    for permission, count in binding_counts.items():
        held.setdefault(permission, []).append(f"{count} role binding{'s' if count != 1 else ''}")
    return held


def _ensure_not_held(organization, permissions, *, field, doing):
    held = _holders(organization, permissions)
    if held:
        given = "; ".join(f"{permission} by {', '.join(held[permission][:3])}" for permission in sorted(held)[:3])
        message = f"Cannot {doing}: still given ({given}). Take it out of those first."
        raise Conflict(message, field_errors={field: [message]})


def _ensure_no_resources(kind, *, field, doing):
    count = Resource.objects.filter(organization_id=kind.organization_id, kind=kind.name).count()
    if count:
        message = f"Cannot {doing}: {count} resource{'s are' if count != 1 else ' is'} of kind {kind.name}."
        raise Conflict(message, field_errors={field: [message]})


def _locked(kind):
    """The kind's row, locked: two changes of one kind (or a change and a delete) go one after the other."""
    return ResourceKind.objects.select_for_update().get(pk=kind.pk)


@transaction.atomic
def resource_kind_create(*, organization, actor, name, actions):
    ensure_may(actor, "resources:write")
    name = _clean_kind_name(name)
    actions = _clean_actions(actions)
    ensure_name_free(ResourceKind.objects.filter(organization=organization), name=name)
    kind = ResourceKind(organization=organization, name=name, actions=actions)
    save_unique(kind)
    audit.record(
        action=AuditAction.RESOURCE_KIND_CREATE, organization=organization, actor=actor, target=kind,
        details={"actions": actions},
    )
    return kind


@transaction.atomic
def resource_kind_update(*, kind, actor, name=None, actions=None):
    """Rename a kind nothing uses yet, or change its actions; an action still given stays (409)."""
    ensure_may(actor, "resources:write")
    kind = _locked(kind)
    previous_name, previous_actions = kind.name, list(kind.actions)
    details = {}
    new_name = _clean_kind_name(name) if name is not None else kind.name
    if new_name != kind.name:
        doing = f"rename {kind.name}"
        _ensure_no_resources(kind, field="name", doing=doing)
        _ensure_not_held(kind.organization, kind.permissions, field="name", doing=doing)
        ensure_name_free(ResourceKind.objects.filter(organization=kind.organization_id), name=new_name, exclude_pk=kind.pk)
        kind.name = new_name
        details.update(name=new_name, previous_name=previous_name)
    if actions is not None:
        actions = _clean_actions(actions)
        removed = [f"{previous_name}:{action}" for action in previous_actions if action not in actions]
        _ensure_not_held(kind.organization, removed, field="actions", doing="remove that action")
        kind.actions = actions
        details.update(actions=actions, previous_actions=previous_actions)
    save_unique(kind)
    audit.record(
        action=AuditAction.RESOURCE_KIND_UPDATE, organization=kind.organization, actor=actor, target=kind, details=details
    )
    return kind


@transaction.atomic
def resource_kind_delete(*, kind, actor):
    ensure_may(actor, "resources:write")
    kind = _locked(kind)
    doing = f"delete {kind.name}"
    _ensure_no_resources(kind, field="name", doing=doing)
    _ensure_not_held(kind.organization, kind.permissions, field="name", doing=doing)
    audit.record(
        action=AuditAction.RESOURCE_KIND_DELETE, organization=kind.organization, actor=actor, target=kind,
        details={"actions": list(kind.actions)},
    )
    kind.delete()
