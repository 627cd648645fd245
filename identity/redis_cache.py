"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` around its pool for every
cache operation, and building one costs about as much as the round trip it serves (its command
callbacks are copied each time). The throttle reads the cache on every authenticated request, so
this backend keeps the client it built. Nothing about connections changes: the client holds only
its pool, which hands out and takes back a connection per command (thread-safe), drops a
connection that failed and opens another, and after a fork starts afresh in the child (redis-py
checks the process id). Tested in tests/test_redis_cache.py: a fork, a connection the server
killed, a failed command.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None or client.connection_pool is not pool:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClientRedisCacheClient
