"""The bootstrap service token from configuration: created once, even by processes racing."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from identity.models import Organization, ServiceToken
from identity.services import service_token_authenticate

BOOTSTRAP = "bootstrap-token-for-tests-0123456789abcdefghij"
ROOT = Path(__file__).resolve().parents[2]


def database_url_of_the_test_database():
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    # Quoted, so that a password with symbols or a Unix-socket host (a path) survives the URL.
    host = quote(settings["HOST"] or "localhost", safe="")
    auth = quote(settings["USER"] or "", safe="") + (f":{quote(settings['PASSWORD'], safe='')}" if settings["PASSWORD"] else "")
    return f"postgres://{auth}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_processes_starting_together_create_one_bootstrap_token():
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_the_test_database(),
        "PORTCULLIS_BOOTSTRAP_TOKEN": BOOTSTRAP,
        "PORTCULLIS_BOOTSTRAP_ORG": "bootstrap-org",
        "PORTCULLIS_BOOTSTRAP_ROLES": "sys_admin",
        "PORTCULLIS_BOOTSTRAP_TTL": "24h",
    }
    command = [sys.executable, "manage.py", "bootstrap"]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert Organization.objects.filter(slug="bootstrap-org").count() == 1
    assert ServiceToken.objects.count() == 1
    token = service_token_authenticate(BOOTSTRAP)
    assert token is not None and token.expires_at is not None
    assert {r.name for r in token.organization_roles} == {"sys_admin"}
    restarted = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=120)
    assert restarted.returncode == 0
    assert ServiceToken.objects.count() == 1


@pytest.mark.django_db
def test_a_too_short_bootstrap_token_is_an_error_at_start(settings):
    from django.core.management import CommandError, call_command

    settings.PORTCULLIS_BOOTSTRAP_TOKEN = "short"
    settings.PORTCULLIS_BOOTSTRAP_ORG = "acme"
    with pytest.raises(CommandError, match="PORTCULLIS_BOOTSTRAP_TOKEN"):
        call_command("bootstrap")


def test_wsgi_start_with_an_unmigrated_database_warns_instead_of_crashing(settings, monkeypatch, caplog):
    from django.db import OperationalError

    import config.wsgi
    from identity import services

    def unmigrated():
        raise OperationalError("no such table: identity_servicetoken")

    settings.PORTCULLIS_BOOTSTRAP_TOKEN = BOOTSTRAP
    monkeypatch.setattr(services, "bootstrap_token_ensure", unmigrated)
    config.wsgi._ensure_bootstrap_token()
    assert "is the database migrated?" in caplog.text


# Transactional: the start closes its connections (for workers forked after it), which a test
# wrapped in one open transaction cannot survive.
@pytest.mark.django_db(transaction=True)
def test_wsgi_start_creates_the_configured_bootstrap_token_and_closes_its_connection(settings):
    from django.db import connection

    import config.wsgi

    settings.PORTCULLIS_BOOTSTRAP_TOKEN = BOOTSTRAP
    settings.PORTCULLIS_BOOTSTRAP_ORG = "bootstrap-org"
    config.wsgi._ensure_bootstrap_token()
    assert connection.connection is None
    assert service_token_authenticate(BOOTSTRAP) is not None
