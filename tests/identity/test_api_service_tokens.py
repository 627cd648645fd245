"""Service tokens over the API: shown once, both headers work, expired and wrong tokens get 401."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from identity import apikeys, clock
from identity.models import AuditEvent, ServiceToken
from tests.factories import make_service_token

pytestmark = pytest.mark.django_db


def url(organization, suffix=""):
    return f"/api/v1/orgs/{organization.slug}/service-tokens/{suffix}"


def me_with(**headers):
    return APIClient().get("/api/v1/me/", **headers)


def test_creating_a_token_returns_it_once_and_never_caches_it(token_client, organization):
    response = token_client.post(url(organization), {"name": "ci", "roles": ["sys_admin"], "expires_in": "30d"}, format="json")
    assert response.status_code == 201, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert {"id", "name", "roles", "expires_at", "created_at", "token"} <= set(body)
    assert (body["name"], body["roles"]) == ("ci", ["sys_admin"])
    assert body["token"].startswith(apikeys.PREFIX)
    assert apikeys.has_valid_shape(body["token"])
    assert "token" not in token_client.get(url(organization, f"{body['id']}/")).json()


def test_a_token_without_expires_in_never_expires(token_client, organization):
    body = token_client.post(url(organization), {"name": "forever", "roles": ["member"]}, format="json").json()
    assert body["expires_at"] is None


def test_a_new_token_acts_with_its_roles(token_client, organization):
    plaintext = token_client.post(url(organization), {"name": "reader", "roles": ["member"]}, format="json").json()["token"]
    body = me_with(HTTP_AUTHORIZATION=f"ApiKey {plaintext}").json()
    assert (body["kind"], body["name"], body["organization"]) == ("service_token", "reader", organization.slug)
    assert body["permissions"] == sorted(["groups:read", "members:read", "resources:read", "roles:read"])


@pytest.mark.parametrize(
    "body,field",
    [
        ({"roles": ["member"]}, "name"),
        ({"name": "ci"}, "roles"),
        ({"name": "ci", "roles": []}, "roles"),
        ({"name": "ci", "roles": "member"}, "roles"),
        ({"name": "ci", "roles": ["emperor"]}, "roles"),
        ({"name": "ci", "roles": ["member"], "expires_in": "soon"}, "expires_in"),
        ({"name": "ci", "roles": ["member"], "expires_in": 30}, "expires_in"),
        ({"name": "ci", "roles": ["member"], "expires_in": ["30d"]}, "expires_in"),
    ],
)
def test_bad_token_input_names_the_field(token_client, organization, body, field):
    response = token_client.post(url(organization), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not ServiceToken.objects.filter(name="ci").exists()


def test_creating_and_deleting_a_token_is_audited(token_client, organization):
    token_id = token_client.post(url(organization), {"name": "ci", "roles": ["member"]}, format="json").json()["id"]
    token_client.delete(url(organization, f"{token_id}/"))
    actions = set(AuditEvent.objects.filter(target_id=str(token_id)).values_list("action", flat=True))
    assert actions == {"service_token.create", "service_token.delete"}


def test_a_deleted_token_stops_working_at_once(token_client, organization):
    row, plaintext = make_service_token(organization, roles=("member",))
    assert me_with(HTTP_X_API_KEY=plaintext).status_code == 200
    assert token_client.delete(url(organization, f"{row.pk}/")).status_code == 204
    assert me_with(HTTP_X_API_KEY=plaintext).status_code == 401


@pytest.mark.parametrize(
    "header", ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"], ids=["authorization-apikey", "x-api-key"]
)
def test_a_token_authenticates_through_either_header(organization, header):
    _, plaintext = make_service_token(organization, roles=("sys_admin",))
    value = f"ApiKey {plaintext}" if header == "HTTP_AUTHORIZATION" else plaintext
    response = APIClient().get(url(organization), **{header: value})
    assert response.status_code == 200


def test_the_apikey_scheme_is_case_insensitive(organization):
    _, plaintext = make_service_token(organization)
    assert me_with(HTTP_AUTHORIZATION=f"apikey {plaintext}").status_code == 200


def test_an_expired_token_gets_401(organization, monkeypatch):
    _, plaintext = make_service_token(organization, expires_in="24h")
    later = timezone.now() + timedelta(hours=25)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = me_with(HTTP_AUTHORIZATION=f"ApiKey {plaintext}")
    assert response.status_code == 401
    assert "ApiKey" in response["WWW-Authenticate"]


def _with_a_wrong_secret(plaintext):
    """The same key id with another secret and a valid checksum: reaches the digest check."""
    body = plaintext[: -apikeys.CHECKSUM_LENGTH]
    flipped = body[:-1] + ("A" if body[-1] != "A" else "B")
    return flipped + apikeys._checksum(flipped)


def test_a_wrong_secret_looks_exactly_like_an_unknown_token(organization):
    _, plaintext = make_service_token(organization)
    unknown, _ = apikeys.generate()
    wrong = me_with(HTTP_AUTHORIZATION=f"ApiKey {_with_a_wrong_secret(plaintext)}")
    missing = me_with(HTTP_AUTHORIZATION=f"ApiKey {unknown}")
    assert wrong.status_code == missing.status_code == 401
    assert wrong.content == missing.content
    assert wrong["WWW-Authenticate"] == missing["WWW-Authenticate"]


@pytest.mark.parametrize("value", ["ApiKey", "ApiKey ", "ApiKey x", "ApiKey " + "x" * 5000])
def test_malformed_apikey_headers_get_401(organization, value):
    response = me_with(HTTP_AUTHORIZATION=value)
    assert response.status_code == 401
    assert response.has_header("WWW-Authenticate")


def test_an_empty_x_api_key_gets_401(organization):
    assert me_with(HTTP_X_API_KEY="").status_code == 401


def test_a_token_cannot_reach_another_organization(organization, other_organization):
    _, plaintext = make_service_token(organization)
    assert APIClient().get(url(other_organization), HTTP_X_API_KEY=plaintext).status_code == 404
