"""Client-key checks: Argon2 (django-oauth-toolkit's default via PASSWORD_HASHERS) vs our keyed digest.

Each hasher runs in its own process so its peak resident memory is its own. Prints seconds per
check, checks per second and the peak RSS, and the ratio of the two in the same run.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKS = {"argon2": 20, "portcullis_hmac_sha256": 20000}

PROBE = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django; django.setup()
from django.contrib.auth.hashers import check_password, make_password
from identity.services.service_credentials import new_client_secret
algorithm, count = sys.argv[1], int(sys.argv[2])
secret = new_client_secret()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
encoded = make_password(secret, hasher=algorithm)
started = time.perf_counter()
for _ in range(count):
    assert check_password(secret, encoded)
seconds = (time.perf_counter() - started) / count
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"algorithm": algorithm, "seconds_per_check": seconds, "peak_rss_mib": peak / 1024, "rss_growth_mib": (peak - before) / 1024}))
"""


def measure(algorithm, count):
    output = subprocess.run(
        [sys.executable, "-c", PROBE, algorithm, str(count)], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_bench_client_secret_check_cost():
    results = {name: measure(name, count) for name, count in CHECKS.items()}
    argon2, ours = results["argon2"], results["portcullis_hmac_sha256"]
    print()
    print(f"{'hasher':<26}{'ms/check':>12}{'checks/s':>12}{'peak RSS MiB':>14}{'RSS growth MiB':>16}")
    for row in (argon2, ours):
        per = row["seconds_per_check"]
        print(f"{row['algorithm']:<26}{per * 1000:>12.3f}{1 / per:>12.0f}{row['peak_rss_mib']:>14.1f}{row['rss_growth_mib']:>16.1f}")
    print(f"keyed digest is {argon2['seconds_per_check'] / ours['seconds_per_check']:.0f}x faster per check than Argon2")
