"""Fixtures shared by the deployment tests."""

import pytest

from tests.deploy.backends import REDIS_URL, database_name, production_env, throwaway_postgresql
from tests.deploy.servers import manage


@pytest.fixture(scope="session")
def migrated_postgresql(tmp_path_factory):
    """The name of a fresh PostgreSQL database ``manage.py migrate`` has run on, for deployments to
    start from a copy of: a full migrate is most of a deployment's start, and the deployment tests
    must fit CI's budget. Each deployment still runs ``migrate`` itself, as every deploy does."""
    folder = tmp_path_factory.mktemp("migrated-postgresql")
    with throwaway_postgresql("portcullis_migrated") as url:
        manage(production_env(folder, database_url=url, redis_url=REDIS_URL), "migrate", "--noinput")
        yield database_name(url)
