"""Our django-oauth-toolkit validator: service credentials, `private_key_jwt`, scopes, liveness.

Only the methods that must change are overridden (see STYLE.md):
- clients are loaded with their credential in one query, and a credential that is disabled,
  revoked or expired is simply not a client;
- `private_key_jwt` assertions authenticate a client (RFC 7523);
- the scope is the credential's permissions, narrowed by a requested scope, never widened;
- a token is saved only if, with the credential row locked, the credential is still live and its
  key unchanged, so a grant racing a revoke or a regeneration never outlives it;
- a bearer token works only while its credential is live, checked on every request.

The client lookup, the credential lock and the bearer token lookup run on every grant or call, so
each is one prepared query (see ``PreparedQuery``) building the model instances from its row.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import DisallowedHost
from django.db import DEFAULT_DB_ALIAS, connection
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from identity.models import Organization, ServiceCredential
from identity.oauth import client_assertions
from identity.oauth.scopes import credential_scopes
from identity.prepared import PreparedQuery

logger = logging.getLogger(__name__)


def _commit_without_waiting_for_the_disk():
    """Let this transaction's COMMIT return before PostgreSQL has flushed it to disk.

    For a token grant that only stores the new token: waiting for the flush was half of a grant's
    time. What a crash can cost is tokens issued in the last fraction of a second, and their
    clients simply ask again after a 401. Nothing that must survive runs this way: revocations,
    status changes and the one-use ``jti`` of a private_key_jwt assertion commit durably as
    before, and a durable commit flushes every earlier one with it.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO off")


def _all_fields(model):
    return [field.attname for field in model._meta.concrete_fields]


def _some_fields(model, *names):
    """``names`` in the model's field order, which ``Model.from_db`` expects of a partial row."""
    return [attname for attname in _all_fields(model) if attname in names]


def _columns(layout):
    """The ``values_list`` columns of a layout: ``(model, path from the queried model, fields)``."""
    return [path + name for _, path, fields in layout for name in fields]


def _instances(layout, row):
    """One model instance per entry of ``layout`` from consecutive columns of ``row``; None where
    the (left-joined) primary key is NULL."""
    instances, start = [], 0
    for model, _, fields in layout:
        values = row[start : start + len(fields)]
        instances.append(None if values[0] is None else model.from_db(DEFAULT_DB_ALIAS, fields, values))
        start += len(fields)
    return instances


_CLIENT_LAYOUT = (
    (Application, "", _all_fields(Application)),
    (ServiceCredential, "service_credential__", _all_fields(ServiceCredential)),
    (Organization, "service_credential__organization__", _all_fields(Organization)),
)
_CLIENT_ROWS = PreparedQuery(
    lambda client_id: Application.objects.filter(client_id=client_id).order_by().values_list(*_columns(_CLIENT_LAYOUT))
)

_LOCKED_CREDENTIAL = PreparedQuery(
    lambda pk: ServiceCredential.objects.select_for_update()
    .filter(pk=pk)
    .order_by()
    .values_list("status", "expires_at", "secret_version", "last_used_at"),
    value_type=int,
)

# What the API needs of a bearer token, its client, credential, organization and service user;
# any other field loads on first use. The extra last column gives one row per role of the
# credential's groups.
_BEARER_LAYOUT = (
    (AccessToken, "", _some_fields(AccessToken, "id", "user_id", "token_checksum", "application_id", "expires", "scope")),
    (Application, "application__", _some_fields(Application, "id", "client_id")),
    (
        ServiceCredential,
        "application__service_credential__",
        _some_fields(
            ServiceCredential,
            "id", "organization_id", "name", "application_id", "service_user_id", "expires_at", "bound_resource_id", "status",
        ),
    ),
    (Organization, "application__service_credential__organization__", _some_fields(Organization, "id", "slug", "name")),
    (
        get_user_model(),
        "application__service_credential__service_user__",
        _some_fields(get_user_model(), "id", "username", "is_active", "is_staff", "is_superuser"),
    ),
)
_BEARER_ROWS = PreparedQuery(
    lambda checksum: AccessToken.objects.filter(token_checksum=checksum)
    .order_by()
    .values_list(*_columns(_BEARER_LAYOUT), "application__service_credential__groups__roles__permissions")
)


def _link_client(application, credential, organization):
    """Set the relations between the instances (both ways) so that following them runs no query."""
    credential.application = application
    if organization is not None:
        credential.organization = organization


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
        rows = _CLIENT_ROWS.rows(client_id)
        if not rows:
            return None
        client, credential, organization = _instances(_CLIENT_LAYOUT, rows[0])
        if credential is None or not credential.is_live():
            return None
        _link_client(client, credential, organization)
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
            claims = client_assertions.verify_client_assertion(
                assertion=assertion,
                application=application,
                jwks=credential.jwks,
                audiences=token_endpoint_audiences(request),
            )
            if client_assertions.jti_waits_for_token():
                request.portcullis_assertion_claims = claims  # recorded by _save_bearer_token
            else:
                client_assertions.remember_jti(claims, application)
        except client_assertions.AssertionRejected as error:
            logger.info("private_key_jwt rejected for client %s: %s", client_id, error)
            return False
        request.client_id = client_id
        return True

    def client_authentication_required(self, request, *args, **kwargs):
        # Every Portcullis client is confidential: it always authenticates.
        return True

    def _credential_scopes(self, request):
        # oauthlib asks for the default scopes and then validates them: compute them once a request.
        scopes = getattr(request, "portcullis_credential_scopes", None)
        if scopes is None:
            scopes = request.portcullis_credential_scopes = credential_scopes(request.client.service_credential)
        return scopes

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return sorted(self._credential_scopes(request))

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        # The scopes computed for this request are those of request.client: only ever ask about it.
        return client is request.client and set(scopes) <= self._credential_scopes(request)

    def _save_bearer_token(self, token, request, *args, **kwargs):
        # save_bearer_token already opened a transaction: lock the credential for its duration.
        credential = request.client.service_credential
        rows = _LOCKED_CREDENTIAL.rows(credential.pk)
        now = timezone.now()
        if rows:
            credential.status, credential.expires_at, secret_version, last_used_at = rows[0]
        if not rows or not credential.is_live(now) or secret_version != getattr(request, "authenticated_secret_version", None):
            # Deleted, revoked, disabled or regenerated while this grant was in flight: never store the token.
            logger.info("Token grant for %s dropped: the credential changed during the request", credential.pk)
            return
        claims = getattr(request, "portcullis_assertion_claims", None)
        if claims is None:
            _commit_without_waiting_for_the_disk()
        else:
            try:
                client_assertions.remember_jti(claims, request.client)
            except client_assertions.AssertionRejected as error:
                # A parallel grant with the same assertion got there first: this one fails as a replay.
                logger.info("private_key_jwt rejected for client %s: %s", request.client.client_id, error)
                raise errors.InvalidClientError(request=request) from error
        # At most once a minute, as for service tokens: busy clients do not write the row on every grant.
        if last_used_at is None or now - last_used_at >= settings.PORTCULLIS_TOKEN_LAST_USED_INTERVAL:
            ServiceCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
            credential.last_used_at = now
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
        """The access token if it is unexpired and its credential live, else None.

        One query for the token, its client, credential, organization and service user, and the
        permissions of the credential's roles (as ``credential.role_permissions``, for the principal).
        """
        rows = _BEARER_ROWS.rows(hashlib.sha256(token.encode("utf-8")).hexdigest())
        if not rows:
            return None
        access_token, application, credential, organization, service_user = _instances(_BEARER_LAYOUT, rows[0])
        if access_token.is_expired() or credential is None or not credential.is_live():
            return None
        _link_client(application, credential, organization)
        credential.service_user = service_user
        credential.role_permissions = frozenset(p for row in rows for p in (row[-1] or ()))
        access_token.application = application
        return access_token

    def validate_bearer_token(self, token, scopes, request):
        if not super().validate_bearer_token(token, scopes, request):
            return False
        credential = getattr(request.access_token.application, "service_credential", None)
        if credential is None or not credential.is_live():
            request.oauth2_error = {"error": "invalid_token", "error_description": "The access token is invalid."}
            return False
        return True
