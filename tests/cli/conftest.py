"""The CLI run in-process against a live server, as a sys_admin service token."""

import pytest

from cli.main import main
from tests.factories import make_service_token


@pytest.fixture
def cli(live_server, organization, monkeypatch, capsys):
    """Run the CLI as a sys_admin token of ``organization``; returns ``(exit code, stdout, stderr)``."""
    _, token = make_service_token(organization, roles=("sys_admin",), name="cli-admin")
    monkeypatch.setenv("PORTCULLIS_URL", live_server.url)
    monkeypatch.setenv("PORTCULLIS_TOKEN", token)

    def run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
