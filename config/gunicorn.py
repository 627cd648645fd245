"""gunicorn settings for every deployment: `gunicorn -c config/gunicorn.py config.wsgi:application`.

Only the hooks prometheus-client's multiprocess mode needs (when `PROMETHEUS_MULTIPROC_DIR` is
set, each worker writes its metrics to files in that folder and `/metrics` sums them). Bind
address and worker count stay on the command line.
"""

import os
from pathlib import Path

from prometheus_client import multiprocess

# The files prometheus-client names after a metric type and a worker's pid.
METRIC_FILE_PATTERNS = ("counter_*.db", "gauge_*.db", "histogram_*.db", "summary_*.db")


def _multiprocess_dir():
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server):
    """Start from zero: the last run's files would be summed into this run's counters forever."""
    folder = _multiprocess_dir()
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for pattern in METRIC_FILE_PATTERNS:
        for leftover in Path(folder).glob(pattern):
            leftover.unlink()


def child_exit(server, worker):
    """A dead worker's live gauges must stop counting; its counters stay in the sums."""
    if _multiprocess_dir():
        multiprocess.mark_process_dead(worker.pid)
