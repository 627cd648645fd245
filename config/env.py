"""Reading configuration from the environment.

Every knob of the project comes from an environment variable. For development, missing keys are
written once to a git-ignored file (``var/local.env``, see ``config.devkeys``); its values act as
defaults that the real environment always overrides. Production deployments simply do not have
that file, so a missing key is an error at start.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_ENV_FILE = Path(os.environ.get("PORTCULLIS_ENV_FILE", BASE_DIR / "var" / "local.env"))


def load_local_env_file(path=LOCAL_ENV_FILE):
    """Use ``KEY=value`` lines of the local file as defaults for the environment."""
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip())


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=()):
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)
