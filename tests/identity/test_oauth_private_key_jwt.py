"""`private_key_jwt` (RFC 7523): good assertions get tokens, every kind of bad one is refused."""

import json
import time

import pytest
from jwcrypto import jwk, jws

from identity.models import UsedClientAssertion
from tests.factories import make_credential
from tests.identity.oauth_helpers import claims_for, post_assertion, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def rsa_key():
    key = jwk.JWK.generate(kty="RSA", size=2048, kid="key-1")
    return key


@pytest.fixture
def credential(organization, rsa_key):
    public = json.loads(rsa_key.export_public())
    credential, secret = make_credential(
        organization, auth_method="private_key_jwt", jwks={"keys": [public]}, permissions=["studios:read"]
    )
    assert secret is None
    return credential


def test_a_signed_assertion_gets_a_token(client, credential, rsa_key):
    response = post_assertion(client, sign(rsa_key, claims_for(credential.client_id)))
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "studios:read"


def test_the_issuer_is_an_accepted_audience(client, credential, rsa_key):
    response = post_assertion(client, sign(rsa_key, claims_for(credential.client_id, aud="http://testserver")))
    assert response.status_code == 200


@pytest.mark.parametrize("alg,kty,extra", [("PS256", "RSA", {"size": 2048}), ("ES256", "EC", {"crv": "P-256"}), ("EdDSA", "OKP", {"crv": "Ed25519"})])
def test_each_asymmetric_algorithm_is_accepted(client, organization, alg, kty, extra):
    key = jwk.JWK.generate(kty=kty, kid="k", **extra)
    credential, _ = make_credential(organization, auth_method="private_key_jwt", jwks={"keys": [json.loads(key.export_public())]})
    response = post_assertion(client, sign(key, claims_for(credential.client_id), alg=alg, kid="k"))
    assert response.status_code == 200, response.content


def test_a_client_can_roll_keys_by_kid(client, organization):
    old, new = jwk.JWK.generate(kty="EC", crv="P-256", kid="old"), jwk.JWK.generate(kty="EC", crv="P-256", kid="new")
    keys = {"keys": [json.loads(old.export_public()), json.loads(new.export_public())]}
    credential, _ = make_credential(organization, auth_method="private_key_jwt", jwks=keys)
    assert post_assertion(client, sign(old, claims_for(credential.client_id), alg="ES256", kid="old")).status_code == 200
    assert post_assertion(client, sign(new, claims_for(credential.client_id), alg="ES256", kid="new")).status_code == 200


def refused(response):
    return response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_a_replayed_jti_is_refused(client, credential, rsa_key):
    assertion = sign(rsa_key, claims_for(credential.client_id))
    assert post_assertion(client, assertion).status_code == 200
    assert refused(post_assertion(client, assertion))


def test_an_expired_assertion_is_refused(client, credential, rsa_key):
    assert refused(post_assertion(client, sign(rsa_key, claims_for(credential.client_id, exp=int(time.time()) - 120))))


def test_an_assertion_without_exp_is_refused(client, credential, rsa_key):
    claims = claims_for(credential.client_id)
    del claims["exp"]
    assert refused(post_assertion(client, sign(rsa_key, claims)))


def test_an_exp_further_ahead_than_an_hour_is_refused(client, credential, rsa_key):
    far = int(time.time()) + 2 * 3600
    assert refused(post_assertion(client, sign(rsa_key, claims_for(credential.client_id, exp=far))))


def test_authlibs_default_one_hour_exp_is_accepted(client, credential, rsa_key):
    response = post_assertion(client, sign(rsa_key, claims_for(credential.client_id, exp=int(time.time()) + 3600)))
    assert response.status_code == 200


def test_a_wrong_audience_is_refused(client, credential, rsa_key):
    assertion = sign(rsa_key, claims_for(credential.client_id, aud="https://elsewhere.example/o/token/"))
    assert refused(post_assertion(client, assertion))


@pytest.mark.parametrize("claim", ["iss", "sub"])
def test_a_wrong_iss_or_sub_is_refused(client, credential, rsa_key, claim):
    assert refused(post_assertion(client, sign(rsa_key, claims_for(credential.client_id, **{claim: "someone-else"}))))


def test_alg_none_is_refused(client, credential):
    header = jws.base64url_encode(json.dumps({"alg": "none", "kid": "key-1"}))
    payload = jws.base64url_encode(json.dumps(claims_for(credential.client_id)))
    assert refused(post_assertion(client, f"{header}.{payload}."))


def test_hs256_signed_with_the_public_key_is_refused(client, credential, rsa_key):
    public_pem = rsa_key.export_to_pem()
    symmetric = jwk.JWK(kty="oct", k=jws.base64url_encode(public_pem))
    assert refused(post_assertion(client, sign(symmetric, claims_for(credential.client_id), alg="HS256")))


def test_an_unknown_kid_is_refused(client, credential, rsa_key):
    assert refused(post_assertion(client, sign(rsa_key, claims_for(credential.client_id), kid="unknown")))


def test_a_signature_by_another_key_is_refused(client, credential):
    stranger = jwk.JWK.generate(kty="RSA", size=2048, kid="key-1")
    assert refused(post_assertion(client, sign(stranger, claims_for(credential.client_id))))


@pytest.mark.parametrize("garbage", ["", "not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30", "x" * 20000, "\x00\x01"])
def test_garbage_is_refused_without_a_server_error(client, credential, garbage):
    response = post_assertion(client, garbage)
    assert response.status_code in (400, 401)
    assert "error" in response.json()


def nested_too_deep(depth=5000):
    return "[" * depth + "]" * depth


def test_a_payload_nested_too_deep_is_refused_without_a_server_error(client, credential):
    header = jws.base64url_encode(json.dumps({"alg": "RS256", "kid": "key-1"}))
    payload = jws.base64url_encode('{"iss": "%s", "deep": %s}' % (credential.client_id, nested_too_deep()))
    assert refused(post_assertion(client, f"{header}.{payload}.c2ln"))


def test_a_header_nested_too_deep_is_refused_without_a_server_error(client, credential):
    # The payload names the client, so the assertion reaches the signature check's header parsing.
    header = jws.base64url_encode('{"alg": "RS256", "deep": %s}' % nested_too_deep())
    payload = jws.base64url_encode(json.dumps(claims_for(credential.client_id)))
    assert refused(post_assertion(client, f"{header}.{payload}.c2ln"))


def test_a_wrong_assertion_type_is_refused(client, credential, rsa_key):
    response = client.post(
        "/o/token/",
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:example:other",
            "client_assertion": sign(rsa_key, claims_for(credential.client_id)),
        },
    )
    assert refused(response)


def test_a_used_jti_is_remembered_until_the_assertion_expires(client, credential, rsa_key):
    post_assertion(client, sign(rsa_key, claims_for(credential.client_id)))
    remembered = UsedClientAssertion.objects.get()
    assert remembered.expires_at.timestamp() > time.time()
