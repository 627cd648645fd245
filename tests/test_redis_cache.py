"""identity.redis_cache: Django's Redis cache keeping one redis-py client per pool.

What a production worker meets, each with the throttle's own calls (get, add, incr): many
calls on one client, a connection the server killed, a failed command, and a fork (gunicorn's
workers are forks of the process that may have used the cache already).
"""

import os

import pytest
import redis
from django.conf import settings

from identity.redis_cache import ReusedClientRedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL is not set")


@pytest.fixture
def cache():
    backend = ReusedClientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"redis-cache-test-{os.getpid()}"})
    backend.clear()
    yield backend
    backend.clear()
    backend.close()


def test_one_client_serves_every_call(cache):
    first = cache._cache.get_client()
    assert cache.add("counter", 1, timeout=60)
    assert cache.incr("counter") == 2
    assert cache.get("counter") == 2
    assert cache._cache.get_client() is first
    assert cache._cache.get_client(write=True) is first  # one server: one pool for both


def test_a_connection_the_server_killed_is_replaced(cache):
    cache.set("key", "value", timeout=60)
    client = cache._cache.get_client()
    mine = client.client_id()
    # Another connection ends ours, as a Redis restart or an idle timeout would.
    with redis.Redis.from_url(settings.REDIS_URL) as other:
        other.client_kill_filter(_id=mine)
    assert cache.get("key") == "value"
    assert cache._cache.get_client().client_id() != mine


def test_a_failed_command_leaves_the_client_usable(cache):
    cache.set("text", "not a number", timeout=60)
    with pytest.raises((ValueError, redis.ResponseError)):
        cache.incr("text")
    assert cache.add("n", 1, timeout=60) and cache.incr("n") == 2


def test_a_forked_child_uses_its_own_connections_and_the_parent_keeps_working(cache):
    cache.set("shared", 1, timeout=60)
    parent_id = cache._cache.get_client().client_id()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            ok = cache.get("shared") == 1 and cache.incr("shared") == 2
            code = 0 if ok and cache._cache.get_client().client_id() != parent_id else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.get("shared") == 2
    assert cache._cache.get_client().client_id() == parent_id
