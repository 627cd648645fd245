"""Service tokens: create (shown once), delete, authenticate, and the bootstrap token."""

import logging

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from identity import apikeys, audit, clock, sql_rows
from identity.durations import parse_duration
from identity.holdings import BINDING_COLUMNS, BINDING_WIDTH, ROLE_AND_RESOURCE, holdings_from_rows
from identity.authorization import ensure_may, ensure_may_give
from identity.errors import Conflict, InvalidInput
from identity.models import AuditAction, Organization, Role, ServiceToken
from identity.principals import SYSTEM_PRINCIPAL

from .organizations import organization_get_or_create
from .role_bindings import set_organization_roles
from .validation import clean_name, ensure_name_free, save_unique

logger = logging.getLogger(__name__)



def roles_by_name(organization, names, *, field="roles"):
    """The organization's roles with these names; every unknown name is reported."""
    if not isinstance(names, (list, tuple)) or not names or not all(isinstance(n, str) for n in names):
        raise InvalidInput(f"{field}: give at least one role name.", field_errors={field: ["Give at least one role name."]})
    roles = {role.name: role for role in Role.objects.filter(organization=organization, name__in=names)}
    unknown = sorted(set(names) - set(roles))
    if unknown:
        message = f"Unknown role: {', '.join(unknown)}."
        raise InvalidInput(f"{field}: {message}", field_errors={field: [message]})
    return list(roles.values())


def _expiry(expires_in):
    if expires_in in (None, "", "never"):
        return None
    try:
        return clock.now() + parse_duration(expires_in)
    except ValueError as error:
        raise InvalidInput(f"expires_in: {error}", field_errors={"expires_in": [str(error)]}) from error


@transaction.atomic
def service_token_create(*, organization, actor, name, roles, expires_in=None, token=None):
    """A new token; returns ``(service_token, plaintext)``. The plaintext exists only here."""
    ensure_may(actor, "service_tokens:write")
    name = clean_name(name)
    role_objects = roles_by_name(organization, roles)
    ensure_may_give(actor, {p for role in role_objects for p in role.permissions}, field="roles")
    expires_at = _expiry(expires_in)
    ensure_name_free(ServiceToken.objects.filter(organization=organization), name=name)
    if token is None:
        token, key_id = apikeys.generate()
    else:
        key_id = apikeys.key_id_of(token)
    service_token = ServiceToken(
        organization=organization,
        name=name,
        key_id=key_id,
        digest=apikeys.digest(token),
        expires_at=expires_at,
        created_by=getattr(actor, "user", None),
    )
    save_unique(service_token)
    set_organization_roles(organization=organization, actor=actor, subject=service_token, roles=role_objects)
    audit.record(
        action=AuditAction.SERVICE_TOKEN_CREATE,
        organization=organization,
        actor=actor,
        target=service_token,
        details={"roles": sorted(r.name for r in role_objects), "expires_at": expires_at and expires_at.isoformat()},
    )
    return service_token, token


@transaction.atomic
def service_token_delete(*, service_token, actor):
    ensure_may(actor, "service_tokens:write", service_token)
    audit.record(
        action=AuditAction.SERVICE_TOKEN_DELETE,
        organization=service_token.organization,
        actor=actor,
        target=service_token,
    )
    service_token.delete()


def service_token_authenticate(raw_token):
    """The live token for this plaintext, or None: unknown, wrong and expired look the same."""
    key_id = apikeys.key_id_of(raw_token)
    if key_id is None:
        return None
    service_token = _token_by_key_id(key_id)
    # An unknown key id costs the same digest as a wrong secret: timing tells nothing.
    stored_digest = service_token.digest if service_token is not None else apikeys.UNKNOWN_TOKEN_DIGEST
    if not apikeys.matches(raw_token, stored_digest) or service_token is None:
        return None
    now = clock.now()
    if service_token.is_expired(now):
        return None
    _touch_last_used(service_token, now)
    return service_token


# The token, its organization and its role bindings (one row per binding, at least one row).
TOKEN_BY_KEY_ID = (
    f"SELECT {sql_rows.select_list(ServiceToken, 't')}, {sql_rows.select_list(Organization, 'o')}, {BINDING_COLUMNS}"
    f" FROM {ServiceToken._meta.db_table} t JOIN {Organization._meta.db_table} o ON o.id = t.organization_id"
    f" LEFT JOIN identity_rolebinding AS binding ON binding.service_token_id = t.id {ROLE_AND_RESOURCE}"
    " WHERE t.key_id = %(key_id)s"
)


def _token_by_key_id(key_id):
    """The token with its organization and what its bindings give, in one query.

    This runs on every API call: plain SQL read back by ``identity.sql_rows`` rather than a
    queryset, whose compilation alone cost more than running the query; the bindings ride along
    so the request's principal needs no second round trip.
    """
    with connection.cursor() as cursor:
        cursor.execute(TOKEN_BY_KEY_ID, {"key_id": key_id})
        rows = cursor.fetchall()
    if not rows:
        return None
    (service_token, organization), _ = sql_rows.instances(rows[0], ServiceToken, Organization)
    service_token.organization = organization
    service_token.preloaded_holdings = holdings_from_rows(row[-BINDING_WIDTH:] for row in rows)
    return service_token


def _touch_last_used(service_token, now):
    """Write ``last_used_at`` at most once a minute, so busy tokens do not write on every call."""
    interval = settings.PORTCULLIS_TOKEN_LAST_USED_INTERVAL
    if service_token.last_used_at is None or now - service_token.last_used_at >= interval:
        ServiceToken.objects.filter(pk=service_token.pk).update(last_used_at=now)
        service_token.last_used_at = now


def bootstrap_token_ensure():
    """Create the configured bootstrap token once; several processes may run this together.

    Returns the token row when one is configured, else None.
    """
    raw_token = settings.PORTCULLIS_BOOTSTRAP_TOKEN
    if not raw_token:
        return None
    if not settings.PORTCULLIS_BOOTSTRAP_ORG:
        raise InvalidInput("PORTCULLIS_BOOTSTRAP_ORG must name the organization of the bootstrap token.")
    key_id = apikeys.key_id_of(raw_token)
    if key_id is None:
        raise InvalidInput(
            "PORTCULLIS_BOOTSTRAP_TOKEN is too short or malformed: use at least "
            f"{apikeys.MIN_FOREIGN_TOKEN_LENGTH} random characters."
        )
    existing = ServiceToken.objects.filter(key_id=key_id).first()
    if existing:
        return existing
    organization = organization_get_or_create(slug=settings.PORTCULLIS_BOOTSTRAP_ORG, actor=SYSTEM_PRINCIPAL)
    try:
        service_token, _ = service_token_create(
            organization=organization,
            actor=SYSTEM_PRINCIPAL,
            name=f"bootstrap-{key_id[:8]}",
            roles=settings.PORTCULLIS_BOOTSTRAP_ROLES,
            expires_in=settings.PORTCULLIS_BOOTSTRAP_TTL or None,
            token=raw_token,
        )
    except (IntegrityError, Conflict) as error:
        # Another process created it first (the unique key id won the race), or it is misconfigured.
        existing = ServiceToken.objects.filter(key_id=key_id).first()
        if existing:
            return existing
        raise error
    logger.info("Created the bootstrap service token %s in %s", service_token.name, organization.slug)
    return service_token
