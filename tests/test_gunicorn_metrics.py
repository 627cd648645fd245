"""Several gunicorn workers, one `/metrics`: with `-c config/gunicorn.py` and
`PROMETHEUS_MULTIPROC_DIR`, a scrape sums every worker's counts, and a restart starts from zero."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
START_TIMEOUT_SECONDS = 60
# A worker still importing the project answers late, not wrongly.
REQUEST_TIMEOUT_SECONDS = 30
REQUESTS = 24


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthz_count(exposition):
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == "portcullis_http_requests_total" and sample.labels.get("route") == "healthz":
                return sample.value
    return 0


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn with two workers and a metrics folder holding a previous run's (unreadable) file."""
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"left over from the last run")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PROMETHEUS_"))},
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PORTCULLIS_BROKER_DIR": str(tmp_path / "broker"),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    server = subprocess.Popen(
        [str(GUNICORN), "-c", "config/gunicorn.py", "config.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            requests.get(f"{base}/metrics", timeout=REQUEST_TIMEOUT_SECONDS)
            break
        except requests.ConnectionError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)
    yield base
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def test_a_scrape_sums_every_workers_requests_from_a_fresh_start(gunicorn):
    with requests.Session() as session:
        before = healthz_count(session.get(f"{gunicorn}/metrics", timeout=REQUEST_TIMEOUT_SECONDS).text)
        for _ in range(REQUESTS):
            # A new connection each time, so the kernel spreads them over both workers.
            assert requests.get(f"{gunicorn}/healthz", timeout=REQUEST_TIMEOUT_SECONDS).status_code == 200
        response = session.get(f"{gunicorn}/metrics", timeout=REQUEST_TIMEOUT_SECONDS)
    assert response.status_code == 200
    assert before == 0
    assert healthz_count(response.text) == REQUESTS
