"""The address a request came from, as the operator's trusted proxy reports it.

Behind a load balancer (``DJANGO_BEHIND_PROXY``) ``REMOTE_ADDR`` is the balancer itself, so every
client would share one throttle counter and one audit address. The balancer appends the address
it saw to ``X-Forwarded-For``; only that last entry is trusted, since a client can put anything in
the entries before it. ``PORTCULLIS_TRUSTED_PROXY_HOPS`` counts balancers in a chain.
"""

import functools
import ipaddress

from django.conf import settings


# Every API call asks twice (the audit context, the failure throttle): a parse is a few
# microseconds, a lookup less. Bounded, so addresses a client invents only cycle it.
@functools.lru_cache(maxsize=4096)
def _valid(address):
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(meta):
    """The client's IP address from a request's META (or an oauthlib request's headers), or None."""
    if settings.PORTCULLIS_TRUSTED_PROXY_HOPS:
        forwarded = [part for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()]
        if len(forwarded) >= settings.PORTCULLIS_TRUSTED_PROXY_HOPS:
            return _valid(forwarded[-settings.PORTCULLIS_TRUSTED_PROXY_HOPS])
    return _valid(str(meta.get("REMOTE_ADDR", "")))
