"""Each request, observed once: one JSON line to the `portcullis.request` log, and the same route,
status and duration to the request metrics.

The line holds only what the server decided (route name, status, principal kind) and the request
id and address from the audit context, never a path, query string, header or body: those can hold
tokens, secrets and other tenants' names.
"""

import logging
import time

from oauth2_provider.models import AccessToken

from identity import metrics
from identity.audit import current_request
from identity.models import ServiceToken
from identity.principals import SERVICE_CREDENTIAL, SERVICE_TOKEN, USER

logger = logging.getLogger("portcullis.request")


def route_name(request):
    """The matched URL pattern's name (``api:service-token-detail``), or None when none matched."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


def principal_kind(request):
    """Who the request authenticated as, from what authentication left on it; None for no one."""
    # DRF copies the authenticated user and token onto the Django request.
    auth = getattr(request, "auth", None)
    if isinstance(auth, ServiceToken):
        return SERVICE_TOKEN
    if isinstance(auth, AccessToken):
        return SERVICE_CREDENTIAL
    user = getattr(request, "user", None)
    return USER if user is not None and user.is_authenticated else None


class RequestLogMiddleware:
    """Placed right after ``RequestContextMiddleware``, whose request id and address it logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        route = route_name(request)
        metrics.record_request(route=route, method=request.method, status=response.status_code, seconds=seconds)
        context = current_request.get()
        logger.info(
            "request",
            extra={
                "fields": {
                    "request_id": context.request_id,
                    "method": request.method if request.method in metrics.HTTP_METHODS else metrics.OTHER,
                    "route": route,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 3),
                    "client_address": context.ip_address,
                    "principal_kind": principal_kind(request),
                }
            },
        )
        return response
