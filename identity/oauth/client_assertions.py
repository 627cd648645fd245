"""`private_key_jwt` client authentication (RFC 7523 §2.2 and §3), built on jwcrypto.

django-oauth-toolkit does not implement it; the validator calls ``verify_client_assertion`` and
then ``remember_jti``. Rules: asymmetric algorithms only; ``typ``, when present, ``JWT`` or
``client-authentication+jwt``; the key chosen by ``kid`` (so a client can roll keys);
``iss`` = ``sub`` = client id; every ``aud`` value names the token endpoint or the issuer; ``exp``
required, not past, at most an hour after ``iat`` (authlib's default lifetime) and an hour ahead;
each ``jti`` accepted once, remembered in the database until the assertion expires.
"""

import functools
import hashlib
import json
from datetime import datetime, timedelta, timezone as dt_timezone

from django.db import IntegrityError
from jwcrypto import jwk, jws
from jwcrypto.common import JWException, base64url_decode

from identity import clock
from identity.models import UsedClientAssertion
from identity.oauth import durability

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALLOWED_ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")
ALLOWED_TYPES = ("jwt", "client-authentication+jwt")
CLOCK_SKEW = timedelta(seconds=30)
MAX_LIFETIME = timedelta(hours=1)
MAX_ASSERTION_LENGTH = 16 * 1024
MIN_RSA_BITS = 2048
SIGNING_CURVES = {"EC": ("P-256",), "OKP": ("Ed25519", "Ed448")}


class AssertionRejected(Exception):
    """Why an assertion was refused; for logs only, the client always sees invalid_client."""



def unverified_issuer(assertion):
    """The `iss` claim of a compact JWT before verification, only to find which client claims to
    be calling. Read by hand: a jwcrypto ``JWS`` deep-copies its header registry when built, and
    this runs twice per grant before the one verification that counts."""
    if not isinstance(assertion, str) or len(assertion) > MAX_ASSERTION_LENGTH:
        return None
    parts = assertion.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64url_decode(parts[1]))
    except (ValueError, TypeError, RecursionError):  # UnicodeDecodeError and binascii.Error are ValueErrors
        return None
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer if isinstance(issuer, str) else None


def load_key_set(jwks):
    """The stored JWKS as jwcrypto keys, cached by content: importing keys (an EC point check, an
    RSA modulus) costs more than verifying a signature, and a changed key set is a new entry."""
    return _key_set(json.dumps(jwks, sort_keys=True))


@functools.lru_cache(maxsize=256)
def _key_set(jwks_json):
    try:
        return jwk.JWKSet.from_json(jwks_json)
    except (JWException, ValueError, TypeError) as error:
        raise AssertionRejected("stored key set is unreadable") from error


def _select_key(key_set, kid):
    keys = list(key_set["keys"])
    if kid is not None:
        matching = [key for key in keys if key.get("kid") == kid]
        if not matching:
            raise AssertionRejected("unknown kid")
        return matching[0]
    if len(keys) != 1:
        raise AssertionRejected("kid required when several keys are registered")
    return keys[0]


def _timestamp(claims, name, required=False):
    value = claims.get(name)
    if value is None:
        if required:
            raise AssertionRejected(f"{name} missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AssertionRejected(f"{name} is not a number")
    try:
        return datetime.fromtimestamp(value, tz=dt_timezone.utc)
    except (OverflowError, OSError, ValueError) as error:
        raise AssertionRejected(f"{name} out of range") from error


def verify_client_assertion(*, assertion, client_id, jwks, audiences):
    """Check the assertion of ``client_id``; raise AssertionRejected, or return its claims.

    Its jti is not recorded here: the caller must ``remember_jti`` before relying on it.
    """
    if not isinstance(assertion, str) or len(assertion) > MAX_ASSERTION_LENGTH:
        raise AssertionRejected("malformed assertion")
    token = jws.JWS()
    try:
        token.deserialize(assertion)
        header = token.jose_header
    except (JWException, ValueError, TypeError, RecursionError) as error:
        raise AssertionRejected("malformed assertion") from error
    if not isinstance(header, dict):
        raise AssertionRejected("malformed header")
    algorithm = header.get("alg")
    if algorithm not in ALLOWED_ALGORITHMS:
        raise AssertionRejected(f"algorithm {algorithm!r} not allowed")
    if "typ" in header and _media_type(header["typ"]) not in ALLOWED_TYPES:
        raise AssertionRejected("typ is neither JWT nor client-authentication+jwt")
    key = _select_key(load_key_set(jwks), header.get("kid"))
    try:
        token.verify(key, alg=algorithm)
        claims = json.loads(token.payload)
    except (JWException, ValueError, TypeError, RecursionError) as error:
        raise AssertionRejected("bad signature") from error
    if not isinstance(claims, dict):
        raise AssertionRejected("claims are not an object")
    _check_claims(claims, client_id, audiences)
    return claims


def _media_type(typ):
    """RFC 7515 §4.1.9: a media type, compared without case and with "application/" optional."""
    if not isinstance(typ, str):
        return None
    typ = typ.lower()
    return typ.removeprefix("application/")


def _check_claims(claims, client_id, audiences):
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise AssertionRejected("iss and sub must be the client id")
    audience = claims.get("aud")
    audience_list = audience if isinstance(audience, list) else [audience]
    # Every audience must be us: an assertion also meant for another server could be replayed there.
    if not audience_list or not all(isinstance(a, str) and a.rstrip("/") in audiences for a in audience_list):
        raise AssertionRejected("aud must name only the token endpoint or the issuer")
    now = clock.now()
    expires = _timestamp(claims, "exp", required=True)
    if expires <= now - CLOCK_SKEW:
        raise AssertionRejected("expired")
    if expires > now + MAX_LIFETIME + CLOCK_SKEW:
        raise AssertionRejected("exp too far ahead")
    not_before = _timestamp(claims, "nbf")
    if not_before is not None and not_before > now + CLOCK_SKEW:
        raise AssertionRejected("not yet valid")
    issued_at = _timestamp(claims, "iat")
    if issued_at is not None:
        if issued_at > now + CLOCK_SKEW:
            raise AssertionRejected("issued in the future")
        if expires - issued_at > MAX_LIFETIME:
            raise AssertionRejected("lives longer than an hour")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti or len(jti) > 256:
        raise AssertionRejected("jti missing")


def remember_jti(claims, client):
    """Insert the jti; the unique constraint lets exactly one of many parallel sends through.

    Raises AssertionRejected when it was used already (inside a transaction, only this insert is
    rolled back). Its commit does not wait for the disk: it comes before the token it pays for,
    and a crash loses a suffix of such commits, never the jti of a token that survives."""
    digest = hashlib.sha256(claims["jti"].encode()).hexdigest()
    expires_at = _timestamp(claims, "exp", required=True) + CLOCK_SKEW
    try:
        with durability.atomic_that_a_crash_may_lose():
            UsedClientAssertion.objects.create(application=client, jti_digest=digest, expires_at=expires_at)
    except IntegrityError as error:
        raise AssertionRejected("jti already used") from error


PRIVATE_KEY_PASTED = (
    "This is a private key: paste the public key (-----BEGIN PUBLIC KEY-----), and keep the private key secret."
)


def normalise_public_keys(*, jwks=None, public_key=None):
    """A JWKS dict from a pasted JWKS or PEM public key; ValueError naming the problem otherwise.

    Only public asymmetric keys are accepted, each given a `kid` if it has none.
    """
    if public_key:
        try:
            key = jwk.JWK.from_pem(public_key.encode() if isinstance(public_key, str) else public_key)
        except (JWException, ValueError, TypeError) as error:
            # An encrypted or OpenSSH private key fails to load at all: name the mistake anyway.
            if "PRIVATE KEY" in str(public_key):
                raise ValueError(PRIVATE_KEY_PASTED) from error
            raise ValueError("This is not a PEM public key.") from error
        keys = [key]
    elif jwks:
        if isinstance(jwks, str):
            try:
                jwks = json.loads(jwks)
            except ValueError as error:
                raise ValueError("This is not valid JSON.") from error
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
            raise ValueError('Give a JWKS: {"keys": [ … ]} with at least one key.')
        if len(jwks["keys"]) > 10:
            raise ValueError("Register at most 10 keys.")
        try:
            keys = [jwk.JWK(**k) if isinstance(k, dict) else None for k in jwks["keys"]]
        except (JWException, ValueError, TypeError) as error:
            raise ValueError("A key in the JWKS is malformed.") from error
        if None in keys:
            raise ValueError("Each key must be a JSON object.")
    else:
        raise ValueError("Give a public key (PEM) or a JWKS for private_key_jwt.")
    exported = []
    for key in keys:
        _check_signing_key(key)
        public = json.loads(key.export_public())
        public.setdefault("kid", key.thumbprint())
        exported.append(public)
    return {"keys": exported}


def _check_signing_key(key):
    """A public key able to verify one of the allowed algorithms, at a strength worth trusting."""
    kty = key.get("kty")
    if kty not in ("RSA", "EC", "OKP"):
        raise ValueError("Only RSA, EC (P-256) and OKP (Ed25519, Ed448) public keys are accepted.")
    if key.has_private:
        raise ValueError(PRIVATE_KEY_PASTED)
    if key.get("use") not in (None, "sig") or ("key_ops" in key and "verify" not in (key.get("key_ops") or ())):
        raise ValueError("This key is not for signatures (its use or key_ops says otherwise).")
    if kty == "RSA":
        bits = key.get_op_key("verify").key_size
        if bits < MIN_RSA_BITS:
            raise ValueError(f"This RSA key has {bits} bits: use at least {MIN_RSA_BITS}.")
    elif key.get("crv") not in SIGNING_CURVES[kty]:
        raise ValueError(
            f"Curve {key.get('crv')} cannot sign with {', '.join(ALLOWED_ALGORITHMS)}: "
            f"use {' or '.join(SIGNING_CURVES[kty])}."
        )
