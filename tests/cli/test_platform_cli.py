"""`portcullis org …` and `portcullis root-credential …` against a live server, as a root credential."""

import json

import pytest
from jwcrypto import jwk

from cli.main import main
from identity.models import Organization, ServiceCredential
from identity.principals import SYSTEM_PRINCIPAL
from identity.services.root_credentials import root_credential_create
from tests.factories import make_service_token

pytestmark = pytest.mark.django_db(transaction=True)

EVERYTHING = ["organizations:read", "organizations:write", "root_service_credentials:read", "root_service_credentials:write"]


def root_cli(live_server, monkeypatch, permissions=EVERYTHING, name="cli-root"):
    """The CLI signed in as a new root credential through its client id and secret."""
    credential, secret = root_credential_create(actor=SYSTEM_PRINCIPAL, name=name, permissions=list(permissions))
    monkeypatch.setenv("PORTCULLIS_URL", live_server.url)
    monkeypatch.delenv("PORTCULLIS_TOKEN", raising=False)
    monkeypatch.setenv("PORTCULLIS_CLIENT_ID", credential.client_id)
    monkeypatch.setenv("PORTCULLIS_CLIENT_SECRET", secret)
    return main


def test_org_create_and_list(live_server, monkeypatch, capsys, mailoutbox):
    cli = root_cli(live_server, monkeypatch)

    assert cli(["org", "create", "--slug", "globex", "--name", "Globex",
                "--account-holder-username", "hank", "--account-holder-email", "hank@globex.test"]) == 0
    out, err = capsys.readouterr()
    assert "globex" in out and "hank@globex.test" in err
    assert Organization.objects.get(slug="globex").memberships.get().user.username == "hank"
    assert len(mailoutbox) == 1 and "/set-password/" in mailoutbox[0].body

    assert cli(["org", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["SLUG", "NAME", "MEMBERS", "CREATED"]
    assert any(line.split()[:3] == ["globex", "Globex", "1"] for line in listing[1:])

    assert cli(["--output", "json", "org", "list"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"slug": "globex", "name": "Globex", "member_count": 1}.items() <= next(r for r in rows if r["slug"] == "globex").items()


def test_org_errors_are_one_line_naming_the_field(live_server, monkeypatch, capsys, organization):
    cli = root_cli(live_server, monkeypatch)

    assert cli(["org", "create", "--slug", organization.slug, "--account-holder-username", "u",
                "--account-holder-email", "u@example.test"]) == 1
    assert capsys.readouterr().err.startswith("portcullis: 409")
    assert cli(["org", "create", "--slug", "fresh", "--account-holder-username", "u",
                "--account-holder-email", "not-an-email"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("portcullis: 400") and "account_holder.email" in err


def test_org_rename_and_delete_with_confirmation(live_server, monkeypatch, capsys, organization):
    cli = root_cli(live_server, monkeypatch)

    assert cli(["--output", "json", "org", "rename", organization.slug, "--name", "Renamed"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "Renamed"
    assert cli(["org", "delete", organization.slug, "--confirm", "wrong"]) == 1
    assert "confirm" in capsys.readouterr().err
    assert cli(["org", "delete", organization.slug, "--confirm", organization.slug]) == 0
    assert not Organization.objects.filter(pk=organization.pk).exists()


def test_a_reader_cannot_create_an_organization(live_server, monkeypatch, capsys):
    cli = root_cli(live_server, monkeypatch, permissions=["organizations:read"])

    assert cli(["org", "list"]) == 0
    capsys.readouterr()
    assert cli(["org", "create", "--slug", "nope", "--account-holder-username", "u", "--account-holder-email", "u@x.test"]) == 1
    assert capsys.readouterr().err.startswith("portcullis: 403")
    assert not Organization.objects.filter(slug="nope").exists()


def test_root_credential_create_list_and_delete_by_client_id(live_server, monkeypatch, capsys):
    cli = root_cli(live_server, monkeypatch)

    assert cli(["--output", "json", "root-credential", "create", "--name", "provisioner",
                "--permissions", "organizations:read,organizations:write"]) == 0
    out, err = capsys.readouterr()
    created = json.loads(out)
    assert created["client_secret"] and "shown once" in err
    assert created["permissions"] == ["organizations:read", "organizations:write"]

    assert cli(["root-credential", "list"]) == 0
    listing = capsys.readouterr().out
    assert listing.splitlines()[0].split() == ["ID", "NAME", "CLIENT", "ID", "PERMISSIONS", "STATUS"]
    assert "provisioner" in listing and created["client_secret"] not in listing

    assert cli(["root-credential", "delete", created["client_id"]]) == 0
    assert not ServiceCredential.objects.filter(name="provisioner", organization__isnull=True).exists()
    assert cli(["root-credential", "delete", created["client_id"]]) == 1
    assert "404" in capsys.readouterr().err


def test_root_credential_with_a_public_key(live_server, monkeypatch, capsys, tmp_path):
    cli = root_cli(live_server, monkeypatch)
    key_file = tmp_path / "client.pub.pem"
    key_file.write_bytes(jwk.JWK.generate(kty="EC", crv="P-256").export_to_pem())

    assert cli(["--output", "json", "root-credential", "create", "--name", "jwt-robot", "--permissions",
                "organizations:read", "--method", "private_key_jwt", "--public-key-file", str(key_file)]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["token_endpoint_auth_method"] == "private_key_jwt" and not created.get("client_secret")
    assert cli(["root-credential", "create", "--name", "x", "--permissions", "organizations:read",
                "--method", "private_key_jwt"]) == 2
    assert "--public-key-file" in capsys.readouterr().err


def test_an_unknown_permission_is_refused_naming_it(live_server, monkeypatch, capsys):
    cli = root_cli(live_server, monkeypatch)
    assert cli(["root-credential", "create", "--name", "x", "--permissions", "organizations:rule"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("portcullis: 400") and "permissions" in err


def test_an_organizations_service_token_is_told_404(live_server, monkeypatch, capsys, organization):
    _, token = make_service_token(organization)
    monkeypatch.delenv("PORTCULLIS_CLIENT_ID", raising=False)
    assert main(["--url", live_server.url, "--token", token, "org", "list"]) == 1
    assert capsys.readouterr().err.startswith("portcullis: 404")


def test_a_wrong_client_secret_is_one_line(live_server, capsys):
    assert main(["--url", live_server.url, "--client-id", "nobody", "--client-secret", "wrong", "org", "list"]) == 1
    assert capsys.readouterr().err.startswith("portcullis: 401")


def test_the_cli_lists_the_servers_platform_permissions():
    from cli.commands.root_credentials import PLATFORM_PERMISSIONS as CLI_PERMISSIONS
    from identity.permissions import PLATFORM_PERMISSIONS

    assert CLI_PERMISSIONS == list(PLATFORM_PERMISSIONS)


def test_a_token_without_the_service_token_prefix_is_sent_as_a_bearer_token():
    from cli.client import ApiClient

    assert ApiClient("http://portcullis.test", "pct_abc").session.headers["Authorization"] == "ApiKey pct_abc"
    assert ApiClient("http://portcullis.test", "eyJ.access").session.headers["Authorization"] == "Bearer eyJ.access"
