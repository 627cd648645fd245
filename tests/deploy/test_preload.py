"""`gunicorn --preload` loads the application once in the master, which creates the bootstrap
token from configuration there; the workers it forks must not share that database connection."""

import concurrent.futures

import pytest
import requests

from tests.deploy.backends import REDIS_URL, needs_postgresql_and_redis, production_env, throwaway_postgresql
from tests.deploy.servers import gunicorn, manage, wait_until_ready

pytestmark = needs_postgresql_and_redis
BOOTSTRAP_TOKEN = "bootstrap-" + "x" * 40
CALLS = 60


def test_workers_forked_after_the_bootstrap_token_each_use_their_own_connection(tmp_path, migrated_postgresql):
    with throwaway_postgresql("preload", template=migrated_postgresql) as database_url:
        env = production_env(tmp_path, database_url=database_url, redis_url=REDIS_URL) | {
            "PORTCULLIS_BOOTSTRAP_TOKEN": BOOTSTRAP_TOKEN,
            "PORTCULLIS_BOOTSTRAP_ORG": "preloaded",
        }
        manage(env, "migrate", "--noinput")
        with gunicorn(env, tmp_path, "preloaded", workers=2, options=["--preload"]) as server:
            wait_until_ready(server)

            def me(_):
                return requests.get(
                    f"{server.base}/api/v1/me/",
                    headers={"X-API-Key": BOOTSTRAP_TOKEN, "Host": "127.0.0.1", "X-Forwarded-Proto": "https"},
                    timeout=30,
                )

            with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
                statuses = [response.status_code for response in pool.map(me, range(CALLS))]
    assert statuses == [200] * CALLS, statuses
