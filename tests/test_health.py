"""`/healthz` and `/readyz` against the broker this run really uses (Redis in CI, else the filesystem
transport), and `/readyz` when the configured broker URL points at a closed port.

`tests/identity/test_api_health.py` checks the response shapes with a stubbed connection; here the
broker URL itself is changed, as an operator's typo would change it.
"""

import socket

import pytest
from django.conf import settings as django_settings

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def closed_port():
    """A local port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker_url():
    """Point Celery at another broker for one test, then put the configured one back."""
    original_url, original_options = celery_app.conf.broker_url, celery_app.conf.broker_transport_options

    def point_at(url):
        celery_app.conf.broker_url = url
        celery_app.conf.broker_transport_options = {}
        celery_app.pool.force_close_all()

    yield point_at
    celery_app.conf.broker_url = original_url
    celery_app.conf.broker_transport_options = original_options
    celery_app.pool.force_close_all()


def test_healthz_is_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readyz_is_ok_with_the_configured_database_and_broker(client):
    assert celery_app.conf.broker_url == django_settings.CELERY_BROKER_URL
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_readyz_is_503_naming_the_broker_when_its_port_is_closed(client, broker_url):
    broker_url(f"redis://127.0.0.1:{closed_port()}/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"] == {"database": "ok", "broker": "failing"}
    assert "127.0.0.1" not in response.content.decode()


def test_readyz_recovers_once_the_broker_is_back(client, broker_url):
    configured = celery_app.conf.broker_url
    broker_url(f"redis://127.0.0.1:{closed_port()}/0")
    assert client.get("/readyz").status_code == 503
    broker_url(configured)
    celery_app.conf.broker_transport_options = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert client.get("/readyz").status_code == 200
