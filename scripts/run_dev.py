"""Run the portal, a Celery worker and Celery beat together for development (`make run`).

The children run in their own sessions: this supervisor forwards SIGINT (Ctrl-C) and SIGTERM to
all of them, stops the rest when any one exits, and stops all if its parent (`make`) goes away. Uses whatever DATABASE_URL and REDIS_URL say,
so the embedded defaults (SQLite, the filesystem broker) need no service at all.

    PORTCULLIS_DEV_ADDRESS=127.0.0.1:8000   where gunicorn listens
    PORTCULLIS_DEV_SERVER=gunicorn          or `runserver` (Django's autoreloading server)
"""

import errno
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADDRESS = os.environ.get("PORTCULLIS_DEV_ADDRESS", "127.0.0.1:8000")
STOP_TIMEOUT = 15
# Celery prints its banners in the first seconds: the hint waits for them, so it is the last thing on screen.
BANNERS_SETTLE_SECONDS = 3
PARENT = os.getppid()  # read first thing: if `make` goes away, stop with it


def commands():
    if os.environ.get("PORTCULLIS_DEV_SERVER") == "runserver":
        portal = [sys.executable, "manage.py", "runserver", ADDRESS]
    else:
        portal = [str(BIN / "gunicorn"), "-c", "config/gunicorn.py", "config.wsgi:application", "--bind", ADDRESS,
                  "--workers", "2", "--access-logfile", "-"]
    return {
        "portal": portal,
        "worker": [str(BIN / "celery"), "-A", "config", "worker", "--concurrency", "1", "--loglevel", "info"],
        "beat": [str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "info",
                 "--schedule", str(ROOT / "var" / "celerybeat-schedule")],
    }


def host_and_port(address=None):
    address = address or ADDRESS
    host, _, port = address.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def port_in_use(address=None):
    address = address or ADDRESS
    try:
        host, port = host_and_port(address)
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        return error.errno == errno.EADDRINUSE
    except ValueError:
        return False  # not host:port; gunicorn says what is wrong with it
    return False


def accepting(address=None):
    address = address or ADDRESS
    try:
        with socket.create_connection(host_and_port(address), timeout=0.5):
            return True
    except (OSError, ValueError):
        return False


def busy_port_message():
    return (
        f"Cannot serve the portal at {ADDRESS}: something else is listening there.\n"
        f"Stop it, or choose another address: PORTCULLIS_DEV_ADDRESS=127.0.0.1:8001 make run"
    )


def first_run_hint():
    """Where the portal is and, on a database nobody can log in to yet, how to create the first Account Holder."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    lines = [f"Portcullis: http://{ADDRESS}/ (API docs: http://{ADDRESS}/api/docs/)"]
    if not get_user_model().objects.filter(is_active=True).exclude(username__startswith="svc-").exists():
        lines += [
            "No one can log in yet. Create the first Account Holder and organization:",
            "  .venv/bin/python manage.py createaccountholder --org SLUG --username NAME --email EMAIL",
        ]
    return "\n" + "\n".join(lines) + "\n"


class Supervisor:
    def __init__(self, hint=""):
        self.children = {}
        self.stopping = None
        self.hint = hint
        self.up_since = None
        self.announced = False

    def start(self):
        os.environ.setdefault("DJANGO_DEBUG", "true")
        (ROOT / "var").mkdir(exist_ok=True)
        for name, command in commands().items():
            self.children[name] = subprocess.Popen(command, cwd=ROOT, start_new_session=True)

    def request_stop(self, signum, _frame):
        self.stopping = signum

    def stop(self, signum=signal.SIGTERM):
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signum)
        deadline = time.monotonic() + STOP_TIMEOUT
        for child in self.children.values():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()

    def run(self):
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)
        self.start()
        while self.stopping is None:
            if os.getppid() != PARENT:  # `make` was killed without signalling us: stop with it
                self.stopping = signal.SIGTERM
                break
            ended = [name for name, child in self.children.items() if child.poll() is not None]
            if ended:
                print(f"{', '.join(ended)} stopped; stopping the rest.", file=sys.stderr, flush=True)
                if "portal" in ended and not self.announced:
                    print(f"The portal did not start at {ADDRESS}. If that address is taken, choose another: "
                          "PORTCULLIS_DEV_ADDRESS=127.0.0.1:8001 make run", file=sys.stderr, flush=True)
                self.stop()
                return 1
            self.announce_when_up()
            time.sleep(0.5)
        print("Stopping portal, worker and beat…", file=sys.stderr, flush=True)
        self.stop(self.stopping)
        return 0

    def announce_when_up(self):
        """Say the hint again once the portal answers and the banners are out, so it is the last thing shown."""
        if self.announced:
            return
        if self.up_since is None:
            if accepting():
                self.up_since = time.monotonic()
            return
        if time.monotonic() - self.up_since >= BANNERS_SETTLE_SECONDS:
            self.announced = True
            print(f"{self.hint}The portal is up.\n", flush=True)


if __name__ == "__main__":
    if port_in_use():
        print(busy_port_message(), file=sys.stderr, flush=True)
        sys.exit(1)
    hint = first_run_hint()
    print(hint, flush=True)
    sys.exit(Supervisor(hint).run())
