"""Hostile input to the identity API: each answers 400 naming what was wrong, never 500, saves nothing.

JSON nested 10,000 deep, a lone surrogate escape, a NUL byte in a filter, an id beyond any database
integer: each must be refused where it enters, on SQLite and on PostgreSQL alike.
"""

import json

import pytest
from jwcrypto import jwk

from identity.models import AuditEvent, Group, Resource, ServiceCredential
from tests.factories import make_credential

pytestmark = pytest.mark.django_db

HUGE_ID = 10**30
DEEP_JSON = "[" * 10_000 + "]" * 10_000


def url(organization, path):
    return f"/api/v1/orgs/{organization.slug}/{path}"


def post_raw(client, path, body, method="post"):
    return getattr(client, method)(path, data=body, content_type="application/json")


@pytest.mark.parametrize(
    "path", ["groups/", "resources/", "roles/", "members/", "service-tokens/", "service-credentials/", "secrets/"]
)
def test_json_nested_ten_thousand_deep_is_refused_with_the_depth_it_allows(token_client, organization, path):
    response = post_raw(token_client, url(organization, path), DEEP_JSON)
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON nested deeper than 64 levels."}


def test_json_nested_inside_a_field_is_refused_too(token_client, organization):
    body = '{"name": "deep", "jwks": ' + "{\"k\": " * 5_000 + "1" + "}" * 5_000 + "}"
    response = post_raw(token_client, url(organization, "service-credentials/"), body)
    assert response.status_code == 400
    assert "64 levels" in response.json()["detail"]
    assert not ServiceCredential.objects.filter(name="deep").exists()


def test_json_as_deep_as_allowed_is_parsed(token_client, organization):
    body = '{"name": "shallow", "roles": [], "members": [], "x": ' + "[" * 62 + "]" * 62 + "}"
    assert post_raw(token_client, url(organization, "groups/"), body).status_code == 201


def test_malformed_json_keeps_the_usual_error_shape(token_client, organization):
    response = post_raw(token_client, url(organization, "groups/"), '{"name": ')
    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON is malformed: Expecting value (line 1, column 10)."}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"name": "ops\\ud800"}', "name"),
        ('{"name": "ops", "members": ["ivy", "\\udfff"]}', "members.1"),
        ('{"name": "ops", "roles": [], "members": [], "extra": {"\\ud800": 1}}', "extra"),
    ],
)
def test_a_lone_surrogate_anywhere_in_the_body_names_its_field(token_client, organization, body, field):
    response = post_raw(token_client, url(organization, "groups/"), body)
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert "surrogate" in response.json()["detail"]
    assert not Group.objects.filter(organization=organization).exists()


def test_a_lone_surrogate_in_a_top_level_key_is_refused(token_client, organization):
    response = post_raw(token_client, url(organization, "groups/"), '{"name": "ops", "\\ud800": 1}')
    assert response.status_code == 400
    assert "surrogate" in response.json()["detail"]
    assert not Group.objects.filter(organization=organization).exists()


def test_a_nul_byte_in_a_json_field_names_its_field(token_client, organization):
    """A JSON field skips DRF's NUL check, and PostgreSQL refuses ``\\u0000`` in jsonb."""
    key = json.loads(jwk.JWK.generate(kty="EC", crv="P-256").export_public())
    body = {"name": "signer", "token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{**key, "kid": "a\x00"}]}}
    response = token_client.post(url(organization, "service-credentials/"), body, format="json")
    assert response.status_code == 400
    assert "jwks.keys.0.kid" in response.json()
    assert not ServiceCredential.objects.filter(name="signer").exists()


def test_a_surrogate_pair_is_ordinary_text(token_client, organization):
    response = post_raw(token_client, url(organization, "groups/"), '{"name": "ops-\\ud83d\\ude80"}')
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "ops-\U0001f680"


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("groups/", "search"),
        ("members/", "search"),
        ("resources/", "search"),
        ("resources/", "kind"),
        ("service-credentials/", "search"),
        ("service-credentials/", "status"),
        ("audit-events/", "actor"),
        ("audit-events/", "action"),
        ("secrets/", "search"),
        ("secrets/", "type"),
        ("secrets/", "status"),
    ],
)
def test_a_nul_byte_in_a_list_filter_names_the_parameter(token_client, organization, path, parameter):
    response = token_client.get(url(organization, path), {parameter: "a\x00b"})
    assert response.status_code == 400
    assert parameter in response.json(), response.json()


def test_a_nul_byte_in_the_org_of_me_names_the_parameter(holder_client):
    response = holder_client.get("/api/v1/me/", {"org": "acme\x00"})
    assert response.status_code == 400
    assert "org" in response.json(), response.json()


@pytest.mark.parametrize("bad_id", [HUGE_ID, -1, 0, "7", 1.5, True, None])
def test_a_group_id_out_of_range_or_not_an_integer_is_refused(token_client, organization, bad_id):
    response = token_client.post(url(organization, "service-credentials/"), {"name": "ci", "groups": [bad_id]}, format="json")
    assert response.status_code == 400, response.content
    assert "groups" in response.json()
    assert not ServiceCredential.objects.filter(name="ci").exists()


@pytest.mark.parametrize("bad_id", [HUGE_ID, -1, "north", 2.5])
def test_a_grant_resource_out_of_range_or_not_an_integer_is_refused(token_client, organization, bad_id):
    body = {"name": "ci", "resource_grants": [{"resource": bad_id, "permissions": ["studios:create"]}]}
    response = token_client.post(url(organization, "service-credentials/"), body, format="json")
    assert response.status_code == 400, response.content
    assert "resource_grants" in response.json()
    assert not ServiceCredential.objects.filter(name="ci").exists()


def test_a_bound_resource_beyond_any_id_is_refused(token_client, organization):
    response = token_client.post(
        url(organization, "service-credentials/"), {"name": "ci", "bound_resource": HUGE_ID}, format="json"
    )
    assert response.status_code == 400
    assert "bound_resource" in response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [("groups", [HUGE_ID]), ("resource_grants", [{"resource": HUGE_ID, "permissions": ["studios:create"]}])],
)
def test_editing_a_credential_with_an_id_beyond_any_integer_changes_nothing(token_client, organization, field, value):
    credential, _ = make_credential(organization)
    events = AuditEvent.objects.count()
    response = token_client.patch(url(organization, f"service-credentials/{credential.pk}/"), {field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert AuditEvent.objects.count() == events


def test_a_resource_parent_beyond_any_id_is_refused(token_client, organization):
    response = token_client.post(
        url(organization, "resources/"), {"kind": "projects", "name": "alpha", "parent": HUGE_ID}, format="json"
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert not Resource.objects.filter(name="alpha").exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "service-credentials/{id}/"),
        ("patch", "service-credentials/{id}/"),
        ("post", "service-credentials/{id}/revoke/"),
        ("post", "service-credentials/{id}/disable/"),
        ("get", "groups/{id}/"),
        ("delete", "resources/{id}/"),
        ("get", "roles/{id}/"),
        ("get", "members/{id}/"),
        ("delete", "service-tokens/{id}/"),
    ],
)
def test_a_path_id_beyond_any_integer_is_not_found(token_client, organization, method, path):
    response = getattr(token_client, method)(url(organization, path.format(id=HUGE_ID)), {}, format="json")
    assert response.status_code == 404
