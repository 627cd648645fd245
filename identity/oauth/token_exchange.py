"""RFC 8693 token exchange: a platform's OIDC token in, an access token of a credential out.

oauthlib dispatches a token request by ``grant_type`` through its ``TokenEndpoint.grant_types``;
``PortcullisServer`` is oauthlib's pre-configured server with one more entry there, installed
through django-oauth-toolkit's ``OAUTH2_SERVER_CLASS`` setting, so its token view, the token's
lifetime, storage and the validator's checks at save time (the credential locked and still
live) stay exactly as for the client-credentials grant.

The request names the credential by ``client_id``; the ``subject_token`` is its only proof,
checked against the credential's federated trusts (``identity.oauth.federation``) behind the
client-authentication throttle. Every refusal of the token is the same ``invalid_grant``.
"""

from functools import partial

from oauthlib.oauth2 import Server
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.grant_types.client_credentials import ClientCredentialsGrant

from identity.client_address import client_address
from identity.oauth import throttle
from identity.oauth.validator import behind_throttle

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
SUBJECT_TOKEN_TYPES = ("urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token")
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
_SINGLE_PARAMETERS = ("grant_type", "scope", "client_id", "subject_token", "subject_token_type", "requested_token_type")
# RFC 8693 parameters that ask for something this server does not do (delegation, a chosen audience).
_UNSUPPORTED_PARAMETERS = ("actor_token", "actor_token_type", "audience")
_CLIENT_PROOFS = ("client_secret", "client_assertion", "client_assertion_type")


class InvalidSubjectToken(errors.InvalidGrantError):
    # One fixed answer for every way a subject token fails: nothing tells a caller which rule.
    description = "The subject token is not accepted for this client."


class TokenExchangeGrant(ClientCredentialsGrant):
    """The client-credentials grant's token response, with the subject token as the proof."""

    def validate_token_request(self, request):
        for validator in self.custom_validators.pre_token:
            validator(request)
        if request.grant_type != TOKEN_EXCHANGE:
            raise errors.UnsupportedGrantTypeError(request=request)
        duplicated = [name for name in _SINGLE_PARAMETERS if name in request.duplicate_params]
        if duplicated:
            raise errors.InvalidRequestError(description=f"Duplicate {duplicated[0]} parameter.", request=request)
        given = {name for name, _value in (request.decoded_body or ())}
        unsupported = [name for name in _UNSUPPORTED_PARAMETERS if name in given]
        if unsupported:
            raise errors.InvalidRequestError(description=f"{unsupported[0]} is not supported.", request=request)
        if any(name in given for name in _CLIENT_PROOFS) or request.headers.get("HTTP_AUTHORIZATION"):
            raise errors.InvalidRequestError(
                description="The subject token authenticates the client: send no client secret or assertion.",
                request=request,
            )
        # oauthlib knows none of RFC 8693's parameters: they are attributes only when sent.
        subject_token = getattr(request, "subject_token", None)
        if getattr(request, "subject_token_type", None) not in SUBJECT_TOKEN_TYPES:
            raise errors.InvalidRequestError(
                description=f"subject_token_type must be one of: {', '.join(SUBJECT_TOKEN_TYPES)}.", request=request
            )
        if getattr(request, "requested_token_type", None) not in (None, ACCESS_TOKEN_TYPE):
            raise errors.InvalidRequestError(description=f"requested_token_type can only be {ACCESS_TOKEN_TYPE}.", request=request)
        if not subject_token:
            raise errors.InvalidRequestError(description="subject_token is missing.", request=request)
        if not isinstance(request.client_id, str) or not request.client_id:
            raise errors.InvalidRequestError(description="client_id is missing.", request=request)
        parts = (client_address(request.headers), request.client_id)
        authenticate = partial(self.request_validator.authenticate_federated, request, request.client_id, subject_token)
        if not behind_throttle(throttle.CLIENT_AUTHENTICATION, parts, authenticate, request):
            raise InvalidSubjectToken(request=request)
        self.validate_scopes(request)
        for validator in self.custom_validators.post_token:
            validator(request)


def _issued_token_type(token):
    token["issued_token_type"] = ACCESS_TOKEN_TYPE
    return token


class PortcullisServer(Server):
    """oauthlib's server, with token exchange among its grant types."""

    def __init__(self, request_validator, *args, **kwargs):
        super().__init__(request_validator, *args, **kwargs)
        exchange = TokenExchangeGrant(request_validator)
        exchange.register_token_modifier(_issued_token_type)
        self._grant_types = {**self._grant_types, TOKEN_EXCHANGE: exchange}
