"""`portcullis secret …`: argument parsing and the value each type's options build."""

import argparse
import json

import pytest

from cli.commands import secrets


@pytest.fixture
def parser():
    parser = argparse.ArgumentParser(prog="portcullis")
    secrets.register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_api_key_options_build_the_value(parser):
    args = parser.parse_args(["secret", "create", "--name", "gh", "--type", "api_key", "--header-name", "X-Key", "--value", "v"])
    assert secrets.build_value(args) == {"header_name": "X-Key", "value": "v"}


def test_client_credentials_scopes_are_split(parser):
    args = parser.parse_args(
        ["secret", "create", "--name", "c", "--type", "client_credentials", "--client-id", "i", "--client-secret", "s",
         "--scopes", "read, write"]
    )
    assert secrets.build_value(args)["scopes"] == ["read", "write"]


def test_certificate_and_pairs_files_are_read(parser, tmp_path):
    (tmp_path / "c.pem").write_text("CERT")
    (tmp_path / "k.key").write_text("KEY")
    (tmp_path / "prod.env").write_text("A=1\nB='two'\n")
    args = parser.parse_args(["secret", "create", "--name", "c", "--type", "certificate", "--certificate-file",
                              str(tmp_path / "c.pem"), "--private-key-file", str(tmp_path / "k.key")])
    assert secrets.build_value(args) == {"certificate": "CERT", "private_key": "KEY"}
    args = parser.parse_args(["secret", "create", "--name", "kv", "--type", "key_value", "--pairs-file", str(tmp_path / "prod.env")])
    assert secrets.build_value(args) == {"pairs": {"A": "1", "B": "two"}}


def test_value_json_wins_and_bad_json_names_the_option(parser):
    args = parser.parse_args(["secret", "create", "--name", "x", "--type", "api_key", "--value-json", json.dumps({"value": "v"})])
    assert secrets.build_value(args) == {"value": "v"}
    args = parser.parse_args(["secret", "create", "--name", "x", "--type", "api_key", "--value-json", "{nope"])
    with pytest.raises(secrets.UsageError, match="--value-json"):
        secrets.build_value(args)


def test_missing_files_name_their_option(parser, tmp_path):
    args = parser.parse_args(["secret", "create", "--name", "kv", "--type", "key_value", "--pairs-file", str(tmp_path / "none.env")])
    with pytest.raises(secrets.UsageError, match="--pairs-file"):
        secrets.build_value(args)


def test_every_subcommand_parses(parser):
    for command in ("get", "value", "deactivate", "activate", "delete"):
        assert parser.parse_args(["secret", command, "abc"]).id == "abc"
    assert parser.parse_args(["secret", "list", "--type", "certificate"]).type == "certificate"
