"""Health endpoints for load balancers and orchestrators."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app

BROKER_TIMEOUT_SECONDS = 2
logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request):
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception as error:  # any failure means "not ready"; the reason goes to the log, not the client
        logger.warning("Readiness: the database does not answer (%s: %s)", type(error).__name__, error)
        return False


def _broker_ok():
    try:
        # One attempt with a short timeout: a probe must answer fast, not wait out kombu's retries.
        with celery_app.connection_for_write(connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
            broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception as error:
        logger.warning("Readiness: the broker does not answer (%s: %s)", type(error).__name__, error)
        return False


@never_cache
@require_GET
def readyz(request):
    """The database and the broker answer; 503 names what does not."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    failing = [name for name, ok in checks.items() if not ok]
    body = {"status": "ok" if not failing else "unavailable", "checks": {k: "ok" if v else "failing" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if not failing else 503)
