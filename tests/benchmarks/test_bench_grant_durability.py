"""What committing a grant without waiting for the disk buys (`make bench`; not in the default run).

The same token grants (client_secret_basic, and private_key_jwt with a fresh assertion each) on
two gunicorn servers in turn: one as shipped (identity/oauth/durability.py), one with
``PORTCULLIS_DURABLE_GRANTS=true``, each paired with the no-op view on its own server. The ratio
of the two ratios is what waiting for the disk cost.
"""

import requests

from tests.benchmarks.bench_identity_setup import GRANT, ISSUER, assertion_grant_bodies, basic
from tests.benchmarks.harness import SECONDS, bench_env, gunicorn, paired, run_module


def measure(env, fixture, assertions):
    headers = basic(*fixture["basic"])
    with gunicorn(env, workers=2) as (base, _workers):
        assert requests.post(f"{base}/o/token/", data=GRANT, headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
                             timeout=10).status_code == 200
        secret, secret_noop = paired(base, "/bench/noop/", "POST", "/o/token/", headers=headers, body=GRANT)
        signed, signed_noop = paired(base, "/bench/noop/", "POST", "/o/token/", bodies=assertions)
    return secret / secret_noop, signed / signed_noop


def test_bench_grants_without_waiting_for_the_disk(tmp_path):
    assertions_file = tmp_path / "assertions.txt"
    env = bench_env("grant-durability", PORTCULLIS_ISSUER=ISSUER)
    count = max(int(SECONDS * 2000), 2000) * 2  # single-use: enough for both servers' full runs
    fixture = run_module("tests.benchmarks.bench_identity_setup", env, str(assertions_file), str(count))
    bodies = assertion_grant_bodies(assertions_file)
    half = len(bodies) // 2
    relaxed = measure(env, fixture, bodies[:half])
    durable = measure({**env, "PORTCULLIS_DURABLE_GRANTS": "true"}, fixture, bodies[half:])
    print("\nGrants against the no-op view: as shipped / every commit waiting for the disk")
    for name, ours, baseline in zip(("client_secret_basic", "private_key_jwt"), relaxed, durable, strict=True):
        print(f"{name:22s} {ours:.3f} / {baseline:.3f} ({ours / baseline:.2f}x)")
