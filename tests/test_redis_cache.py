"""The Redis cache shares one client per connection pool, and still behaves as Django's."""

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the Redis cache backend (REDIS_URL)")


def test_cache_calls_share_one_redis_client():
    assert cache._cache.get_client("a") is cache._cache.get_client("b", write=True)


def test_cache_round_trip_through_the_shared_client():
    cache.set("portcullis:test:shared-client", {"n": 1}, timeout=30)
    assert cache.get("portcullis:test:shared-client") == {"n": 1}
    assert cache.add("portcullis:test:counter", 0, timeout=30)
    assert cache.incr("portcullis:test:counter") == 1
    cache.delete_many(["portcullis:test:shared-client", "portcullis:test:counter"])
    assert cache.get("portcullis:test:shared-client") is None
