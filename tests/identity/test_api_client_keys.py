"""The API's client keys: `regenerate-secret/` with `grace_period`, `keys`, `keys/{client_id}/retire/`."""

import pytest

from tests.factories import make_credential
from tests.identity.oauth_helpers import basic

pytestmark = pytest.mark.django_db


def url(organization, suffix=""):
    return f"/api/v1/orgs/{organization.slug}/service-credentials/{suffix}"


def grant(client, client_id, secret):
    return client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(client_id, secret))


def test_regenerating_with_a_grace_period_answers_a_new_pair_once_and_lists_both_keys(token_client, organization, client):
    credential, old_secret = make_credential(organization)
    old_id = credential.client_id
    response = token_client.post(url(organization, f"{credential.pk}/regenerate-secret/"), {"grace_period": "7d"}, format="json")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["client_id"] != old_id and body["client_secret"].startswith("pcs_")
    keys = body["keys"]
    assert [key["client_id"] for key in keys] == [old_id, body["client_id"]]
    assert set(keys[0]) == {"client_id", "created_at", "last_used_at", "expires_at"}
    assert keys[0]["expires_at"] is not None and keys[1]["expires_at"] is None
    assert grant(client, old_id, old_secret).status_code == 200
    assert grant(client, body["client_id"], body["client_secret"]).status_code == 200

    detail = token_client.get(url(organization, f"{credential.pk}/"))
    assert detail.json()["client_id"] == body["client_id"] and len(detail.json()["keys"]) == 2
    assert body["client_secret"] not in detail.content.decode() and "client_secret" not in detail.json()


def test_regenerating_with_no_body_ends_the_previous_pair_at_once(token_client, organization, client):
    credential, old_secret = make_credential(organization)
    response = token_client.post(url(organization, f"{credential.pk}/regenerate-secret/"))
    assert response.status_code == 200
    assert [key["client_id"] for key in response.json()["keys"]] == [response.json()["client_id"]]
    assert grant(client, credential.client_id, old_secret).status_code == 401


@pytest.mark.parametrize("body", [{"grace_period": "2h"}, {"grace_period": 1}, {"grace_period": None}, {"grace_period": "1h\x00"}])
def test_a_bad_grace_period_is_a_400_naming_the_field(token_client, organization, body):
    credential, _ = make_credential(organization)
    response = token_client.post(url(organization, f"{credential.pk}/regenerate-secret/"), body, format="json")
    assert response.status_code == 400 and "grace_period" in response.json()


def test_a_third_regeneration_while_two_keys_are_live_is_a_409(token_client, organization):
    credential, _ = make_credential(organization)
    regenerate = url(organization, f"{credential.pk}/regenerate-secret/")
    assert token_client.post(regenerate, {"grace_period": "1h"}, format="json").status_code == 200
    refused = token_client.post(regenerate, {"grace_period": "1h"}, format="json")
    assert refused.status_code == 409
    assert len(token_client.get(url(organization, f"{credential.pk}/")).json()["keys"]) == 2


def test_retiring_a_key_stops_it_now_and_the_last_one_is_a_409(token_client, organization, client):
    credential, old_secret = make_credential(organization)
    old_id = credential.client_id
    new = token_client.post(url(organization, f"{credential.pk}/regenerate-secret/"), {"grace_period": "24h"}, format="json").json()
    retired = token_client.post(url(organization, f"{credential.pk}/keys/{old_id}/retire/"))
    assert retired.status_code == 200
    assert [key["client_id"] for key in retired.json()["keys"]] == [new["client_id"]]
    assert grant(client, old_id, old_secret).status_code == 401
    last = token_client.post(url(organization, f"{credential.pk}/keys/{new['client_id']}/retire/"))
    assert last.status_code == 409
    assert grant(client, new["client_id"], new["client_secret"]).status_code == 200


def test_retiring_an_unknown_key_or_another_organizations_is_a_404(token_client, organization, other_organization):
    credential, _ = make_credential(organization)
    theirs, _ = make_credential(other_organization)
    assert token_client.post(url(organization, f"{credential.pk}/keys/unknown/retire/")).status_code == 404
    assert token_client.post(url(organization, f"{credential.pk}/keys/{theirs.client_id}/retire/")).status_code == 404
    assert token_client.post(url(organization, f"{theirs.pk}/keys/{theirs.client_id}/retire/")).status_code == 404
    assert token_client.post(url(organization, f"{credential.pk}/keys/{'x' * 5000}/retire/")).status_code == 404


def test_a_private_key_jwt_credential_cannot_regenerate_409(token_client, organization):
    credential, _ = make_credential(organization, auth_method="private_key_jwt")
    response = token_client.post(url(organization, f"{credential.pk}/regenerate-secret/"), {"grace_period": "1h"}, format="json")
    assert response.status_code == 409


def test_keys_are_read_only_in_a_patch(token_client, organization):
    credential, _ = make_credential(organization)
    response = token_client.patch(url(organization, f"{credential.pk}/"), {"keys": []}, format="json")
    assert response.status_code == 400 and "keys" in response.json()


def test_live_tokens_counts_every_live_keys_tokens(token_client, organization, client):
    credential, old_secret = make_credential(organization)
    old_id = credential.client_id
    new = token_client.post(url(organization, f"{credential.pk}/regenerate-secret/"), {"grace_period": "1h"}, format="json").json()
    assert grant(client, old_id, old_secret).status_code == 200
    assert grant(client, new["client_id"], new["client_secret"]).status_code == 200
    [listed] = token_client.get(url(organization)).json()["results"]
    assert listed["live_tokens"] == 2
