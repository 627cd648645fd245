"""Service credentials: create, edit groups and grants, disable, enable, regenerate, revoke, delete.

A credential owns a django-oauth-toolkit Application (confidential, client credentials only) and a
service-account user, which its groups hold as they hold people; what it may do comes from its role
bindings and its groups'. Every change that
must stop tokens deletes them in the same transaction, with the credential row locked, so a token
grant racing it can never survive it (see the validator's ``_save_bearer_token``).
"""

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from oauth2_provider.models import AccessToken, Application

from identity import audit, clock
from identity.authorization import ensure_may, ensure_may_give, ensure_may_on_platform
from identity.errors import Conflict, InvalidInput
from identity.models import AuditAction, ServiceCredential, UsedClientAssertion
from identity.models.credentials import TOKEN_LIFETIMES, VALIDITY_DAYS, expiry_for
from identity.oauth.client_assertions import normalise_public_keys

from .client_keys import (
    add_client_key,
    client_keys_expire,
    credential_applications,
    ensure_has_client_key,
    ensure_room_for_a_key,
    kill_tokens,
    new_client_secret,
    record_client_key,
    regenerate_client_key,
    retire_client_key,
)
from .credential_access import (
    apply_grants,
    apply_groups,
    ensure_may_take_over,
    grants_summary,
    keeping_out_of_reach,
    service_credential_check_access,
)
from .role_bindings import product_by_id
from .validation import clean_name, ensure_name_free, field_error, save_unique
from .vocabulary import clean_platform_permissions

Method = ServiceCredential.AuthMethod


def _clean_choice(value, choices, field):
    if value not in choices:
        return _raise(field_error(field, f"Choose one of: {', '.join(choices)}."))
    return value


def _raise(error):
    raise error


def _kill_tokens(credential):
    """Delete every token the credential issued, under any of its keys: they stop working on the
    very next request."""
    kill_tokens(credential_applications(credential))


def _ensure_may_change(actor, credential):
    """An organization's credential needs service_credentials:write there; a root credential is
    the platform's, out of sight of everyone acting inside an organization."""
    if credential.organization_id is None:
        ensure_may_on_platform(actor, "root_service_credentials:write")
    else:
        ensure_may(actor, "service_credentials:write", credential)


def _ensure_may_create(actor, organization, platform_permissions):
    """Who may create this credential, and the platform permissions it will hold (root only)."""
    if organization is not None:
        ensure_may(actor, "service_credentials:write")
        if platform_permissions:
            raise field_error("permissions", "Platform permissions are held by root credentials only.")
        return []
    ensure_may_on_platform(actor, "root_service_credentials:write")
    platform_permissions = clean_platform_permissions([] if platform_permissions is None else platform_permissions)
    ensure_may_give(actor, platform_permissions, field="permissions")
    return platform_permissions


def _locked(credential):
    return ServiceCredential.objects.select_for_update(of=("self",)).select_related("application", "organization").get(pk=credential.pk)


def service_credential_check_name(*, organization, name):
    """The cleaned name if create would accept it; raises as create would. Saves nothing."""
    name = clean_name(name)
    credentials = ServiceCredential.objects.filter(organization=organization)
    # A revoked credential keeps its name, so the audit log's history stays unambiguous: say so,
    # or "already taken" puzzles someone who sees no live credential of that name.
    if credentials.filter(name=name, status=ServiceCredential.Status.REVOKED).exists():
        message = "A revoked credential keeps its name; choose another."
        raise Conflict(f"The name “{name}” belongs to a revoked credential.", field_errors={"name": [message]})
    ensure_name_free(credentials, name=name)
    return name


def _clean_bound_resource(organization, bound_resource):
    """A credential may be bound to one product of its organization."""
    if bound_resource is None:
        return None
    if organization is None:
        raise field_error("bound_resource", "A root credential cannot be bound to a product.")
    return product_by_id(organization, bound_resource, field="bound_resource")


# ---------------------------------------------------------------- life cycle


@transaction.atomic
def service_credential_create(
    *,
    organization,
    actor,
    name,
    description="",
    validity="90d",
    token_lifetime="1h",
    groups=None,
    resource_grants=None,
    bound_resource=None,
    token_endpoint_auth_method=Method.CLIENT_SECRET_BASIC,
    jwks=None,
    public_key=None,
    platform_permissions=None,
):
    """A new credential; returns ``(credential, client_secret)`` (the secret is None for
    private_key_jwt). The client secret exists in clear only in this return value.

    With no organization it is a root credential holding ``platform_permissions``
    (``identity.services.root_credentials``)."""
    platform_permissions = _ensure_may_create(actor, organization, platform_permissions)
    if not isinstance(description, str) or len(description) > 2000:
        raise field_error("description", "Ensure this field has no more than 2000 characters.")
    _clean_choice(validity, list(VALIDITY_DAYS), "validity")
    _clean_choice(token_lifetime, list(TOKEN_LIFETIMES), "token_lifetime")
    _clean_choice(token_endpoint_auth_method, list(Method.values), "token_endpoint_auth_method")
    key_set = {}
    if token_endpoint_auth_method == Method.PRIVATE_KEY_JWT:
        try:
            key_set = normalise_public_keys(jwks=jwks, public_key=public_key)
        except ValueError as error:
            if not public_key and not jwks:
                # Neither given: either field would do, so both are named.
                raise InvalidInput(f"public_key: {error}", field_errors={"public_key": [str(error)], "jwks": [str(error)]}) from error
            raise field_error("public_key" if public_key else "jwks", str(error)) from error
    name = service_credential_check_name(organization=organization, name=name)
    bound_resource = _clean_bound_resource(organization, bound_resource)
    group_objects, grants = (
        service_credential_check_access(organization=organization, actor=actor, groups=groups or [], resource_grants=resource_grants or [])
        if organization else ([], [])
    )

    client_secret = new_client_secret()
    service_user = get_user_model().objects.create(
        username=f"svc-{secrets.token_hex(8)}", email="", is_active=True
    )
    service_user.set_unusable_password()
    service_user.save(update_fields=["password"])
    application = add_client_key(service_user=service_user, name=name, client_secret=client_secret)
    credential = ServiceCredential(
        organization=organization,
        name=name,
        description=description,
        application=application,
        service_user=service_user,
        validity=validity,
        expires_at=expiry_for(validity),
        token_lifetime=token_lifetime,
        bound_resource=bound_resource,
        auth_method=token_endpoint_auth_method,
        jwks=key_set,
        platform_permissions=platform_permissions,
        created_by=getattr(actor, "user", None) if getattr(getattr(actor, "user", None), "pk", None) else None,
    )
    save_unique(credential)
    record_client_key(credential, application)
    apply_groups(credential, group_objects)
    apply_grants(organization=organization, actor=actor, credential=credential, grants=grants)
    audit.record(
        action=AuditAction.SERVICE_CREDENTIAL_CREATE,
        organization=organization,
        actor=actor,
        target=credential,
        details={
            "client_id": application.client_id,
            "validity": validity,
            "token_lifetime": token_lifetime,
            "auth_method": token_endpoint_auth_method,
            "groups": sorted(g.name for g in group_objects),
            "resource_grants": grants_summary(grants),
            **({"permissions": platform_permissions} if organization is None else {}),
        },
    )
    return credential, (None if token_endpoint_auth_method == Method.PRIVATE_KEY_JWT else client_secret)


@transaction.atomic
def service_credential_update(*, credential, actor, groups=None, resource_grants=None, only_within_reach=False):
    """Only groups and resource grants change after creation.

    ``only_within_reach``: ``resource_grants`` are those where the actor manages the credential's
    bindings (the portal's page for a project admin); bindings elsewhere stay as they are.
    """
    credential = _locked(credential)
    details = {}
    group_objects, grants = service_credential_check_access(
        organization=credential.organization, actor=actor, groups=groups, resource_grants=resource_grants,
        credential=credential,
    )
    if group_objects is not None:
        if set(group_objects) != set(credential.groups.all()):
            ensure_may(actor, "service_credentials:write")
        apply_groups(credential, group_objects)
        details["groups"] = sorted(g.name for g in group_objects)
    if grants is not None:
        if only_within_reach:
            grants = keeping_out_of_reach(actor, credential, grants)
        # Each grant added or removed is checked where it is: a project admin edits only their project.
        apply_grants(organization=credential.organization, actor=actor, credential=credential, grants=grants)
        details["resource_grants"] = grants_summary(grants)
    audit.record(
        action=AuditAction.SERVICE_CREDENTIAL_UPDATE, organization=credential.organization, actor=actor,
        target=credential, details=details,
    )
    return credential


def _ensure_not_final(credential, verb):
    if credential.status in (ServiceCredential.Status.REVOKED, ServiceCredential.Status.EXPIRED):
        raise Conflict(f"A {credential.status} credential cannot be {verb}.", field_errors={"status": [credential.status]})


def _change_status(credential, actor, status, action, verb):
    _ensure_may_change(actor, credential)
    credential = _locked(credential)
    _ensure_not_final(credential, verb)
    credential.status = status
    credential.save(update_fields=["status"])
    _kill_tokens(credential)
    audit.record(action=action, organization=credential.organization, actor=actor, target=credential)
    return credential


@transaction.atomic
def service_credential_disable(*, credential, actor):
    return _change_status(credential, actor, ServiceCredential.Status.DISABLED, AuditAction.SERVICE_CREDENTIAL_DISABLE, "disabled")


@transaction.atomic
def service_credential_enable(*, credential, actor):
    credential = _locked(credential)
    if credential.expires_at is not None and credential.expires_at <= clock.now():
        raise Conflict("This credential has expired and cannot be enabled.", field_errors={"status": ["expired"]})
    return _change_status(credential, actor, ServiceCredential.Status.ACTIVE, AuditAction.SERVICE_CREDENTIAL_ENABLE, "enabled")


@transaction.atomic
def service_credential_revoke(*, credential, actor, confirm_name):
    """Revoke for good; the caller must type the credential's exact name."""
    _ensure_may_change(actor, credential)
    if confirm_name != credential.name:
        raise InvalidInput("name: type the credential's exact name to revoke it.", field_errors={"name": ["Does not match the credential's name."]})
    credential = _locked(credential)
    if credential.status == ServiceCredential.Status.REVOKED:
        raise Conflict("This credential is already revoked.", field_errors={"status": ["revoked"]})
    credential.status = ServiceCredential.Status.REVOKED
    credential.save(update_fields=["status"])
    _kill_tokens(credential)
    audit.record(action=AuditAction.SERVICE_CREDENTIAL_REVOKE, organization=credential.organization, actor=actor, target=credential)
    return credential


def service_credential_check_regenerate(*, credential, actor):
    """Raises as ``service_credential_regenerate_secret`` would now; changes nothing. The portal
    asks before it shows a new key pair that only Save will store."""
    _ensure_may_change(actor, credential)
    ensure_may_take_over(actor, credential, verb="give a new key to")
    _ensure_not_final(credential, "given a new key")
    ensure_has_client_key(credential)
    ensure_room_for_a_key(credential)


@transaction.atomic
def service_credential_regenerate_secret(*, credential, actor, grace_period="0", client_id=None, client_secret=None):
    """A new client key pair, shown once; the previous key and every token it issued stop working
    now (``grace_period`` "0") or when the grace period ("1h", "24h", "7d") ends. Refused while
    two keys are live. ``client_id``/``client_secret``: a pair the portal generated and showed
    before Save (``client_keys.new_client_key_pair``)."""
    _ensure_may_change(actor, credential)
    ensure_may_take_over(actor, credential, verb="give a new key to")
    credential = _locked(credential)
    _ensure_not_final(credential, "given a new key")
    ensure_has_client_key(credential)
    client_secret = regenerate_client_key(
        credential, actor, grace_period=grace_period, client_id=client_id, client_secret=client_secret
    )
    return credential, client_secret


@transaction.atomic
def service_credential_retire_key(*, credential, actor, client_id):
    """That client key stops working now, with its tokens; never the last live one."""
    _ensure_may_change(actor, credential)
    credential = _locked(credential)
    return retire_client_key(credential, actor, client_id)


@transaction.atomic
def service_credential_delete(*, credential, actor):
    """Remove for good; the audit log keeps its history."""
    _ensure_may_change(actor, credential)
    credential = _locked(credential)
    audit.record(
        action=AuditAction.SERVICE_CREDENTIAL_DELETE, organization=credential.organization, actor=actor,
        target=credential, details={"client_id": credential.application.client_id},
    )
    applications, service_user = list(credential_applications(credential).values_list("application_id", flat=True)), credential.service_user
    _kill_tokens(credential)
    credential.delete()
    Application.objects.filter(pk__in=applications).delete()
    service_user.delete()


def service_credentials_expire():
    """Mark credentials past their validity expired and drop their tokens, and client keys past
    their grace period ended; safe to re-run. Returns how many credentials expired.

    Expiry already counts on every request; this makes status, lists and the audit log agree.
    """
    client_keys_expire()
    expired = 0
    due = ServiceCredential.objects.filter(status=ServiceCredential.Status.ACTIVE, expires_at__lte=clock.now())
    for pk in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            credential = ServiceCredential.objects.select_for_update(of=("self",)).select_related("application", "organization").filter(
                pk=pk, status=ServiceCredential.Status.ACTIVE
            ).first()
            if credential is None:
                continue
            credential.status = ServiceCredential.Status.EXPIRED
            credential.save(update_fields=["status"])
            _kill_tokens(credential)
            audit.record(action=AuditAction.SERVICE_CREDENTIAL_EXPIRE, organization=credential.organization, target=credential)
            expired += 1
    return expired


def oauth_housekeeping():
    """Clear expired access tokens and remembered JWT ids, in batches."""
    now = clock.now()
    removed = 0
    for model, field in ((AccessToken, "expires__lt"), (UsedClientAssertion, "expires_at__lt")):
        while True:
            batch = list(model.objects.filter(**{field: now}).values_list("pk", flat=True)[:1000])
            if not batch:
                break
            removed += model.objects.filter(pk__in=batch).delete()[0]
    return removed
