"""Settings for the read benchmark's server: the project's, plus a no-op DRF view to compare with."""

from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "tests.benchmarks.bench_vault_urls"
