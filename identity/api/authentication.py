"""API authentication: service tokens (`ApiKey` / `X-API-Key`), bearer tokens and the portal session.

Each class leaves a ``Principal``-ready result: ``request.user`` is a person (or the service-account
user of a credential) or a ``ServiceTokenUser``; ``request.auth`` is the token object.
"""

from rest_framework import authentication, exceptions

from identity.services import service_token_authenticate

CHALLENGE = 'Bearer realm="portcullis", ApiKey realm="portcullis"'


class ServiceTokenUser:
    """Stands in for ``request.user`` when a service token calls: authenticated, not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None

    def __init__(self, service_token):
        self.service_token = service_token
        self.username = f"token:{service_token.name}"

    def get_username(self):
        return self.username

    def __str__(self):
        return self.username


class ServiceTokenAuthentication(authentication.BaseAuthentication):
    keyword = "apikey"

    def authenticate(self, request):
        raw = self._raw_token(request)
        if raw is None:
            return None
        service_token = service_token_authenticate(raw)
        if service_token is None:
            raise exceptions.AuthenticationFailed("Invalid or expired service token.")
        return ServiceTokenUser(service_token), service_token

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
    """OAuth2 access tokens of service credentials (django-oauth-toolkit)."""

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        from oauth2_provider.contrib.rest_framework import OAuth2Authentication

        result = OAuth2Authentication().authenticate(request)
        if result is None:
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked access token.")
        return result

    def authenticate_header(self, request):
        return CHALLENGE


class PortalSessionAuthentication(authentication.SessionAuthentication):
    """The portal's session, with CSRF enforced as DRF does."""

    def authenticate_header(self, request):
        return CHALLENGE
