"""`portcullis service-token …` against a live server."""

import json

import pytest

from cli.main import main
from identity.models import ServiceToken
from tests.factories import make_service_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cli(live_server, organization, monkeypatch):
    _, token = make_service_token(organization, roles=("sys_admin",), name="cli-admin")
    monkeypatch.setenv("PORTCULLIS_URL", live_server.url)
    monkeypatch.setenv("PORTCULLIS_TOKEN", token)
    return main


def test_create_list_and_delete_a_service_token(cli, capsys):
    assert cli(["service-token", "create", "--name", "deployer", "--roles", "member", "--expires-in", "30d"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert token.startswith("pct_") and "shown once" in err

    assert cli(["service-token", "list"]) == 0
    listing = capsys.readouterr().out
    header = listing.splitlines()[0].split()
    assert header == ["ID", "NAME", "EXPIRATION", "ROLES"]
    assert "deployer" in listing and "never" in listing and token not in listing

    assert cli(["--output", "json", "service-token", "list"]) == 0
    rows = json.loads(capsys.readouterr().out)
    deployer = next(row for row in rows if row["name"] == "deployer")

    assert cli(["service-token", "delete", str(deployer["id"])]) == 0
    assert not ServiceToken.objects.filter(name="deployer").exists()


def test_errors_are_one_clear_line_and_exit_non_zero(cli, capsys):
    assert cli(["service-token", "create", "--name", "x", "--roles", "no_such_role"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("portcullis: 400") and "roles" in err and "Traceback" not in err
    assert cli(["service-token", "delete", "999999"]) == 1
    assert "404" in capsys.readouterr().err


def test_a_wrong_token_is_reported(live_server, capsys):
    assert main(["--url", live_server.url, "--token", "pct_wrong", "service-token", "list"]) == 1
    assert "401" in capsys.readouterr().err


def test_an_unreachable_server_is_reported(capsys):
    assert main(["--url", "http://127.0.0.1:9", "--token", "t", "service-token", "list"]) == 1
    assert "cannot reach" in capsys.readouterr().err


def test_org_option_and_json_create(cli, organization, other_organization, capsys):
    assert cli(["--org", organization.slug, "--output", "json", "service-token", "create",
                "--name", "json-one", "--roles", "member"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["token"].startswith("pct_") and created["name"] == "json-one" and created["expires_at"] is None
    # Another organization's tokens are invisible: 404, one line.
    assert cli(["--org", other_organization.slug, "service-token", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("portcullis: 404") and len(err.strip().splitlines()) == 1


def test_a_taken_name_is_a_conflict(cli, capsys):
    assert cli(["service-token", "create", "--name", "twice", "--roles", "member"]) == 0
    capsys.readouterr()
    assert cli(["service-token", "create", "--name", "twice", "--roles", "member"]) == 1
    assert capsys.readouterr().err.startswith("portcullis: 409")


def test_list_follows_every_page(cli, organization, capsys):
    for n in range(55):
        make_service_token(organization, roles=("member",), name=f"bulk-{n:02d}")
    assert cli(["--output", "json", "service-token", "list"]) == 0
    names = {row["name"] for row in json.loads(capsys.readouterr().out)}
    assert {f"bulk-{n:02d}" for n in range(55)} <= names


def test_expiry_shows_in_the_table(cli, organization, capsys):
    make_service_token(organization, roles=("member",), name="short-lived", expires_in="24h")
    assert cli(["service-token", "list"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "short-lived" in line)
    assert "never" not in row and "T" in row.split()[2]
