"""Benchmark server settings: the project's, plus baseline views (see bench_urls)."""

from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "tests.benchmarks.bench_urls"
