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

API credentials are checked on every API call, where reading the shared cache was about a tenth
of a call's time. Each process therefore remembers, for ``PORTCULLIS_API_THROTTLE_MEMO_SECONDS``
(1 s; 0 turns it off), the count it last read or wrote for an address: a busy client is read once
a second, not on every call. Every failure still goes to the shared cache and brings its total
back, so a process refuses at once after its own failure reaches the limit; one that learnt a
lower total less than a second ago lets through at most one more guess before it learns the
total. The bound is therefore the limit plus one guess per process, per window. A failure that
cannot be counted forgets the address, so the next call asks the cache and fails closed.
Client authentication (grants, introspection, revocation) always reads the cache: it costs
little there beside a secret's hash, and its limit is exact.
"""

import hashlib
import logging
import os
from time import monotonic

from django.conf import settings
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


# Past this many remembered addresses the memo starts again empty (its entries live a second).
MEMO_MAX_ENTRIES = 10_000


class Throttled(Exception):
    retry_after = WINDOW_SECONDS


class ThrottleUnavailable(Exception):
    retry_after = UNAVAILABLE_RETRY_SECONDS


def _key(family, parts):
    digest = hashlib.sha256("|".join([family, *(part or "" for part in parts)]).encode()).hexdigest()[:32]
    return f"portcullis:auth-failures:{digest}"


class _Memo:
    """This process's recent failure counts of API credentials: key -> (failures, valid until)."""

    def __init__(self):
        self.entries = {}

    def seconds(self, family):
        return settings.PORTCULLIS_API_THROTTLE_MEMO_SECONDS if family == API_CREDENTIAL else 0

    def get(self, key):
        entry = self.entries.get(key)
        if entry is None or entry[1] <= monotonic():
            return None
        return entry[0]

    def remember(self, family, key, failures):
        seconds = self.seconds(family)
        if not seconds:
            return
        if len(self.entries) >= MEMO_MAX_ENTRIES:
            self.entries.clear()
        self.entries[key] = (failures, monotonic() + seconds)

    def forget(self, key):
        self.entries.pop(key, None)

    def clear(self):
        self.entries.clear()


_memo = _Memo()
# A forked worker starts with its own, empty memo rather than its parent's counts.
os.register_at_fork(after_in_child=_memo.clear)


def forget_remembered_counts():
    """Drop this process's remembered counts (when the shared cache was emptied, as tests do)."""
    _memo.clear()


def check(family, *parts):
    """Raise ``Throttled`` when these parts failed too often lately, ``ThrottleUnavailable`` when
    the cache cannot tell."""
    key = _key(family, parts)
    failures = _memo.get(key)
    if failures is None:
        try:
            failures = cache.get(key) or 0
        except _CACHE_ERRORS as error:
            logger.error("Throttle cache unreachable (%s): refusing authentication", type(error).__name__)
            raise ThrottleUnavailable from error
        _memo.remember(family, key, failures)
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
        failures = 1
        if not cache.add(key, 1, timeout=WINDOW_SECONDS):
            try:
                failures = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=WINDOW_SECONDS)
    except _CACHE_ERRORS as error:
        # The failure itself is answered already; the next attempt's check asks the cache and fails closed.
        _memo.forget(key)
        logger.error("Throttle cache unreachable (%s): a failure went uncounted", type(error).__name__)
        return
    _memo.remember(family, key, failures)
