"""Shared benchmark harness: a gunicorn server on a throwaway database, and a bounded load loop.

- ``bench_env(name)``: the environment for the benchmark processes: ``tests.benchmarks.bench_settings``
  (the project plus baseline views, see ``bench_urls``), a fresh SQLite file ``var/bench/<name>.sqlite3``
  or, when ``DATABASE_URL`` is set, that database.
- ``run_module``: run a setup module in that environment (it migrates) and read its JSON line.
- ``gunicorn``: ``config.wsgi:application`` with 2 workers on a free loopback port.
- ``load``: requests per second for one request shape, from ``wrk`` when installed (a Lua script
  feeds single-use bodies, e.g. JWT assertions, from a file) or else a Python keep-alive client
  with threads. ``BENCH_LOAD=python`` forces the latter; ``BENCH_SECONDS`` (default 5) bounds each.
- ``paired``: one request shape and its baseline in alternating slices, for a ratio that other
  load on the machine does not skew.

Every figure is meant as a ratio against a baseline measured on the same server in the same run,
so the machine's speed cancels out. Loopback only.
"""

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "var" / "bench"
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bench_env(name, **extra):
    """Environment for a benchmark's processes, on a throwaway database named ``name``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        database = RESULTS / f"{name}.sqlite3"
        for leftover in RESULTS.glob(f"{name}.sqlite3*"):
            leftover.unlink()
        database_url = f"sqlite:///{database}"
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.bench_settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTCULLIS_LOG_LEVEL": "ERROR",
        **extra,
    }


def run_module(module, env, *args, timeout=1800):
    """Run ``python -m module args`` and return its last stdout line as JSON."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode:
        raise RuntimeError(f"{module} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def gunicorn(env, workers=2):
    """A gunicorn server; yields ``(base_url, worker_pids)``. Stopped (its whole group) on exit."""
    port = free_port()
    log = open(RESULTS / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "--keep-alive", "30"],
        cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {RESULTS / 'gunicorn.log'}")
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        yield base, [int(pid) for pid in children]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def peak_rss_mib(pids):
    """The largest peak resident set (VmHWM) among these processes, in MiB."""
    peaks = []
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
    return max(peaks, default=0.0)


def use_wrk():
    return os.environ.get("BENCH_LOAD", "wrk") != "python" and shutil.which("wrk") is not None


def load(base, method, path, *, headers=None, body=None, bodies=None, seconds=SECONDS, connections=CONNECTIONS):
    """Requests per second of ``method path`` over keep-alive connections, all expected to be 2xx.

    ``body``: one form body (str) sent with every request; ``bodies``: a list of form bodies, each
    sent once (single-use JWT assertions); when they run out the load stops early.
    """
    headers = dict(headers or {})
    if body is not None or bodies is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    if use_wrk():
        return _wrk(base, method, path, headers, body, bodies, seconds, connections)
    return _python(base, method, path, headers, body, bodies, seconds, connections)


WRK_SCRIPT = r"""
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
wrk.method = "%(method)s"
wrk.body = %(body)s
local lines, next_line = {}, 0
function init(args)
  if args[1] then
    local n, i = tonumber(args[2]), 0
    for line in io.lines(args[1]) do
      if i %% n == id then lines[#lines + 1] = line end
      i = i + 1
    end
  end
end
function request()
  if #lines > 0 then
    next_line = next_line + 1
    if next_line > #lines then wrk.thread:stop() end
    return wrk.format(nil, nil, nil, lines[math.min(next_line, #lines)])
  end
  return wrk.format()
end
function done(summary, latency, requests)
  io.write(string.format("WRK-JSON {\"requests\": %%d, \"seconds\": %%f, \"non2xx\": %%d, \"socket_errors\": %%d}\n",
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def paired(base, baseline_path, method, path, *, bodies=None, seconds=SECONDS, **shape):
    """``(rate, baseline_rate)``: ``method path`` and ``GET baseline_path`` in alternating one-second
    slices, ``seconds`` of each.

    On a shared machine other work comes and goes; measured side by side, a request shape and its
    baseline bear the same load, so their ratio holds where two figures taken a minute apart do not.
    ``bodies`` (single-use) are dealt out so that no two slices send the same one.
    """
    rounds = max(round(seconds), 1)
    rates, baselines = [], []
    for index in range(rounds):
        baselines.append(load(base, "GET", baseline_path, seconds=1))
        chunk = bodies[index::rounds] if bodies is not None else None
        rates.append(load(base, method, path, bodies=chunk, seconds=1, **shape))
    return sum(rates) / rounds, sum(baselines) / rounds


def _wrk(base, method, path, headers, body, bodies, seconds, connections):
    threads = 2 if connections >= 2 else 1
    with tempfile.TemporaryDirectory(dir=RESULTS) as folder:
        script = Path(folder) / "load.lua"
        script.write_text(WRK_SCRIPT % {"method": method, "body": json.dumps(body) if body is not None else "nil"})
        command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(round(seconds), 1)}s", "--timeout", "10s",
                   "-s", str(script)]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command.append(base + path)
        if bodies is not None:
            lines = Path(folder) / "bodies.txt"
            lines.write_text("\n".join(bodies) + "\n")
            command += ["--", str(lines), str(threads)]
        output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    match = re.search(r"WRK-JSON (\{.*\})", output)
    if not match:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    summary = json.loads(match.group(1))
    # A run stopped early (bodies used up) ends with a few refused requests; anything else is a failure.
    assert summary["non2xx"] <= (threads if bodies is not None else 0), f"{method} {path}: {summary}\n{output}"
    return (summary["requests"] - summary["non2xx"]) / summary["seconds"]


def _python(base, method, path, headers, body, bodies, seconds, connections):
    host, port = base.removeprefix("http://").split(":")
    counts, errors = [0] * connections, []
    feed = iter(bodies) if bodies is not None else None
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < deadline:
            payload = body
            if feed is not None:
                with lock:
                    payload = next(feed, None)
                if payload is None:
                    return
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            response.read()
            if not 200 <= response.status < 300:
                errors.append(response.status)
                return
            counts[index] += 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = max(time.monotonic() - started, 1e-6)
    assert not errors, f"{method} {path}: {errors[:3]}"
    return sum(counts) / elapsed


def save(name, data):
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2))


def print_table(title, rows, goals=None, baseline="noop", ratios=None):
    """``rows``: {name: requests per second}; prints req/s, the ratio to ``baseline`` (or the given
    ``ratios``, e.g. each to its own paired baseline) and the goal."""
    goals = goals or {}
    base = rows[baseline]
    print(f"\n{title}  (load: {'wrk' if use_wrk() else 'python'}, {SECONDS:.0f} s each)")
    print(f"{'measurement':<34}{'req/s':>10}{'x no-op':>10}{'goal':>8}  ok")
    for name, rate in rows.items():
        goal = goals.get(name)
        ratio = ratios[name] if ratios else rate / base
        verdict = "" if goal is None else ("yes" if ratio >= goal else "NO")
        print(f"{name:<34}{rate:>10.0f}{ratio:>10.3f}{(f'{goal:.2f}' if goal else ''):>8}  {verdict}")
