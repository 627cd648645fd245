"""The vault's seed details: scopes as a list, the key/value Registration Method, where a secret is
used on its delete and deactivate pages, "More Options" per row, and secret fields to retype."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from identity.principals import principal_for_user
from secrets_vault import services
from secrets_vault.models import Secret, SecretStatus

from .conftest import SENTINEL, make_secret

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(account_holder):
    client = Client()
    client.force_login(account_holder)
    return client


def url(name, organization, *args):
    return reverse(f"vault:{name}", args=[organization.slug, *args])


def read(secret, user):
    secret.refresh_from_db()
    return services.secret_read_value(secret=secret, actor=principal_for_user(user, secret.organization))


def test_comma_separated_scopes_are_stored_and_shown_as_a_list(holder, organization):
    response = holder.post(
        url("secret_register", organization, "client_credentials"),
        {"name": "idp", "client_id": "ci", "client_secret": SENTINEL, "scopes": "profile,edit,email,iam.role"},
    )
    secret = Secret.objects.get(name="idp")
    assert response.status_code == 302
    assert secret.metadata["scopes"] == ["profile", "edit", "email", "iam.role"]
    page = holder.get(url("secret_detail", organization, secret.pk)).content.decode()
    assert page.count("<li><code>") == 4 and "<li><code>iam.role</code></li>" in page


@pytest.mark.parametrize("scopes", ["profile,edit, email iam.role", ["profile,edit", "email", "iam.role"]])
def test_the_api_accepts_scopes_as_a_string_or_a_list(holder_client, organization, scopes):
    response = holder_client.post(
        f"/api/v1/orgs/{organization.slug}/secrets/",
        {"name": "idp", "type": "client_credentials", "value": {"client_id": "c", "client_secret": "s", "scopes": scopes}},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Secret.objects.get(name="idp").metadata["scopes"] == ["profile", "edit", "email", "iam.role"]


def test_key_value_registration_method_file_reads_the_file_only(holder, organization, account_holder):
    upload = SimpleUploadedFile("prod.env", f"TOKEN={SENTINEL}\n".encode())
    response = holder.post(
        url("secret_register", organization, "key_value"),
        {"name": "env", "method": "file", "pairs_file": upload, "pair_key": ["TYPED"], "pair_value": ["left-over"]},
    )
    assert response.status_code == 302
    assert read(Secret.objects.get(name="env"), account_holder) == {"pairs": {"TOKEN": SENTINEL}}


def test_key_value_registration_method_manual_ignores_a_chosen_file(holder, organization, account_holder):
    upload = SimpleUploadedFile("prod.env", b"FROM_FILE=x\n")
    response = holder.post(
        url("secret_register", organization, "key_value"),
        {"name": "env", "method": "manual", "pairs_file": upload, "pair_key": ["TYPED"], "pair_value": [SENTINEL]},
    )
    assert response.status_code == 302
    assert read(Secret.objects.get(name="env"), account_holder) == {"pairs": {"TYPED": SENTINEL}}


def test_key_value_registration_method_file_without_a_file_names_the_file_field(holder, organization):
    response = holder.post(url("secret_register", organization, "key_value"), {"name": "env", "method": "file"})
    assert response.status_code == 400
    assert "pairs_file" in response.context["form"].errors
    page = response.content.decode()
    assert 'name="method" value="file"' in page and "Registration Method" in page


def test_the_delete_page_shows_where_the_secret_is_used(holder, organization, account_holder, holder_principal):
    secret = make_secret(organization, holder_principal)
    services.secret_read_value(secret=secret, actor=holder_principal)
    page = holder.get(url("secret_delete", organization, secret.pk)).content.decode()
    assert "Where it is used" in page
    assert f"<th scope=\"row\">{account_holder.username}</th>" in page
    assert "within 30 days" in page


def test_the_delete_page_says_when_nobody_used_the_secret(holder, organization, holder_principal):
    secret = make_secret(organization, holder_principal)
    page = holder.get(url("secret_delete", organization, secret.pk)).content.decode()
    assert "Nobody has read this secret's value yet." in page


def test_deactivate_asks_first_on_its_own_page_and_the_post_deactivates(holder, organization, holder_principal):
    secret = make_secret(organization, holder_principal)
    page = holder.get(url("secret_deactivate", organization, secret.pk)).content.decode()
    assert "Deactivate “github-token”?" in page and "activate it again" in page
    secret.refresh_from_db()
    assert secret.status == SecretStatus.ACTIVE
    holder.post(url("secret_deactivate", organization, secret.pk))
    secret.refresh_from_db()
    assert secret.status == SecretStatus.INACTIVE


def test_the_list_has_more_options_per_secret(holder, organization, holder_principal):
    secret = make_secret(organization, holder_principal)
    page = holder.get(url("secret_list", organization)).content.decode()
    assert "More Options" in page
    for target in ("secret_deactivate", "secret_delete"):
        assert url(target, organization, secret.pk) in page
    assert "Delete Secret</a>" in page


def test_the_detail_page_separates_the_danger_zone_and_explains_each_action(holder, organization, holder_principal):
    secret = make_secret(organization, holder_principal)
    page = holder.get(url("secret_detail", organization, secret.pk)).content.decode()
    zone = page[page.index("Danger zone"):]
    assert "<h3>Deactivate</h3>" in zone and "<h3>Delete Secret</h3>" in zone
    assert "Cancel</a>" in page[: page.index("Danger zone")]


def test_a_form_error_names_the_secret_fields_to_type_again_without_echoing_them(holder, organization):
    response = holder.post(
        url("secret_register", organization, "api_key"),
        {"name": "", "header_name": "X-Key-Typed", "value": SENTINEL},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert SENTINEL not in page
    assert 'value="X-Key-Typed"' in page
    assert "type Value again" in page
    assert "data-error-summary" in page and 'href="#id_name"' in page


def test_dates_show_their_time_zone(holder, organization, holder_principal):
    secret = make_secret(organization, holder_principal)
    page = holder.get(url("secret_list", organization)).content.decode()
    assert f"{secret.created_at:%Y-%m-%d %H:%M} UTC</time>" in page
