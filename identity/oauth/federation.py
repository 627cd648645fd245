"""Federated credentials: a platform's OIDC token (GitHub Actions, GitLab CI, a Kubernetes
cluster) stands in for a stored key.

A token is accepted for a credential when one of its federated trusts matches, rule by rule:
``issuer`` (``iss`` equal to the trust's issuer; only then are the issuer's keys fetched, so a
token cannot send us to a URL of its choosing), ``signature`` (a key of the issuer's JWKS chosen
by ``kid``, an allowed asymmetric algorithm), ``expiry`` (``exp`` required and not past,
``nbf`` and ``iat`` not ahead), ``audience`` (``aud`` contains the trust's audience),
``subject`` (``sub`` equal), ``claims`` (each listed claim equal), and a ``jti`` to be used once.
The same rules explain a pasted token in the portal ("Test a token"), naming the first that fails.
"""

import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone

from django.db import IntegrityError, transaction
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from identity import clock
from identity.models import UsedClientAssertion
from identity.oauth import remote_keys
from identity.oauth.client_assertions import ALLOWED_ALGORITHMS, MAX_ASSERTION_LENGTH

CLOCK_SKEW = timedelta(seconds=30)
RULES = ("format", "issuer", "signature", "expiry", "audience", "subject", "claims", "jti")
# Which key types can check which algorithm: a key of another type is never tried.
KEY_TYPES = {"RS256": "RSA", "PS256": "RSA", "ES256": "EC", "EdDSA": "OKP"}


class FederationRejected(Exception):
    """A rule a token failed; ``rule`` is one of RULES. For logs and the portal's test, never the
    token endpoint's answer (that is always the same)."""

    def __init__(self, rule, message):
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message


@dataclass
class Verdict:
    """What the rules said about a token: ``trust`` the one that matched, else ``failure``."""

    claims: dict = field(default_factory=dict)
    trust: dict | None = None
    failure: FederationRejected | None = None
    passed: list = field(default_factory=list)


def unverified_token(token):
    """``(header, claims)`` of a compact JWS, before any verification; FederationRejected if it is
    not one."""
    if not isinstance(token, str) or not token or len(token) > MAX_ASSERTION_LENGTH:
        raise FederationRejected("format", "This is not a JWT (or it is longer than 16 KiB).")
    parsed = jws.JWS()
    try:
        parsed.deserialize(token)
        header = parsed.jose_header
        claims = json.loads(parsed.objects["payload"])
    except (JWException, ValueError, TypeError, KeyError, UnicodeDecodeError, RecursionError) as error:
        raise FederationRejected("format", "This is not a signed JWT.") from error
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise FederationRejected("format", "This is not a signed JWT.")
    return parsed, header, claims


def _same_issuer(a, b):
    return isinstance(a, str) and isinstance(b, str) and a.rstrip("/") == b.rstrip("/")


@functools.lru_cache(maxsize=512)
def _imported_key(key_json):
    # Importing a key (an EC point check, an RSA modulus) costs more than verifying a signature.
    return jwk.JWK.from_json(key_json)


def _check_signature(parsed, header, issuer):
    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise FederationRejected("signature", f"The algorithm {algorithm!r} is not one of {', '.join(ALLOWED_ALGORITHMS)}.")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise FederationRejected("signature", "The token's kid is not a string.")
    try:
        key_set = remote_keys.issuer_keys(issuer, kid=kid)
    except remote_keys.RemoteKeysError as error:
        raise FederationRejected("signature", f"The issuer's keys could not be fetched: {error}") from error
    keys = [key for key in key_set["keys"] if key.get("kty") == KEY_TYPES[algorithm] and key.get("use") in (None, "sig")]
    if kid is not None:
        keys = [key for key in keys if key.get("kid") == kid]
    if not keys:
        raise FederationRejected("signature", f"The issuer publishes no {algorithm} key with kid {kid!r}.")
    for key in keys[:3]:
        try:
            parsed.verify(_imported_key(json.dumps(key, sort_keys=True)), alg=algorithm)
            return
        except (JWException, ValueError, TypeError):
            continue
    raise FederationRejected("signature", "The signature does not verify with the issuer's keys.")


def _timestamp(claims, name):
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FederationRejected("expiry", f"{name} is not a number.")
    try:
        return datetime.fromtimestamp(value, tz=dt_timezone.utc)
    except (OverflowError, OSError, ValueError) as error:
        raise FederationRejected("expiry", f"{name} is out of range.") from error


def _check_expiry(claims):
    now = clock.now()
    expires = _timestamp(claims, "exp")
    if expires is None:
        raise FederationRejected("expiry", "The token has no exp.")
    if expires <= now - CLOCK_SKEW:
        raise FederationRejected("expiry", "The token has expired.")
    not_before = _timestamp(claims, "nbf")
    if not_before is not None and not_before > now + CLOCK_SKEW:
        raise FederationRejected("expiry", "The token is not valid yet (nbf).")
    issued_at = _timestamp(claims, "iat")
    if issued_at is not None and issued_at > now + CLOCK_SKEW:
        raise FederationRejected("expiry", "The token was issued in the future (iat).")


def _check_trust(claims, trust):
    """The rules one trust adds; returns how many passed before raising, for the closest match."""
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if trust["audience"] not in audiences:
        raise FederationRejected("audience", f"aud does not contain {trust['audience']!r}.")
    if claims.get("sub") != trust["subject"]:
        raise FederationRejected("subject", f"sub is not {trust['subject']!r}.")
    for name, expected in sorted((trust.get("claims") or {}).items()):
        if claims.get(name) != expected:
            raise FederationRejected("claims", f"The claim {name} is not {expected!r}.")


def evaluate(token, trusts):
    """Every rule in order, stopping at the first that fails; never raises."""
    verdict = Verdict()
    try:
        parsed, header, claims = unverified_token(token)
        verdict.claims = claims
        verdict.passed.append("format")
        matching = [trust for trust in trusts if _same_issuer(claims.get("iss"), trust["issuer"])]
        if not matching:
            raise FederationRejected("issuer", f"No federated trust names the issuer {claims.get('iss')!r}.")
        verdict.passed.append("issuer")
        _check_signature(parsed, header, matching[0]["issuer"])
        verdict.passed.append("signature")
        _check_expiry(claims)
        verdict.passed.append("expiry")
        closest = None
        for trust in matching:
            try:
                _check_trust(claims, trust)
            except FederationRejected as error:
                # Report the trust that came closest: a wrong subject says more than a wrong audience.
                if closest is None or RULES.index(error.rule) > RULES.index(closest.rule):
                    closest = error
                continue
            verdict.trust = trust
            break
        if verdict.trust is None:
            raise closest
        verdict.passed += ["audience", "subject", "claims"]
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti or len(jti) > 256:
            raise FederationRejected("jti", "The token has no jti, so it could be replayed.")
        verdict.passed.append("jti")
    except FederationRejected as error:
        verdict.trust = None
        verdict.failure = error
    return verdict


def _jti_digest(claims):
    return hashlib.sha256(f"federated|{claims['iss']}|{claims['jti']}".encode()).hexdigest()


def jti_used(claims, client):
    return UsedClientAssertion.objects.filter(application=client, jti_digest=_jti_digest(claims)).exists()


def remember_jti(claims, client):
    """Insert the token's jti for this client; FederationRejected when it was used already."""
    expires_at = _timestamp(claims, "exp") + CLOCK_SKEW
    try:
        with transaction.atomic():
            UsedClientAssertion.objects.create(application=client, jti_digest=_jti_digest(claims), expires_at=expires_at)
    except IntegrityError as error:
        raise FederationRejected("jti", "This token was used already.") from error


def accept(token, client, trusts):
    """The claims of ``token`` if one of ``trusts`` matches and its jti is new (then remembered);
    FederationRejected otherwise."""
    verdict = evaluate(token, trusts)
    if verdict.failure is not None:
        raise verdict.failure
    remember_jti(verdict.claims, client)
    return verdict.claims
