"""The TLS-terminating load balancer in front of the servers under test, as a requests adapter.

Tests speak to the public origin, ``https://portcullis.example.test/…``, which is also what the
server prints in ``token_url`` and ``usage_example``. The adapter forwards each request over plain
HTTP to one backend server with the headers a balancer adds, and hands back the response under the
public URL, so Secure cookies, redirects and printed URLs behave as they do for a real client.
"""

from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from tests.deploy.backends import ISSUER, PUBLIC_HOST

# The caller as the balancer reports it (TEST-NET-3: never a real client).
CLIENT_ADDRESS = "203.0.113.7"
# A hung server fails the test instead of holding CI until its own timeout.
REQUEST_SECONDS = 30


class TerminatingProxy(HTTPAdapter):
    def __init__(self, backend, host):
        super().__init__()
        self.backend, self.host = backend, host

    def send(self, request, **kwargs):
        public = urlsplit(request.url)
        forwarded = request.copy()
        forwarded.url = self.backend + public.path + (f"?{public.query}" if public.query else "")
        forwarded.headers["Host"] = self.host
        forwarded.headers["X-Forwarded-Proto"] = "https"
        forwarded.headers["X-Forwarded-For"] = CLIENT_ADDRESS
        kwargs["timeout"] = kwargs.get("timeout") or REQUEST_SECONDS
        response = super().send(forwarded, **kwargs)
        response.request, response.url = request, request.url
        return response


def through_proxy(server, host=PUBLIC_HOST):
    """A client session whose requests to the public origin reach ``server``, naming ``host``."""
    session = requests.Session()
    session.mount(f"{ISSUER}/", TerminatingProxy(server.base, host))
    return session
