"""Vault figures for the issue note (`make bench`; not in the default run).

Purge of deleted secrets and key rotation at 10,000 and 100,000 rows: seconds (plain run) and
peak traced memory (a second run under tracemalloc), each in a fresh process and database, so
memory flatness shows. Then `value/` reads per second against a no-op DRF view with the same
authentication, on one gunicorn server in the same run.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "var" / "bench"
COUNTS = [int(n) for n in os.environ.get("BENCH_VAULT_COUNTS", "10000,100000").split(",")]


def run_bench(tmp_path, *args):
    database = tmp_path / f"bench-{'-'.join(args)}.sqlite3"
    env = {**os.environ, "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{database}"}
    output = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bench_vault", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=True,
    ).stdout
    database.unlink(missing_ok=True)
    return json.loads(output.strip().splitlines()[-1])


def save(name, rows):
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(rows, indent=2))


@pytest.mark.parametrize("operation", ["purge", "rotate"])
def test_bench_vault_batch_operation(tmp_path, operation, capsys):
    rows = []
    for count in COUNTS:
        timed = run_bench(tmp_path, operation, str(count))
        traced = run_bench(tmp_path, operation, str(count), "--tracemalloc")
        rows.append({**timed, "peak_traced_mib": traced["peak_traced_mib"], "seconds_traced": traced["seconds"]})
    save(f"vault-{operation}", rows)
    with capsys.disabled():
        print(f"\n{operation}: count, seconds, per second, peak traced MiB, max RSS MiB")
        for row in rows:
            print(f"  {row['count']:>7}  {row['seconds']:>7.2f}s  {row['count'] / row['seconds']:>9.0f}/s  "
                  f"{row['peak_traced_mib']:>6.1f}  {row['max_rss_mib']:>6.1f}")
    # Memory stays flat: ten times the rows must not need anything like ten times the memory.
    assert rows[-1]["peak_traced_mib"] < 3 * rows[0]["peak_traced_mib"] + 5


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hammer(url, headers, seconds, threads=8):
    counts = [0] * threads
    errors = []
    deadline = time.monotonic() + seconds

    def worker(index):
        session = requests.Session()
        while time.monotonic() < deadline:
            response = session.get(url, headers=headers, timeout=10)
            if response.status_code != 200:
                errors.append(response.status_code)
                return
            counts[index] += 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not errors, errors[:3]
    return sum(counts) / seconds


def test_bench_vault_value_reads_against_a_noop_view(tmp_path, capsys):
    database = tmp_path / "serve.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.bench_vault_settings",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTCULLIS_LOG_LEVEL": "ERROR",
    }
    setup = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bench_vault", "serve-setup"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True,
    )
    fixture = json.loads(setup.stdout.strip().splitlines()[-1])
    port = free_port()
    workers = os.environ.get("BENCH_GUNICORN_WORKERS", "4")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", workers],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"ApiKey {fixture['token']}"}
    value_url = f"{base}/api/v1/orgs/{fixture['org']}/secrets/{fixture['secret']}/value/"
    noop_url = f"{base}/bench/noop/{fixture['org']}/"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(noop_url, headers=headers, timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert requests.get(value_url, headers=headers, timeout=5).json()["value"]["value"] == "bench-value"
        seconds = float(os.environ.get("BENCH_SECONDS", "5"))
        noop = hammer(noop_url, headers, seconds)
        value = hammer(value_url, headers, seconds)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)
    ratio = value / noop
    save("vault-reads", {"noop_per_second": round(noop, 1), "value_per_second": round(value, 1), "ratio": round(ratio, 2),
                         "gunicorn_workers": int(workers)})
    with capsys.disabled():
        print(f"\nreads/s on gunicorn ({workers} workers): no-op {noop:.0f}, value/ {value:.0f}, ratio {ratio:.2f}")
    assert ratio >= 0.5
