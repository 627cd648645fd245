"""Identity figures for the issue notes (`make bench`; not in the default run).

One gunicorn server (2 workers), one database, one run; every figure a ratio to a no-op DRF view
with no authentication on that server:
- `GET /api/v1/me/` with `Authorization: ApiKey` (goal ≥ 0.6);
- token grants with client_secret_basic (goal ≥ 0.15) and private_key_jwt (goal ≥ 0.1);
- a bearer call of `/api/v1/me/` (goal ≥ 0.5);
- the peers: stock django-oauth-toolkit grants with an Argon2-hashed secret, and its bearer check;
and the peak resident memory of a worker under that load.
"""

import base64
import json
from urllib.parse import urlencode

import requests

from tests.benchmarks.bench_identity_setup import ISSUER
from tests.benchmarks.harness import bench_env, gunicorn, hammer, peak_rss_mib, run_module, save

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
GOALS = {"me_apikey": 0.6, "grant_basic": 0.15, "grant_private_key_jwt": 0.1, "me_bearer": 0.5}


def basic(client_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def grant(base, path, headers, body=None):
    response = requests.post(base + path, data={"grant_type": "client_credentials", **(body or {})}, headers=headers, timeout=30)
    response.raise_for_status()
    return response.json()["access_token"]


def test_bench_identity_requests_per_second(tmp_path, capsys):
    assertions_file = tmp_path / "assertions.txt"
    env = bench_env(tmp_path / "identity.sqlite3", PORTCULLIS_ISSUER=ISSUER)
    fixture = run_module("tests.benchmarks.bench_identity_setup", env, str(assertions_file), "20000")
    assertions = iter(assertions_file.read_text().split())
    form = "application/x-www-form-urlencoded"

    with gunicorn(env, workers=2) as (base, workers):
        bearer = grant(base, "/o/token/", basic(*fixture["basic"]))
        stock_bearer = grant(base, "/bench/stock/token/", basic(*fixture["stock"]))
        rates = {"noop": hammer(base, "GET", "/bench/noop/")}
        rates["me_apikey"] = hammer(base, "GET", "/api/v1/me/", headers={"Authorization": f"ApiKey {fixture['api_key']}"})
        rates["me_bearer"] = hammer(base, "GET", "/api/v1/me/", headers={"Authorization": f"Bearer {bearer}"})
        rates["stock_bearer"] = hammer(base, "GET", "/bench/stock/me/", headers={"Authorization": f"Bearer {stock_bearer}"})
        grant_body = iter(lambda: {"grant_type": "client_credentials"}, None)
        rates["grant_basic"] = hammer(base, "POST", "/o/token/", headers=basic(*fixture["basic"]), bodies=grant_body)
        jwt_bodies = (
            {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE, "client_assertion": a}
            for a in assertions
        )
        rates["grant_private_key_jwt"] = hammer(base, "POST", "/o/token/", bodies=jwt_bodies)
        portcullis_peak = peak_rss_mib(workers)
        rates["stock_grant_argon2"] = hammer(
            base, "POST", "/bench/stock/token/", headers=basic(*fixture["stock"]), bodies=grant_body, threads=4
        )
        peak_with_argon2 = peak_rss_mib(workers)

    noop = rates["noop"]
    ratios = {name: rate / noop for name, rate in rates.items()}
    save("identity", {"per_second": rates, "ratio_to_noop": ratios, "worker_peak_rss_mib": portcullis_peak,
                      "worker_peak_rss_mib_after_argon2": peak_with_argon2, "form": form})
    with capsys.disabled():
        print(f"\n{'measurement':<26}{'req/s':>10}{'x no-op':>10}{'goal':>8}")
        for name, rate in rates.items():
            goal = GOALS.get(name)
            print(f"{name:<26}{rate:>10.0f}{ratios[name]:>10.3f}{(f'{goal:.2f}' if goal else ''):>8}")
        print(f"peak RSS of a gunicorn worker: {portcullis_peak:.0f} MiB under our load, "
              f"{peak_with_argon2:.0f} MiB after the stock Argon2 grants")
