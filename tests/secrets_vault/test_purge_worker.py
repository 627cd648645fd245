"""The purge run by a real Celery worker (Redis from REDIS_URL, else the filesystem broker).

The worker is a subprocess on the test database, consuming a queue of its own so that no other
worker on the machine takes the task; it is ended by its pid.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app
from identity.models import AuditAction, AuditEvent, Organization
from secrets_vault import tasks
from secrets_vault.models import Secret

pytestmark = pytest.mark.django_db(transaction=True)
BASE_DIR = Path(settings.BASE_DIR)


def database_url():
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    if "postgresql" in db["ENGINE"]:
        credentials = f"{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}"
        host = db["HOST"] or "localhost"
        if host.startswith("/"):  # a Unix socket directory
            return f"postgres://{credentials}@/{db['NAME']}?host={quote(host)}"
        return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
    pytest.skip(f"No worker recipe for {db['ENGINE']}")


@pytest.fixture
def broker(tmp_path):
    """Environment for the worker and a connection for sending, on the same broker."""
    env = {**os.environ, "DATABASE_URL": database_url(), "PYTHONPATH": str(BASE_DIR)}
    if settings.REDIS_URL:
        options = {}
    else:
        folder = tmp_path / "broker"
        for sub in ("queue", "control", "processed"):
            (folder / sub).mkdir(parents=True)
        env["PORTCULLIS_BROKER_DIR"] = str(folder)
        options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
        }
    connection_ = app.connection_for_write(transport_options=options)
    yield env, connection_
    connection_.release()


class Worker:
    def __init__(self, env, queue):
        celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
        self.process = subprocess.Popen(
            [celery, "-A", "config", "worker", "-c", "1", "--pool", "solo", "-Q", queue, "--loglevel", "WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def make_deleted_secrets(organization, count, days_ago):
    deleted_at = timezone.now() - timedelta(days=days_ago)
    Secret.objects.bulk_create(
        [
            Secret(organization=organization, name=f"s-{days_ago}-{n}", type="api_key", ciphertext=b"x" * 40,
                   nonce=b"n" * 12, key_id="deadbeef", deleted_at=deleted_at)
            for n in range(count)
        ],
        batch_size=2000,
    )


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def purged_in_audit():
    return sum(e.details["count"] for e in AuditEvent.objects.filter(action=AuditAction.SECRET_PURGE))


@pytest.fixture
def organization_tx():
    from tests.factories import OrganizationFactory

    return OrganizationFactory()


def test_a_real_worker_purges_only_secrets_past_retention(broker, organization_tx):
    env, conn = broker
    make_deleted_secrets(organization_tx, 30, days_ago=45)
    make_deleted_secrets(organization_tx, 5, days_ago=3)
    queue = f"vault-test-{uuid.uuid4().hex[:8]}"
    worker = Worker(env, queue)
    try:
        tasks.purge_deleted_secrets.apply_async(kwargs={"batch_size": 7}, queue=queue, connection=conn)
        assert wait_for(lambda: Secret.objects.count() == 5), worker.process.stderr
        assert set(Secret.objects.values_list("deleted_at__date", flat=True)) == {
            (timezone.now() - timedelta(days=3)).date()
        }
        assert purged_in_audit() == 30
    finally:
        worker.kill()


def test_a_worker_killed_mid_purge_loses_nothing_and_a_rerun_completes(broker, organization_tx):
    env, conn = broker
    total = 20000
    make_deleted_secrets(organization_tx, total, days_ago=60)
    make_deleted_secrets(organization_tx, 10, days_ago=1)
    queue = f"vault-test-{uuid.uuid4().hex[:8]}"
    worker = Worker(env, queue)
    try:
        tasks.purge_deleted_secrets.apply_async(kwargs={"batch_size": 20}, queue=queue, connection=conn)
        assert wait_for(lambda: Secret.objects.count() < total + 10, timeout=60), "the worker never started purging"
        worker.kill()
    finally:
        worker.kill()
    remaining_old = Secret.objects.filter(deleted_at__lt=timezone.now() - timedelta(days=30)).count()
    assert 0 < remaining_old < total, "the kill should land mid-purge"
    # Every secret that went has its audit record, and no batch went half-way.
    assert purged_in_audit() == total - remaining_old
    assert Secret.objects.filter(deleted_at__gte=timezone.now() - timedelta(days=30)).count() == 10

    worker = Worker(env, queue)
    try:
        tasks.purge_deleted_secrets.apply_async(queue=queue, connection=conn)
        assert wait_for(lambda: Secret.objects.count() == 10, timeout=120)
        assert purged_in_audit() == total
    finally:
        worker.kill()
    assert Organization.objects.filter(pk=organization_tx.pk).exists()
