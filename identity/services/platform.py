"""Organizations managed from above: created with their first Account Holder, renamed, deleted.

These are platform operations (``organizations:write``), for superusers and root credentials;
each is audited on the platform audit log, whose rows belong to no organization so that they
outlive the organizations they tell about (an organization's own events go with it).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from oauth2_provider.models import AccessToken, Application, RefreshToken

from identity import audit
from identity.authorization import ensure_may_on_platform
from identity.errors import Conflict, InvalidInput
from identity.models import (
    AuditAction,
    Group,
    Membership,
    Organization,
    Role,
    RoleBinding,
    ServiceCredential,
)
from identity.permissions import ACCOUNT_HOLDER

from .organizations import organization_create
from .validation import clean_name

ORGANIZATIONS_WRITE = "organizations:write"


def _holder_error(field, message, error_type=InvalidInput):
    # Named as the API names nested fields, which the portal's forms map back to their own.
    name = f"account_holder.{field}"
    return error_type(f"{name}: {message}", field_errors={name: [message]})


def _clean_account_holder(account_holder):
    """The new Account Holder's username and e-mail; an existing person is not taken over."""
    if not isinstance(account_holder, dict):
        message = "Give the Account Holder's username and email."
        raise InvalidInput(f"account_holder: {message}", field_errors={"account_holder": [message]})
    User = get_user_model()
    username = account_holder.get("username")
    if not isinstance(username, str) or not username.strip():
        raise _holder_error("username", "This field is required.")
    username = username.strip()
    if len(username) > 150:
        raise _holder_error("username", "Ensure this field has no more than 150 characters.")
    try:
        User.username_validator(username)
    except ValidationError as error:
        raise _holder_error("username", error.messages[0]) from error
    email = account_holder.get("email")
    try:
        if not isinstance(email, str) or len(email) > 254:
            raise ValidationError("not text")
        validate_email(email)
    except ValidationError as error:
        raise _holder_error("email", "Enter a valid email address.") from error
    if User.objects.filter(username=username).exists():
        raise _holder_error("username", "Already taken.", Conflict)
    return username, email


def set_password_url(user, site_url=None):
    """The link that lets ``user`` choose a password: Django's reset token, valid once and for
    ``PASSWORD_RESET_TIMEOUT``, on ``site_url`` (the portal as the request saw it) or the issuer."""
    base = (site_url or settings.PORTCULLIS_ISSUER or "").rstrip("/")
    path = reverse(
        "portal:set_password",
        kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)},
    )
    return base + path


def _send_set_password_link(user, organization, url):
    send_mail(
        subject=f"[Portcullis] You are the Account Holder of {organization.name}",
        message=(
            f"An organization, {organization.name} ({organization.slug}), was created on Portcullis with you as "
            f"its Account Holder; your username is {user.get_username()}.\n\n"
            f"Choose your password here (the link works once):\n\n{url}\n\n"
            "If you did not expect this, ignore it: nobody can sign in as you without that link.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def organization_create_with_account_holder(*, actor, slug, name, account_holder, site_url=None):
    """A new organization and its first Account Holder, a new person with no password yet, who is
    sent a link to set one. Nothing is created unless all of it is."""
    ensure_may_on_platform(actor, ORGANIZATIONS_WRITE)
    username, email = _clean_account_holder(account_holder)
    organization = organization_create(slug=slug, name=name, actor=actor)
    user = get_user_model()(username=username, email=email)
    user.set_unusable_password()
    user.save()
    membership = Membership.objects.create(user=user, organization=organization)
    role = Role.objects.get(organization=organization, name=ACCOUNT_HOLDER)
    RoleBinding.objects.create(organization=organization, user=user, membership=membership, role=role)
    audit.record(
        action=AuditAction.MEMBER_ADD, organization=organization, actor=actor, target=membership,
        target_name=username, details={"role": ACCOUNT_HOLDER},
    )
    audit.record(
        action=AuditAction.ORGANIZATION_CREATE, actor=actor, target=organization, target_name=organization.slug,
        details={"name": organization.name, "account_holder": username},
    )
    # Last, once every check has passed: a refused organization sends no link.
    _send_set_password_link(user, organization, set_password_url(user, site_url))
    return organization, user


@transaction.atomic
def organization_rename(*, actor, organization, name):
    ensure_may_on_platform(actor, ORGANIZATIONS_WRITE)
    name = clean_name(name, max_length=200)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    previous = organization.name
    organization.name = name
    organization.save(update_fields=["name"])
    audit.record(
        action=AuditAction.ORGANIZATION_RENAME, actor=actor, target=organization, target_name=organization.slug,
        details={"from": previous, "to": name},
    )
    return organization


@transaction.atomic
def organization_delete(*, actor, organization, confirm_slug):
    """Delete an organization and everything in it, once its slug is typed back exactly.

    Its credentials' OAuth2 clients, tokens and service users, and its groups' auth groups, live
    outside it and would outlive it: they go explicitly; the rest follows by cascade. The
    platform log keeps the record.
    """
    ensure_may_on_platform(actor, ORGANIZATIONS_WRITE)
    if not isinstance(confirm_slug, str) or confirm_slug != organization.slug:
        message = f"Type the organization's slug, {organization.slug}, to delete it."
        raise InvalidInput(f"confirm: {message}", field_errors={"confirm": [message]})
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    audit.record(
        action=AuditAction.ORGANIZATION_DELETE, actor=actor, target=organization, target_name=organization.slug,
        details={"name": organization.name, "members": organization.memberships.count()},
    )
    credentials = ServiceCredential.objects.filter(organization=organization)
    application_ids = list(credentials.values_list("application_id", flat=True))
    service_user_ids = list(credentials.values_list("service_user_id", flat=True))
    auth_group_ids = list(Group.objects.filter(organization=organization).values_list("auth_group_id", flat=True))
    AccessToken.objects.filter(application_id__in=application_ids).delete()
    RefreshToken.objects.filter(application_id__in=application_ids).delete()
    # Bindings protect their roles, credentials their clients and users: they go first.
    RoleBinding.objects.filter(organization=organization).delete()
    credentials.delete()
    organization.delete()
    Application.objects.filter(pk__in=application_ids).delete()
    get_user_model().objects.filter(pk__in=service_user_ids).delete()
    AuthGroup.objects.filter(pk__in=auth_group_ids).delete()
