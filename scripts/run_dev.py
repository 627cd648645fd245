"""Run the portal, a Celery worker and Celery beat together for development (`make run`).

Stops all three on Ctrl-C, or when any one of them exits. Uses whatever DATABASE_URL and REDIS_URL
say, so the embedded defaults (SQLite, the filesystem broker) need no service at all.
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

PROCESSES = {
    "portal": [str(BIN / "gunicorn"), "config.wsgi:application", "--bind", ADDRESS, "--workers", "2", "--access-logfile", "-"],
    "worker": [str(BIN / "celery"), "-A", "config", "worker", "--concurrency", "1", "--loglevel", "info"],
    "beat": [str(BIN / "celery"), "-A", "config", "beat", "--loglevel", "info", "--schedule", str(ROOT / "var" / "celerybeat-schedule")],
}


def first_run_hint():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    print(f"\nPortcullis is starting at http://{ADDRESS}/ (API docs: http://{ADDRESS}/api/docs/)")
    if not get_user_model().objects.filter(is_active=True).exclude(username__startswith="svc-").exists():
        print(
            "No one can log in yet. Create the first Account Holder and organization:\n"
            "  .venv/bin/python manage.py createaccountholder --org SLUG --username NAME --email EMAIL\n"
        )


def main():
    first_run_hint()
    children = {name: subprocess.Popen(command, cwd=ROOT) for name, command in PROCESSES.items()}

    def stop(*_):
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        while all(child.poll() is None for child in children.values()):
            time.sleep(0.5)
        ended = [name for name, child in children.items() if child.poll() is not None]
        print(f"{', '.join(ended)} stopped; stopping the rest.", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        stop()


if __name__ == "__main__":
    main()
