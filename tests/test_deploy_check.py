"""`manage.py check --deploy --fail-level WARNING` passes in a production configuration, as the
README promises. It runs in a subprocess: settings are read once, from the environment."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production_environment(tmp_path):
    """The environment an operator sets, and nothing from this machine's development keys file."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "PORTCULLIS_", "PROMETHEUS_"))
    }
    return {
        **inherited,
        "PORTCULLIS_ENV_FILE": str(tmp_path / "absent.env"),
        "PORTCULLIS_BROKER_DIR": str(tmp_path / "broker"),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "portcullis.example.com",
        "DJANGO_BEHIND_PROXY": "true",
        "PORTCULLIS_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "PORTCULLIS_ISSUER": "https://portcullis.example.com",
    }


def test_the_deploy_check_passes_at_warning_level_in_production(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
