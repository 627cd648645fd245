"""Django's Redis cache, with one client per connection pool instead of one per operation.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call, and
each one fills its tables of response callbacks: about 0.08 ms, as long as the call's own round
trip to a local Redis. The token endpoint asks the cache on every grant (the failure throttle).
A ``redis.Redis`` is safe to share between threads (each command borrows a pool connection), so
one per pool serves every call.
"""

from django.core.cache.backends import redis


class _SharedClientRedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClientRedisCacheClient
