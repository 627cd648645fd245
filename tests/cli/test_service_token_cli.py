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
