"""The per-process memo of API-credential failure counts (identity/oauth/throttle.py).

It spares a shared-cache read on every API call; these tests pin what it may and may not cost:
at most one more guess per process after the limit, a refusal right after the process's own
failure reaches it, a fail-closed check once a failure could not be counted, nothing inherited
across a fork, and no memo at all for client authentication.
"""

import os

import pytest
from django.core.cache import cache
from django.test import override_settings

from identity.oauth import throttle

ADDRESS = "203.0.113.9"
pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """The monotonic clock as the throttle sees it, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(throttle, "monotonic", lambda: now[0])
    return now


def other_process_fails(times, family=throttle.API_CREDENTIAL, parts=(ADDRESS,)):
    """Failures counted by another process: straight into the shared cache, past this memo."""
    key = throttle._key(family, parts)
    cache.set(key, (cache.get(key) or 0) + times, timeout=throttle.WINDOW_SECONDS)


def test_a_process_refuses_right_after_its_own_failure_reaches_the_limit(clock):
    for _ in range(throttle.MAX_API_FAILURES):
        throttle.check(throttle.API_CREDENTIAL, ADDRESS)
        throttle.record_failure(throttle.API_CREDENTIAL, ADDRESS)
    with pytest.raises(throttle.Throttled):
        throttle.check(throttle.API_CREDENTIAL, ADDRESS)


def test_another_process_failures_count_once_the_remembered_count_is_a_second_old(clock):
    throttle.check(throttle.API_CREDENTIAL, ADDRESS)  # remembers 0
    other_process_fails(throttle.MAX_API_FAILURES)
    clock[0] += 1.01
    with pytest.raises(throttle.Throttled):
        throttle.check(throttle.API_CREDENTIAL, ADDRESS)


def test_past_the_limit_a_process_lets_through_at_most_one_more_guess(clock):
    throttle.check(throttle.API_CREDENTIAL, ADDRESS)  # remembers 0
    other_process_fails(throttle.MAX_API_FAILURES)
    # The remembered 0 is still fresh: this one guess is tested, fails and brings back the total.
    throttle.check(throttle.API_CREDENTIAL, ADDRESS)
    throttle.record_failure(throttle.API_CREDENTIAL, ADDRESS)
    with pytest.raises(throttle.Throttled):
        throttle.check(throttle.API_CREDENTIAL, ADDRESS)


@override_settings(PORTCULLIS_API_THROTTLE_MEMO_SECONDS=0)
def test_with_the_memo_off_every_check_reads_the_shared_count(clock):
    throttle.check(throttle.API_CREDENTIAL, ADDRESS)
    other_process_fails(throttle.MAX_API_FAILURES)
    with pytest.raises(throttle.Throttled):
        throttle.check(throttle.API_CREDENTIAL, ADDRESS)


def test_client_authentication_never_uses_the_memo(clock):
    parts = (ADDRESS, "client-id")
    throttle.check(throttle.CLIENT_AUTHENTICATION, *parts)
    other_process_fails(throttle.MAX_FAILURES, family=throttle.CLIENT_AUTHENTICATION, parts=parts)
    with pytest.raises(throttle.Throttled):
        throttle.check(throttle.CLIENT_AUTHENTICATION, *parts)


def test_a_failure_that_could_not_be_counted_makes_the_next_check_ask_the_cache_and_fail_closed(clock, monkeypatch):
    throttle.check(throttle.API_CREDENTIAL, ADDRESS)  # remembers 0

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    for method in ("get", "add", "incr", "set"):
        monkeypatch.setattr(throttle.cache, method, unreachable)
    throttle.record_failure(throttle.API_CREDENTIAL, ADDRESS)
    with pytest.raises(throttle.ThrottleUnavailable):
        throttle.check(throttle.API_CREDENTIAL, ADDRESS)


def test_a_forked_worker_starts_with_an_empty_memo(clock):
    throttle.check(throttle.API_CREDENTIAL, ADDRESS)
    assert throttle._memo.entries
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # the worker
        os.close(read)
        os.write(write, str(len(throttle._memo.entries)).encode())
        os._exit(0)
    os.close(write)
    remembered_in_child = int(os.read(read, 16))
    os.close(read)
    os.waitpid(child, 0)
    assert remembered_in_child == 0
    assert throttle._memo.entries  # the parent keeps its own


def test_the_memo_stays_bounded(clock, monkeypatch):
    monkeypatch.setattr(throttle, "MEMO_MAX_ENTRIES", 5)
    for index in range(12):
        throttle.check(throttle.API_CREDENTIAL, f"198.51.100.{index}")
    assert len(throttle._memo.entries) <= 5
