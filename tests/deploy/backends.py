"""Where a deployment under test keeps its state, and the environment its processes run in.

A fresh SQLite file, or a throwaway PostgreSQL database created for the test on the server named by
``DATABASE_URL`` (dropped afterwards, whatever happens) beside the Redis of ``REDIS_URL``. The
environment is built from nothing but what the README names for production, so a development
default (``var/local.env``, ``DJANGO_DEBUG``) or the test run's own settings cannot leak in.
"""

import base64
import contextlib
import os
import secrets
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

PUBLIC_HOST = "portcullis.example.test"
ISSUER = f"https://{PUBLIC_HOST}"

DATABASE_URL = os.environ.get("DATABASE_URL", "")
POSTGRESQL_URL = DATABASE_URL if DATABASE_URL.startswith("postgres") else ""
REDIS_URL = os.environ.get("REDIS_URL", "")
needs_postgresql_and_redis = pytest.mark.skipif(
    not (POSTGRESQL_URL and REDIS_URL),
    reason="DATABASE_URL (PostgreSQL) and REDIS_URL are not set: the scale-out parts cannot be deployed",
)


def sqlite_url(folder):
    return f"sqlite:///{folder / 'portcullis.sqlite3'}"


def _maintenance_url():
    """The server's ``postgres`` database, as Django's test runner uses: the one in ``DATABASE_URL``
    may not exist yet (pytest-django creates ``test_<name>``, not ``<name>``)."""
    return urlsplit(POSTGRESQL_URL)._replace(path="/postgres").geturl()


def database_name(url):
    return urlsplit(url).path.lstrip("/")


@contextlib.contextmanager
def throwaway_postgresql(prefix, template=None):
    """A new database on the PostgreSQL server of ``DATABASE_URL`` (empty, or a copy of
    ``template``); yields its URL, and drops it on exit."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with psycopg.connect(_maintenance_url(), autocommit=True) as admin:
        admin.execute(create)
    try:
        yield urlsplit(POSTGRESQL_URL)._replace(path=f"/{name}").geturl()
    finally:
        # FORCE: a server that did not stop cleanly must not leave the database behind.
        with psycopg.connect(_maintenance_url(), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def production_env(folder, *, database_url, redis_url=None):
    """The environment of every process of one deployment: production settings behind a TLS proxy."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": f"{PUBLIC_HOST},127.0.0.1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": ISSUER,
        "DJANGO_BEHIND_PROXY": "true",
        "PORTCULLIS_ISSUER": ISSUER,
        "PORTCULLIS_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        # Production has no development keys file: make sure the repository's is not read.
        "PORTCULLIS_ENV_FILE": str(folder / "no-such-local.env"),
        "PORTCULLIS_BROKER_DIR": str(folder / "broker"),
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env
