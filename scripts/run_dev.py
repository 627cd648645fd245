"""Run the portal, a Celery worker and Celery beat together for development (`make run`).

The children run in their own sessions: this supervisor forwards SIGINT (Ctrl-C) and SIGTERM to
all of them, stops the rest when any one exits, and stops all if its parent (`make`) goes away. Uses whatever DATABASE_URL and REDIS_URL say,
so the embedded defaults (SQLite, the filesystem broker) need no service at all.

    PORTCULLIS_DEV_ADDRESS=127.0.0.1:8000   where gunicorn listens
    PORTCULLIS_DEV_SERVER=gunicorn          or `runserver` (Django's autoreloading server)
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADDRESS = os.environ.get("PORTCULLIS_DEV_ADDRESS", "127.0.0.1:8000")
STOP_TIMEOUT = 15
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


def first_run_hint():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    print(f"\nPortcullis is starting at http://{ADDRESS}/ (API docs: http://{ADDRESS}/api/docs/)", flush=True)
    if not get_user_model().objects.filter(is_active=True).exclude(username__startswith="svc-").exists():
        print(
            "No one can log in yet. Create the first Account Holder and organization:\n"
            "  .venv/bin/python manage.py createaccountholder --org SLUG --username NAME --email EMAIL\n",
            flush=True,
        )


class Supervisor:
    def __init__(self):
        self.children = {}
        self.stopping = None

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
                self.stop()
                return 1
            time.sleep(0.5)
        print("Stopping portal, worker and beat…", file=sys.stderr, flush=True)
        self.stop(self.stopping)
        return 0


if __name__ == "__main__":
    first_run_hint()
    sys.exit(Supervisor().run())
