"""Hostile secret values, in the API and the portal: 400 naming the field, never 500, nothing saved.

A lone surrogate cannot be encoded to UTF-8 (the sealed payload), PostgreSQL refuses a NUL byte in
text (the metadata holds the pair keys and scopes), and JSON nested 10,000 deep overflows Python's
parser: each is refused where it enters.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from secrets_vault.models import Secret

from .conftest import SENTINEL, make_secret

pytestmark = pytest.mark.django_db

DEEP = "[" * 10_000 + "]" * 10_000


def api_url(organization, suffix=""):
    return f"/api/v1/orgs/{organization.slug}/secrets/{suffix}"


def post_raw(client, path, body, method="post"):
    return getattr(client, method)(path, data=body, content_type="application/json")


@pytest.fixture
def portal(account_holder):
    client = Client()
    client.force_login(account_holder)
    return client


def register_key_value(portal, organization, data):
    return portal.post(reverse("vault:secret_register", args=[organization.slug, "key_value"]), data)


# ---------------------------------------------------------------- API


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ('{"header_name": "X-Key", "value": "\\ud800"}', "value.value"),
        ('{"pairs": {"\\udc00KEY": "v"}}', "value.pairs"),
        ('{"pairs": {"KEY": "v\\ud800"}}', "value.pairs.KEY"),
    ],
)
def test_a_lone_surrogate_in_a_secret_value_names_its_field(token_client, organization, value, field):
    secret_type = "api_key" if "header_name" in value else "key_value"
    body = f'{{"name": "s", "type": "{secret_type}", "value": {value}}}'
    response = post_raw(token_client, api_url(organization), body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Secret.objects.exists()


def test_a_lone_surrogate_in_a_new_value_leaves_the_secret_as_it_was(token_client, organization, holder_principal):
    secret = make_secret(organization, holder_principal)
    response = post_raw(token_client, api_url(organization, f"{secret.pk}/"), '{"value": {"value": "\\ud800"}}', "patch")
    assert response.status_code == 400
    assert "value.value" in response.json()
    assert token_client.get(api_url(organization, f"{secret.pk}/value/")).json()["value"]["value"] == SENTINEL


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({"pairs": {"DB\x00USER": "app"}}, "value.pairs"),
        ({"pairs": {"DB_USER": "app\x00"}}, "value.pairs.DB_USER"),
        ({"client_id": "ci", "client_secret": "s", "scopes": ["read\x00"]}, "value.scopes.0"),
        ({"header_name": "X-Key", "value": "k\x00"}, "value.value"),
    ],
)
def test_a_nul_byte_in_a_secret_value_names_its_field(token_client, organization, value, field):
    secret_type = "key_value" if "pairs" in value else "client_credentials" if "scopes" in value else "api_key"
    response = token_client.post(api_url(organization), {"name": "s", "type": secret_type, "value": value}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Secret.objects.exists()


def test_a_value_nested_ten_thousand_deep_is_refused(token_client, organization):
    response = post_raw(token_client, api_url(organization), f'{{"name": "s", "type": "key_value", "value": {DEEP}}}')
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON nested deeper than 64 levels."}
    assert not Secret.objects.exists()


# ---------------------------------------------------------------- portal


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"A": ' + DEEP + "}", "JSON nested deeper than 64 levels."),
        ('{"\\ud800": "v"}', "lone surrogate"),
        ('{"A": "\\udfff"}', "lone surrogate"),
    ],
)
def test_a_hostile_json_pairs_file_is_named_on_the_file_field(portal, organization, content, message):
    upload = SimpleUploadedFile("pairs.json", content.encode(), content_type="application/json")
    response = register_key_value(portal, organization, {"name": "kv", "pairs_file": upload})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["pairs_file"])
    assert not Secret.objects.exists()


@pytest.mark.parametrize(("key", "value"), [("DB\x00USER", "app"), ("DB_USER", "a\x00pp")])
def test_a_nul_byte_in_a_typed_pair_is_named_on_the_pairs_field(portal, organization, key, value):
    response = register_key_value(portal, organization, {"name": "kv", "pair_key": [key], "pair_value": [value]})
    assert response.status_code == 400
    assert "NUL" in " ".join(response.context["form"].errors["pairs"])
    assert not Secret.objects.exists()


def test_a_nul_byte_in_an_env_pairs_file_is_refused(portal, organization):
    upload = SimpleUploadedFile("prod.env", b"DB\x00USER=app\n", content_type="text/plain")
    response = register_key_value(portal, organization, {"name": "kv", "pairs_file": upload})
    assert response.status_code == 400
    assert "NUL" in json.dumps(response.context["form"].errors)
    assert not Secret.objects.exists()


def test_a_nul_byte_in_the_secret_search_box_says_so(portal, organization, holder_principal):
    make_secret(organization, holder_principal)
    response = portal.get(reverse("vault:secret_list", args=[organization.slug]), {"q": "git\x00"})
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
