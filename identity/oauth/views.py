"""The OAuth2 endpoints: django-oauth-toolkit's views, with our throttle and tenant rules on top."""

import json

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET
from oauth2_provider import views as oauth_views
from oauth2_provider.signals import app_authorized
from oauthlib.common import Request as OauthlibRequest

from identity.oauth import client_assertions, throttle
from identity.oauth.client_assertions import ALLOWED_ALGORITHMS
from identity.oauth.validator import PortcullisOAuth2Validator, issuer_for

AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]


def _address(request):
    return request.META.get("REMOTE_ADDR", "")


def _too_many_attempts():
    response = JsonResponse(
        {"error": "slow_down", "error_description": "Too many failed attempts. Try again later."}, status=429
    )
    response["Retry-After"] = str(throttle.WINDOW_SECONDS)
    return response


class TokenView(oauth_views.TokenView):
    """`POST /o/token/`: the client-credentials grant, throttled per address and client id."""

    def post(self, request, *args, **kwargs):
        client_id = throttle.claimed_client_id(request)
        address = _address(request)
        if throttle.is_blocked(address, client_id):
            return _too_many_attempts()
        with client_assertions.jti_recorded_with_token():
            response = super().post(request, *args, **kwargs)
        if response.status_code == 401 or _error_of(response) == "invalid_client":
            throttle.record_failure(address, client_id)
        response["Cache-Control"] = "no-store"
        return response

    @method_decorator(sensitive_post_parameters("password", "client_secret", "client_assertion"))
    def authorization_flow_token_response(self, request, *args, **kwargs):
        # django-oauth-toolkit reads every new token back from the database only to send
        # `app_authorized`; skip that query while nothing listens to the signal.
        if app_authorized.has_listeners(self):
            return super().authorization_flow_token_response(request, *args, **kwargs)
        url, headers, body, status = self.create_token_response(request)
        # Every body here is JSON; an error raised while saving the token comes without its type.
        response = HttpResponse(content=body, status=status, content_type="application/json")
        for name, value in headers.items():
            response[name] = value
        return response


class IntrospectTokenView(oauth_views.IntrospectTokenView):
    """RFC 7662, answered only about tokens of the caller's own organization."""

    def authenticate_client(self, request):
        # As django-oauth-toolkit does, but keep the authenticated client to compare organizations.
        core = self.get_oauthlib_core()
        oauth_request = OauthlibRequest(*core._extract_params(request))
        authenticated = core.server.request_validator.authenticate_client(oauth_request)
        request.introspecting_client = oauth_request.client if authenticated else None
        return authenticated

    def get_token_response_for(self, request, token_value):
        caller = getattr(request, "introspecting_client", None)
        if caller is None and getattr(request, "resource_owner", None) is not None:
            caller_credential = getattr(request.resource_owner, "service_credential", None)
        else:
            caller_credential = getattr(caller, "service_credential", None)
        token = PortcullisOAuth2Validator()._load_access_token(token_value) if token_value else None
        owner = getattr(getattr(token, "application", None), "service_credential", None) if token else None
        if token is None or owner is None or caller_credential is None or owner.organization_id != caller_credential.organization_id:
            return JsonResponse({"active": False})
        if not token.is_valid() or not owner.is_live():
            return JsonResponse({"active": False})
        return JsonResponse(
            {
                "active": True,
                "scope": token.scope,
                "client_id": token.application.client_id,
                "token_type": "Bearer",
                "exp": int(token.expires.timestamp()),
                "sub": token.application.client_id,
                "realm": owner.realm,
            }
        )

    def get(self, request, *args, **kwargs):
        return self.get_token_response_for(request, request.GET.get("token"))

    def post(self, request, *args, **kwargs):
        return self.get_token_response_for(request, request.POST.get("token"))


def _error_of(response):
    try:
        return json.loads(response.content).get("error")
    except (ValueError, AttributeError):
        return None


@require_GET
def authorization_server_metadata(request):
    """RFC 8414: what this server supports (client credentials only, three auth methods)."""
    issuer = issuer_for(request)

    def absolute(name):
        return issuer + reverse(name)

    methods_with_algs = {
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": list(ALLOWED_ALGORITHMS),
    }
    return JsonResponse(
        {
            "issuer": issuer,
            "token_endpoint": absolute("oauth2_provider:token"),
            "introspection_endpoint": absolute("oauth2_provider:introspect"),
            "revocation_endpoint": absolute("oauth2_provider:revoke-token"),
            "grant_types_supported": ["client_credentials"],
            "response_types_supported": [],
            "scopes_supported": [],
            **methods_with_algs,
            "introspection_endpoint_auth_methods_supported": AUTH_METHODS,
            "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
            "service_documentation": absolute("api-docs"),
        }
    )
