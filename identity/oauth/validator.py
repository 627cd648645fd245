"""Our django-oauth-toolkit validator: service credentials, `private_key_jwt`, scopes, liveness.

Only the methods that must change are overridden (see STYLE.md):
- clients are loaded with their credential in one query, and a credential that is disabled,
  revoked or expired is simply not a client;
- `private_key_jwt` assertions authenticate a client (RFC 7523);
- the scope is the credential's permissions, narrowed by a requested scope, never widened;
- a token is saved only if, with the credential row locked, the credential is still live and its
  key unchanged, so a grant racing a revoke or a regeneration never outlives it;
- a bearer token works only while its credential is live, checked on every request.
"""

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from oauth2_provider.oauth2_validators import OAuth2Validator

from identity.models import ServiceCredential
from identity.oauth import client_assertions
from identity.oauth.scopes import credential_scopes

logger = logging.getLogger(__name__)


def issuer_for(http_request):
    """The issuer URL: PORTCULLIS_ISSUER, or the scheme and host the request came to."""
    if settings.PORTCULLIS_ISSUER:
        return settings.PORTCULLIS_ISSUER.rstrip("/")
    try:
        return http_request.build_absolute_uri("/").rstrip("/")
    except DisallowedHost:
        return None


def token_endpoint_audiences(request):
    """The `aud` values an assertion may name: the token endpoint URL and the issuer."""
    http_request = HttpRequest()
    http_request.META = dict(request.headers)
    issuer = issuer_for(http_request)
    if issuer is None:
        return set()
    return {issuer, issuer + reverse("oauth2_provider:token").rstrip("/")}


class PortcullisOAuth2Validator(OAuth2Validator):
    def _load_application(self, client_id, request):
        client = request.client
        if isinstance(client, Application) and client.client_id == client_id:
            return client
        request.client = None
        if not isinstance(client_id, str) or not client_id or len(client_id) > 100 or "\x00" in client_id:
            return None
        client = (
            Application.objects.select_related("service_credential", "service_credential__organization")
            .filter(client_id=client_id)
            .first()
        )
        credential = getattr(client, "service_credential", None) if client else None
        if credential is None or not credential.is_live():
            return None
        request.client = client
        request.authenticated_secret_version = credential.secret_version
        return client

    def authenticate_client(self, request, *args, **kwargs):
        assertion_type = getattr(request, "client_assertion_type", None)
        if assertion_type is not None:
            return self._authenticate_client_assertion(request)
        authenticated = super().authenticate_client(request, *args, **kwargs)
        if authenticated:
            credential = request.client.service_credential
            if credential.auth_method == ServiceCredential.AuthMethod.PRIVATE_KEY_JWT:
                return False
        return authenticated

    def _authenticate_client_assertion(self, request):
        if request.client_assertion_type != client_assertions.ASSERTION_TYPE:
            return False
        assertion = getattr(request, "client_assertion", None)
        client_id = client_assertions.unverified_issuer(assertion) if assertion else None
        body_client_id = getattr(request, "client_id", None)
        if client_id is None or (body_client_id and body_client_id != client_id):
            return False
        application = self._load_application(client_id, request)
        if application is None:
            return False
        credential = application.service_credential
        if credential.auth_method != ServiceCredential.AuthMethod.PRIVATE_KEY_JWT:
            return False
        try:
            client_assertions.verify_client_assertion(
                assertion=assertion,
                application=application,
                jwks=credential.jwks,
                audiences=token_endpoint_audiences(request),
            )
        except client_assertions.AssertionRejected as error:
            logger.info("private_key_jwt rejected for client %s: %s", client_id, error)
            return False
        request.client_id = client_id
        return True

    def client_authentication_required(self, request, *args, **kwargs):
        # Every Portcullis client is confidential: it always authenticates.
        return True

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return sorted(credential_scopes(request.client.service_credential))

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        return set(scopes) <= credential_scopes(client.service_credential)

    def _save_bearer_token(self, token, request, *args, **kwargs):
        # save_bearer_token already opened a transaction: lock the credential for its duration.
        credential = ServiceCredential.objects.select_for_update().get(pk=request.client.service_credential.pk)
        if not credential.is_live() or credential.secret_version != getattr(request, "authenticated_secret_version", None):
            # Revoked, disabled or regenerated while this grant was in flight: never store the token.
            logger.info("Token grant for %s dropped: the credential changed during the request", credential.pk)
            return
        ServiceCredential.objects.filter(pk=credential.pk).update(last_used_at=timezone.now())
        super()._save_bearer_token(token, request, *args, **kwargs)

    def _load_access_token(self, token):
        # One query for the token, its client, its credential and organization: the bearer hot path.
        return (
            AccessToken.objects.select_related(
                "application", "user", "application__service_credential", "application__service_credential__organization"
            )
            .filter(token_checksum=hashlib.sha256(token.encode("utf-8")).hexdigest())
            .first()
        )

    def load_live_access_token(self, token):
        """The access token if it is unexpired and its credential live, else None."""
        access_token = self._load_access_token(token)
        if access_token is None or access_token.is_expired():
            return None
        credential = getattr(access_token.application, "service_credential", None)
        return access_token if credential is not None and credential.is_live() else None

    def validate_bearer_token(self, token, scopes, request):
        if not super().validate_bearer_token(token, scopes, request):
            return False
        credential = getattr(request.access_token.application, "service_credential", None)
        if credential is None or not credential.is_live():
            request.oauth2_error = {"error": "invalid_token", "error_description": "The access token is invalid."}
            return False
        return True
