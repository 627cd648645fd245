"""The token endpoint against a hostile client: one authentication method per request, RFC 7523's
policy, throttles that cannot be walked around, and one issuer for every URL."""

import json
import time

import pytest
from django.test import override_settings
from jwcrypto import jwk

from identity.oauth import throttle
from tests.factories import make_credential
from tests.identity.oauth_helpers import ASSERTION_TYPE, basic, claims_for, post_assertion, sign

pytestmark = pytest.mark.django_db

UNREACHABLE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}


@pytest.fixture
def rsa_key():
    return jwk.JWK.generate(kty="RSA", size=2048, kid="key-1")


@pytest.fixture
def signer(organization, rsa_key):
    credential, _ = make_credential(
        organization, auth_method="private_key_jwt", jwks={"keys": [json.loads(rsa_key.export_public())]}
    )
    return credential


def grant(client, **kwargs):
    return client.post("/o/token/", {"grant_type": "client_credentials", **kwargs.pop("data", {})}, **kwargs)


# --- One client authentication method per request (RFC 6749 §2.3, RFC 7523 §3.1).


def test_basic_credentials_beside_an_assertion_are_an_invalid_request(client, signer, rsa_key):
    response = post_assertion(
        client, sign(rsa_key, claims_for(signer.client_id)), headers={"HTTP_AUTHORIZATION": basic(signer.client_id, "x")}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_client_secret_beside_an_assertion_is_an_invalid_request(client, signer, rsa_key):
    response = post_assertion(client, sign(rsa_key, claims_for(signer.client_id)), client_secret="x")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_two_client_assertions_are_an_invalid_request(client, signer, rsa_key):
    first, second = (sign(rsa_key, claims_for(signer.client_id)) for _ in range(2))
    body = f"grant_type=client_credentials&client_assertion_type={ASSERTION_TYPE}&client_assertion={first}&client_assertion={second}"
    response = client.post("/o/token/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_basic_and_a_body_secret_together_are_an_invalid_request(client, organization):
    credential, secret = make_credential(organization)
    response = grant(
        client,
        data={"client_id": credential.client_id, "client_secret": secret},
        HTTP_AUTHORIZATION=basic("someone-else", "guess"),
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


# --- RFC 7523 policy.


@pytest.mark.parametrize("typ", ["JWT", "client-authentication+jwt", "application/client-authentication+jwt"])
def test_an_assertion_typed_as_a_jwt_is_accepted(client, signer, rsa_key, typ):
    from jwcrypto import jwt

    token = jwt.JWT(header={"alg": "RS256", "kid": "key-1", "typ": typ}, claims=claims_for(signer.client_id))
    token.make_signed_token(rsa_key)
    assert post_assertion(client, token.serialize()).status_code == 200


@pytest.mark.parametrize("typ", ["at+jwt", "dpop+jwt", "secevent+jwt"])
def test_an_assertion_of_another_type_is_refused(client, signer, rsa_key, typ):
    from jwcrypto import jwt

    token = jwt.JWT(header={"alg": "RS256", "kid": "key-1", "typ": typ}, claims=claims_for(signer.client_id))
    token.make_signed_token(rsa_key)
    response = post_assertion(client, token.serialize())
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_an_audience_list_naming_another_server_too_is_refused(client, signer, rsa_key):
    claims = claims_for(signer.client_id, aud=["http://testserver/o/token/", "https://elsewhere.example/token"])
    assert post_assertion(client, sign(rsa_key, claims)).status_code == 401


def test_an_assertion_living_longer_than_an_hour_is_refused(client, signer, rsa_key):
    now = int(time.time())
    claims = claims_for(signer.client_id, iat=now - 600, exp=now + 3300)
    assert post_assertion(client, sign(rsa_key, claims)).status_code == 401


def test_an_assertion_living_exactly_an_hour_is_accepted(client, signer, rsa_key):
    now = int(time.time())
    assert post_assertion(client, sign(rsa_key, claims_for(signer.client_id, iat=now, exp=now + 3600))).status_code == 200


@pytest.mark.parametrize(
    "key,message",
    [
        (jwk.JWK.generate(kty="RSA", size=1024), "at least 2048"),
        (jwk.JWK.generate(kty="OKP", crv="X25519"), "cannot sign"),
        (jwk.JWK.generate(kty="EC", crv="P-384"), "cannot sign"),
    ],
    ids=["rsa-1024", "x25519", "p-384"],
)
def test_weak_and_non_signing_keys_cannot_be_registered(token_client, organization, key, message):
    response = token_client.post(
        f"/api/v1/orgs/{organization.slug}/service-credentials/",
        {"name": "weak", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [json.loads(key.export_public())]}},
        format="json",
    )
    assert response.status_code == 400
    assert message in json.dumps(response.json())


def test_an_encryption_key_cannot_be_registered(token_client, organization):
    public = json.loads(jwk.JWK.generate(kty="RSA", size=2048).export_public()) | {"use": "enc"}
    response = token_client.post(
        f"/api/v1/orgs/{organization.slug}/service-credentials/",
        {"name": "enc", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [public]}},
        format="json",
    )
    assert response.status_code == 400
    assert "not for signatures" in json.dumps(response.json())


# --- Throttles that key on what is really being authenticated.


def test_failures_through_the_body_count_for_that_client_whatever_the_basic_name(client, organization):
    credential, secret = make_credential(organization)
    for _ in range(throttle.MAX_FAILURES):
        assert grant(client, data={"client_id": credential.client_id, "client_secret": "pcs_wrong"}).status_code == 401
    blocked = grant(client, HTTP_AUTHORIZATION=basic(credential.client_id, secret))
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0


@pytest.mark.parametrize("path", ["/o/introspect/", "/o/revoke_token/"])
def test_failed_introspection_and_revocation_callers_are_throttled(client, organization, path):
    credential, secret = make_credential(organization)
    for _ in range(throttle.MAX_FAILURES):
        assert client.post(path, {"token": "x"}, HTTP_AUTHORIZATION=basic(credential.client_id, "pcs_wrong")).status_code == 401
    blocked = client.post(path, {"token": "x"}, HTTP_AUTHORIZATION=basic(credential.client_id, secret))
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0


@pytest.mark.parametrize("header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"])
def test_guessed_api_keys_meet_a_429(api_client, header, organization):
    value = "pct_" + "A" * 59
    prefix = "ApiKey " if header == "HTTP_AUTHORIZATION" else ""
    statuses = [api_client.get("/api/v1/me/", **{header: prefix + value}).status_code for _ in range(throttle.MAX_API_FAILURES + 1)]
    assert set(statuses[:-1]) == {401}
    assert statuses[-1] == 429


def test_guessed_bearer_tokens_meet_a_429(api_client):
    for _ in range(throttle.MAX_API_FAILURES):
        assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer guessed").status_code == 401
    assert api_client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer guessed").status_code == 429


@override_settings(PORTCULLIS_TRUSTED_PROXY_HOPS=1)
def test_behind_a_proxy_each_forwarded_client_has_its_own_counter(client, organization):
    credential, secret = make_credential(organization)
    for _ in range(throttle.MAX_FAILURES):
        # The attacker forges an earlier X-Forwarded-For entry; the proxy appends the real address.
        response = grant(
            client, HTTP_AUTHORIZATION=basic(credential.client_id, "pcs_wrong"),
            HTTP_X_FORWARDED_FOR=f"10.9.9.{_}, 198.51.100.7", REMOTE_ADDR="10.0.0.1",
        )
        assert response.status_code == 401
    attacker = grant(
        client, HTTP_AUTHORIZATION=basic(credential.client_id, secret),
        HTTP_X_FORWARDED_FOR="10.9.9.99, 198.51.100.7", REMOTE_ADDR="10.0.0.1",
    )
    pipeline = grant(
        client, HTTP_AUTHORIZATION=basic(credential.client_id, secret),
        HTTP_X_FORWARDED_FOR="203.0.113.5", REMOTE_ADDR="10.0.0.1",
    )
    assert attacker.status_code == 429
    assert pipeline.status_code == 200


def test_an_unknown_client_costs_the_same_secret_check_as_a_wrong_secret(client, organization, monkeypatch):
    from identity.oauth.hashers import ClientSecretHasher

    checks = []
    original = ClientSecretHasher.verify
    monkeypatch.setattr(ClientSecretHasher, "verify", lambda self, *args: checks.append(1) or original(self, *args))
    credential, _ = make_credential(organization)
    assert grant(client, HTTP_AUTHORIZATION=basic(credential.client_id, "pcs_wrong")).status_code == 401
    assert grant(client, HTTP_AUTHORIZATION=basic("no-such-client", "pcs_wrong")).status_code == 401
    assert len(checks) == 2


def test_an_unknown_api_key_costs_the_same_digest_as_a_wrong_one(api_client, organization, monkeypatch):
    from identity import apikeys
    from tests.factories import make_service_token

    service_token, plaintext = make_service_token(organization, roles=("member",))
    digests = []
    original = apikeys.matches
    monkeypatch.setattr(apikeys, "matches", lambda *args: digests.append(1) or original(*args))
    other, _ = apikeys.generate()
    # The token's own key id with another well-formed secret (checksum included).
    body = plaintext[: len(apikeys.PREFIX) + apikeys.KEY_ID_LENGTH] + other[len(apikeys.PREFIX) + apikeys.KEY_ID_LENGTH : -apikeys.CHECKSUM_LENGTH]
    wrong_secret = body + apikeys._checksum(body)
    for candidate in (wrong_secret, other):
        assert api_client.get("/api/v1/me/", HTTP_X_API_KEY=candidate).status_code == 401
    assert len(digests) == 2


@override_settings(CACHES=UNREACHABLE_CACHE)
def test_an_unreachable_throttle_answers_503_and_tests_no_guess(client, organization, monkeypatch):
    from identity.oauth.hashers import ClientSecretHasher

    monkeypatch.setattr(ClientSecretHasher, "verify", lambda *args: pytest.fail("a secret was checked"))
    credential, secret = make_credential(organization)
    response = grant(client, HTTP_AUTHORIZATION=basic(credential.client_id, secret))
    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
    assert int(response["Retry-After"]) > 0


@override_settings(CACHES=UNREACHABLE_CACHE)
def test_an_unreachable_throttle_answers_503_to_api_keys(token_client):
    response = token_client.get("/api/v1/me/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0


# --- One issuer for every URL printed or accepted.


@override_settings(PORTCULLIS_ISSUER="https://portcullis.example.com")
def test_the_configured_issuer_is_printed_and_accepted_whatever_the_host(token_client, organization, rsa_key):
    response = token_client.post(
        f"/api/v1/orgs/{organization.slug}/service-credentials/",
        {"name": "signer", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [json.loads(rsa_key.export_public())]}},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token_url"] == "https://portcullis.example.com/o/token/"
    assert "https://portcullis.example.com/o/token/" in body["usage_example"]
    assertion = sign(rsa_key, claims_for(body["client_id"], aud=body["token_url"]))
    assert post_assertion(token_client, assertion).status_code == 200
    # The host a request came to does not widen what is accepted.
    assert post_assertion(token_client, sign(rsa_key, claims_for(body["client_id"]))).status_code == 401


def test_a_forwarded_scheme_is_ignored_unless_the_proxy_is_trusted(client, signer, rsa_key):
    https_audience = claims_for(signer.client_id, aud="https://testserver/o/token/")
    forwarded = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "testserver"}
    assert post_assertion(client, sign(rsa_key, https_audience), headers=forwarded).status_code == 401
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        https_audience = claims_for(signer.client_id, aud="https://testserver/o/token/")
        assert post_assertion(client, sign(rsa_key, https_audience), headers=forwarded).status_code == 200


@override_settings(PORTCULLIS_ISSUER="https://portcullis.example.com/")
def test_metadata_announces_the_configured_issuer(client):
    body = client.get("/.well-known/oauth-authorization-server").json()
    assert body["issuer"] == "https://portcullis.example.com"
    assert body["token_endpoint"] == "https://portcullis.example.com/o/token/"
