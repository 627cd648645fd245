"""Public keys published by someone else: a JWKS at a URL, or an OIDC issuer's through its
discovery document.

Fetching a URL a user typed in is a server-side request forgery waiting to happen, so every hop
is checked before connecting: HTTPS only, verified against the system's CA bundle (OpenSSL reads
``SSL_CERT_FILE``), and every address the host name resolves to must be a public one; the socket
is then opened to that checked address, so a second DNS answer cannot swap it for an internal
one. Redirects are followed (at most three) through the same checks. Issuers listed in
``PORTCULLIS_FEDERATION_INSECURE_ISSUERS`` (a test server, an in-cluster Kubernetes issuer) may
use plain HTTP and private addresses. Bodies over 64 KiB, or taking more than 3 seconds, are
refused.

Key sets live in Django's cache (shared by every process) for ten minutes; an unknown ``kid``
fetches again, at most once a minute per URL, so a key rotated at the issuer is picked up
without letting a stream of made-up ``kid`` values hammer it.
"""

import hashlib
import http.client
import ipaddress
import json
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.cache import cache

MAX_BODY_BYTES = 64 * 1024
TIMEOUT_SECONDS = 3.0
CACHE_SECONDS = 600
REFETCH_INTERVAL_SECONDS = 60
MAX_REDIRECTS = 3
MAX_KEYS = 50
DISCOVERY_PATH = "/.well-known/openid-configuration"


class RemoteKeysError(Exception):
    """Why keys could not be had; the message is safe to show to the credential's administrator."""


def insecure_issuers():
    return [issuer.rstrip("/") for issuer in settings.PORTCULLIS_FEDERATION_INSECURE_ISSUERS]


def is_listed_insecure(url):
    """Is ``url`` an issuer the operator listed as insecure, or a URL under one?"""
    if not isinstance(url, str):
        return False
    url = url.rstrip("/")
    return any(url == issuer or url.startswith(issuer + "/") for issuer in insecure_issuers())


def check_url(url, *, insecure=False):
    """Raise RemoteKeysError unless ``url`` is one we would fetch (scheme and shape only)."""
    if not isinstance(url, str) or not url or len(url) > 2000 or any(c in url for c in "\x00\r\n\t "):
        raise RemoteKeysError("Give an absolute URL.")
    parts = urlsplit(url)
    allowed = ("https", "http") if insecure else ("https",)
    if parts.scheme not in allowed:
        raise RemoteKeysError("The URL must use https.")
    if not parts.hostname or parts.username or parts.password:
        raise RemoteKeysError("The URL must name a host (and no user or password).")
    try:
        parts.port
    except ValueError as error:
        raise RemoteKeysError("The URL's port is not a number.") from error
    return parts


def _public_addresses(host, port, insecure):
    """Every address ``host`` resolves to, each checked to be public unless the issuer is listed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as error:
        raise RemoteKeysError(f"The host {host} could not be resolved.") from error
    addresses = []
    for family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if not insecure and not address.is_global:
            raise RemoteKeysError(f"The host {host} resolves to a private or reserved address; it is not fetched.")
        addresses.append((family, sockaddr))
    if not addresses:
        raise RemoteKeysError(f"The host {host} could not be resolved.")
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address already checked, whatever DNS would answer now."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        family, sockaddr = self._address
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(sockaddr)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    default_port = 443

    def connect(self):
        super().connect()
        # A fresh context each time: the CA bundle (SSL_CERT_FILE) is read as it stands now.
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)


def _fetch_once(url, insecure, deadline):
    parts = check_url(url, insecure=insecure)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = _public_addresses(parts.hostname, port, insecure)[0]
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise RemoteKeysError("Fetching the keys took too long.")
    connection_class = _PinnedHTTPSConnection if https else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address=address, timeout=remaining)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("GET", path, headers={"Accept": "application/json", "User-Agent": "Portcullis"})
        response = connection.getresponse()
        if response.status in (301, 302, 303, 307, 308):
            return None, response.getheader("Location")
        if response.status != 200:
            raise RemoteKeysError(f"{url} answered HTTP {response.status}.")
        body = b""
        while len(body) <= MAX_BODY_BYTES:
            if time.monotonic() > deadline:
                raise RemoteKeysError("Fetching the keys took too long.")
            chunk = response.read(8192)
            if not chunk:
                break
            body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise RemoteKeysError(f"{url} answered more than {MAX_BODY_BYTES // 1024} KiB.")
        return body, None
    except ssl.SSLError as error:
        raise RemoteKeysError(f"The TLS certificate of {parts.hostname} could not be verified.") from error
    except (TimeoutError, socket.timeout) as error:
        raise RemoteKeysError("Fetching the keys took too long.") from error
    except (OSError, http.client.HTTPException) as error:
        raise RemoteKeysError(f"{parts.hostname} could not be reached.") from error
    finally:
        connection.close()


def fetch_json(url, *, insecure=False):
    """The JSON object at ``url``, following at most three checked redirects."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    for _hop in range(MAX_REDIRECTS + 1):
        body, location = _fetch_once(url, insecure, deadline)
        if body is not None:
            try:
                document = json.loads(body)
            except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
                raise RemoteKeysError(f"{url} did not answer JSON.") from error
            if not isinstance(document, dict):
                raise RemoteKeysError(f"{url} did not answer a JSON object.")
            return document
        if not location:
            raise RemoteKeysError(f"{url} redirected without a Location.")
        url = urljoin(url, location)
        # A listed issuer's allowance does not follow it elsewhere: the next hop must be listed too.
        insecure = insecure and is_listed_insecure(url)
    raise RemoteKeysError("Too many redirects.")


def _checked_key_set(document, url):
    keys = document.get("keys")
    if not isinstance(keys, list) or not all(isinstance(key, dict) for key in keys) or len(keys) > MAX_KEYS:
        raise RemoteKeysError(f"{url} is not a JWKS (a \"keys\" list of at most {MAX_KEYS} objects).")
    return {"keys": keys}


def fetch_jwks(url, *, insecure=False):
    """The JWKS at ``url``, fetched now (no cache): a ``jwks_uri`` being registered."""
    return _checked_key_set(fetch_json(url, insecure=insecure), url)


def _fetch_key_set(source, insecure):
    """``source`` is ("jwks", url) or ("issuer", issuer URL)."""
    kind, url = source
    if kind == "issuer":
        discovery = fetch_json(url.rstrip("/") + DISCOVERY_PATH, insecure=insecure)
        if discovery.get("issuer", "").rstrip("/") != url.rstrip("/"):
            raise RemoteKeysError("The discovery document names another issuer.")
        jwks_uri = discovery.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise RemoteKeysError("The discovery document has no jwks_uri.")
        url = jwks_uri
    return fetch_jwks(url, insecure=insecure)


def _cache_key(prefix, source):
    return f"portcullis:{prefix}:" + hashlib.sha256("|".join(source).encode()).hexdigest()[:40]


def key_set(source, *, kid=None, insecure=False):
    """The JWKS of ``source`` ("jwks" or "issuer", URL) from the cache or fetched; when ``kid`` is
    not in the cached set, fetched again unless that was done in the last minute."""
    cached = cache.get(_cache_key("jwks", source))
    if cached is not None:
        keys = json.loads(cached)
        if kid is None or any(key.get("kid") == kid for key in keys["keys"]):
            return keys
        if not cache.add(_cache_key("jwks-refetch", source), 1, timeout=REFETCH_INTERVAL_SECONDS):
            return keys
    keys = _fetch_key_set(source, insecure)
    cache.set(_cache_key("jwks", source), json.dumps(keys, sort_keys=True), timeout=CACHE_SECONDS)
    if cached is None:
        # A first fetch counts as the minute's fetch too: an unknown kid right after it waits.
        cache.add(_cache_key("jwks-refetch", source), 1, timeout=REFETCH_INTERVAL_SECONDS)
    return keys


def jwks_uri_keys(url, *, kid=None):
    return key_set(("jwks", url), kid=kid, insecure=is_listed_insecure(url))


def issuer_keys(issuer, *, kid=None):
    return key_set(("issuer", issuer.rstrip("/")), kid=kid, insecure=is_listed_insecure(issuer))
