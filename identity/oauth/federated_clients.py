"""The validator's side of keys it does not hold: federated trusts and a ``jwks_uri``.

``FederatedClientsMixin`` goes before django-oauth-toolkit's validator in
``PortcullisOAuth2Validator``: it authenticates a client by its platform's OIDC token (as a
``client_assertion`` or as RFC 8693's ``subject_token``). Its callers run it behind the same
failure throttle as every client authentication, keyed on the client id and the caller's
address (never the issuer, which many credentials may trust).
"""

import logging

from identity.oauth import client_assertions, federation, remote_keys

logger = logging.getLogger(__name__)


def is_federated_assertion(assertion, client_id):
    """A private_key_jwt assertion is issued by the client itself; anything else that names a
    client id beside it is a platform's token for that client."""
    return client_assertions.unverified_issuer(assertion) != client_id


def private_key_jwt_keys(credential, assertion):
    """The key set an assertion is checked against: the stored one, or the credential's
    ``jwks_uri`` (fetched again once when the assertion's ``kid`` is not in the cached set)."""
    if not credential.jwks_uri:
        return credential.jwks
    try:
        _parsed, header, _claims = federation.unverified_token(assertion)
        kid = header.get("kid") if isinstance(header.get("kid"), str) else None
        return remote_keys.jwks_uri_keys(credential.jwks_uri, kid=kid)
    except (federation.FederationRejected, remote_keys.RemoteKeysError) as error:
        raise client_assertions.AssertionRejected(f"keys unavailable: {error}") from error


class FederatedClientsMixin:
    def authenticate_federated(self, request, client_id, token):
        """Is ``token`` a platform's token that one of the client's federated trusts accepts (its
        jti remembered)? The caller runs this behind the failure throttle."""
        client = self._load_application(client_id, request)
        if client is None or not client.service_credential.federated_trusts:
            return False
        try:
            federation.accept(token, client, client.service_credential.federated_trusts)
        except federation.FederationRejected as error:
            logger.info("Federated token rejected for client %s: %s", client_id, error)
            return False
        request.client_id = client_id
        return True
