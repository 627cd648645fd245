"""Mia-Platform's documented root service account API, for pipelines written against it.

`POST /api/service-accounts` `{"name", "permissions", "tokenEndpointAuthMethod", "publicKey"?}`
answers `{"clientId", "clientSecret", "clientIdIssuedAt"}` (no `clientSecret` for
`private_key_jwt`, as Mia-Platform's own registration answers), and
`DELETE /api/service-accounts/{clientId}` deletes. Both act on root credentials through the same
services as `root/service-credentials/`, for a superuser or a token holding
`root_service_credentials:write`; Mia-Platform's `Client-key` header is accepted and ignored.
Errors keep the API's JSON shape, naming Mia-Platform's fields. (`/api/m2m/oauth/token` is
`/o/token/` itself: see config/urls.py.)
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from identity.errors import DomainError
from identity.models import ServiceCredential
from identity.services import root_credentials as services

from .platform import PlatformAPIView

# Our names for the fields a service may name in an error, in Mia-Platform's words.
MIA_FIELD_NAMES = {
    "token_endpoint_auth_method": "tokenEndpointAuthMethod",
    "public_key": "publicKey",
    "jwks": "publicKey",
}


class PermissionList(serializers.ListField):
    """A JSON list of permissions; Mia-Platform's page also speaks of them "separated by a
    comma", so one comma-separated string is read as that list."""

    child = serializers.CharField(max_length=100)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = [part.strip() for part in data.split(",") if part.strip()]
        return super().to_internal_value(data)


class ServiceAccountInput(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    permissions = PermissionList(max_length=50)
    tokenEndpointAuthMethod = serializers.ChoiceField(  # noqa: N815 (Mia-Platform's field name)
        choices=ServiceCredential.AuthMethod.values, default=ServiceCredential.AuthMethod.CLIENT_SECRET_BASIC
    )
    # A PEM public key, or one JWK object (as Mia-Platform's client-credentials service takes it).
    publicKey = serializers.JSONField(required=False, default=None)  # noqa: N815


SERVICE_ACCOUNT_KEYS = inline_serializer(
    "ServiceAccountKeys",
    {
        "clientId": serializers.CharField(),
        "clientSecret": serializers.CharField(required=False),
        "clientIdIssuedAt": serializers.IntegerField(),
    },
)


def _public_key_arguments(public_key):
    if public_key is None:
        return {}
    if isinstance(public_key, dict):
        return {"jwks": public_key if "keys" in public_key else {"keys": [public_key]}}
    if isinstance(public_key, str):
        return {"public_key": public_key}
    return {"jwks": public_key}  # neither: the service refuses it, naming the field


def in_mia_words(error):
    """The same domain error, its fields named as Mia-Platform names them."""
    renamed = {MIA_FIELD_NAMES.get(field, field): messages for field, messages in error.field_errors.items()}
    message = error.message
    for ours, theirs in MIA_FIELD_NAMES.items():
        if message.startswith(f"{ours}:"):
            message = theirs + message[len(ours):]
    return type(error)(message, field_errors=renamed)


class ServiceAccountListView(PlatformAPIView):
    """`POST /api/service-accounts`."""

    permission_kind = "root_service_credentials"
    serializer_class = ServiceAccountInput

    @extend_schema(
        operation_id="seed_service_accounts_create", request=ServiceAccountInput, responses={201: SERVICE_ACCOUNT_KEYS}
    )
    def post(self, request, *args, **kwargs):
        serializer = ServiceAccountInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            credential, client_secret = services.root_credential_create(
                actor=self.principal,
                name=data["name"],
                permissions=data["permissions"],
                token_endpoint_auth_method=data["tokenEndpointAuthMethod"],
                **_public_key_arguments(data["publicKey"]),
            )
        except DomainError as error:
            raise in_mia_words(error) from error
        body = {"clientId": credential.client_id}
        if client_secret is not None:
            body["clientSecret"] = client_secret
        body["clientIdIssuedAt"] = int(credential.application.created.timestamp())
        response = Response(body, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class ServiceAccountDetailView(PlatformAPIView):
    """`DELETE /api/service-accounts/{clientId}`."""

    permission_kind = "root_service_credentials"
    serializer_class = ServiceAccountInput

    @extend_schema(operation_id="seed_service_accounts_delete", request=None, responses={204: None})
    def delete(self, request, *args, **kwargs):
        credential = services.root_credential_by_reference(kwargs["client_id"])
        services.root_credential_delete(actor=self.principal, credential=credential)
        return Response(status=status.HTTP_204_NO_CONTENT)
