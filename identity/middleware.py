"""Per-request context for the audit log: the caller's address and a request id."""

import re
import uuid

from identity.audit import RequestContext, current_request
from identity.client_address import client_address

SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-Id", "")
        if not SAFE_REQUEST_ID.match(request_id):
            request_id = uuid.uuid4().hex
        token = current_request.set(RequestContext(ip_address=client_address(request.META), request_id=request_id))
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response["X-Request-Id"] = request_id
        return response
