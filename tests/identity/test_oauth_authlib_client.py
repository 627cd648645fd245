"""A real OAuth2 client library (authlib) gets tokens with each method, and they work on the API."""

import json

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc.jwk import JWKRegistry
from jwcrypto import jwk

from tests.factories import make_credential

pytestmark = pytest.mark.django_db(transaction=True)


def call_me(live_server, token):
    return requests.get(live_server.url + "/api/v1/me/", headers={"Authorization": f"Bearer {token['access_token']}"}, timeout=10)


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_authlib_gets_a_token_with_a_client_secret(live_server, organization, method):
    credential, secret = make_credential(organization, auth_method=method, permissions=["studios:read"])
    session = OAuth2Session(credential.client_id, secret, token_endpoint_auth_method=method)
    token = session.fetch_token(live_server.url + "/o/token/", grant_type="client_credentials")
    assert token["token_type"].lower() == "bearer"
    assert token["scope"] == "studios:read"
    response = call_me(live_server, token)
    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "service_credential"


@pytest.mark.parametrize("kty,alg,extra", [("RSA", "RS256", {"size": 2048}), ("EC", "ES256", {"crv": "P-256"})])
def test_authlib_gets_a_token_with_private_key_jwt(live_server, organization, kty, alg, extra):
    key = jwk.JWK.generate(kty=kty, kid="ci-key", **extra)
    credential, secret = make_credential(
        organization, auth_method="private_key_jwt", jwks={"keys": [json.loads(key.export_public())]}
    )
    assert secret is None
    token_url = live_server.url + "/o/token/"
    private_key = JWKRegistry.import_key(json.loads(key.export_private()))
    session = OAuth2Session(credential.client_id, private_key, token_endpoint_auth_method="private_key_jwt")
    session.register_client_auth_method(PrivateKeyJWT(token_url, alg=alg, headers={"kid": "ci-key"}))
    token = session.fetch_token(token_url, grant_type="client_credentials")
    assert call_me(live_server, token).status_code == 200
