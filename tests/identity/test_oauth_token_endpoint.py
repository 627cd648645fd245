"""The token endpoint with client secrets: grants, scopes, lifetimes, failures and throttling."""


import pytest
from oauth2_provider.models import AccessToken

from identity import services
from identity.oauth import throttle
from identity.principals import SYSTEM_PRINCIPAL
from tests.factories import make_credential
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db


def grant(client, client_id, secret, **extra):
    return client.post(
        "/o/token/", {"grant_type": "client_credentials", **extra}, HTTP_AUTHORIZATION=basic(client_id, secret)
    )


def test_client_secret_basic_gets_a_bearer_token_with_the_credentials_lifetime(client, organization):
    credential, secret = make_credential(organization, token_lifetime="15m", permissions=["studios:create"])
    response = grant(client, credential.client_id, secret)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 15 * 60
    assert body["scope"] == "studios:create"
    assert response["Cache-Control"] == "no-store"


def test_client_secret_post_gets_a_token(client, organization):
    credential, secret = make_credential(organization, auth_method="client_secret_post")
    response = client.post(
        "/o/token/", {"grant_type": "client_credentials", "client_id": credential.client_id, "client_secret": secret}
    )
    assert response.status_code == 200, response.content


def test_access_tokens_are_not_stored_in_clear(client, organization):
    credential, secret = make_credential(organization)
    token = grant(client, credential.client_id, secret).json()["access_token"]
    stored = AccessToken.objects.get(application=credential.application)
    assert stored.token == ""
    assert token not in stored.token_checksum


def test_client_secret_is_stored_as_a_fast_keyed_digest(organization):
    credential, secret = make_credential(organization)
    credential.application.refresh_from_db()
    assert credential.application.client_secret.startswith("portcullis_hmac_sha256$")
    assert secret not in credential.application.client_secret


def test_requested_scope_narrows_but_never_widens(client, organization):
    credential, secret = make_credential(organization, permissions=["studios:create", "studios:read"])
    narrowed = grant(client, credential.client_id, secret, scope="studios:read")
    assert narrowed.status_code == 200
    assert narrowed.json()["scope"] == "studios:read"
    widened = grant(client, credential.client_id, secret, scope="studios:read studios:delete")
    assert widened.status_code == 400
    assert widened.json()["error"] == "invalid_scope"


def test_wrong_secret_and_unknown_client_get_the_same_answer(client, organization):
    credential, _ = make_credential(organization)
    wrong = grant(client, credential.client_id, "pcs_wrong")
    unknown = grant(client, "no-such-client", "pcs_wrong")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"error": "invalid_client"}


def test_a_private_key_jwt_credential_cannot_use_a_client_secret(client, organization):
    credential, _ = make_credential(organization, auth_method="private_key_jwt")
    assert grant(client, credential.client_id, "anything").status_code == 401


def test_repeated_failures_are_throttled_for_that_address_and_client_only(client, organization):
    credential, secret = make_credential(organization)
    for _ in range(throttle.MAX_FAILURES):
        assert grant(client, credential.client_id, "pcs_wrong").status_code == 401
    blocked = grant(client, credential.client_id, secret)
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    elsewhere = client.post(
        "/o/token/",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(credential.client_id, secret),
        REMOTE_ADDR="10.1.2.3",
    )
    assert elsewhere.status_code == 200


def test_only_the_client_credentials_grant_is_allowed(client, organization):
    credential, secret = make_credential(organization)
    response = client.post(
        "/o/token/", {"grant_type": "password", "username": "x", "password": "y"},
        HTTP_AUTHORIZATION=basic(credential.client_id, secret),
    )
    assert response.status_code in (400, 401)
    assert "error" in response.json()


@pytest.mark.parametrize("body", [{}, {"grant_type": ""}, {"grant_type": "client_credentials", "scope": "\x00"}])
def test_malformed_token_requests_get_rfc6749_errors(client, organization, body):
    credential, secret = make_credential(organization)
    response = client.post("/o/token/", body, HTTP_AUTHORIZATION=basic(credential.client_id, secret))
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_metadata_lists_what_is_supported(client):
    body = client.get("/.well-known/oauth-authorization-server").json()
    assert body["grant_types_supported"] == ["client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange"]
    assert set(body["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic", "client_secret_post", "private_key_jwt"
    }
    assert body["token_endpoint"].endswith("/o/token/")
    assert "EdDSA" in body["token_endpoint_auth_signing_alg_values_supported"]
