"""The portal's secrets pages: register each type, edit, errors on their fields, list, actions."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from identity.principals import principal_for_user
from secrets_vault import services
from secrets_vault.models import Secret, SecretStatus, SecretUsage
from tests.factories import make_member

from .conftest import SENTINEL, make_certificate, make_secret

pytestmark = pytest.mark.django_db

FUTURE = (timezone.now() + datetime.timedelta(days=400)).date().isoformat()


def portal_client(user):
    client = Client()
    client.force_login(user)
    return client


def url(name, organization, *args):
    return reverse(f"vault:{name}", args=[organization.slug, *args])


def register_url(organization, secret_type):
    return url("secret_register", organization, secret_type)


def pem_file(text, name):
    return SimpleUploadedFile(name, text.encode(), content_type="application/octet-stream")


def value_of(secret, user):
    secret.refresh_from_db()
    return services.secret_read_value(secret=secret, actor=principal_for_user(user, secret.organization))


@pytest.fixture
def holder(account_holder):
    return portal_client(account_holder)


@pytest.fixture
def principal(organization, account_holder):
    return principal_for_user(account_holder, organization)


def field_errors(response):
    return response.context["form"].errors


# Registering each type


def test_register_starts_by_choosing_the_type(holder, organization):
    page = holder.get(url("secret_register_choose", organization)).content.decode()
    for label in ("API Key", "Bearer Token", "Client Credentials", "Certificate", "Key/Value"):
        assert label in page


def test_register_an_api_key(holder, organization, account_holder):
    response = holder.post(
        register_url(organization, "api_key"),
        {"name": "github", "header_name": "X-API-Key", "value": SENTINEL, "expires_at": FUTURE},
    )
    secret = Secret.objects.get(name="github")
    assert response.status_code == 302
    assert response["Location"] == url("secret_detail", organization, secret.pk)
    assert secret.owner is None
    assert secret.expires_at.date().isoformat() == FUTURE
    assert value_of(secret, account_holder) == {"header_name": "X-API-Key", "value": SENTINEL}


def test_register_a_bearer_token(holder, organization, account_holder):
    holder.post(
        register_url(organization, "bearer_token"),
        {"name": "ci", "header_name": "Authorization", "header_value": f"Bearer {SENTINEL}"},
    )
    secret = Secret.objects.get(name="ci")
    assert secret.expires_at is None
    assert value_of(secret, account_holder) == {"header_name": "Authorization", "header_value": f"Bearer {SENTINEL}"}


def test_register_client_credentials_with_several_scopes(holder, organization, account_holder):
    holder.post(
        register_url(organization, "client_credentials"),
        {"name": "idp", "client_id": "ci-client", "client_secret": SENTINEL, "scopes": "read\nwrite  admin\n"},
    )
    secret = Secret.objects.get(name="idp")
    assert value_of(secret, account_holder) == {
        "client_id": "ci-client",
        "client_secret": SENTINEL,
        "scopes": ["read", "write", "admin"],
    }
    assert secret.metadata["scopes"] == ["read", "write", "admin"]


def test_register_a_certificate_with_its_key_takes_the_expiry_from_it(holder, organization, account_holder):
    cert_pem, key_pem, certificate = make_certificate(days=60)
    response = holder.post(
        register_url(organization, "certificate"),
        {"name": "tls", "certificate": pem_file(cert_pem, "tls.pem"), "private_key": pem_file(key_pem, "tls.key")},
    )
    secret = Secret.objects.get(name="tls")
    assert secret.expires_at == certificate.not_valid_after_utc
    assert value_of(secret, account_holder) == {"certificate": cert_pem, "private_key": key_pem}
    detail = holder.get(response["Location"]).content.decode()
    assert secret.metadata["fingerprint_sha256"] in detail
    assert "CN=svc.example.com" in detail
    assert secret.metadata["serial"] in detail
    assert certificate.not_valid_after_utc.strftime("%Y-%m-%d") in detail


def test_register_a_certificate_without_a_key(holder, organization):
    cert_pem, _, _ = make_certificate()
    holder.post(register_url(organization, "certificate"), {"name": "ca", "certificate": pem_file(cert_pem, "ca.crt")})
    assert Secret.objects.get(name="ca").metadata["has_private_key"] is False


def test_certificate_info_shows_the_expiry_before_registering(holder, organization):
    cert_pem, _, certificate = make_certificate(days=30)
    response = holder.post(url("certificate_inspect", organization), {"certificate": pem_file(cert_pem, "c.pem")})
    assert response.json()["expires_on"] == certificate.not_valid_after_utc.strftime("%Y-%m-%d")
    broken = holder.post(url("certificate_inspect", organization), {"certificate": pem_file("nope", "c.pem")})
    assert broken.status_code == 400
    assert "not a valid PEM certificate" in broken.json()["error"]


def test_register_key_value_pairs_typed_in_rows(holder, organization, account_holder):
    holder.post(
        register_url(organization, "key_value"),
        {"name": "db", "pair_key": ["DB_USER", "DB_PASSWORD", ""], "pair_value": ["app", SENTINEL, ""]},
    )
    secret = Secret.objects.get(name="db")
    assert value_of(secret, account_holder) == {"pairs": {"DB_USER": "app", "DB_PASSWORD": SENTINEL}}
    assert secret.metadata["keys"] == ["DB_PASSWORD", "DB_USER"]


def test_register_key_value_pairs_from_an_env_file(holder, organization, account_holder):
    env = f"# database\nexport DB_USER=app\nDB_PASSWORD='{SENTINEL}'\n"
    holder.post(
        register_url(organization, "key_value"),
        {"name": "env", "pairs_file": pem_file(env, ".env"), "pair_key": [""], "pair_value": [""]},
    )
    secret = Secret.objects.get(name="env")
    assert value_of(secret, account_holder) == {"pairs": {"DB_USER": "app", "DB_PASSWORD": SENTINEL}}


def test_register_key_value_pairs_from_a_json_file(holder, organization, account_holder):
    holder.post(
        register_url(organization, "key_value"),
        {"name": "json", "pairs_file": pem_file(json.dumps({"TOKEN": SENTINEL, "RETRIES": 3}), "values.json")},
    )
    assert value_of(Secret.objects.get(name="json"), account_holder) == {"pairs": {"TOKEN": SENTINEL, "RETRIES": "3"}}


def test_an_unknown_type_is_not_found(holder, organization):
    assert holder.get(register_url(organization, "password")).status_code == 404


# Errors, each on its field, nothing saved


@pytest.mark.parametrize(
    ("secret_type", "data", "field", "message"),
    [
        ("api_key", {"name": "", "header_name": "X-Key", "value": SENTINEL}, "name", "required"),
        ("api_key", {"name": "k", "header_name": "bad header", "value": SENTINEL}, "header_name", "valid HTTP header"),
        ("api_key", {"name": "k", "header_name": "X-Key", "value": ""}, "value", "required"),
        ("api_key", {"name": "k", "header_name": "X-Key", "value": SENTINEL, "expires_at": "2001-01-01"}, "expires_at", "future"),
        ("api_key", {"name": "k", "header_name": "X-Key", "value": SENTINEL, "expires_at": "tomorrow"}, "expires_at", "valid date"),
        ("bearer_token", {"name": "t", "header_name": "Authorization", "header_value": ""}, "header_value", "required"),
        ("client_credentials", {"name": "c", "client_id": "", "client_secret": SENTINEL}, "client_id", "required"),
        ("client_credentials", {"name": "c", "client_id": "id", "client_secret": ""}, "client_secret", "required"),
        ("key_value", {"name": "kv", "pair_key": [""], "pair_value": [""]}, "pairs", "at least one"),
        ("key_value", {"name": "kv", "pair_key": ["", "B"], "pair_value": [SENTINEL, "x"]}, "pairs", "Row 1"),
        ("key_value", {"name": "kv", "pair_key": ["A", "A"], "pair_value": ["x", SENTINEL]}, "pairs", "twice"),
    ],
)
def test_a_bad_field_gets_its_message_and_nothing_is_saved(holder, organization, secret_type, data, field, message):
    response = holder.post(register_url(organization, secret_type), data)
    assert response.status_code == 400
    errors = field_errors(response)
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not Secret.objects.exists()
    assert SENTINEL not in response.content.decode()


def test_a_broken_pem_is_named_on_the_certificate(holder, organization):
    response = holder.post(register_url(organization, "certificate"), {"name": "tls", "certificate": pem_file("-----BEGIN", "c.pem")})
    assert "not a valid PEM certificate" in " ".join(field_errors(response)["certificate"])
    assert not Secret.objects.exists()


def test_a_key_that_does_not_match_is_named_on_the_private_key(holder, organization):
    cert_pem, _, _ = make_certificate()
    _, other_key, _ = make_certificate()
    response = holder.post(
        register_url(organization, "certificate"),
        {"name": "tls", "certificate": pem_file(cert_pem, "c.pem"), "private_key": pem_file(other_key, "c.key")},
    )
    assert "private_key" in field_errors(response)
    assert "match" in " ".join(field_errors(response)["private_key"])
    assert not Secret.objects.exists()
    assert "PRIVATE KEY" not in response.content.decode()


def test_a_private_key_must_be_a_key_file(holder, organization):
    cert_pem, key_pem, _ = make_certificate()
    response = holder.post(
        register_url(organization, "certificate"),
        {"name": "tls", "certificate": pem_file(cert_pem, "c.pem"), "private_key": pem_file(key_pem, "c.pem")},
    )
    assert field_errors(response)["private_key"] == ["Upload the private key as a .key file."]
    assert not Secret.objects.exists()


def test_the_key_input_accepts_key_files_only(holder, organization):
    page = holder.get(register_url(organization, "certificate")).content.decode()
    assert 'accept=".key"' in page
    assert 'type="file" name="certificate"' in page


def test_an_oversized_certificate_is_refused_on_its_field(holder, organization):
    response = holder.post(register_url(organization, "certificate"), {"name": "tls", "certificate": pem_file("A" * 70_000, "c.pem")})
    assert "too large" in " ".join(field_errors(response)["certificate"])
    assert not Secret.objects.exists()


def test_an_oversized_pairs_file_is_refused_on_its_field(holder, organization):
    response = holder.post(register_url(organization, "key_value"), {"name": "kv", "pairs_file": pem_file("A=" + "b" * 300_000, ".env")})
    assert "too large" in " ".join(field_errors(response)["pairs_file"])


def test_a_bad_env_line_is_named_on_the_file_field(holder, organization):
    response = holder.post(
        register_url(organization, "key_value"),
        {"name": "kv", "pairs_file": pem_file(f"GOOD={SENTINEL}\nthis line is broken\n", ".env")},
    )
    assert field_errors(response)["pairs_file"] == ["Line 2: expected KEY=VALUE."]
    assert not Secret.objects.exists()
    assert SENTINEL not in response.content.decode()


def test_a_malformed_json_file_is_named_on_the_file_field(holder, organization):
    response = holder.post(register_url(organization, "key_value"), {"name": "kv", "pairs_file": pem_file("{oops", "v.json")})
    assert "malformed" in " ".join(field_errors(response)["pairs_file"])


def test_a_taken_name_is_named_on_the_name(holder, organization, principal):
    make_secret(organization, principal, name="github")
    response = holder.post(register_url(organization, "api_key"), {"name": "github", "header_name": "X-Key", "value": "v"})
    assert field_errors(response)["name"] == ["This name is already taken."]
    assert Secret.objects.count() == 1


def test_a_form_with_an_error_never_shows_the_values_back(holder, organization):
    response = holder.post(
        register_url(organization, "client_credentials"),
        {"name": "", "client_id": f"id-{SENTINEL}", "client_secret": SENTINEL, "scopes": "read"},
    )
    page = response.content.decode()
    assert "name" in field_errors(response)
    assert SENTINEL not in page
    assert 'type="password" name="client_secret"' in page


# Personal secrets


def test_a_member_registers_a_personal_secret_only(organization, member):
    client = portal_client(member)
    response = client.post(register_url(organization, "api_key"), {"name": "mine", "header_name": "X-Key", "value": SENTINEL})
    assert response.status_code == 302
    secret = Secret.objects.get(name="mine")
    assert secret.owner == member


def test_an_admin_may_keep_a_personal_secret(holder, organization, account_holder):
    holder.post(register_url(organization, "api_key"), {"name": "mine", "header_name": "X-Key", "value": "v", "personal": "on"})
    assert Secret.objects.get(name="mine").owner == account_holder
    assert names_listed(holder.get(url("secret_list", organization))) == []
    assert names_listed(holder.get(url("secret_list_personal", organization))) == ["mine"]


def test_personal_secrets_are_invisible_to_another_member_and_to_admins(organization, member, account_holder):
    secret = make_secret(organization, principal_for_user(member, organization), name="my-own-token", personal=True)
    other = portal_client(make_member(organization, role="member"))
    admin = portal_client(make_member(organization, role="sys_admin"))
    for client in (other, admin, portal_client(account_holder)):
        for name in ("secret_list", "secret_list_personal"):
            response = client.get(url(name, organization), follow=True)
            assert "my-own-token" not in response.content.decode()
        for name in ("secret_detail", "secret_delete"):
            assert client.get(url(name, organization, secret.pk)).status_code == 404
        assert client.post(url("secret_deactivate", organization, secret.pk)).status_code == 404
    owner = portal_client(member)
    assert "my-own-token" in owner.get(url("secret_list_personal", organization)).content.decode()
    assert owner.get(url("secret_detail", organization, secret.pk)).status_code == 200


def test_a_member_is_sent_to_their_own_secrets(organization, member, principal):
    secret = make_secret(organization, principal, name="org-secret")
    client = portal_client(member)
    response = client.get(url("secret_list", organization))
    assert response.status_code == 302
    assert response["Location"] == url("secret_list_personal", organization)
    assert client.get(url("secret_detail", organization, secret.pk)).status_code == 403


def test_an_account_manager_registers_organization_secrets(organization):
    manager = portal_client(make_member(organization, role="account_manager"))
    manager.post(register_url(organization, "api_key"), {"name": "shared", "header_name": "X-Key", "value": "v"})
    assert Secret.objects.get(name="shared").owner is None


def test_another_organizations_secret_is_not_found(holder, other_organization):
    outsider = make_member(other_organization, role="account_holder")
    secret = make_secret(other_organization, principal_for_user(outsider, other_organization), name="theirs")
    assert holder.get(reverse("vault:secret_detail", args=[other_organization.slug, secret.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, organization):
    response = client.get(url("secret_list", organization))
    assert response.status_code == 302
    assert "login" in response["Location"]


# The list


def test_the_list_shows_type_dates_and_status(holder, organization, principal):
    make_secret(organization, principal, name="plain")
    make_secret(organization, principal, name="soon", expires_at=timezone.now() + datetime.timedelta(days=3))
    old = make_secret(organization, principal, name="old")
    Secret.objects.filter(pk=old.pk).update(expires_at=timezone.now() - datetime.timedelta(days=1))
    off = make_secret(organization, principal, name="off")
    services.secret_deactivate(secret=off, actor=principal)
    page = holder.get(url("secret_list", organization)).content.decode()
    for badge in ('"active">Active', '"expiring_soon">Expiring soon', '"expired">Expired', '"inactive">Inactive'):
        assert badge in page
    assert "API Key" in page
    assert timezone.now().strftime("%Y-%m-%d") in page


def names_listed(response):
    return [secret.name for secret, _ in response.context["rows"]]


def test_the_list_filters_by_type_status_and_search(holder, organization, principal, certificate_pair):
    make_secret(organization, principal, name="github-token")
    make_secret(organization, principal, name="gitlab-token")
    cert_pem, _, _ = certificate_pair
    make_secret(organization, principal, name="tls", type="certificate", value={"certificate": cert_pem})
    off = make_secret(organization, principal, name="old-token")
    services.secret_deactivate(secret=off, actor=principal)
    base = url("secret_list", organization)
    assert names_listed(holder.get(base, {"type": "certificate"})) == ["tls"]
    assert names_listed(holder.get(base, {"status": "inactive"})) == ["old-token"]
    assert names_listed(holder.get(base, {"q": "git"})) == ["github-token", "gitlab-token"]
    assert names_listed(holder.get(base, {"type": "api_key", "status": "active", "q": "hub"})) == ["github-token"]
    assert names_listed(holder.get(base, {"type": "bogus"})) == ["github-token", "gitlab-token", "old-token", "tls"]


def test_the_list_pages_by_25(holder, organization, principal):
    for number in range(30):
        make_secret(organization, principal, name=f"secret-{number:02d}")
    first = holder.get(url("secret_list", organization), {"q": "secret"})
    assert len(names_listed(first)) == 25
    assert "page=2" in first.content.decode()
    second = holder.get(url("secret_list", organization), {"q": "secret", "page": 2})
    assert names_listed(second) == [f"secret-{number}" for number in range(25, 30)]


def test_the_list_runs_a_fixed_number_of_queries(holder, organization, principal, django_assert_max_num_queries):
    for number in range(25):
        make_secret(organization, principal, name=f"secret-{number:02d}")
    with django_assert_max_num_queries(12):
        holder.get(url("secret_list", organization))


# Detail and edit


def test_the_detail_page_shows_usages_before_the_form(holder, organization, principal, account_holder):
    secret = make_secret(organization, principal, name="github")
    value_of(secret, account_holder)
    value_of(secret, account_holder)
    page = holder.get(url("secret_detail", organization, secret.pk)).content.decode()
    usage = SecretUsage.objects.get(secret=secret)
    assert usage.count == 2
    assert page.index("Where it is used") < page.index("Edit</h2>")
    assert account_holder.username in page
    assert "<td>2</td>" in page
    assert "leave a value empty to keep the current one".lower() in page.lower()


def test_edit_an_api_key_value_and_header_name(holder, organization, principal, account_holder):
    secret = make_secret(organization, principal, name="github")
    response = holder.post(
        url("secret_detail", organization, secret.pk),
        {"name": "github", "header_name": "X-New-Key", "value": "new-value", "expires_at": FUTURE},
    )
    assert response.status_code == 302
    secret.refresh_from_db()
    assert value_of(secret, account_holder) == {"header_name": "X-New-Key", "value": "new-value"}
    assert secret.expires_at.date().isoformat() == FUTURE


def test_an_empty_value_keeps_the_current_one(holder, organization, principal, account_holder):
    secret = make_secret(organization, principal, name="github")
    holder.post(url("secret_detail", organization, secret.pk), {"name": "renamed", "header_name": "X-API-Key", "value": ""})
    secret.refresh_from_db()
    assert secret.name == "renamed"
    assert value_of(secret, account_holder) == {"header_name": "X-API-Key", "value": SENTINEL}


def test_edit_bearer_token_client_credentials_and_pairs(holder, organization, principal, account_holder):
    bearer = make_secret(organization, principal, name="b", type="bearer_token", value={"header_name": "Authorization", "header_value": "Bearer a"})
    holder.post(url("secret_detail", organization, bearer.pk), {"name": "b", "header_name": "Authorization", "header_value": "Bearer b"})
    assert value_of(bearer, account_holder)["header_value"] == "Bearer b"

    creds = make_secret(
        organization, principal, name="c", type="client_credentials",
        value={"client_id": "id", "client_secret": "s", "scopes": ["read"]},
    )
    holder.post(url("secret_detail", organization, creds.pk), {"name": "c", "client_id": "", "client_secret": "s2", "scopes": "read write"})
    assert value_of(creds, account_holder) == {"client_id": "id", "client_secret": "s2", "scopes": ["read", "write"]}

    pairs = make_secret(organization, principal, name="kv", type="key_value", value={"pairs": {"A": "1"}})
    holder.post(url("secret_detail", organization, pairs.pk), {"name": "kv", "pair_key": ["B"], "pair_value": ["2"]})
    assert value_of(pairs, account_holder) == {"pairs": {"B": "2"}}


def test_replace_a_certificate_and_its_key(holder, organization, principal, certificate_pair, account_holder):
    cert_pem, key_pem, _ = certificate_pair
    secret = make_secret(organization, principal, name="tls", type="certificate", value={"certificate": cert_pem, "private_key": key_pem})
    new_cert, new_key, new_certificate = make_certificate(common_name="new.example.com", days=200)
    mismatched = holder.post(url("secret_detail", organization, secret.pk), {"name": "tls", "certificate": pem_file(new_cert, "n.pem")})
    assert "private_key" in field_errors(mismatched)
    response = holder.post(
        url("secret_detail", organization, secret.pk),
        {"name": "tls", "certificate": pem_file(new_cert, "n.pem"), "private_key": pem_file(new_key, "n.key")},
    )
    assert response.status_code == 302
    secret.refresh_from_db()
    assert secret.metadata["subject"] == "CN=new.example.com"
    assert secret.expires_at == new_certificate.not_valid_after_utc


def test_an_edit_error_names_its_field_and_changes_nothing(holder, organization, principal, account_holder):
    secret = make_secret(organization, principal, name="github")
    response = holder.post(
        url("secret_detail", organization, secret.pk), {"name": "github", "header_name": "no spaces allowed", "value": "new"}
    )
    assert response.status_code == 400
    assert "header_name" in field_errors(response)
    assert value_of(secret, account_holder)["value"] == SENTINEL


def test_a_member_cannot_edit_an_organization_secret(organization, member, principal):
    secret = make_secret(organization, principal, name="github")
    response = portal_client(member).post(url("secret_detail", organization, secret.pk), {"name": "x", "header_name": "X", "value": "y"})
    assert response.status_code == 403


# Deactivate, activate, delete


def test_deactivate_then_activate(holder, organization, principal, account_holder):
    secret = make_secret(organization, principal, name="github")
    assert "Deactivate “github”?" in holder.get(url("secret_deactivate", organization, secret.pk)).content.decode()
    secret.refresh_from_db()
    assert secret.status == SecretStatus.ACTIVE
    response = holder.post(url("secret_deactivate", organization, secret.pk), follow=True)
    secret.refresh_from_db()
    assert secret.status == SecretStatus.INACTIVE
    page = response.content.decode()
    assert "This secret is deactivated" in page
    assert "409" in page
    assert '<button type="submit">Activate</button>' in page
    assert "Inactive" in holder.get(url("secret_list", organization)).content.decode()
    holder.post(url("secret_activate", organization, secret.pk))
    secret.refresh_from_db()
    assert secret.status == SecretStatus.ACTIVE
    assert value_of(secret, account_holder)["value"] == SENTINEL


def test_delete_asks_first_then_the_secret_is_gone_everywhere(holder, organization, principal):
    secret = make_secret(organization, principal, name="github")
    confirm = holder.get(url("secret_delete", organization, secret.pk)).content.decode()
    assert "irreversible" in confirm
    assert "Delete Secret</button>" in confirm
    Secret.objects.get(pk=secret.pk)
    response = holder.post(url("secret_delete", organization, secret.pk))
    assert response["Location"] == url("secret_list", organization)
    assert names_listed(holder.get(url("secret_list", organization))) == []
    assert holder.get(url("secret_detail", organization, secret.pk)).status_code == 404
    assert holder.get(reverse("secret-list", args=[organization.slug])).json()["count"] == 0


# No page shows a value after creation


def test_a_planted_sentinel_never_appears_in_any_page(holder, organization, account_holder, certificate_pair):
    cert_pem, key_pem, _ = certificate_pair
    holder.post(register_url(organization, "api_key"), {"name": "a", "header_name": "X-Key", "value": SENTINEL})
    holder.post(register_url(organization, "bearer_token"), {"name": "b", "header_name": "Authorization", "header_value": SENTINEL})
    holder.post(register_url(organization, "client_credentials"), {"name": "c", "client_id": SENTINEL, "client_secret": SENTINEL})
    holder.post(register_url(organization, "key_value"), {"name": "d", "pair_key": ["K"], "pair_value": [SENTINEL]})
    holder.post(
        register_url(organization, "certificate"),
        {"name": "e", "certificate": pem_file(cert_pem, "c.pem"), "private_key": pem_file(key_pem, "c.key")},
    )
    holder.post(register_url(organization, "api_key"), {"name": "p", "header_name": "X-Key", "value": SENTINEL, "personal": "on"})
    secrets = list(Secret.objects.all())
    assert len(secrets) == 6
    for secret in secrets:
        value_of(secret, account_holder)
    pages = [holder.get(url("secret_list", organization)), holder.get(url("secret_list_personal", organization))]
    for secret in secrets:
        pages.append(holder.get(url("secret_detail", organization, secret.pk)))
        pages.append(holder.get(url("secret_delete", organization, secret.pk)))
        pages.append(holder.post(url("secret_detail", organization, secret.pk), {"name": "", "value": SENTINEL}))
    for page in pages:
        assert page.status_code in (200, 400)
        text = page.content.decode()
        assert SENTINEL not in text
        assert "PRIVATE KEY" not in text
    assert pages[2]["Cache-Control"] == "no-store"


def test_without_an_encryption_key_registering_fails_closed_with_a_message(holder, organization, settings):
    settings.PORTCULLIS_ENCRYPTION_KEYS = []
    response = holder.post(register_url(organization, "api_key"), {"name": "k", "header_name": "X-Key", "value": SENTINEL})
    assert "no encryption key" in " ".join(response.context["form"].non_field_errors())
    assert not Secret.objects.exists()
    assert SENTINEL not in response.content.decode()


def test_secret_fields_are_hidden_from_error_reports(rf, organization, account_holder):
    from django.views.debug import SafeExceptionReporterFilter

    from secrets_vault.views import SecretRegisterView

    request = rf.post("/", {"name": "k", "value": SENTINEL, "client_secret": SENTINEL, "pair_value": SENTINEL})
    request.user = account_holder
    with pytest.raises(Http404):
        SecretRegisterView.as_view()(request, org=organization.slug, type="nope")
    cleansed = SafeExceptionReporterFilter().get_post_parameters(request)
    assert cleansed["name"] == "k"
    assert SENTINEL not in str(dict(cleansed))
