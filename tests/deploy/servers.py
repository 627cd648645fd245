"""The processes of a deployment under test: manage.py commands, gunicorn servers, a Celery worker.

Each long-running process runs in a session of its own, writes to its own log file and is stopped
by its process group whatever happens, so a failing test leaves nothing running. The tail of its
log goes into failure messages: the server's traceback is what explains a 500.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_SECONDS = 60
COMMAND_SECONDS = 300
LOG_TAIL_CHARS = 4000
# gunicorn trusts X-Forwarded-Proto from loopback by default; a balancer on another host is not
# trusted by it, so only DJANGO_BEHIND_PROXY can make a request secure, as in production.
NOT_THE_BALANCER = "192.0.2.1"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path):
    return path.read_text(errors="replace")[-LOG_TAIL_CHARS:] if path.exists() else "(no log)"


def manage(env, *args):
    """Run ``manage.py args`` as the operator would; its stdout, or a failure naming its stderr."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=COMMAND_SECONDS
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} exited {result.returncode}:\n{result.stderr[-LOG_TAIL_CHARS:]}"
    return result.stdout


@dataclass
class Server:
    """A started gunicorn: where it listens and what it logs."""

    name: str
    base: str
    log: Path
    process: subprocess.Popen | None = None

    def ready(self):
        try:
            return requests.get(f"{self.base}/healthz", timeout=5).status_code == 200
        except requests.RequestException:  # refused while binding, or slow while workers boot
            return False

    def explain(self, response):
        """A failure message: what was asked, what came back, and what the server logged."""
        return (
            f"{response.request.method} {response.url} answered {response.status_code}: {response.text[:800]}\n"
            f"--- {self.name} log (tail) ---\n{log_tail(self.log)}"
        )


@dataclass
class Worker:
    """A started Celery worker."""

    log: Path
    name: str = "the Celery worker"
    process: subprocess.Popen | None = None

    def ready(self):
        return " ready." in self.log.read_text(errors="replace")


def stop(process):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def started(command, env, log):
    """A long-running process in its own session, logging to ``log``; stopped on exit."""
    with open(log, "w") as output:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        stop(process)


def wait_until_ready(*services):
    """Wait for services started side by side; fail early if one died, or at the start deadline."""
    deadline = time.monotonic() + START_SECONDS
    waiting = list(services)
    while waiting and time.monotonic() < deadline:
        for service in waiting:
            code = service.process.poll()
            assert code is None, f"{service.name} exited with {code}:\n{log_tail(service.log)}"
        waiting = [service for service in waiting if not service.ready()]
        time.sleep(0.2)
    if waiting:
        raise AssertionError(
            "\n".join(f"{s.name} was not ready within {START_SECONDS} s:\n{log_tail(s.log)}" for s in waiting)
        )


@contextlib.contextmanager
def gunicorn(env, folder, name, workers, options=()):
    """gunicorn as the README runs it (plus ``options``), on a free loopback port, with a metrics
    folder of its own; wait for it with ``wait_until_ready``."""
    server = Server(name=name, base=f"http://127.0.0.1:{free_port()}", log=folder / f"{name}.log")
    command = [
        str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi:application",
        "--bind", server.base.removeprefix("http://"), "--workers", str(workers),
        "--forwarded-allow-ips", NOT_THE_BALANCER, *options,
    ]
    env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(folder / f"{name}-metrics")}
    with started(command, env, server.log) as server.process:
        yield server


@contextlib.contextmanager
def celery_worker(env, folder):
    """``celery -A config worker -c 1``; wait for it with ``wait_until_ready``."""
    worker = Worker(log=folder / "celery-worker.log")
    command = [str(BIN / "celery"), "-A", "config", "worker", "-c", "1", "-l", "info"]
    with started(command, env, worker.log) as worker.process:
        yield worker
