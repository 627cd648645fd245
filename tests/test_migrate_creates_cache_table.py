"""`manage.py migrate` alone prepares a database for the embedded default cache.

Without REDIS_URL the token endpoint's throttle reads the database cache on every grant, and a
deployment that had only run `migrate` answered 500 (`no such table: portcullis_cache`). Django's
test runner runs `createcachetable` itself when it builds the test database, so these tests migrate
a throwaway database with `manage.py`, as an operator does, and use the cache from a new process.
"""

import contextlib

import pytest

from tests.deploy.backends import POSTGRESQL_URL, REDIS_URL, production_env, sqlite_url, throwaway_postgresql
from tests.deploy.servers import manage

CACHE_ROUND_TRIP = "from django.core.cache import cache; cache.set('probe', 'stored', 60); print(cache.get('probe'))"


@contextlib.contextmanager
def fresh_database(backend, folder):
    if backend == "sqlite":
        yield sqlite_url(folder)
    else:
        with throwaway_postgresql("portcullis_cache_table") as url:
            yield url


def cache_round_trip(env):
    return manage(env, "shell", "-c", CACHE_ROUND_TRIP).strip().splitlines()[-1]


@pytest.mark.parametrize(
    "backend",
    ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not POSTGRESQL_URL, reason="DATABASE_URL is not PostgreSQL"))],
)
def test_after_migrate_alone_the_database_cache_stores_and_reads(tmp_path, backend):
    with fresh_database(backend, tmp_path) as database_url:
        env = production_env(tmp_path, database_url=database_url)
        manage(env, "migrate", "--noinput")

        assert cache_round_trip(env) == "stored"


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")
def test_a_database_migrated_while_redis_was_the_cache_serves_the_database_cache_once_redis_goes(tmp_path):
    env = production_env(tmp_path, database_url=sqlite_url(tmp_path))
    manage({**env, "REDIS_URL": REDIS_URL}, "migrate", "--noinput")

    assert cache_round_trip(env) == "stored"
