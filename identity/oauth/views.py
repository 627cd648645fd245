"""The OAuth2 endpoints: django-oauth-toolkit's token and revocation views, our introspection.

Throttling and client authentication live in the validator, so every endpoint that
authenticates a client (token, introspection, revocation) goes through the same checks.
"""

import json

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET
from oauth2_provider import views as oauth_views
from oauth2_provider.signals import app_authorized
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.common import Request as OauthlibRequest
from oauthlib.oauth2.rfc6749.errors import InvalidClientError, OAuth2Error

from identity import metrics
from identity.authorization_details import authorization_details, organization_scope
from identity.client_address import client_address
from identity.oauth import issuer, throttle
from identity.oauth.client_assertions import ALLOWED_ALGORITHMS
from identity.oauth.token_exchange import TOKEN_EXCHANGE
from identity.oauth.validator import TemporarilyUnavailable, TooManyAttempts, behind_throttle, live_access_token
from identity.principals import principal_for_access_token

AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]


def _no_store(response):
    # Every answer of these endpoints is JSON about credentials: no cache may keep it.
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _counted_throttle(response, endpoint):
    if response.status_code == TooManyAttempts.status_code:
        metrics.record_throttle_hit(endpoint)
    return response


def _grant_method(request):
    """Which client authentication a token request tried, for the grant metrics."""
    if request.POST.get("grant_type") == TOKEN_EXCHANGE:
        return "token_exchange"
    if "client_assertion" in request.POST:
        return "private_key_jwt"
    if request.headers.get("Authorization", "").lower().startswith("basic "):
        return "client_secret_basic"
    if "client_secret" in request.POST:
        return "client_secret_post"
    return "unknown"


def _grant_outcome(response):
    if response.status_code == 200:
        return "issued"
    if response.status_code == TooManyAttempts.status_code:
        return "throttled"
    if response.status_code == TemporarilyUnavailable.status_code:
        return "unavailable"
    try:
        return json.loads(response.content).get("error", "server_error")
    except (ValueError, AttributeError):
        return "server_error"


def oauth_error_response(error):
    response = HttpResponse(error.json, status=error.status_code, content_type="application/json")
    for name, value in error.headers.items():
        response[name] = value
    return _no_store(response)


class TokenView(oauth_views.TokenView):
    """`POST /o/token/`: the client-credentials grant and RFC 8693 token exchange (other grants
    answer unsupported_grant_type)."""

    @method_decorator(sensitive_post_parameters("client_secret", "client_assertion", "subject_token"))
    def post(self, request, *args, **kwargs):
        response = self._token_response(request)
        # oauthlib's own errors come typed; one raised while the token is saved comes bare.
        response["Content-Type"] = "application/json"
        metrics.record_grant(_grant_method(request), _grant_outcome(response))
        return _no_store(_counted_throttle(response, "token"))

    def _token_response(self, request):
        """django-oauth-toolkit's token response, without its read-back of the new token when no
        one listens to ``app_authorized``: it reads the token it has just saved only to send that
        signal (a query per grant). With a receiver connected, its own method runs unchanged."""
        if app_authorized.has_listeners():
            return self.authorization_flow_token_response(request)
        _url, headers, body, status = self.create_token_response(request)
        response = HttpResponse(content=body, status=status)
        for name, value in headers.items():
            response[name] = value
        return response


class RevokeTokenView(oauth_views.RevokeTokenView):
    """RFC 7009; the answer is never cached."""

    @method_decorator(sensitive_post_parameters("client_secret", "client_assertion", "token"))
    def post(self, request, *args, **kwargs):
        return _no_store(_counted_throttle(super().post(request, *args, **kwargs), "revoke"))


@method_decorator(csrf_exempt, name="dispatch")
class IntrospectTokenView(OAuthLibMixin, View):
    """RFC 7662, answered only about tokens of the caller's own organization.

    The caller authenticates as a client (any of the three methods) or with an access token.
    """

    @method_decorator(sensitive_post_parameters("client_secret", "client_assertion", "token"))
    def post(self, request, *args, **kwargs):
        try:
            caller = self._caller_credential(request)
        except OAuth2Error as error:
            return _counted_throttle(oauth_error_response(error), "introspect")
        if caller is None:
            return oauth_error_response(InvalidClientError())
        token_value = request.POST.get("token")
        if not token_value:
            return _no_store(
                JsonResponse({"error": "invalid_request", "error_description": "Token parameter is missing."}, status=400)
            )
        return _no_store(JsonResponse(_introspection(caller, token_value)))

    def _caller_credential(self, request):
        core = self.get_oauthlib_core()
        scheme, _, _ = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            return _bearer_caller(core, request)
        oauth_request = OauthlibRequest(
            request.build_absolute_uri(), request.method, core.extract_body(request), core.extract_headers(request)
        )
        if not core.server.request_validator.authenticate_client(oauth_request):
            return None
        return oauth_request.client.service_credential


def _bearer_caller(core, request):
    """The credential whose access token authenticates this request, behind the API throttle."""

    def credential_of_valid_token():
        valid, oauth_request = core.verify_request(request, scopes=[])
        return oauth_request.access_token.application.service_credential if valid else None

    return behind_throttle(throttle.API_CREDENTIAL, (client_address(request.META),), credential_of_valid_token)


def _introspection(caller, token_value):
    token = live_access_token(token_value)
    owner = token.application.service_credential if token is not None else None
    if owner is None or owner.organization_id != caller.organization_id:
        return {"active": False}
    # What the token's bindings give now (a role changed since the grant shows at once), capped
    # by its scopes: organization-wide in `scope`, on resources in RFC 9396 authorization details.
    principal = principal_for_access_token(token)
    return {
        "active": True,
        "scope": organization_scope(principal),
        "authorization_details": authorization_details(principal),
        "client_id": token.application.client_id,
        "token_type": "Bearer",
        "exp": int(token.expires.timestamp()),
        "sub": token.application.client_id,
        "realm": owner.realm,
    }


@require_GET
def authorization_server_metadata(request):
    """RFC 8414: what this server supports (client credentials and token exchange, three auth methods)."""
    base = issuer.issuer(request)

    def absolute(name):
        return base + reverse(name)

    return JsonResponse(
        {
            "issuer": base,
            "token_endpoint": absolute("oauth2_provider:token"),
            "introspection_endpoint": absolute("oauth2_provider:introspect"),
            "revocation_endpoint": absolute("oauth2_provider:revoke-token"),
            "grant_types_supported": ["client_credentials", TOKEN_EXCHANGE],
            "response_types_supported": [],
            "scopes_supported": [],
            "token_endpoint_auth_methods_supported": AUTH_METHODS,
            "token_endpoint_auth_signing_alg_values_supported": list(ALLOWED_ALGORITHMS),
            "introspection_endpoint_auth_methods_supported": AUTH_METHODS,
            "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
            "service_documentation": absolute("api-docs"),
        }
    )
