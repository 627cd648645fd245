"""What a pipeline does against a deployment: create service credentials with a service token,
get access tokens by each client authentication method, call the API with them."""

import time
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto import jwk, jwt

from tests.deploy.backends import ISSUER

TOKEN_URL = f"{ISSUER}/o/token/"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def api_url(path):
    return f"{ISSUER}/api/v1/{path}"


def api_key(site):
    return {"Authorization": f"ApiKey {site.service_token}"}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def client_key_pair():
    """``(signing key, PEM public key)``: an RSA-2048 pair the client keeps and registers."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return jwk.JWK.from_pyca(private), public_pem


def create_credential(session, server, site, method, public_key=None):
    """Create a service credential through the API; the creation response (keys shown once)."""
    body = {"name": f"{method}-{uuid.uuid4().hex[:8]}", "token_endpoint_auth_method": method}
    if public_key:
        body["public_key"] = public_key
    response = session.post(
        api_url(f"orgs/{site.organization}/service-credentials/"), json=body, headers=api_key(site)
    )
    assert response.status_code == 201, server.explain(response)
    return response.json()


def signed_assertion(key, client_id, audience):
    """An RFC 7523 client assertion, used once (fresh ``jti``), expiring in two minutes."""
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": audience, "iat": now, "exp": now + 120, "jti": uuid.uuid4().hex}
    token = jwt.JWT(header={"alg": "RS256", "kid": key.thumbprint()}, claims=claims)
    token.make_signed_token(key)
    return token.serialize()


def grant_basic(session, keys, secret=None):
    return session.post(
        TOKEN_URL, data={"grant_type": "client_credentials"}, auth=(keys["client_id"], secret or keys["client_secret"])
    )


def grant_post(session, keys):
    return session.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "client_id": keys["client_id"], "client_secret": keys["client_secret"]},
    )


def grant_with_assertion(session, assertion):
    return session.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE, "client_assertion": assertion},
    )


def access_token(response, server):
    """The access token of a successful grant; a 500 is called out as such, whatever else fails."""
    assert response.status_code != 500, f"the token endpoint must never answer 500\n{server.explain(response)}"
    assert response.status_code == 200, server.explain(response)
    body = response.json()
    assert body["token_type"].lower() == "bearer", body
    return body["access_token"]
