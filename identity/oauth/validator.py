"""Our django-oauth-toolkit validator: service credentials, `private_key_jwt`, scopes, liveness.

Only the hooks django-oauth-toolkit documents for this are overridden:
- ``_load_application``: a client is loaded with its credential, and one that is disabled,
  revoked or expired is simply not a client;
- ``authenticate_client``: exactly one authentication method per request (RFC 6749 §2.3), the
  failure throttle keyed on the client id being authenticated, and `private_key_jwt` (RFC 7523);
- ``get_default_scopes`` / ``validate_scopes``: the scope is the credential's permissions,
  narrowed by a requested scope, never widened;
- ``save_bearer_token``: its transaction commits without waiting for the disk
  (``identity.oauth.durability``);
- ``_save_bearer_token``: a token is saved only if, with the credential row locked, the
  credential and the client key that authenticated are still live, so a grant racing a revoke,
  a regeneration or a retirement never outlives them;
- ``_load_access_token``: the one bearer-token loader (the API, introspection and DOT's own
  ``validate_bearer_token``), which only knows tokens whose credential and client key are live
  right now.

A credential may hold two client keys during a rotation (``ClientKey``, one Application each):
both lookups join through the client key, so a key past its grace period or retired, and every
token it issued, is refused at the next request even before the expiry task has marked it.
"""

import base64
import binascii
import hashlib
import logging
from functools import partial
from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import connection, router
from oauth2_provider.models import AccessToken, Application
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2.rfc6749 import errors

from identity.client_address import client_address
from identity import clock, sql_rows
from identity.models import ClientKey, Organization, ServiceCredential
from identity.oauth import client_assertions, durability, federated_clients, issuer, throttle
from identity.oauth.scopes import credential_scopes

logger = logging.getLogger(__name__)

MAX_CLIENT_ID_LENGTH = 100
# Checked against a wrong secret when the client id is unknown, so that both cost the same.
_UNKNOWN_CLIENT_DIGEST = "portcullis_hmac_sha256$unknownclient00$" + "0" * 64
# Parameters that name a client or carry its proof: a second copy of one is a malformed request.
_SINGLE_PARAMETERS = ("client_id", "client_secret", "client_assertion", "client_assertion_type")


class _RetryLater(errors.OAuth2Error):
    """An OAuth2 error the client should retry after ``retry_after`` seconds."""

    retry_after = None

    @property
    def headers(self):
        return {"Retry-After": str(self.retry_after)}


class TooManyAttempts(_RetryLater):
    error = "slow_down"
    description = "Too many failed attempts. Try again later."
    status_code = 429
    retry_after = throttle.Throttled.retry_after


class TemporarilyUnavailable(_RetryLater):
    error = "temporarily_unavailable"
    description = "Client authentication is unavailable for a moment. Try again shortly."
    status_code = 503
    retry_after = throttle.ThrottleUnavailable.retry_after


def behind_throttle(family, parts, authenticate, request=None):
    """``throttle.guarded`` with its refusals as OAuth2 errors (429 or 503, with Retry-After)."""
    try:
        return throttle.guarded(family, parts, authenticate)
    except throttle.Throttled as error:
        raise TooManyAttempts(request=request) from error
    except throttle.ThrottleUnavailable as error:
        raise TemporarilyUnavailable(request=request) from error


def _basic_credentials(request):
    """``(client_id, client_secret)`` from an HTTP Basic header (RFC 6749 §2.3.1), ``("", None)``
    for an unreadable one, None when there is none."""
    scheme, _, value = (request.headers.get("HTTP_AUTHORIZATION") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return "", None
    client_id, separator, secret = decoded.partition(":")
    return unquote_plus(client_id), unquote_plus(secret) if separator else None


class PortcullisOAuth2Validator(federated_clients.FederatedClientsMixin, OAuth2Validator):
    def _load_application(self, client_id, request):
        client = request.client
        if isinstance(client, Application) and client.client_id == client_id:
            return client
        request.client = None
        if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID_LENGTH or "\x00" in client_id:
            return None
        client = _client_with_live_credential(client_id)
        if client is None:
            return None
        request.client = client
        return client

    def authenticate_client(self, request, *args, **kwargs):
        """One method per request: Basic, a secret in the body, or an assertion (never two), for
        the one client id it names, behind the failure throttle."""
        duplicated = [name for name in _SINGLE_PARAMETERS if name in request.duplicate_params]
        if duplicated:
            raise errors.InvalidRequestError(description=f"Duplicate {duplicated[0]} parameter.", request=request)
        basic = _basic_credentials(request)
        # oauthlib knows no assertion parameters: they are only there when a client sent them.
        assertion_type = getattr(request, "client_assertion_type", None)
        assertion_value = getattr(request, "client_assertion", None)
        assertion = assertion_type is not None or assertion_value is not None
        if assertion and (basic is not None or request.client_secret is not None):
            raise errors.InvalidRequestError(
                description="Use one client authentication method: an assertion, or a client secret.", request=request
            )
        if basic is not None and request.client_secret is not None:
            raise errors.InvalidRequestError(
                description="Use one client authentication method: HTTP Basic, or client_secret in the body.",
                request=request,
            )
        if assertion and request.client_id and federated_clients.is_federated_assertion(assertion_value, request.client_id):
            # A platform's OIDC token: its iss is the platform, and the client names itself.
            client_id = request.client_id
        elif assertion:
            client_id = client_assertions.unverified_issuer(assertion_value) or ""
        elif basic is not None:
            client_id = basic[0]
        else:
            client_id = request.client_id or ""
        if request.client_id and request.client_id != client_id:
            raise errors.InvalidRequestError(description="client_id names another client.", request=request)

        if assertion:
            authenticate = partial(self._authenticate_assertion, request, client_id, assertion_type, assertion_value)
        else:
            secret = basic[1] if basic is not None else request.client_secret
            authenticate = partial(self._authenticate_secret, request, client_id, secret)
        parts = (client_address(request.headers), client_id)
        return behind_throttle(throttle.CLIENT_AUTHENTICATION, parts, authenticate, request)

    def _authenticate_secret(self, request, client_id, secret):
        client = self._load_application(client_id, request)
        if client is None or client.service_credential.auth_method == ServiceCredential.AuthMethod.PRIVATE_KEY_JWT:
            check_password(secret or "", _UNKNOWN_CLIENT_DIGEST)
            return False
        return secret is not None and self._check_secret(secret, client.client_secret)

    def _authenticate_assertion(self, request, client_id, assertion_type, assertion_value):
        if assertion_type != client_assertions.ASSERTION_TYPE:
            return False
        client = self._load_application(client_id, request)
        if client is None:
            return False
        if federated_clients.is_federated_assertion(assertion_value, client_id):
            return self.authenticate_federated(request, client_id, assertion_value)
        credential = client.service_credential
        if credential.auth_method != ServiceCredential.AuthMethod.PRIVATE_KEY_JWT:
            return False
        try:
            claims = client_assertions.verify_client_assertion(
                assertion=assertion_value,
                client_id=client_id,
                jwks=federated_clients.private_key_jwt_keys(credential, assertion_value),
                audiences=issuer.token_endpoint_audiences(issuer.http_request_of(request)),
            )
            client_assertions.remember_jti(claims, client)
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
        if client is not request.client:
            return False
        if not request.scope:
            # No scope asked for: oauthlib took ours from get_default_scopes a moment ago.
            return True
        return set(scopes) <= credential_scopes(client.service_credential)

    def save_bearer_token(self, token, request, *args, **kwargs):
        # django-oauth-toolkit's place for the transaction around ``_save_bearer_token``: ours
        # commits without waiting for the disk (a token lost in a crash is asked for again).
        with durability.atomic_that_a_crash_may_lose(using=router.db_for_write(AccessToken)):
            return self._save_bearer_token(token, request, *args, **kwargs)

    def _save_bearer_token(self, token, request, *args, **kwargs):
        # save_bearer_token already opened a transaction: lock the credential for its duration.
        authenticated = request.client.service_credential
        now = clock.now()
        locked = connection.features.has_select_for_update  # SQLite: BEGIN IMMEDIATE locked already
        with connection.cursor() as cursor:
            cursor.execute(
                CREDENTIAL_FOR_UPDATE if locked else CREDENTIAL_FOR_GRANT,
                {"credential": authenticated.pk, "application": request.client.pk},
            )
            row = cursor.fetchone()
        credential = key = None
        if row is not None:
            # The rows as they stand now, on the instances this request authenticated.
            credential, key = authenticated, request.client.client_key
            status, expires_at, last_used_at, key_expires_at, key_retired_at, key_last_used_at = row
            credential.status, credential.expires_at = status, sql_rows.aware(expires_at)
            credential.last_used_at = sql_rows.aware(last_used_at)
            key.expires_at, key.retired_at = sql_rows.aware(key_expires_at), sql_rows.aware(key_retired_at)
            key.last_used_at = sql_rows.aware(key_last_used_at)
        if credential is None or not credential.is_live(now) or not key.is_live(now):
            # Deleted, revoked, disabled, or its key retired while this grant was in flight: never store the token.
            logger.info("Token grant for %s dropped: the credential changed during the request", authenticated.pk)
            raise errors.InvalidClientError(request=request)
        # At most once a minute, as for service tokens: busy clients do not write the row on every grant.
        interval = settings.PORTCULLIS_TOKEN_LAST_USED_INTERVAL
        if credential.last_used_at is None or now - credential.last_used_at >= interval:
            ServiceCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
        # Per key too: the credential's page warns while an old key is still used near its end.
        if key.last_used_at is None or now - key.last_used_at >= interval:
            ClientKey.objects.filter(pk=key.pk).update(last_used_at=now)
        if not request.scope:
            # No scope asked for: the token follows the credential's bindings as they change (a
            # role widened after the grant counts at the next request), so none is stored to cap it.
            # The response still lists what the credential holds now.
            token = dict(token, scope="")
        super()._save_bearer_token(token, request, *args, **kwargs)

    def _load_access_token(self, token):
        """The access token with its client, credential and organization (one query), or None
        when it is unknown, its client key has ended or its credential is not live.

        The credential's service user is not read: it loads on first use (an audited write), as
        ``credential.service_user`` always does; a read-only call never needs it."""
        checksum = hashlib.sha256(token.encode("utf-8")).hexdigest()
        now = clock.now()
        with connection.cursor() as cursor:
            # As the ORM would send it (SQLite compares naive UTC text).
            cursor.execute(
                ACCESS_TOKEN_BY_CHECKSUM, {"checksum": checksum, "now": connection.ops.adapt_datetimefield_value(now)}
            )
            row = cursor.fetchone()
        if row is None:
            return None
        (access_token, client, credential, organization), _ = sql_rows.instances(
            row, AccessToken, Application, ServiceCredential, Organization
        )
        if not credential.is_live(now):
            return None
        _link(client, credential, organization)
        access_token.application = client
        return access_token


_APPLICATION = Application._meta.db_table
_CREDENTIAL = ServiceCredential._meta.db_table
_CLIENT_KEY = ClientKey._meta.db_table
_ORGANIZATION = Organization._meta.db_table

# The hot lookups, as plain SQL (a queryset's compilation cost more than running it); the rows
# are read back by ``identity.sql_rows``. A root credential has no organization: LEFT JOIN. The
# credential is reached through the client key (any of its live keys), never its ``application``.
CLIENT_BY_CLIENT_ID = (
    f"SELECT {sql_rows.select_list(Application, 'a')}, {sql_rows.select_list(ServiceCredential, 'c')},"
    f" {sql_rows.select_list(Organization, 'o')}, {sql_rows.select_list(ClientKey, 'k')}"
    f" FROM {_APPLICATION} a JOIN {_CLIENT_KEY} k ON k.application_id = a.id"
    f" JOIN {_CREDENTIAL} c ON c.id = k.credential_id"
    f" LEFT JOIN {_ORGANIZATION} o ON o.id = c.organization_id"
    " WHERE a.client_id = %(client_id)s"
)
# The token with its client, credential and organization, when the client key that issued it is
# live (the same test as ``ClientKey.is_live``, here in SQL: the key's columns are not needed). The
# credential's role bindings are read by their own narrow query when the request's principal is
# built (``identity.holdings``): folded into this statement with UNION ALL, each binding row carried
# the token's columns as NULLs, and fifty bindings cost more to fetch than a second statement.
ACCESS_TOKEN_BY_CHECKSUM = (
    f"SELECT {sql_rows.select_list(AccessToken, 't')}, {sql_rows.select_list(Application, 'a')},"
    f" {sql_rows.select_list(ServiceCredential, 'c')}, {sql_rows.select_list(Organization, 'o')}"
    f" FROM {AccessToken._meta.db_table} t JOIN {_APPLICATION} a ON a.id = t.application_id"
    f" JOIN {_CLIENT_KEY} k ON k.application_id = a.id JOIN {_CREDENTIAL} c ON c.id = k.credential_id"
    f" LEFT JOIN {_ORGANIZATION} o ON o.id = c.organization_id"
    " WHERE t.token_checksum = %(checksum)s"
    " AND k.retired_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > %(now)s)"
)

# What a grant checks again, the credential row locked until the token is stored (every change to
# its keys locks it first).
CREDENTIAL_FOR_GRANT = (
    "SELECT c.status, c.expires_at, c.last_used_at, k.expires_at, k.retired_at, k.last_used_at"
    f" FROM {_CREDENTIAL} c JOIN {_CLIENT_KEY} k ON k.credential_id = c.id WHERE c.id = %(credential)s AND k.application_id = %(application)s"
)
CREDENTIAL_FOR_UPDATE = CREDENTIAL_FOR_GRANT + " FOR UPDATE OF c"


def _link(client, credential, organization):
    """Tie the instances of one row together as ``select_related`` would have. ``client`` is the
    key that authenticated, which during a rotation may be an older one than ``credential.application``."""
    credential.organization = organization
    if credential.application_id == client.pk:
        credential.application = client
    client.service_credential = credential


def _client_with_live_credential(client_id):
    """The client with its credential and organization, if its credential is live right now."""
    with connection.cursor() as cursor:
        cursor.execute(CLIENT_BY_CLIENT_ID, {"client_id": client_id})
        row = cursor.fetchone()
    if row is None:
        return None
    (client, credential, organization, key), _ = sql_rows.instances(
        row, Application, ServiceCredential, Organization, ClientKey
    )
    now = clock.now()
    if not credential.is_live(now) or not key.is_live(now):
        return None
    _link(client, credential, organization)
    key.application, key.credential = client, credential
    client.client_key = key
    return client


def live_access_token(token):
    """The unexpired access token of a live credential, or None."""
    if not isinstance(token, str) or not 0 < len(token) <= 512 or "\x00" in token:
        return None
    access_token = PortcullisOAuth2Validator()._load_access_token(token)
    return access_token if access_token is not None and not access_token.is_expired() else None
