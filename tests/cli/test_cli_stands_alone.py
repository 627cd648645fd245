"""The CLI is a pure API client: it imports nothing of the server and runs with no server settings.

Both checks run the CLI in a fresh interpreter: in this test process Django is loaded already, so
an import of the server's code would go unnoticed here.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from identity.principals import principal_for_service_token
from secrets_vault import services
from secrets_vault.models import Secret
from tests.factories import make_service_token

TEST_KEY = "q0lr7o9WcP9d8T0Xl1lH3yQZbZ3j0d7pSc7y5z2r8mU="
SERVER_PACKAGES = ("django", "identity", "secrets_vault", "config")

LIST_SERVER_IMPORTS = """
import importlib, pkgutil, sys
import cli.commands, cli.main
for module in pkgutil.iter_modules(cli.commands.__path__, "cli.commands."):
    importlib.import_module(module.name)
print(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:])))
"""


def bare_environment(home):
    """No DJANGO_SETTINGS_MODULE, no keys, no PYTHONPATH: what a pipeline's shell would hold."""
    return {"PATH": os.environ["PATH"], "HOME": str(home)}


def test_importing_the_cli_and_every_command_imports_no_server_code(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", LIST_SERVER_IMPORTS, *SERVER_PACKAGES],
        cwd=tmp_path, env=bare_environment(tmp_path), capture_output=True, text=True, check=True,
    )
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


@pytest.mark.django_db(transaction=True)
def test_a_key_value_secret_is_created_from_an_env_file_without_django_settings(live_server, organization, settings, tmp_path):
    settings.PORTCULLIS_ENCRYPTION_KEYS = [TEST_KEY]
    service_token, token = make_service_token(organization, roles=("sys_admin",), name="cli-bare")
    (tmp_path / "x.env").write_text("# the database\nexport DB_USER=app\nDB_PASSWORD='s3cret=x'\n")
    portcullis = Path(sys.executable).with_name("portcullis")

    result = subprocess.run(
        [str(portcullis), "--url", live_server.url, "--token", token, "--output", "json",
         "secret", "create", "--name", "db", "--type", "key_value", "--pairs-file", "x.env"],
        cwd=tmp_path, env=bare_environment(tmp_path), capture_output=True, text=True,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["metadata"] == {"keys": ["DB_PASSWORD", "DB_USER"]}
    value = services.secret_read_value(secret=Secret.objects.get(name="db"), actor=principal_for_service_token(service_token))
    assert value == {"pairs": {"DB_USER": "app", "DB_PASSWORD": "s3cret=x"}}
