"""Keys a credential does not keep a secret for: private_key_jwt public keys (rolled by ``kid``,
or published at a ``jwks_uri``) and federated trusts (external token issuers).

Changing either is taking the credential over, as a new client key is: whoever may make it
accept another key or another platform's token gets all it holds, so the actor must hold that
too (``ensure_may_take_over``). Tokens already issued stay valid: rolling keys needs no downtime.
"""

from django.db import transaction

from identity import audit
from identity.authorization import ensure_may, ensure_may_on_platform
from identity.errors import Conflict, InvalidInput
from identity.models import AuditAction, ServiceCredential
from identity.oauth import federation, remote_keys
from identity.oauth.client_assertions import normalise_public_keys

from .credential_access import ensure_may_take_over
from .validation import field_error

MAX_TRUSTS = 20
MAX_CLAIMS = 20
MAX_TEXT = 500
# Checked by the rules themselves: a trust may not pin them through ``claims``.
RESERVED_CLAIMS = frozenset({"iss", "aud", "sub", "exp", "nbf", "iat", "jti"})
TRUST_FIELDS = frozenset({"issuer", "audience", "subject", "claims"})


def _ensure_may_take_over(actor, credential, verb):
    if credential.organization_id is None:
        ensure_may_on_platform(actor, "root_service_credentials:write")
    else:
        ensure_may(actor, "service_credentials:write", credential)
    ensure_may_take_over(actor, credential, verb=verb)


def _locked(credential):
    locked = ServiceCredential.objects.select_for_update(of=("self",)).select_related("application", "organization")
    credential = locked.get(pk=credential.pk)
    if credential.status in (ServiceCredential.Status.REVOKED, ServiceCredential.Status.EXPIRED):
        raise Conflict(f"A {credential.status} credential's keys cannot change.", field_errors={"status": [credential.status]})
    return credential


def _text(value, where, name):
    if not isinstance(value, str) or not value.strip():
        raise field_error("federated_trusts", f"{where}: {name} must be a non-empty string.")
    if len(value) > MAX_TEXT or "\x00" in value:
        raise field_error("federated_trusts", f"{where}: {name} must be at most {MAX_TEXT} characters, without NUL.")
    return value.strip()


def _clean_trust(trust, where):
    if not isinstance(trust, dict):
        raise field_error("federated_trusts", f"{where}: give an object with issuer, audience and subject.")
    unknown = sorted(str(name)[:50] for name in set(trust) - TRUST_FIELDS)
    if unknown:
        raise field_error("federated_trusts", f"{where}: unknown field {unknown[0]}.")
    issuer = _text(trust.get("issuer"), where, "issuer").rstrip("/")
    try:
        remote_keys.check_url(issuer, insecure=remote_keys.is_listed_insecure(issuer))
    except remote_keys.RemoteKeysError as error:
        raise field_error("federated_trusts", f"{where}: issuer: {error}") from error
    claims = trust.get("claims") or {}
    if not isinstance(claims, dict) or len(claims) > MAX_CLAIMS:
        raise field_error("federated_trusts", f"{where}: claims must be an object of at most {MAX_CLAIMS} names.")
    cleaned_claims = {}
    for name, value in claims.items():
        if name in RESERVED_CLAIMS:
            raise field_error("federated_trusts", f"{where}: the claim {name} is checked by the trust itself.")
        if not isinstance(value, str):
            raise field_error("federated_trusts", f"{where}: the claim {str(name)[:50]} must be a string.")
        cleaned_claims[_text(name, where, "a claim name")] = _text(value, where, f"the claim {name}")
    return {
        "issuer": issuer,
        "audience": _text(trust.get("audience"), where, "audience"),
        "subject": _text(trust.get("subject"), where, "subject"),
        "claims": cleaned_claims,
    }


def clean_federated_trusts(trusts):
    """``[{"issuer", "audience", "subject", "claims"}]``, checked; InvalidInput naming the trust."""
    if not isinstance(trusts, list) or len(trusts) > MAX_TRUSTS:
        raise field_error("federated_trusts", f"Give a list of at most {MAX_TRUSTS} trusts.")
    cleaned = []
    for index, trust in enumerate(trusts, start=1):
        trust = _clean_trust(trust, f"Trust {index}")
        if trust in cleaned:
            raise field_error("federated_trusts", f"Trust {index} repeats an earlier one.")
        cleaned.append(trust)
    return cleaned


@transaction.atomic
def service_credential_set_federated_trusts(*, credential, actor, federated_trusts):
    """Replace the credential's federated trusts (an empty list removes them all)."""
    trusts = clean_federated_trusts(federated_trusts)
    _ensure_may_take_over(actor, credential, "change the federated trusts of")
    credential = _locked(credential)
    credential.federated_trusts = trusts
    credential.save(update_fields=["federated_trusts"])
    audit.record(
        action=AuditAction.SERVICE_CREDENTIAL_UPDATE, organization=credential.organization, actor=actor,
        target=credential, details={"federated_trusts": trusts},
    )
    return credential


def _clean_jwks_uri(jwks_uri):
    insecure = remote_keys.is_listed_insecure(jwks_uri)
    try:
        remote_keys.check_url(jwks_uri, insecure=insecure)
        # Fetched now, so a typo is a 400 here rather than failed grants later.
        normalise_public_keys(jwks=remote_keys.fetch_jwks(jwks_uri, insecure=insecure))
    except remote_keys.RemoteKeysError as error:
        raise field_error("jwks_uri", str(error)) from error
    except ValueError as error:
        raise field_error("jwks_uri", f"The JWKS there is not usable: {error}") from error
    return jwks_uri


def _rolled_key_set(credential, jwks, public_key):
    """``jwks`` replaces the key set; ``public_key`` is added beside the keys already there, so the
    old and the new ``kid`` both work until a later PATCH of ``jwks`` drops the old one."""
    field = "jwks" if jwks is not None else "public_key"
    try:
        given = normalise_public_keys(jwks=jwks, public_key=public_key)["keys"]
        kept = [] if jwks is not None or credential.jwks_uri else list((credential.jwks or {}).get("keys", []))
        keys = kept + [key for key in given if key not in kept]
        kids = [key["kid"] for key in keys]
        if len(set(kids)) != len(kids):
            raise ValueError("Each key needs its own kid.")
        if len(keys) > 10:
            raise ValueError("Register at most 10 keys: drop an old one with a PATCH of jwks.")
        return {"keys": keys}
    except ValueError as error:
        raise field_error(field, str(error)) from error


@transaction.atomic
def service_credential_set_public_keys(*, credential, actor, jwks=None, public_key=None, jwks_uri=None):
    """Roll a private_key_jwt credential's keys: one of ``jwks`` (the whole set), ``public_key``
    (one more key) or ``jwks_uri`` (keys published by the client)."""
    given = [name for name, value in (("jwks", jwks), ("public_key", public_key), ("jwks_uri", jwks_uri)) if value is not None]
    if len(given) != 1:
        message = "Give exactly one of jwks, public_key or jwks_uri."
        raise InvalidInput(message, field_errors={name: [message] for name in given or ("jwks",)})
    if credential.auth_method != ServiceCredential.AuthMethod.PRIVATE_KEY_JWT:
        raise Conflict(
            "Only a private_key_jwt credential has public keys.", field_errors={given[0]: ["Only for private_key_jwt."]}
        )
    _ensure_may_take_over(actor, credential, "change the keys of")
    credential = _locked(credential)
    if jwks_uri is not None:
        credential.jwks_uri, credential.jwks = _clean_jwks_uri(jwks_uri), {}
        details = {"jwks_uri": credential.jwks_uri}
    else:
        credential.jwks, credential.jwks_uri = _rolled_key_set(credential, jwks, public_key), ""
        details = {"kids": [key["kid"] for key in credential.jwks["keys"]]}
    credential.save(update_fields=["jwks", "jwks_uri"])
    audit.record(
        action=AuditAction.SERVICE_CREDENTIAL_UPDATE, organization=credential.organization, actor=actor,
        target=credential, details=details,
    )
    return credential


def service_credential_test_token(*, credential, actor, token):
    """Which rule a pasted token fails for this credential's trusts (``federation.Verdict``);
    issues nothing and records nothing (the ``jti`` is only looked up)."""
    if credential.organization_id is None:
        ensure_may_on_platform(actor, "root_service_credentials:read")
    else:
        ensure_may(actor, "service_credentials:read", credential)
    verdict = federation.evaluate(token, credential.federated_trusts or [])
    if verdict.failure is None and federation.jti_used(verdict.claims, credential.application):
        verdict.trust, verdict.failure = None, federation.FederationRejected("jti", "This token was used already.")
        verdict.passed = [rule for rule in verdict.passed if rule != "jti"]
    return verdict
