"""API authentication: service tokens (`ApiKey` / `X-API-Key`), bearer tokens and the portal session.

Each class leaves a ``Principal``-ready result: ``request.user`` is a person, or a ``MachineUser``
for a service token or a credential's access token; ``request.auth`` is the token object.
"""

from functools import partial

from rest_framework import authentication, exceptions

from identity import metrics
from identity.client_address import client_address
from identity.oauth import throttle
from identity.oauth.validator import live_access_token
from identity.services import service_token_authenticate

CHALLENGE = 'Bearer realm="portcullis", ApiKey realm="portcullis"'


class MachineUser:
    """Stands in for ``request.user`` when a token calls: authenticated, not a person. (A
    credential's service user is loaded only when something needs it: see ``Principal.user``.)"""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None

    def __init__(self, username):
        self.username = username

    def get_username(self):
        return self.username

    def __str__(self):
        return self.username


class AuthenticationUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "Authentication is unavailable for a moment. Try again shortly."
    default_code = "temporarily_unavailable"
    wait = throttle.ThrottleUnavailable.retry_after  # DRF sends it as Retry-After


def _behind_throttle(request, authenticate, raw):
    """``authenticate(raw)`` behind the per-address throttle of failed API credentials: an
    address that failed too often is refused before any digest is computed."""
    try:
        return throttle.guarded(throttle.API_CREDENTIAL, (client_address(request.META),), partial(authenticate, raw))
    except throttle.Throttled as error:
        metrics.record_throttle_hit("api_key")
        raise exceptions.Throttled(wait=throttle.Throttled.retry_after) from error
    except throttle.ThrottleUnavailable as error:
        raise AuthenticationUnavailable() from error


class ServiceTokenAuthentication(authentication.BaseAuthentication):
    keyword = "apikey"

    def authenticate(self, request):
        raw = self._raw_token(request)
        if raw is None:
            return None
        service_token = _behind_throttle(request, service_token_authenticate, raw)
        if service_token is None:
            raise exceptions.AuthenticationFailed("Invalid or expired service token.")
        return MachineUser(f"token:{service_token.name}"), service_token

    def _raw_token(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() == self.keyword:
            value = value.strip()
            if not value:
                raise exceptions.AuthenticationFailed("The ApiKey header holds no token.")
            return value
        value = request.headers.get("X-API-Key")
        if value is not None:
            value = value.strip()
            if not value:
                raise exceptions.AuthenticationFailed("The X-API-Key header holds no token.")
            return value
        return None

    def authenticate_header(self, request):
        return CHALLENGE


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """OAuth2 access tokens of service credentials.

    The token, its client, credential and organization come in one query through our
    django-oauth-toolkit validator's one loader; the token must be unexpired and its credential
    live (not disabled, revoked or past its validity) on this very request.
    """

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        access_token = _behind_throttle(request, live_access_token, value.strip())
        if access_token is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked access token.")
        return MachineUser(f"credential:{access_token.application.service_credential.name}"), access_token

    def authenticate_header(self, request):
        return CHALLENGE


class PortalSessionAuthentication(authentication.SessionAuthentication):
    """The portal's session, with CSRF enforced as DRF does."""

    def authenticate_header(self, request):
        return CHALLENGE
