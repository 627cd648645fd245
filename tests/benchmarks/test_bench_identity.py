"""Identity figures (`make bench`; not in the default run).

One gunicorn server (2 workers), one database, one run; every figure a ratio to a no-op DRF view
with no authentication and no permissions on that server, measured in alternating slices with it
(``paired``) so that other work on the machine weighs on both alike:
- `GET /api/v1/me/` with `Authorization: ApiKey` (goal ≥ 0.6);
- token grants with client_secret_basic (goal ≥ 0.15) and private_key_jwt (goal ≥ 0.1; every
  request a fresh pre-signed assertion with its own jti);
- a bearer call of `/api/v1/me/` (goal ≥ 0.5);
- the peers: stock django-oauth-toolkit grants with an Argon2-hashed client secret at
  `/bench/stock-token/`, and its bearer check;
and the peak resident memory (VmHWM) of a gunicorn worker under that load.
"""

import requests

from tests.benchmarks.bench_identity_setup import GRANT, ISSUER, assertion_grant_bodies, basic
from tests.benchmarks.harness import SECONDS, bench_env, gunicorn, paired, peak_rss_mib, print_table, run_module, save

GOALS = {"me_apikey": 0.6, "grant_basic": 0.15, "grant_private_key_jwt": 0.1, "me_bearer": 0.5}
# Enough single-use assertions for the load to run its full time (more than 2,000 grants a second).
ASSERTIONS = max(int(SECONDS * 2000), 2000)


def grant(base, path, headers):
    response = requests.post(base + path, data={"grant_type": "client_credentials"}, headers=headers, timeout=30)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return response.json()["access_token"]


def test_bench_identity_requests_per_second(tmp_path):
    assertions_file = tmp_path / "assertions.txt"
    env = bench_env("identity", PORTCULLIS_ISSUER=ISSUER)
    fixture = run_module("tests.benchmarks.bench_identity_setup", env, str(assertions_file), str(ASSERTIONS))
    jwt_bodies = assertion_grant_bodies(assertions_file)

    with gunicorn(env, workers=2) as (base, workers):
        me = requests.get(f"{base}/api/v1/me/", headers={"Authorization": f"ApiKey {fixture['api_key']}"}, timeout=10)
        assert me.status_code == 200 and me.json()["kind"] == "service_token", me.text[:300]
        bearer = grant(base, "/o/token/", basic(*fixture["basic"]))
        stock_bearer = grant(base, "/bench/stock-token/", basic(*fixture["stock"]))

        rates, noops = {}, {}

        def measure(name, method, path, **shape):
            rates[name], noops[name] = paired(base, "/bench/noop/", method, path, **shape)

        measure("me_apikey", "GET", "/api/v1/me/", headers={"Authorization": f"ApiKey {fixture['api_key']}"})
        measure("me_bearer", "GET", "/api/v1/me/", headers={"Authorization": f"Bearer {bearer}"})
        measure("grant_basic", "POST", "/o/token/", headers=basic(*fixture["basic"]), body=GRANT)
        measure("grant_private_key_jwt", "POST", "/o/token/", bodies=jwt_bodies)
        portcullis_peak = peak_rss_mib(workers)
        measure("stock_dot_bearer", "GET", "/bench/stock/me/", headers={"Authorization": f"Bearer {stock_bearer}"})
        measure("stock_dot_grant_argon2", "POST", "/bench/stock-token/", headers=basic(*fixture["stock"]), body=GRANT,
                connections=4)
        peak_with_argon2 = peak_rss_mib(workers)

    ratios = {name: rate / noops[name] for name, rate in rates.items()}
    rates = {"noop": sum(noops.values()) / len(noops), **rates}
    ratios["noop"] = 1.0
    save("identity", {"per_second": rates, "noop_per_second_beside": noops, "ratio_to_noop": ratios, "goals": GOALS,
                      "worker_peak_rss_mib": portcullis_peak, "worker_peak_rss_mib_after_stock_argon2": peak_with_argon2})
    print_table("Identity: requests per second on gunicorn (2 workers)", rates, GOALS, ratios=ratios)
    if rates["stock_dot_grant_argon2"]:
        print(f"basic grants vs stock django-oauth-toolkit (Argon2): {rates['grant_basic'] / rates['stock_dot_grant_argon2']:.1f}x")
    else:
        # An Argon2 check can outlast a one-second slice on a loaded machine: no grant completed.
        print("basic grants vs stock django-oauth-toolkit (Argon2): no stock grant completed within its slices")
    print(f"peak RSS of a gunicorn worker: {portcullis_peak:.0f} MiB under Portcullis' load, "
          f"{peak_with_argon2:.0f} MiB after the stock Argon2 grants")
    # A figure, not a verdict: the machine's other load moves ratios by tens of percent, so a miss is
    # reported (and in the JSON) rather than failing the run.
    missed = [name for name, goal in GOALS.items() if ratios[name] < goal]
    print(f"below goal: {', '.join(missed)}" if missed else "every goal met")
