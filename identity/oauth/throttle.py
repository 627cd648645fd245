"""Slow down repeated failed client authentication from one address for one client id.

Counters live in the shared cache (Redis, or the database cache), so every process sees them, and
are checked before any secret is hashed or any signature verified. A client elsewhere, or another
client from the same address, is not affected.
"""

import base64
import binascii
import hashlib
from urllib.parse import unquote_plus

from django.core.cache import cache

from identity.oauth.client_assertions import unverified_issuer

MAX_FAILURES = 10
WINDOW_SECONDS = 300


def claimed_client_id(request):
    """The client id a token request claims, from Basic auth, the body or an assertion's `iss`."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return ""
        return unquote_plus(decoded.split(":", 1)[0])
    if request.POST.get("client_assertion"):
        return unverified_issuer(request.POST["client_assertion"]) or ""
    return request.POST.get("client_id", "")


def _key(address, client_id):
    digest = hashlib.sha256(f"{address}|{client_id}".encode()).hexdigest()[:32]
    return f"portcullis:token-failures:{digest}"


def is_blocked(address, client_id):
    return (cache.get(_key(address, client_id)) or 0) >= MAX_FAILURES


def record_failure(address, client_id):
    key = _key(address, client_id)
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=WINDOW_SECONDS)
