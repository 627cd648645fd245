"""Federated credentials: a platform's OIDC token gets an access token, as a client assertion and
through RFC 8693 token exchange, when a trust matches; every mismatch is the same refusal."""

import time

import pytest

from identity import clock
from identity.models import UsedClientAssertion
from identity.services.credential_keys import service_credential_set_federated_trusts
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential
from tests.identity.oauth_helpers import ASSERTION_TYPE
from tests.identity.oidc_issuer import local_issuer, unlisted_issuer  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt"
GITHUB_SUBJECT = "repo:acme/deploy:ref:refs/heads/main"
K8S_SUBJECT = "system:serviceaccount:ci:deployer"


def trust(issuer, subject=GITHUB_SUBJECT, audience="portcullis", claims=None):
    return {"issuer": issuer.url, "audience": audience, "subject": subject, "claims": claims or {}}


@pytest.fixture
def credential(organization, local_issuer):
    credential, _ = make_credential(organization, permissions=["studios:read"])
    trusts = [
        trust(local_issuer, claims={"repository_owner": "acme"}),
        trust(local_issuer, subject=K8S_SUBJECT),
    ]
    return service_credential_set_federated_trusts(
        credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(organization), federated_trusts=trusts
    )


def as_assertion(client, credential, token):
    return client.post(
        "/o/token/",
        {"grant_type": "client_credentials", "client_id": credential.client_id,
         "client_assertion_type": ASSERTION_TYPE, "client_assertion": token},
    )


def exchange(client, credential, token, token_type=JWT_TYPE, **extra):
    return client.post(
        "/o/token/",
        {"grant_type": TOKEN_EXCHANGE, "client_id": credential.client_id, "subject_token": token,
         "subject_token_type": token_type, **extra},
    )


def test_a_github_token_is_a_client_assertion(client, credential, local_issuer):
    response = as_assertion(client, credential, local_issuer.github_token())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "studios:read"
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert me.status_code == 200 and me.json()["kind"] == "service_credential"


def test_a_github_token_is_exchanged_for_an_access_token(client, credential, local_issuer):
    response = exchange(client, credential, local_issuer.github_token())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert body["token_type"] == "Bearer" and body["access_token"]


def test_a_kubernetes_token_is_exchanged_as_an_id_token(client, credential, local_issuer):
    token = local_issuer.kubernetes_token()
    response = exchange(client, credential, token, token_type="urn:ietf:params:oauth:token-type:id_token")
    assert response.status_code == 200, response.content
    assert as_assertion(client, credential, local_issuer.kubernetes_token()).status_code == 200


def test_a_kubernetes_token_of_another_service_account_is_refused(client, credential, local_issuer):
    assert exchange(client, credential, local_issuer.kubernetes_token(service_account="intruder")).status_code == 400


def _mismatches(issuer, other):
    return {
        "issuer": lambda: other.github_token(),
        "audience": lambda: issuer.github_token(audience="someone-else"),
        "subject": lambda: issuer.github_token(ref="refs/heads/feature"),
        "claim": lambda: issuer.github_token(repository_owner="evil"),
        "signature": lambda: issuer.github_token()[:-8] + "AAAAAAAA",
        "expired": lambda: issuer.github_token(exp=int(time.time()) - 120, iat=int(time.time()) - 600),
        "not yet valid": lambda: issuer.github_token(nbf=int(time.time()) + 600),
        "no jti": lambda: issuer.github_token(jti=None),
        "no exp": lambda: issuer.github_token(exp=None),
        "not a jwt": lambda: "not-a-jwt",
    }


MISMATCHES = list(_mismatches(None, None))


@pytest.mark.parametrize("mismatch", MISMATCHES)
def test_each_mismatch_is_refused_as_an_assertion_with_one_body(client, credential, local_issuer, unlisted_issuer, mismatch):
    reference = as_assertion(client, credential, "x.y.z")
    response = as_assertion(client, credential, _mismatches(local_issuer, unlisted_issuer)[mismatch]())
    assert response.status_code == 401
    assert response.content == reference.content
    assert response.json() == {"error": "invalid_client"}


@pytest.mark.parametrize("mismatch", MISMATCHES)
def test_each_mismatch_is_refused_in_an_exchange_with_one_body(client, credential, local_issuer, unlisted_issuer, mismatch):
    reference = exchange(client, credential, "x.y.z")
    response = exchange(client, credential, _mismatches(local_issuer, unlisted_issuer)[mismatch]())
    assert response.status_code == 400
    assert response.content == reference.content
    assert response.json()["error"] == "invalid_grant"


def test_a_token_nested_too_deep_is_refused_without_a_server_error(client, credential):
    from jwcrypto.common import base64url_encode

    deep = "[" * 5000 + "]" * 5000
    header, claims = base64url_encode('{"alg": "RS256"}'), base64url_encode('{"x": %s}' % deep)
    token = f"{header}.{claims}.c2ln"
    assert exchange(client, credential, token).json()["error"] == "invalid_grant"
    assert as_assertion(client, credential, token).json() == {"error": "invalid_client"}


def test_a_token_signed_by_another_key_with_the_issuers_kid_is_refused(client, credential, local_issuer):
    from jwcrypto import jwk

    forged = jwk.JWK.generate(kty="RSA", size=2048, kid="issuer-key-1")
    token = local_issuer.sign({"iss": local_issuer.url, "aud": "portcullis", "sub": GITHUB_SUBJECT,
                               "repository_owner": "acme", "exp": int(time.time()) + 60, "jti": "j1"}, key=forged)
    assert exchange(client, credential, token).status_code == 400


def test_a_replayed_token_is_refused(client, credential, local_issuer):
    token = local_issuer.github_token()
    assert exchange(client, credential, token).status_code == 200
    assert exchange(client, credential, token).json()["error"] == "invalid_grant"
    assert as_assertion(client, credential, token).status_code == 401
    assert UsedClientAssertion.objects.count() == 1


def test_a_token_is_not_accepted_for_a_credential_without_a_trust(client, organization, local_issuer):
    credential, _ = make_credential(organization)
    assert exchange(client, credential, local_issuer.github_token()).json()["error"] == "invalid_grant"
    assert as_assertion(client, credential, local_issuer.github_token()).status_code == 401


def test_a_key_rotated_at_the_issuer_is_picked_up_after_one_refetch(client, credential, local_issuer):
    assert exchange(client, credential, local_issuer.github_token()).status_code == 200
    assert local_issuer.hits["/jwks"] == 1
    # Cached: a second grant fetches nothing.
    assert exchange(client, credential, local_issuer.github_token()).status_code == 200
    assert local_issuer.hits["/jwks"] == 1
    local_issuer.rotate("issuer-key-2")
    # A minute later (the refetch allowance of the first fetch has run out), the new kid fetches once.
    from django.core.cache import cache

    cache.delete_many([key for key in _refetch_keys(local_issuer)])
    assert exchange(client, credential, local_issuer.github_token()).status_code == 200
    assert local_issuer.hits["/jwks"] == 2
    assert exchange(client, credential, local_issuer.github_token()).status_code == 200
    assert local_issuer.hits["/jwks"] == 2


def _refetch_keys(issuer):
    from identity.oauth.remote_keys import _cache_key

    return [_cache_key("jwks-refetch", ("issuer", issuer.url))]


def test_unknown_kids_fetch_at_most_once_a_minute(client, credential, local_issuer):
    assert exchange(client, credential, local_issuer.github_token()).status_code == 200
    local_issuer.rotate("issuer-key-2")
    # Right after a fetch, an unknown kid waits for the minute: refused, nothing fetched.
    assert exchange(client, credential, local_issuer.github_token()).status_code == 400
    assert local_issuer.hits["/jwks"] == 1
    for key in _refetch_keys(local_issuer):
        from django.core.cache import cache

        cache.delete(key)
    for kid in ("made-up-1", "made-up-2", "made-up-3"):
        exchange(client, credential, local_issuer.github_token())
        local_issuer.rotate(kid)
    assert local_issuer.hits["/jwks"] == 2


def test_an_unlisted_issuer_on_a_private_address_is_never_fetched(client, organization, local_issuer, unlisted_issuer):
    credential, _ = make_credential(organization)
    credential.federated_trusts = [trust(unlisted_issuer)]
    credential.save(update_fields=["federated_trusts"])
    assert exchange(client, credential, unlisted_issuer.github_token()).status_code == 400
    assert unlisted_issuer.hits == {}


def test_failed_exchanges_are_throttled_per_client(client, credential, local_issuer):
    for _ in range(10):
        assert exchange(client, credential, "x.y.z").status_code == 400
    response = exchange(client, credential, local_issuer.github_token())
    assert response.status_code == 429 and response["Retry-After"]


def test_an_exchange_with_a_client_secret_beside_it_is_a_bad_request(client, organization, local_issuer):
    credential, secret = make_credential(organization)
    response = exchange(client, credential, local_issuer.github_token(), client_secret=secret)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("token_type", ["urn:ietf:params:oauth:token-type:access_token", "", "x" * 1000])
def test_an_unknown_subject_token_type_is_a_bad_request(client, credential, local_issuer, token_type):
    response = exchange(client, credential, local_issuer.github_token(), token_type=token_type)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_an_exchange_without_client_id_is_a_bad_request(client, credential, local_issuer):
    response = client.post("/o/token/", {"grant_type": TOKEN_EXCHANGE, "subject_token": local_issuer.github_token(),
                                         "subject_token_type": JWT_TYPE})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


def test_a_disabled_credential_exchanges_nothing(client, credential, local_issuer):
    from identity.services import service_credential_disable

    service_credential_disable(credential=credential, actor=SYSTEM_PRINCIPAL_ADMIN(credential.organization))
    assert exchange(client, credential, local_issuer.github_token()).status_code == 400


def test_expiry_follows_the_one_clock(client, credential, local_issuer, monkeypatch):
    token = local_issuer.github_token()
    later = clock.now().__class__.fromtimestamp(time.time() + 3600, tz=clock.now().tzinfo)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert exchange(client, credential, token).status_code == 400


def test_the_metadata_announces_token_exchange(client):
    metadata = client.get("/.well-known/oauth-authorization-server").json()
    assert TOKEN_EXCHANGE in metadata["grant_types_supported"]
