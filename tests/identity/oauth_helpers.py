"""Small helpers for talking to the token endpoint in tests."""

import base64
import time
import uuid

from jwcrypto import jwt

TOKEN_URL = "http://testserver/o/token/"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def basic(client_id, secret):
    """An HTTP Basic `Authorization` value (client_secret_basic)."""
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def claims_for(client_id, **overrides):
    """A valid assertion's claims for ``client_id``; an override of None drops that claim."""
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": TOKEN_URL, "exp": now + 120, "iat": now, "jti": uuid.uuid4().hex}
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def sign(key, claims, alg="RS256", kid="key-1"):
    header = {"alg": alg}
    if kid:
        header["kid"] = kid
    token = jwt.JWT(header=header, claims=claims)
    token.make_signed_token(key)
    return token.serialize()


def post_assertion(client, assertion, headers=None, **extra):
    """A private_key_jwt token request through Django's test client; ``headers`` as META keys."""
    return client.post(
        "/o/token/",
        {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion, **extra},
        **(headers or {}),
    )
