"""A real Celery worker process runs the identity clean-up task on the test database.

The worker is `celery -A config worker` as a subprocess with the test process' environment: Redis
from REDIS_URL when it is set (CI), else kombu's filesystem broker in a folder of this test. It
consumes a queue of its own, so no other worker on the machine takes the task, and it is ended by
its pid whatever happens.
"""

import os
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
from identity import tasks
from identity.models import AuditAction, AuditEvent, ServiceCredential
from tests.factories import OrganizationFactory, make_credential

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(settings.BASE_DIR)
WAIT_SECONDS = 60


def database_url_for_worker():
    """The URL of the database this test runs on (pytest-django's test database, not the dev one)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    if db["ENGINE"].endswith("postgresql"):
        credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
        host = db["HOST"] or "localhost"
        if host.startswith("/"):
            return f"postgres://{credentials}@/{db['NAME']}?host={quote(host)}"
        return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{db['NAME']}"
    pytest.skip(f"no worker recipe for {db['ENGINE']}")


@pytest.fixture
def broker(tmp_path):
    """``(environment for the worker, connection for sending)`` on one broker."""
    env = {**os.environ, "DATABASE_URL": database_url_for_worker(), "PYTHONPATH": str(ROOT)}
    options = {}
    if not settings.REDIS_URL:
        folder = tmp_path / "broker"
        env["PORTCULLIS_BROKER_DIR"] = str(folder)
        options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
        }
        for sub in ("queue", "control", "processed"):
            (folder / sub).mkdir(parents=True)
    sender = app.connection_for_write(transport_options=options)
    yield env, sender
    sender.release()


@pytest.fixture
def worker(broker, tmp_path):
    """A started worker on a queue of its own; yields ``(queue, connection, log file)``."""
    env, sender = broker
    queue = f"test-worker-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    with open(log, "w") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "-c", "1", "--pool", "solo",
             "-Q", queue, "-l", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        yield queue, sender, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def wait_for(condition, timeout=WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_a_real_worker_marks_a_lapsed_credential_expired_and_audits_it(worker):
    queue, sender, log = worker
    organization = OrganizationFactory()
    lapsed, _ = make_credential(organization, name="lapsed")
    current, _ = make_credential(organization, name="current")
    ServiceCredential.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    tasks.expire_service_credentials.apply_async(queue=queue, connection=sender)

    def expired():
        return ServiceCredential.objects.get(pk=lapsed.pk).status == ServiceCredential.Status.EXPIRED

    assert wait_for(expired), f"the worker never expired the credential; its log:\n{log.read_text()[-3000:]}"
    assert ServiceCredential.objects.get(pk=current.pk).status == ServiceCredential.Status.ACTIVE
    events = AuditEvent.objects.filter(action=AuditAction.SERVICE_CREDENTIAL_EXPIRE)
    assert list(events.values_list("target_name", flat=True)) == ["lapsed"]
    assert wait_for(lambda: "succeeded" in log.read_text(), timeout=10), log.read_text()[-3000:]


def test_running_the_task_again_changes_nothing(worker):
    queue, sender, log = worker
    organization = OrganizationFactory()
    lapsed, _ = make_credential(organization, name="lapsed-twice")
    ServiceCredential.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    tasks.expire_service_credentials.apply_async(queue=queue, connection=sender)
    tasks.expire_service_credentials.apply_async(queue=queue, connection=sender)

    assert wait_for(lambda: log.read_text().count("succeeded") >= 2), log.read_text()[-3000:]
    assert ServiceCredential.objects.get(pk=lapsed.pk).status == ServiceCredential.Status.EXPIRED
    assert AuditEvent.objects.filter(action=AuditAction.SERVICE_CREDENTIAL_EXPIRE).count() == 1
