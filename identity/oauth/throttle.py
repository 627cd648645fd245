"""Slow down repeated failed authentication, whatever carries the credentials.

Counters live in the shared cache (Redis, or the database cache that ``migrate`` creates), so
every process and server sees them, and they are checked before any secret is hashed or any
signature verified. Two families:

- client authentication (token, introspection and revocation endpoints): per client address and
  the client id actually being authenticated, so another client, or the same client elsewhere,
  is not affected;
- API credentials (``ApiKey``, ``X-API-Key``, ``Bearer`` on the REST API): per client address,
  since a guessed key names no client.

A cache that cannot be reached fails closed: ``ThrottleUnavailable`` (answered 503 with
``Retry-After``), never an untested guess and never a 500.
"""

import hashlib
import logging

from django.core.cache import cache
from django.db import DatabaseError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

MAX_FAILURES = 10
MAX_API_FAILURES = 20
WINDOW_SECONDS = 300
UNAVAILABLE_RETRY_SECONDS = 30

CLIENT_AUTHENTICATION = "client"
API_CREDENTIAL = "api"
_LIMITS = {CLIENT_AUTHENTICATION: MAX_FAILURES, API_CREDENTIAL: MAX_API_FAILURES}
# What a cache backend raises when its server or table is gone.
_CACHE_ERRORS = (DatabaseError, RedisError, OSError)


class Throttled(Exception):
    retry_after = WINDOW_SECONDS


class ThrottleUnavailable(Exception):
    retry_after = UNAVAILABLE_RETRY_SECONDS


def _key(family, parts):
    digest = hashlib.sha256("|".join([family, *(part or "" for part in parts)]).encode()).hexdigest()[:32]
    return f"portcullis:auth-failures:{digest}"


def check(family, *parts):
    """Raise ``Throttled`` when these parts failed too often lately, ``ThrottleUnavailable`` when
    the cache cannot tell."""
    try:
        failures = cache.get(_key(family, parts)) or 0
    except _CACHE_ERRORS as error:
        logger.error("Throttle cache unreachable (%s): refusing authentication", type(error).__name__)
        raise ThrottleUnavailable from error
    if failures >= _LIMITS[family]:
        raise Throttled


def guarded(family, parts, authenticate):
    """``authenticate()`` unless ``parts`` failed too often lately (``Throttled``) or the cache
    cannot tell (``ThrottleUnavailable``); a falsy result counts as one more failure."""
    check(family, *parts)
    result = authenticate()
    if not result:
        record_failure(family, *parts)
    return result


def record_failure(family, *parts):
    key = _key(family, parts)
    try:
        if not cache.add(key, 1, timeout=WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=WINDOW_SECONDS)
    except _CACHE_ERRORS as error:
        # The failure itself is answered already; the next attempt's check fails closed.
        logger.error("Throttle cache unreachable (%s): a failure went uncounted", type(error).__name__)
