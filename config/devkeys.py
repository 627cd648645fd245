"""Write development keys to the git-ignored local env file, once.

``make install`` and ``make run`` call ``python -m config.devkeys``. Keys already in the file are
kept, so sessions, service tokens and encrypted secrets stay valid across restarts.
"""

import base64
import secrets

from config.env import LOCAL_ENV_FILE


def generated_defaults():
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PORTCULLIS_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }


def read_existing(path):
    if not path.is_file():
        return {}
    pairs = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            pairs[key.strip()] = value.strip()
    return pairs


def main():
    path = LOCAL_ENV_FILE
    existing = read_existing(path)
    missing = {k: v for k, v in generated_defaults().items() if k not in existing}
    if not missing:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        if not existing:
            handle.write("# Development keys written by `make run`; never use them in production.\n")
        for key, value in missing.items():
            handle.write(f"{key}={value}\n")
    path.chmod(0o600)
    print(f"Wrote development keys ({', '.join(missing)}) to {path}")


if __name__ == "__main__":
    main()
