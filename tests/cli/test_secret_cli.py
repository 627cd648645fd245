"""`portcullis secret …` against a live server: the vault commands drawn by the shared frame."""

import json

import pytest

from cli.main import main
from tests.factories import make_service_token

pytestmark = pytest.mark.django_db(transaction=True)

TEST_KEY = "q0lr7o9WcP9d8T0Xl1lH3yQZbZ3j0d7pSc7y5z2r8mU="


@pytest.fixture
def cli(live_server, organization, monkeypatch, settings):
    settings.PORTCULLIS_ENCRYPTION_KEYS = [TEST_KEY]
    _, token = make_service_token(organization, roles=("sys_admin",), name="cli-vault")
    monkeypatch.setenv("PORTCULLIS_URL", live_server.url)
    monkeypatch.setenv("PORTCULLIS_TOKEN", token)
    return main


def test_register_list_read_deactivate_and_delete_a_secret(cli, capsys):
    assert cli(["--output", "json", "secret", "create", "--name", "stripe", "--type", "api_key",
                "--header-name", "X-Api-Key", "--value", "sk_test_123"]) == 0
    created = json.loads(capsys.readouterr().out)
    secret_id = str(created["id"])

    assert cli(["secret", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split() == ["ID", "NAME", "TYPE", "STATUS", "EXPIRATION"]
    assert any("stripe" in line and "api_key" in line for line in listing[1:])
    assert "sk_test_123" not in "\n".join(listing)

    assert cli(["--output", "json", "secret", "value", secret_id]) == 0
    assert json.loads(capsys.readouterr().out)["value"]["value"] == "sk_test_123"

    assert cli(["secret", "deactivate", secret_id]) == 0
    capsys.readouterr()
    assert cli(["secret", "value", secret_id]) == 1
    assert capsys.readouterr().err.startswith("portcullis: 409")

    assert cli(["secret", "delete", secret_id]) == 0
    capsys.readouterr()
    assert cli(["--output", "json", "secret", "list"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_bad_secret_input_names_the_field(cli, capsys):
    assert cli(["secret", "create", "--name", "x", "--type", "key_value", "--value-json", "[1]"]) == 2
    assert "--value-json" in capsys.readouterr().err
