"""Role bindings: giving a role or permissions to a subject, at the organization or on a resource.

Every grant in the product goes through here: a member's role, a group's and a token's roles, a
credential's resource grants and the ``role-bindings/`` API. Two rules hold for each one:
managing a subject kind's bindings somewhere needs that kind's write permission there
(``service_credentials:write`` on a project lets a project admin edit credentials' bindings on it),
and nobody gives more than they hold there (``ensure_may_give``).
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from identity import audit
from identity.authorization import ensure_may_give, may
from identity.errors import Conflict, NotPermitted
from identity.models import AuditAction, Group, Resource, Role, RoleBinding, ServiceCredential, ServiceToken
from identity.models.bindings import GROUP, SERVICE_CREDENTIAL, SERVICE_TOKEN, SUBJECT_ADMIN_KINDS, SUBJECT_KINDS, USER
from identity.models.resources import PRODUCTS
from identity.resource_tree import is_within

from .validation import field_error, is_id
from .vocabulary import clean_permissions


def subject_kind_of(subject):
    if isinstance(subject, Group):
        return GROUP
    if isinstance(subject, ServiceCredential):
        return SERVICE_CREDENTIAL
    if isinstance(subject, ServiceToken):
        return SERVICE_TOKEN
    return USER


def subject_by_id(organization, kind, subject_id, *, field="subject_id"):
    """The organization's subject of that kind; another organization's is "no such" (400)."""
    if kind not in SUBJECT_KINDS:
        raise field_error("subject_kind", f"Choose one of: {', '.join(SUBJECT_KINDS)}.")
    if not is_id(subject_id):
        raise field_error(field, "Give the subject's id.")
    if kind == USER:
        subject = get_user_model().objects.filter(
            pk=subject_id, memberships__organization=organization
        ).first()
    else:
        model = {GROUP: Group, SERVICE_CREDENTIAL: ServiceCredential, SERVICE_TOKEN: ServiceToken}[kind]
        subject = model.objects.filter(pk=subject_id, organization=organization).first()
    if subject is None:
        raise field_error(field, f"No such {kind.replace('_', ' ')} in this organization.")
    return subject


def role_by_name(organization, name, *, field="role"):
    role = Role.objects.filter(organization=organization, name=name).first() if isinstance(name, str) else None
    if role is None:
        raise field_error(field, f"No such role: {name}." if isinstance(name, str) else "Give a role name.")
    return role


def resource_by_id(organization, resource_id, *, field="resource"):
    if resource_id is None:
        return None
    resource = Resource.objects.filter(organization=organization, pk=resource_id).first() if is_id(resource_id) else None
    if resource is None:
        raise field_error(field, "No such resource.")
    return resource


def product_by_id(organization, product, *, field):
    """A product of the organization (a resource of kind ``products``), given as one or by id; None stays None."""
    if product is None:
        return None
    if not isinstance(product, Resource):
        product = resource_by_id(organization, product, field=field)
    if product.organization_id != organization.pk or product.kind != PRODUCTS:
        raise field_error(field, "Choose a resource of kind products.")
    return product


def _ensure_contained(subject, role, resource, field):
    """A product's role holds only on its product; a product-bound credential only inside its product."""
    if role is not None and role.product_id is not None:
        if resource is None or not is_within(resource.pk, role.product_id):
            raise field_error(field, f"The role {role.name} belongs to a product: bind it on that product or below.")
    bound_id = getattr(subject, "bound_resource_id", None)
    if bound_id is not None:
        if resource is None or not is_within(resource.pk, bound_id):
            raise field_error(field, "This credential is bound to a product: bind it only on that product or below.")
        if role is not None and role.product_id != bound_id:
            raise field_error(field, "A product-bound credential holds only its product's roles.")


def ensure_may_manage(actor, kind, resource, *, field="subject_kind"):
    """Managing ``kind``'s bindings at a place needs that kind's write permission there."""
    permission = f"{SUBJECT_ADMIN_KINDS[kind]}:write"
    if not may(actor, permission, resource):
        where = f" on {resource}" if resource is not None else ""
        message = f"You need the {permission} permission{where} to change these bindings."
        raise NotPermitted(message, field_errors={field: [message]})


def _given(role, permissions):
    return set(permissions) | (set(role.permissions) if role is not None else set())


def _new_binding(
    organization, actor, subject, *, role, permissions, resource, field, permissions_field=None, manage_field="subject_kind"
):
    """An unsaved binding, once the actor may make it; a refusal names ``field`` (the role's) or
    ``permissions_field`` (the single permissions'), when the request had them apart, and a
    refusal to manage names ``manage_field`` (``roles`` or ``resource_grants`` outside ``role-bindings/``)."""
    kind = subject_kind_of(subject)
    _ensure_contained(subject, role, resource, field)
    ensure_may_manage(actor, kind, resource, field=manage_field)
    if permissions_field is None:
        ensure_may_give(actor, _given(role, permissions), resource=resource, field=field)
    else:
        ensure_may_give(actor, _given(role, []), resource=resource, field=field)
        ensure_may_give(actor, permissions, resource=resource, field=permissions_field)
    return RoleBinding(
        organization=organization,
        role=role,
        permissions=sorted(permissions),
        resource=resource,
        created_by=getattr(actor, "user", None),
        **{kind: subject},
    )


def subject_name(subject):
    return getattr(subject, "username", None) or getattr(subject, "name", str(subject))


def _record(action, organization, actor, binding, subject):
    audit.record(
        action=action,
        organization=organization,
        actor=actor,
        target=binding,
        target_name=subject_name(subject),
        details={
            "subject_kind": binding.subject_kind,
            "role": binding.role.name if binding.role_id else None,
            "permissions": binding.permissions,
            "resource": str(binding.resource) if binding.resource_id else None,
        },
    )


@transaction.atomic
def role_binding_create(*, organization, actor, subject_kind, subject_id, role=None, permissions=None, resource=None):
    """A new binding from the API's shape: a role's name and/or permissions, on a resource id or None."""
    subject = subject_by_id(organization, subject_kind, subject_id)
    role_object = role_by_name(organization, role) if role is not None else None
    permissions = clean_permissions(organization, permissions or [])
    if role_object is None and not permissions:
        raise field_error("role", "Give a role or permissions.")
    resource_object = resource_by_id(organization, resource)
    binding = _new_binding(
        organization, actor, subject, role=role_object, permissions=permissions, resource=resource_object,
        field="role" if role_object is not None else "permissions", permissions_field="permissions",
    )
    if _same_binding(binding).exists():
        raise Conflict(
            "This subject already has this binding there.", field_errors={"subject_id": ["Already bound so."]}
        )
    binding.save()
    _record(AuditAction.ROLE_BINDING_CREATE, organization, actor, binding, subject)
    return binding


def _same_binding(binding):
    kind = binding.subject_kind
    return RoleBinding.objects.filter(
        **{kind: getattr(binding, kind)}, role=binding.role, resource=binding.resource, permissions=binding.permissions
    )


@transaction.atomic
def role_binding_delete(*, binding, actor):
    if binding.membership_id is not None:
        raise Conflict(
            "This binding is a member's role: change the member's role instead.",
            field_errors={"role": ["A member's role."]},
        )
    ensure_may_manage(actor, binding.subject_kind, binding.resource)
    subject = getattr(binding, binding.subject_kind)
    _record(AuditAction.ROLE_BINDING_DELETE, binding.organization, actor, binding, subject)
    binding.delete()


def set_organization_roles(*, organization, actor, subject, roles, field="roles"):
    """Make ``roles`` exactly the subject's roles at the organization; returns what changed.

    Each added role must be within what the actor holds; removing needs only the right to manage.
    """
    kind = subject_kind_of(subject)
    current = {
        binding.role_id: binding
        for binding in RoleBinding.objects.filter(
            **{kind: subject}, resource__isnull=True, role__isnull=False, membership__isnull=True
        )
    }
    wanted = {role.pk: role for role in roles}
    if set(current) != set(wanted):
        ensure_may_manage(actor, kind, None, field=field)
    added = [
        _new_binding(organization, actor, subject, role=role, permissions=[], resource=None, field=field, manage_field=field)
        for pk, role in wanted.items()
        if pk not in current
    ]
    RoleBinding.objects.bulk_create(added)
    RoleBinding.objects.filter(pk__in=[b.pk for pk, b in current.items() if pk not in wanted]).delete()


def bind_membership_role(*, membership, actor, role):
    """Give or change a member's role (the binding ``members/`` shows)."""
    organization = membership.organization
    ensure_may_manage(actor, USER, None, field="role")
    ensure_may_give(actor, role.permissions, field="role")
    binding = RoleBinding.objects.filter(membership=membership).first()
    if binding is None:
        binding = RoleBinding(organization=organization, user=membership.user, membership=membership)
    binding.role = role
    binding.created_by = binding.created_by or getattr(actor, "user", None)
    binding.save()
    return binding


def resource_bindings(subject):
    """The subject's bindings on resources, with their role and resource, for ``resource_grants``."""
    kind = subject_kind_of(subject)
    return list(
        RoleBinding.objects.filter(**{kind: subject}, resource__isnull=False)
        .select_related("role", "resource")
        .order_by("resource__kind", "resource__name", "id")
    )


def set_resource_bindings(*, organization, actor, subject, grants, field="resource_grants"):
    """Make ``grants`` (``[(resource, role or None, {permissions})]``) the subject's bindings on resources.

    A binding left unchanged is kept as it is; one removed or added needs the right to manage the
    subject's bindings at that resource, and an added one all it gives.
    """
    current = resource_bindings(subject)
    key = lambda resource, role, permissions: (resource.pk, role.pk if role else None, tuple(sorted(permissions)))  # noqa: E731
    current_keys = {key(b.resource, b.role, b.permissions): b for b in current}
    wanted_keys = {key(*grant): grant for grant in grants}
    removed = [binding for k, binding in current_keys.items() if k not in wanted_keys]
    kind = subject_kind_of(subject)
    for binding in removed:
        ensure_may_manage(actor, kind, binding.resource, field=field)
    added = [
        _new_binding(
            organization, actor, subject, role=role, permissions=permissions, resource=resource, field=field, manage_field=field
        )
        for k, (resource, role, permissions) in wanted_keys.items()
        if k not in current_keys
    ]
    RoleBinding.objects.filter(pk__in=[b.pk for b in removed]).delete()
    RoleBinding.objects.bulk_create(added)
    return bool(removed or added)



def role_binding_list(*, organization, subject_kind="", subject_id=None, resource=None, organization_wide=False):
    """The organization's bindings with their subject, role and resource joined in (one query).

    ``resource``: only those made on that resource id; ``organization_wide``: only those on the
    whole organization. A binding on a resource holds below it too, but is listed where it was made.
    """
    queryset = RoleBinding.objects.filter(organization=organization).select_related(
        "user", "group", "service_credential", "service_token", "role", "resource"
    )
    if subject_kind:
        queryset = queryset.filter(**{f"{subject_kind}__isnull": False})
        if subject_id is not None:
            queryset = queryset.filter(**{f"{subject_kind}_id": subject_id})
    if organization_wide:
        queryset = queryset.filter(resource__isnull=True)
    elif resource is not None:
        queryset = queryset.filter(resource_id=resource)
    return queryset.order_by("id")
