"""Access checks: may the caller, or the holder of a presented token, use these permissions there?

What a resource server asks before it acts on a pipeline's call. Each check names a permission and
a resource (its id or ``"<kind>/<name>"``, or none for the organization); the answer applies
inheritance down the resource tree as ``identity.authorization.may`` does, for every check at once:
the resources are read with their ancestors in one query, whatever the tree's depth or the
number of bindings. A resource that does not exist, or belongs to another organization, is
simply not allowed: the answer never tells whether it exists.

Asking about a token needs the right to introspect tokens: ``service_credentials:read`` in the
caller's organization, or the platform's ``organizations:read`` (root credentials, superusers).
That right is checked before the token is looked up, and a token that is unknown, expired, revoked
or of another organization answers "not allowed" to every check alike, so the endpoint is no oracle
for which tokens live where.
"""

from identity.authorization import may, may_at_each
from identity.errors import NotPermitted
from identity.oauth.validator import live_access_token
from identity.permissions import PERMISSION_PATTERN
from identity.resource_tree import named_with_ancestors
from identity.principals import principal_for_access_token, principal_for_service_token

from .service_tokens import service_token_authenticate
from .validation import field_error, is_id

MAX_CHECKS = 100
INTROSPECTION_PERMISSION = "service_credentials:read"
PLATFORM_INTROSPECTION_PERMISSION = "organizations:read"
_MAX_TEXT = 512


def access_checks(*, caller, checks, token=None):
    """``[{"permission", "resource", "allowed"}, …]`` in the order of ``checks``.

    ``caller`` is the requesting principal (None: it holds nothing anywhere); with ``token``, the
    answers are about the token's holder instead.
    """
    cleaned = _clean_checks(checks)
    subject = caller
    if token is not None:
        _ensure_may_introspect(caller)
        subject = _token_principal(_clean_text(token, "token"))
        if subject is not None and not _may_see(caller, subject):
            subject = None
    allowed = _decide(subject, cleaned) if subject is not None else [False] * len(cleaned)
    return [
        {"permission": permission, "resource": reference, "allowed": verdict}
        for (permission, reference), verdict in zip(cleaned, allowed)
    ]


def _decide(principal, checks):
    resources = _resources_of(principal.organization, [reference for _, reference in checks])
    decidable = [
        (index, permission, resources.get(_key(reference)))
        for index, (permission, reference) in enumerate(checks)
        if reference is None or _key(reference) in resources
    ]
    decisions = may_at_each(principal, [(permission, place) for _, permission, place in decidable])
    allowed = [False] * len(checks)
    for (index, _, _), verdict in zip(decidable, decisions):
        allowed[index] = verdict
    return allowed


def _key(reference):
    return ("id", reference) if isinstance(reference, int) else ("label", reference)


def _resources_of(organization, references):
    """``{("id", pk) or ("label", "kind/name"): (organization id, [pk, its ancestors' pks…])}`` for
    the resources of ``organization`` these name, with their chains, in one query (a decision needs
    no more, so no model instance is built)."""
    ids = sorted({reference for reference in references if isinstance(reference, int)})
    labels = sorted({tuple(reference.split("/", 1)) for reference in references if isinstance(reference, str)})
    if organization is None or not (ids or labels):
        return {}
    found = {}
    for resource_id, organization_id, label, chain in named_with_ancestors(organization.pk, ids, labels):
        found[("id", resource_id)] = found[("label", label)] = (organization_id, chain)
    return found


def _ensure_may_introspect(caller):
    if not (may(caller, INTROSPECTION_PERMISSION) or may(caller, PLATFORM_INTROSPECTION_PERMISSION)):
        message = f"You need the {INTROSPECTION_PERMISSION} permission to check another token's access."
        raise NotPermitted(message, field_errors={"token": [message]})


def _may_see(caller, subject):
    """Tokens of the caller's own organization; any token for a platform reader."""
    if may(caller, PLATFORM_INTROSPECTION_PERMISSION):
        return True
    return caller.organization_id is not None and caller.organization_id == subject.organization_id


def _token_principal(token):
    """The principal of a live service token or access token, or None."""
    service_token = service_token_authenticate(token)
    if service_token is not None:
        return principal_for_service_token(service_token)
    access_token = live_access_token(token)
    return principal_for_access_token(access_token) if access_token is not None else None


def _clean_checks(checks):
    if not isinstance(checks, list) or not checks:
        raise field_error("checks", "Give a list of checks, each {\"permission\", \"resource\"}.")
    if len(checks) > MAX_CHECKS:
        raise field_error("checks", f"Give at most {MAX_CHECKS} checks.")
    return [_clean_check(check, f"checks.{index}") for index, check in enumerate(checks)]


def _clean_check(check, field):
    if not isinstance(check, dict):
        raise field_error(field, "Give an object with a permission and a resource.")
    permission = _clean_text(check.get("permission"), f"{field}.permission")
    if not PERMISSION_PATTERN.fullmatch(permission):
        raise field_error(f"{field}.permission", "Not a permission (use kinds:action, e.g. projects:deploy).")
    return permission, _clean_reference(check.get("resource"), f"{field}.resource")


def _clean_reference(reference, field):
    """None (the organization), a resource id, or ``"kind/name"``."""
    if reference is None or is_id(reference):
        return reference
    if isinstance(reference, str):
        label = _clean_text(reference, field)
        kind, _, name = label.partition("/")
        if kind and name:
            return label
    raise field_error(field, 'Give a resource id, "<kind>/<name>", or null for the organization.')


def _clean_text(value, field):
    # PostgreSQL refuses a NUL byte in any text: refused here, naming the field, on every database.
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT or "\x00" in value:
        raise field_error(field, f"Give a non-empty string of at most {_MAX_TEXT} characters, without NUL bytes.")
    return value
