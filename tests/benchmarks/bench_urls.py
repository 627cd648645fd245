"""The project's URLs plus the baselines the benchmarks compare against.

- `/bench/noop/`: a DRF view with no authentication and no permissions;
- `/bench/noop/<org>/`: the same with our authentication and principal lookup (the vault's peer);
- `/bench/stock-token/` and `/bench/stock/me/`: stock django-oauth-toolkit (its own validator,
  Argon2-hashed secrets) for the peer figures.
"""

from types import SimpleNamespace

from django.urls import path
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import TokenView
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns
from identity.api.principal import principal_for_request


class NoOpView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"ok": True})


class AuthenticatedNoOpView(APIView):
    def get(self, request, org):
        principal_for_request(request, org)
        return Response({"ok": True})


_stock_core = OAuthLibCore(oauth2_settings.OAUTH2_SERVER_CLASS(OAuth2Validator(), **oauth2_settings.server_kwargs))


class StockOAuth2Authentication(OAuth2Authentication):
    """django-oauth-toolkit's bearer check with its own validator (ours is the project setting)."""

    def authenticate(self, request):
        valid, oauth_request = _stock_core.verify_request(request._request, scopes=[])
        return (SimpleNamespace(is_authenticated=True), oauth_request.access_token) if valid else None


class StockBearerView(APIView):
    authentication_classes = [StockOAuth2Authentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"client_id": request.auth.application.client_id})


class StockTokenView(TokenView):
    """Stock `TokenView` with stock `OAuth2Validator`.

    `TokenView.as_view(validator_class=OAuth2Validator)` is not enough: django-oauth-toolkit builds
    its server in classmethods from the class attribute (the keyword only reaches the instance) and
    caches it on the class, where a subclass inherits whichever core was built first. So: a
    subclass with its own attribute and its own cache.
    """

    validator_class = OAuth2Validator

    @classmethod
    def get_oauthlib_core(cls):
        if "_stock_core" not in cls.__dict__:
            cls._stock_core = cls.get_oauthlib_backend_class()(cls.get_server())
        return cls._stock_core


urlpatterns = [
    path("bench/noop/", NoOpView.as_view()),
    path("bench/noop/<slug:org>/", AuthenticatedNoOpView.as_view()),
    path("bench/stock-token/", StockTokenView.as_view()),
    path("bench/stock/me/", StockBearerView.as_view()),
    *project_urlpatterns,
]
