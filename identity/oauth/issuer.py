"""The one place every URL the server prints or accepts comes from.

With ``PORTCULLIS_ISSUER`` set, it is the issuer, whatever ``Host`` or ``X-Forwarded-Proto`` a
client sends: the token URL in a creation response, the usage example, the metadata and the
``aud`` a ``private_key_jwt`` assertion must name all agree. Without it (development, or a
deployment that serves one host name), the request's scheme and host stand in: the host only
from ``DJANGO_ALLOWED_HOSTS``, and the scheme from ``X-Forwarded-Proto`` only when
``DJANGO_BEHIND_PROXY`` says a proxy sets it.
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.urls import reverse


def issuer(request):
    """The issuer URL (no trailing slash) for a Django request; None for a host we do not serve."""
    if settings.PORTCULLIS_ISSUER:
        return settings.PORTCULLIS_ISSUER.rstrip("/")
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return None


def token_endpoint_url(request):
    base = issuer(request)
    return None if base is None else base + reverse("oauth2_provider:token")


def token_endpoint_audiences(request):
    """What an assertion's ``aud`` may name, without a trailing slash (clients write it both
    ways): the issuer and the token endpoint, under its own path or Mia-Platform's alias."""
    base = issuer(request)
    if base is None:
        return frozenset()
    endpoints = (reverse("oauth2_provider:token"), reverse("seed-oauth-token"))
    return frozenset({base} | {(base + path).rstrip("/") for path in endpoints})


class _OauthlibHttpRequest(HttpRequest):
    """The Django request behind an oauthlib request, rebuilt from the META copy that
    django-oauth-toolkit hands oauthlib as its headers (see ``OAuthLibCore.extract_headers``)."""

    def __init__(self, meta):
        super().__init__()
        self.META = meta

    def _get_scheme(self):
        # django-oauth-toolkit marks a request Django saw as secure (a trusted proxy's header
        # included); anything else is plain HTTP.
        return "https" if self.META.get("X_DJANGO_OAUTH_TOOLKIT_SECURE") == "1" else "http"


def http_request_of(oauthlib_request):
    return _OauthlibHttpRequest(dict(oauthlib_request.headers))
