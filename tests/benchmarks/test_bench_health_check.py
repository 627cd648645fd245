"""PostgreSQL health check (`make bench` with DATABASE_URL on PostgreSQL; skipped on SQLite).

Django checks a persistent connection before each request reuses it; its backend runs
``SELECT 1``, ours (config/postgresql/base.py) reads the socket without a round trip. The same
API calls on two gunicorn servers in turn, one per backend, each paired with the no-op view on
its own server: the ratio of the two ratios is what the round trip cost.
"""

import os

import pytest
import requests

from tests.benchmarks.harness import bench_env, gunicorn, paired, run_module

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="the health check measured here is PostgreSQL's",
)


def measure(env, api_key):
    with gunicorn(env, workers=2) as (base, _workers):
        headers = {"Authorization": f"ApiKey {api_key}"}
        assert requests.get(f"{base}/api/v1/me/", headers=headers, timeout=10).status_code == 200
        rate, noop = paired(base, "/bench/noop/", "GET", "/api/v1/me/", headers=headers)
    return rate / noop


def test_bench_health_check_without_a_round_trip(tmp_path):
    env = bench_env("health-check")
    fixture = run_module("tests.benchmarks.bench_identity_setup", env, str(tmp_path / "assertions.txt"), "1")
    ours = measure(env, fixture["api_key"])
    django_check = measure({**env, "BENCH_DJANGO_HEALTH_CHECK": "1"}, fixture["api_key"])
    print(f"\nApiKey me/ against the no-op view: {ours:.3f} with the socket check, {django_check:.3f} with SELECT 1"
          f" ({ours / django_check:.2f}x)")
