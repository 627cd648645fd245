"""Benchmark server settings: the project's, plus baseline views (see bench_urls)."""

import os

from config.settings import *  # noqa: F401,F403
from config.settings import DATABASES

ROOT_URLCONF = "tests.benchmarks.bench_urls"

# The baseline of test_bench_health_check: Django's own PostgreSQL backend (its SELECT 1 check).
if os.environ.get("BENCH_DJANGO_HEALTH_CHECK") and DATABASES["default"]["ENGINE"] == "config.postgresql":
    DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
