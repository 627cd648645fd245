"""Organizations and their first Account Holder."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from identity import audit
from identity.errors import Conflict, InvalidInput
from identity.models import AuditAction, Membership, Organization, ResourceKind, Role, RoleBinding
from identity.models.organizations import slug_validator
from identity.models.resources import DEFAULT_RESOURCE_KINDS
from identity.permissions import ACCOUNT_HOLDER, BUILTIN_ROLES

from .validation import clean_name


def _clean_slug(slug):
    try:
        slug_validator(slug)
    except ValidationError as error:
        raise InvalidInput(f"slug: {error.messages[0]}", field_errors={"slug": error.messages}) from error
    return slug


@transaction.atomic
def organization_create(*, slug, name=None, actor=None):
    """A new organization with its built-in roles and its starting resource kinds."""
    slug = _clean_slug(slug)
    name = clean_name(name or slug, max_length=200)
    try:
        with transaction.atomic():
            organization = Organization.objects.create(slug=slug, name=name)
    except IntegrityError as error:
        raise Conflict(f"The organization “{slug}” already exists.", field_errors={"slug": ["Already taken."]}) from error
    Role.objects.bulk_create(
        Role(
            organization=organization,
            name=role_name,
            description=spec["description"],
            permissions=list(spec["permissions"]),
            is_builtin=True,
        )
        for role_name, spec in BUILTIN_ROLES.items()
    )
    ResourceKind.objects.bulk_create(
        ResourceKind(organization=organization, name=name, actions=list(actions))
        for name, actions in DEFAULT_RESOURCE_KINDS.items()
    )
    audit.record(action=AuditAction.ORGANIZATION_CREATE, organization=organization, actor=actor, target=organization)
    return organization


def organization_get_or_create(*, slug, actor=None):
    """The organization with this slug, created if new; safe when several processes race."""
    existing = Organization.objects.filter(slug=slug).first()
    if existing:
        return existing
    try:
        return organization_create(slug=slug, actor=actor)
    except Conflict:
        return Organization.objects.get(slug=slug)


@transaction.atomic
def account_holder_create(*, org_slug, username, email, password):
    """The organization (created if new) and its Account Holder, who must be a new user."""
    username = clean_name(username, field="username")
    try:
        validate_email(email)
    except ValidationError as error:
        raise InvalidInput("email: Enter a valid email address.", field_errors={"email": error.messages}) from error
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise Conflict(f"The username “{username}” is already taken.", field_errors={"username": ["Already taken."]})
    user = User(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput("password: " + " ".join(error.messages), field_errors={"password": error.messages}) from error
    user.set_password(password)
    user.save()
    organization = organization_get_or_create(slug=org_slug)
    role = Role.objects.get(organization=organization, name=ACCOUNT_HOLDER)
    membership = Membership.objects.create(user=user, organization=organization)
    RoleBinding.objects.create(organization=organization, user=user, membership=membership, role=role)
    audit.record(
        action=AuditAction.MEMBER_ADD,
        organization=organization,
        target=user,
        target_name=username,
        details={"role": ACCOUNT_HOLDER},
    )
    return organization, user
