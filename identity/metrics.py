"""Prometheus metrics: their definitions, the functions that record them, and the exposition.

Every label value comes from a short fixed list or from a resolved URL name, never from what a
client sent: a client id, token, organization slug or raw path would leak secrets or another
tenant's names to whoever reads `/metrics`, and would let any caller grow the series without end.
A value outside its list is recorded as ``"other"``.

With several gunicorn workers each process counts for itself; when ``PROMETHEUS_MULTIPROC_DIR``
is set (before this module is imported) prometheus-client writes every process' values to that
folder, and the exposition sums them.
"""

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.exposition import choose_encoder

OTHER = "other"

GRANT_METHODS = frozenset({"client_secret_basic", "client_secret_post", "private_key_jwt", "unknown"})
# "issued", our own refusals, and the error codes of RFC 6749 §5.2 and RFC 7523.
GRANT_OUTCOMES = frozenset(
    {
        "issued",
        "throttled",
        "unavailable",
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
        "server_error",
    }
)
THROTTLED_ENDPOINTS = frozenset({"token", "introspect", "revoke", "api_key"})
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Requests that no URL pattern matched: a 404 whose path was the client's own invention.
UNMATCHED_ROUTE = "unmatched"

GRANTS = Counter(
    "portcullis_oauth_grants",
    "Token requests at /o/token/, by client authentication method and outcome.",
    ["method", "outcome"],
)
REQUESTS = Counter(
    "portcullis_http_requests",
    "Requests answered, by route (URL name), HTTP method and status code.",
    ["route", "method", "status"],
)
REQUEST_DURATION = Histogram(
    "portcullis_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by route (URL name).",
    ["route"],
)
THROTTLE_HITS = Counter(
    "portcullis_throttle_hits",
    "Requests refused by a throttle (429), by endpoint.",
    ["endpoint"],
)


def _known(value, allowed):
    return value if value in allowed else OTHER


def record_grant(method: str, outcome: str) -> None:
    """Count one token request: ``method`` in ``GRANT_METHODS``, ``outcome`` in ``GRANT_OUTCOMES``."""
    GRANTS.labels(method=_known(method, GRANT_METHODS), outcome=_known(outcome, GRANT_OUTCOMES)).inc()


def record_throttle_hit(endpoint: str) -> None:
    """Count one request a throttle refused; ``endpoint`` in ``THROTTLED_ENDPOINTS``."""
    THROTTLE_HITS.labels(endpoint=_known(endpoint, THROTTLED_ENDPOINTS)).inc()


def record_request(*, route: str | None, method: str, status: int, seconds: float) -> None:
    """Count one answered request and its duration; ``route`` is its resolved URL name or None."""
    route = route or UNMATCHED_ROUTE
    REQUESTS.labels(route=route, method=_known(method, HTTP_METHODS), status=str(status)).inc()
    REQUEST_DURATION.labels(route=route).observe(seconds)


def exposition(accept: str) -> tuple[bytes, str]:
    """Every metric, summed over the worker processes when there are several, and its content type.

    The format follows the scraper's ``Accept`` header (OpenMetrics, or Prometheus text 0.0.4 by
    default), as prometheus-client's own exposition server does.
    """
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type
