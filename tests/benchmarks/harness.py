"""Shared benchmark harness: a gunicorn server on a throwaway database, and a keep-alive load loop.

Every figure is a ratio against a baseline measured on the same server in the same run, so the
machine's speed cancels out. Loopback only; each loop is bounded in time.
"""

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "var" / "bench"
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(database, **extra):
    return {
        **os.environ,
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.bench_settings",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTCULLIS_LOG_LEVEL": "ERROR",
        **extra,
    }


def run_module(module, env, *args):
    """Run ``python -m module args`` and return its last stdout line as JSON."""
    output = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


@contextlib.contextmanager
def gunicorn(env, workers=2):
    """A gunicorn server; yields ``(base_url, worker_pids)``."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", str(workers)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        yield base, [int(pid) for pid in children]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def peak_rss_mib(pids):
    """The largest peak resident set (VmHWM) among these processes."""
    peaks = []
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=0.0)


def hammer(base, method, path, *, headers=None, bodies=None, seconds=SECONDS, threads=8, expect=200):
    """Requests per second over keep-alive connections. ``bodies``: an iterator of form bodies
    (each used once, e.g. single-use JWT assertions); otherwise the request has no body."""
    host, port = base.removeprefix("http://").split(":")
    counts, errors = [0] * threads, []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def next_body():
        if bodies is None:
            return None
        with lock:
            return next(bodies, None)

    def worker(index):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        request_headers = dict(headers or {})
        if bodies is not None:
            request_headers["Content-Type"] = "application/x-www-form-urlencoded"
        while time.monotonic() < deadline:
            body = next_body()
            if bodies is not None and body is None:
                return
            connection.request(method, path, body=urlencode(body) if body else None, headers=request_headers)
            response = connection.getresponse()
            response.read()
            if response.status != expect:
                errors.append(response.status)
                return
            counts[index] += 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = max(min(time.monotonic(), deadline) - started, 1e-6)
    assert not errors, f"{method} {path}: {errors[:3]}"
    return sum(counts) / elapsed


def save(name, data):
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2))
