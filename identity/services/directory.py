"""The organization's directory: members, roles, groups and resources."""

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from identity import audit
from identity.authorization import ensure_may, ensure_may_give
from identity.errors import Conflict, InvalidInput
from identity.models import AuditAction, Group, Membership, Resource, ResourceKind, Role, RoleBinding
from identity.models.resources import MAX_RESOURCE_DEPTH
from identity.permissions import ACCOUNT_HOLDER

from .invitations import invitation_create
from .role_bindings import bind_membership_role, product_by_id, set_organization_roles
from .service_tokens import roles_by_name
from .validation import clean_name, ensure_name_free, field_error, save_unique
from .vocabulary import clean_permissions

AUTH_GROUP_NAME_LENGTH = AuthGroup._meta.get_field("name").max_length
_UNCHANGED = object()

# ---------------------------------------------------------------- members


def _role_named(organization, name, field="role"):
    return roles_by_name(organization, [name] if isinstance(name, str) else name, field=field)[0]


@transaction.atomic
def member_add(*, organization, actor, username, role, email="", password=None, site_url=None):
    """Add a person; a new username creates the user (with ``password``, or none usable yet).

    An existing person is not added but invited (an ``Invitation`` is returned): their account is
    theirs, and joins only when they accept. ``site_url`` is the portal's address for the e-mail's link.
    """
    ensure_may(actor, "members:write")
    username = clean_name(username, field="username")
    role_object = _role_named(organization, role)
    ensure_may_give(actor, role_object.permissions, field="role")
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None and not Membership.objects.filter(user=user, organization=organization).exists():
        return invitation_create(organization=organization, actor=actor, user=user, role=role_object, site_url=site_url)
    if user is None:
        if email:
            try:
                validate_email(email)
            except ValidationError as error:
                raise InvalidInput("email: Enter a valid email address.", field_errors={"email": error.messages}) from error
        user = User(username=username, email=email or "")
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    if Membership.objects.filter(user=user, organization=organization).exists():
        raise Conflict(f"{username} is already a member.", field_errors={"username": ["Already a member."]})
    membership = Membership.objects.create(user=user, organization=organization)
    bind_membership_role(membership=membership, actor=actor, role=role_object)
    audit.record(
        action=AuditAction.MEMBER_ADD,
        organization=organization,
        actor=actor,
        target=membership,
        target_name=username,
        details={"role": role_object.name},
    )
    return membership


def _ensure_an_account_holder_remains(membership):
    others = Membership.objects.filter(
        organization=membership.organization, role_binding__role__name=ACCOUNT_HOLDER
    ).exclude(pk=membership.pk)
    if membership.role.name == ACCOUNT_HOLDER and not others.exists():
        raise Conflict("An organization keeps at least one Account Holder.", field_errors={"role": ["Last Account Holder."]})


@transaction.atomic
def member_update(*, membership, actor, role):
    ensure_may(actor, "members:write")
    role_object = _role_named(membership.organization, role)
    if role_object.name != ACCOUNT_HOLDER:
        _ensure_an_account_holder_remains(membership)
    previous = membership.role.name
    # Taking a role away is also a change of what the member holds: only someone holding it may.
    ensure_may_give(actor, membership.role.permissions, field="role")
    bind_membership_role(membership=membership, actor=actor, role=role_object)
    audit.record(
        action=AuditAction.MEMBER_UPDATE,
        organization=membership.organization,
        actor=actor,
        target=membership,
        target_name=membership.user.username,
        details={"role": role_object.name, "previous_role": previous},
    )
    return membership


@transaction.atomic
def member_remove(*, membership, actor):
    ensure_may(actor, "members:write")
    _ensure_an_account_holder_remains(membership)
    ensure_may_give(actor, membership.role.permissions, field="role")
    organization, user = membership.organization, membership.user
    for group in Group.objects.filter(organization=organization, auth_group__user=user):
        group.auth_group.user_set.remove(user)
    RoleBinding.objects.filter(organization=organization, user=user).delete()
    audit.record(
        action=AuditAction.MEMBER_REMOVE,
        organization=organization,
        actor=actor,
        target=membership,
        target_name=user.username,
    )
    membership.delete()


# ---------------------------------------------------------------- roles


def _ensure_custom(role):
    if role.is_builtin:
        raise Conflict(f"The built-in role “{role.name}” cannot be changed.", field_errors={"name": ["Built-in role."]})


@transaction.atomic
def role_create(*, organization, actor, name, permissions, description="", product=None):
    ensure_may(actor, "roles:write")
    name = clean_name(name, max_length=100)
    permissions = clean_permissions(organization, permissions)
    ensure_may_give(actor, permissions, field="permissions")
    ensure_name_free(Role.objects.filter(organization=organization), name=name)
    role = Role(
        organization=organization, name=name, description=description or "", permissions=permissions,
        product=product_by_id(organization, product, field="product"),
    )
    save_unique(role)
    audit.record(
        action=AuditAction.ROLE_CREATE, organization=organization, actor=actor, target=role,
        details={"permissions": role.permissions},
    )
    return role


@transaction.atomic
def role_update(*, role, actor, name=None, permissions=None, description=None, product=_UNCHANGED):
    ensure_may(actor, "roles:write")
    _ensure_custom(role)
    if product is not _UNCHANGED:
        product = product_by_id(role.organization, product, field="product")
        # Bindings of a product's role are contained in the product: moving a bound role would break that.
        if product != role.product and role.bindings.exists():
            raise Conflict(
                f"The role “{role.name}” is bound: its product changes only while it is not.",
                field_errors={"product": ["Still bound; remove its bindings first."]},
            )
        role.product = product
    if name is not None:
        role.name = clean_name(name, max_length=100)
        ensure_name_free(Role.objects.filter(organization=role.organization), name=role.name, exclude_pk=role.pk)
    if permissions is not None:
        permissions = clean_permissions(role.organization, permissions)
        # A role change reaches every binding of it: the actor must hold what it adds and removes.
        ensure_may_give(actor, set(permissions) ^ set(role.permissions), field="permissions")
        role.permissions = permissions
    if description is not None:
        role.description = description
    save_unique(role)
    audit.record(
        action=AuditAction.ROLE_UPDATE, organization=role.organization, actor=actor, target=role,
        details={"permissions": role.permissions, "product": role.product_id},
    )
    return role


@transaction.atomic
def role_delete(*, role, actor):
    ensure_may(actor, "roles:write")
    _ensure_custom(role)
    if role.bindings.exists():
        raise Conflict(f"The role “{role.name}” is still bound to someone.", field_errors={"name": ["In use."]})
    audit.record(action=AuditAction.ROLE_DELETE, organization=role.organization, actor=actor, target=role)
    role.delete()


# ---------------------------------------------------------------- groups


def _members_by_username(organization, usernames):
    if not isinstance(usernames, (list, tuple)) or not all(isinstance(u, str) for u in usernames):
        raise InvalidInput("members: give a list of usernames.", field_errors={"members": ["Give a list of usernames."]})
    users = {
        m.user.username: m.user
        for m in Membership.objects.select_related("user").filter(organization=organization, user__username__in=usernames)
    }
    unknown = sorted(set(usernames) - set(users))
    if unknown:
        message = f"Not a member of this organization: {', '.join(unknown[:5])}."
        raise InvalidInput(f"members: {message}", field_errors={"members": [message]})
    return list(users.values())


def _roles_or_empty(organization, names):
    return roles_by_name(organization, names) if names else []


def _auth_group_name(organization_id, name):
    """A unique auth Group name: those are global and at most 150 characters.

    Long names get a digest up front, so that cutting them to length never makes two alike.
    """
    full = f"org{organization_id}:{name}"
    if len(full) <= AUTH_GROUP_NAME_LENGTH:
        return full
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return f"org{organization_id}:{digest}:{name}"[:AUTH_GROUP_NAME_LENGTH]


def _ensure_may_add_members(actor, group, role_objects):
    """Putting someone in a group gives them its roles: the actor must hold them."""
    ensure_may_give(actor, {p for role in role_objects for p in role.permissions}, field="members")
    on_resources = RoleBinding.objects.filter(group=group, resource__isnull=False).select_related("role", "resource")
    for binding in on_resources:
        given = set(binding.permissions) | set(binding.role.permissions if binding.role_id else ())
        ensure_may_give(actor, given, resource=binding.resource, field="members")


@transaction.atomic
def group_create(*, organization, actor, name, roles=(), members=()):
    ensure_may(actor, "groups:write")
    name = clean_name(name)
    ensure_name_free(Group.objects.filter(organization=organization), name=name)
    role_objects = _roles_or_empty(organization, list(roles))
    users = _members_by_username(organization, list(members))
    auth_group = AuthGroup.objects.create(name=_auth_group_name(organization.pk, name))
    group = Group(organization=organization, name=name, auth_group=auth_group)
    save_unique(group)
    set_organization_roles(organization=organization, actor=actor, subject=group, roles=role_objects)
    if users:
        _ensure_may_add_members(actor, group, role_objects)
    auth_group.user_set.set(users)
    audit.record(
        action=AuditAction.GROUP_CREATE, organization=organization, actor=actor, target=group,
        details={"roles": sorted(r.name for r in role_objects), "members": sorted(u.username for u in users)},
    )
    return group


@transaction.atomic
def group_update(*, group, actor, name=None, roles=None, members=None):
    ensure_may(actor, "groups:write")
    details = {}
    if name is not None:
        group.name = clean_name(name)
        ensure_name_free(Group.objects.filter(organization=group.organization), name=group.name, exclude_pk=group.pk)
        group.auth_group.name = _auth_group_name(group.organization_id, group.name)
        group.auth_group.save(update_fields=["name"])
        details["name"] = group.name
    save_unique(group)
    if roles is not None:
        role_objects = _roles_or_empty(group.organization, list(roles))
        set_organization_roles(organization=group.organization, actor=actor, subject=group, roles=role_objects)
        details["roles"] = sorted(r.name for r in role_objects)
    if members is not None:
        users = _members_by_username(group.organization, list(members))
        if set(users) - set(group.auth_group.user_set.all()):
            _ensure_may_add_members(actor, group, group.organization_roles)
        group.auth_group.user_set.set(users)
        details["members"] = sorted(u.username for u in users)
    audit.record(action=AuditAction.GROUP_UPDATE, organization=group.organization, actor=actor, target=group, details=details)
    return group


@transaction.atomic
def group_delete(*, group, actor):
    ensure_may(actor, "groups:write")
    audit.record(action=AuditAction.GROUP_DELETE, organization=group.organization, actor=actor, target=group)
    auth_group = group.auth_group
    group.delete()
    auth_group.delete()


# ---------------------------------------------------------------- resources


def _clean_kind(organization, kind):
    """A kind the organization has declared (``resource-kinds/``), not free text."""
    if not isinstance(kind, str) or not kind.strip():
        raise InvalidInput("kind is required.", field_errors={"kind": ["This field is required."]})
    kind = kind.strip()
    if "\x00" in kind or not ResourceKind.objects.filter(organization=organization, name=kind).exists():
        declared = ", ".join(ResourceKind.objects.filter(organization=organization).values_list("name", flat=True))
        raise field_error("kind", f"No such resource kind. Declared kinds: {declared or 'none'}.")
    return kind


def _clean_parent(organization, parent, resource=None):
    if parent is None:
        return None
    if not isinstance(parent, Resource) or parent.organization_id != organization.pk:
        raise InvalidInput("parent: no such resource.", field_errors={"parent": ["No such resource."]})
    ancestors = parent.ancestor_ids()
    if resource is not None and resource.pk in ancestors:
        raise InvalidInput("parent: a resource cannot be below itself.", field_errors={"parent": ["Would make a cycle."]})
    if len(ancestors) >= MAX_RESOURCE_DEPTH:
        message = f"Resources nest at most {MAX_RESOURCE_DEPTH} levels deep."
        raise InvalidInput(f"parent: {message}", field_errors={"parent": [message]})
    return parent


def _ensure_resource_name_free(organization, kind, name, exclude_pk=None):
    others = Resource.objects.filter(organization=organization, kind=kind)
    ensure_name_free(others, name=name, exclude_pk=exclude_pk)


@transaction.atomic
def resource_create(*, organization, actor, kind, name, parent=None):
    ensure_may(actor, "resources:write", parent)
    kind = _clean_kind(organization, kind)
    name = clean_name(name, max_length=200)
    parent = _clean_parent(organization, parent)
    _ensure_resource_name_free(organization, kind, name)
    resource = Resource(organization=organization, kind=kind, name=name, parent=parent)
    save_unique(resource)
    audit.record(
        action=AuditAction.RESOURCE_CREATE, organization=organization, actor=actor, target=resource,
        details={"parent": parent and str(parent)},
    )
    return resource


@transaction.atomic
def resource_update(*, resource, actor, kind=None, name=None, parent=_UNCHANGED):
    ensure_may(actor, "resources:write", resource)
    if kind is not None:
        resource.kind = _clean_kind(resource.organization, kind)
    if name is not None:
        resource.name = clean_name(name, max_length=200)
    if parent is not _UNCHANGED:
        resource.parent = _clean_parent(resource.organization, parent, resource)
        ensure_may(actor, "resources:write", resource.parent)
    _ensure_resource_name_free(resource.organization, resource.kind, resource.name, exclude_pk=resource.pk)
    save_unique(resource)
    audit.record(action=AuditAction.RESOURCE_UPDATE, organization=resource.organization, actor=actor, target=resource)
    return resource


@transaction.atomic
def resource_delete(*, resource, actor):
    # Its bindings, and those below it, go with it (they cascade): nothing keeps a deleted grant.
    ensure_may(actor, "resources:write", resource)
    audit.record(
        action=AuditAction.RESOURCE_DELETE, organization=resource.organization, actor=actor, target=resource,
        details={"descendants_removed": resource.children.exists()},
    )
    resource.delete()
