"""`/healthz` (the process is up) and `/readyz` (the database and the broker answer)."""

import pytest
from django.db import OperationalError
from kombu import Connection

from identity import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_authentication_or_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_readyz_is_ready_when_the_database_and_broker_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


def test_readyz_names_an_unreachable_broker(client, monkeypatch):
    unreachable = Connection("redis://127.0.0.1:1/0", connect_timeout=0.2)
    monkeypatch.setattr(health.celery_app, "connection_for_write", lambda **kwargs: unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "failing"}


class _BrokenConnection:
    def cursor(self):
        raise OperationalError("no such database")


def test_readyz_names_an_unreachable_database(client, monkeypatch):
    monkeypatch.setattr(health, "connection", _BrokenConnection())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failing"


def test_health_endpoints_take_only_get(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405
