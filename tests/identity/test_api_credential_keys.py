"""PATCH of a credential's keys and trusts: private_key_jwt keys rolled by kid (jwks, public_key,
or a jwks_uri served by a local server), federated_trusts checked field by field, and changing
either is taking the credential over."""

import json

import pytest
from django.core.cache import cache
from jwcrypto import jwk
from rest_framework.test import APIClient

from identity import services
from identity.models import AuditEvent
from identity.oauth import remote_keys
from tests.factories import SYSTEM_PRINCIPAL_ADMIN, make_credential, make_service_token
from tests.identity.oauth_helpers import claims_for, post_assertion, sign
from tests.identity.oidc_issuer import local_issuer, unlisted_issuer  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def url(credential):
    return f"/api/v1/orgs/{credential.organization.slug}/service-credentials/{credential.pk}/"


def public(key):
    return json.loads(key.export_public())


@pytest.fixture
def old_key():
    return jwk.JWK.generate(kty="EC", crv="P-256", kid="old")


@pytest.fixture
def new_key():
    return jwk.JWK.generate(kty="EC", crv="P-256", kid="new")


@pytest.fixture
def jwt_credential(organization, old_key):
    credential, _ = make_credential(organization, auth_method="private_key_jwt", jwks={"keys": [public(old_key)]})
    return credential


def works(client, credential, key):
    response = post_assertion(client, sign(key, claims_for(credential.client_id), alg="ES256", kid=key.get("kid")))
    return response.status_code == 200


def test_a_key_roll_by_kid_through_jwks(client, token_client, jwt_credential, old_key, new_key):
    both = token_client.patch(url(jwt_credential), {"jwks": {"keys": [public(old_key), public(new_key)]}}, format="json")
    assert both.status_code == 200, both.content
    assert [k["kid"] for k in both.json()["jwks"]["keys"]] == ["old", "new"]
    assert works(client, jwt_credential, old_key) and works(client, jwt_credential, new_key)
    token_client.patch(url(jwt_credential), {"jwks": {"keys": [public(new_key)]}}, format="json")
    assert not works(client, jwt_credential, old_key)
    assert works(client, jwt_credential, new_key)
    event = AuditEvent.objects.filter(target_id=str(jwt_credential.pk)).latest("pk")
    assert event.action == "service_credential.update" and event.details == {"kids": ["new"]}


def test_a_public_key_is_added_beside_the_old_one(client, token_client, jwt_credential, old_key, new_key):
    pem = new_key.export_to_pem().decode()
    response = token_client.patch(url(jwt_credential), {"public_key": pem}, format="json")
    assert response.status_code == 200, response.content
    kids = [k["kid"] for k in response.json()["jwks"]["keys"]]
    assert kids[0] == "old" and len(kids) == 2
    assert works(client, jwt_credential, old_key)
    # A PEM carries no kid: the new key's is its thumbprint, which the client signs with.
    assert post_assertion(client, sign(new_key, claims_for(jwt_credential.client_id), alg="ES256", kid=kids[1])).status_code == 200


@pytest.mark.parametrize(
    "body,field",
    [
        ({"jwks": {"keys": []}}, "jwks"),
        ({"jwks": "not json"}, "jwks"),
        ({"public_key": "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----"}, "public_key"),
        ({"jwks_uri": "http://example.com/jwks"}, "jwks_uri"),
        ({"jwks_uri": "https://127.0.0.1/jwks"}, "jwks_uri"),
        ({"jwks_uri": "file:///etc/passwd"}, "jwks_uri"),
        ({"jwks": {"keys": [{"kty": "EC"}]}, "public_key": "x"}, "jwks"),
    ],
)
def test_bad_keys_name_their_field_and_change_nothing(token_client, jwt_credential, old_key, body, field):
    response = token_client.patch(url(jwt_credential), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    jwt_credential.refresh_from_db()
    assert jwt_credential.jwks == {"keys": [public(old_key)]} and jwt_credential.jwks_uri == ""


def test_duplicate_kids_are_refused(token_client, jwt_credential, old_key):
    other = jwk.JWK.generate(kty="EC", crv="P-256", kid="old")
    response = token_client.patch(url(jwt_credential), {"jwks": {"keys": [public(old_key), public(other)]}}, format="json")
    assert response.status_code == 400 and "jwks" in response.json()


def test_a_client_secret_credential_has_no_public_keys(token_client, organization, new_key):
    credential, _ = make_credential(organization)
    response = token_client.patch(url(credential), {"jwks": {"keys": [public(new_key)]}}, format="json")
    assert response.status_code == 409 and "jwks" in response.json()


def test_keys_from_a_jwks_uri_roll_by_kid(client, token_client, jwt_credential, local_issuer, old_key):
    signing = jwk.JWK.generate(kty="EC", crv="P-256", kid="published-1")
    local_issuer.keys = [signing]
    response = token_client.patch(url(jwt_credential), {"jwks_uri": local_issuer.url + "/jwks"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["jwks_uri"] == local_issuer.url + "/jwks" and response.json()["jwks"] == {}
    assert works(client, jwt_credential, signing)
    assert not works(client, jwt_credential, old_key)
    fetched = local_issuer.hits["/jwks"]
    assert works(client, jwt_credential, signing) and local_issuer.hits["/jwks"] == fetched
    rolled = jwk.JWK.generate(kty="EC", crv="P-256", kid="published-2")
    local_issuer.keys = [signing, rolled]
    cache.delete(remote_keys._cache_key("jwks-refetch", ("jwks", local_issuer.url + "/jwks")))
    assert works(client, jwt_credential, rolled)
    assert local_issuer.hits["/jwks"] == fetched + 1


def test_a_jwks_uri_on_an_unlisted_private_address_is_refused_unfetched(token_client, jwt_credential, unlisted_issuer):
    unlisted_https = unlisted_issuer.url.replace("http://", "https://") + "/jwks"
    response = token_client.patch(url(jwt_credential), {"jwks_uri": unlisted_https}, format="json")
    assert response.status_code == 400 and "private" in response.json()["jwks_uri"][0]
    assert unlisted_issuer.hits == {}


GITHUB = {"issuer": "https://token.actions.githubusercontent.com", "audience": "portcullis",
          "subject": "repo:acme/deploy:environment:production", "claims": {"repository_owner": "acme"}}


def test_federated_trusts_are_set_and_read_back(token_client, organization):
    credential, _ = make_credential(organization)
    response = token_client.patch(url(credential), {"federated_trusts": [GITHUB]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["federated_trusts"] == [GITHUB]
    assert token_client.get(url(credential)).json()["federated_trusts"] == [GITHUB]
    assert token_client.patch(url(credential), {"federated_trusts": []}, format="json").json()["federated_trusts"] == []


@pytest.mark.parametrize(
    "trusts",
    [
        [dict(GITHUB, issuer="http://token.actions.githubusercontent.com")],
        [dict(GITHUB, issuer="not a url")],
        [dict(GITHUB, audience="")],
        [dict(GITHUB, claims={"nested": {"a": "b"}})],
        [dict(GITHUB, claims={"sub": "x"})],
        [GITHUB, GITHUB],
        [dict(GITHUB, subject=f"s{i}") for i in range(21)],
        "not a list",
        [dict(GITHUB, subject="a\x00b")],
    ],
)
def test_bad_trusts_name_the_field(token_client, organization, trusts):
    credential, _ = make_credential(organization)
    response = token_client.patch(url(credential), {"federated_trusts": trusts}, format="json")
    assert response.status_code == 400, response.content
    assert any(field.startswith("federated_trusts") for field in response.json()), response.json()
    credential.refresh_from_db()
    assert credential.federated_trusts == []


def test_a_listed_insecure_issuer_may_use_http(token_client, organization, settings):
    settings.PORTCULLIS_FEDERATION_INSECURE_ISSUERS = ["http://kubernetes.default.svc"]
    credential, _ = make_credential(organization)
    trust = {"issuer": "http://kubernetes.default.svc", "audience": "portcullis", "subject": "system:serviceaccount:ci:deployer"}
    response = token_client.patch(url(credential), {"federated_trusts": [trust]}, format="json")
    assert response.status_code == 200, response.content


def test_a_bad_part_saves_no_other_part(token_client, organization, jwt_credential):
    response = token_client.patch(url(jwt_credential), {"federated_trusts": [GITHUB], "jwks_uri": "http://x"}, format="json")
    assert response.status_code == 400
    jwt_credential.refresh_from_db()
    assert jwt_credential.federated_trusts == []


def test_changing_trusts_is_taking_the_credential_over(organization):
    admins = services.group_create(organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="admins", roles=["sys_admin"])
    credential, _ = services.service_credential_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="deployer", groups=[admins.pk]
    )
    role = services.role_create(
        organization=organization, actor=SYSTEM_PRINCIPAL_ADMIN(organization), name="cred-editor",
        permissions=["service_credentials:read", "service_credentials:write"],
    )
    _, plaintext = make_service_token(organization, roles=(role.name,))
    editor = APIClient()
    editor.credentials(HTTP_AUTHORIZATION=f"ApiKey {plaintext}")
    response = editor.patch(url(credential), {"federated_trusts": [GITHUB]}, format="json")
    assert response.status_code == 403, response.content
    credential.refresh_from_db()
    assert credential.federated_trusts == []


def test_another_organizations_credential_is_404(token_client, organization, other_organization):
    credential, _ = make_credential(other_organization)
    path = f"/api/v1/orgs/{organization.slug}/service-credentials/{credential.pk}/"
    assert token_client.patch(path, {"federated_trusts": [GITHUB]}, format="json").status_code == 404
