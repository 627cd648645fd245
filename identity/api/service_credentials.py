"""`/api/v1/orgs/{org}/service-credentials/` (root credentials: ``root_credentials``)."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from identity import selectors, services
from identity.credential_usage import token_url_for, usage_example
from identity.models import Resource, ServiceCredential
from identity.models.credentials import TOKEN_LIFETIMES, VALIDITY_DAYS
from identity.services.client_keys import GRACE_PERIODS, live_client_keys
from identity.services import credential_keys
from identity.services.credential_access import grants_view
from identity.services.validation import query_text

from .base import OrganizationScopedAPIView

KEY_FIELDS = ("jwks", "public_key", "jwks_uri")
EDITABLE_FIELDS = {"groups", "resource_grants", "federated_trusts", *KEY_FIELDS}


class GrantSerializer(serializers.Serializer):
    resource = serializers.IntegerField()
    permissions = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list)
    role = serializers.CharField(required=False, max_length=100)


class InputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    validity = serializers.ChoiceField(choices=list(VALIDITY_DAYS), default="90d")
    token_lifetime = serializers.ChoiceField(choices=list(TOKEN_LIFETIMES), default="1h")
    groups = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    resource_grants = GrantSerializer(many=True, required=False, default=list)
    bound_resource = serializers.IntegerField(required=False, allow_null=True, default=None)
    token_endpoint_auth_method = serializers.ChoiceField(
        choices=ServiceCredential.AuthMethod.values, default=ServiceCredential.AuthMethod.CLIENT_SECRET_BASIC
    )
    jwks = serializers.JSONField(required=False, default=None)
    public_key = serializers.CharField(required=False, max_length=20000, default=None)


class FederatedTrustSerializer(serializers.Serializer):
    issuer = serializers.CharField(max_length=500)
    audience = serializers.CharField(max_length=500)
    subject = serializers.CharField(max_length=500)
    claims = serializers.DictField(child=serializers.CharField(max_length=500), required=False, default=dict)


class UpdateSerializer(serializers.Serializer):
    groups = serializers.ListField(child=serializers.IntegerField(), required=False)
    resource_grants = GrantSerializer(many=True, required=False)
    jwks = serializers.JSONField(required=False)
    public_key = serializers.CharField(required=False, max_length=20000)
    jwks_uri = serializers.CharField(required=False, max_length=2000)
    federated_trusts = FederatedTrustSerializer(many=True, required=False, max_length=credential_keys.MAX_TRUSTS)


class OutputSerializer(serializers.ModelSerializer):
    client_id = serializers.CharField(source="application.client_id")
    realm = serializers.CharField()
    status = serializers.SerializerMethodField()
    token_endpoint_auth_method = serializers.CharField(source="auth_method")
    groups = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    live_tokens = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = ServiceCredential
        fields = [
            "id", "name", "description", "client_id", "realm", "validity", "expires_at", "token_lifetime",
            "status", "token_endpoint_auth_method", "groups", "bound_resource", "created_by", "created_at",
            "last_used_at", "live_tokens",
        ]

    def get_status(self, credential) -> str:
        return credential.effective_status

    def get_groups(self, credential) -> list[int]:
        return sorted(group.pk for group in credential.groups.all())


class ClientKeySerializer(serializers.Serializer):
    """A live client key: never its secret."""

    client_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)


class DetailSerializer(OutputSerializer):
    resource_grants = serializers.SerializerMethodField()
    jwks = serializers.JSONField()
    keys = serializers.SerializerMethodField()
    federated_trusts = serializers.JSONField()

    class Meta(OutputSerializer.Meta):
        fields = OutputSerializer.Meta.fields + ["resource_grants", "jwks", "keys", "jwks_uri", "federated_trusts"]

    @extend_schema_field(ClientKeySerializer(many=True))
    def get_keys(self, credential):
        return ClientKeySerializer(live_client_keys(credential), many=True).data

    def get_resource_grants(self, credential) -> list[dict]:
        return [
            {"resource": grant["resource"], "role": grant["role"], "permissions": grant["permissions"]}
            for grant in grants_view(credential)
        ]


SECRET_RESPONSE = inline_serializer(
    "ServiceCredentialKeys",
    {
        "id": serializers.IntegerField(),
        "client_id": serializers.CharField(),
        "client_secret": serializers.CharField(allow_null=True),
        "client_id_issued_at": serializers.IntegerField(),
        "realm": serializers.CharField(),
        "token_url": serializers.URLField(),
        "usage_example": serializers.CharField(),
    },
)


def keys_response(request, credential, client_secret, status_code):
    token_url = token_url_for(request)
    body = DetailSerializer(credential).data
    body.update(
        {
            "client_id": credential.client_id,
            "client_id_issued_at": int(credential.application.created.timestamp()),
            "realm": credential.realm,
            "token_url": token_url,
            "usage_example": usage_example(credential=credential, token_url=token_url, client_secret=client_secret),
        }
    )
    if client_secret is not None:
        body["client_secret"] = client_secret
    response = Response(body, status=status_code)
    response["Cache-Control"] = "no-store"
    return response


def _validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _bound_resource(organization, resource_id):
    if resource_id is None:
        return None
    resource = Resource.objects.filter(organization=organization, pk=resource_id).first()
    if resource is None:
        raise ValidationError({"bound_resource": ["No such resource."]})
    return resource


def _create(request, organization, principal):
    data = _validated(InputSerializer, request.data)
    data["bound_resource"] = _bound_resource(organization, data["bound_resource"])
    credential, client_secret = services.service_credential_create(organization=organization, actor=principal, **data)
    return keys_response(request, credential, client_secret, status.HTTP_201_CREATED)


class CredentialObjectMixin:
    def get_credential(self):
        return get_object_or_404(
            selectors.service_credential_list(principal=self.principal), pk=self.kwargs["pk"]
        )


class ServiceCredentialListView(OrganizationScopedAPIView):
    permission_kind = "service_credentials"
    serializer_class = OutputSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.service_credential_list(
            principal=self.principal, status=query_text(params, "status"), search=query_text(params, "search")
        )

    @extend_schema(operation_id="service_credentials_list", responses=OutputSerializer(many=True))
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(OutputSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: SECRET_RESPONSE})
    def post(self, request, *args, **kwargs):
        return _create(request, self.organization, self.principal)


class ServiceCredentialDetailView(CredentialObjectMixin, OrganizationScopedAPIView):
    permission_kind = "service_credentials"
    serializer_class = DetailSerializer

    def get(self, request, *args, **kwargs):
        return Response(DetailSerializer(self.get_credential()).data)

    @extend_schema(request=UpdateSerializer, responses={200: DetailSerializer})
    def patch(self, request, *args, **kwargs):
        credential = self.get_credential()
        if not isinstance(request.data, dict):
            raise ValidationError({"detail": "Send a JSON object."})
        refused = sorted(set(request.data) - EDITABLE_FIELDS)
        if refused:
            message = "Only groups, resource_grants, federated_trusts and the keys (jwks, public_key, jwks_uri) can be changed."
            raise ValidationError({field: [message] for field in refused})
        data = _validated(UpdateSerializer, request.data)
        keys = {name: data.pop(name) for name in KEY_FIELDS if name in data}
        trusts = data.pop("federated_trusts", None)
        # One change: a refused part leaves the others unsaved too.
        with transaction.atomic():
            if data or (not keys and trusts is None):
                services.service_credential_update(credential=credential, actor=self.principal, **data)
            if keys:
                credential_keys.service_credential_set_public_keys(credential=credential, actor=self.principal, **keys)
            if trusts is not None:
                credential_keys.service_credential_set_federated_trusts(
                    credential=credential, actor=self.principal, federated_trusts=[dict(trust) for trust in trusts]
                )
        return Response(DetailSerializer(self.get_credential()).data)

    def delete(self, request, *args, **kwargs):
        services.service_credential_delete(credential=self.get_credential(), actor=self.principal)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RevokeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)


class ServiceCredentialRevokeView(CredentialObjectMixin, OrganizationScopedAPIView):
    permission_kind = "service_credentials"
    serializer_class = RevokeSerializer

    @extend_schema(request=RevokeSerializer, responses={200: DetailSerializer})
    def post(self, request, *args, **kwargs):
        credential = self.get_credential()
        data = _validated(RevokeSerializer, request.data)
        credential = services.service_credential_revoke(
            credential=credential, actor=self.principal, confirm_name=data["name"]
        )
        return Response(DetailSerializer(credential).data)


class ServiceCredentialActionView(CredentialObjectMixin, OrganizationScopedAPIView):
    """`disable/` and `enable/`."""

    permission_kind = "service_credentials"
    action = None
    serializer_class = DetailSerializer

    @extend_schema(request=None, responses={200: DetailSerializer})
    def post(self, request, *args, **kwargs):
        operation = {"disable": services.service_credential_disable, "enable": services.service_credential_enable}
        operation[self.action](credential=self.get_credential(), actor=self.principal)
        return Response(DetailSerializer(self.get_credential()).data)


class RegenerateSerializer(serializers.Serializer):
    grace_period = serializers.ChoiceField(choices=list(GRACE_PERIODS), default="0")


class ServiceCredentialRegenerateView(CredentialObjectMixin, OrganizationScopedAPIView):
    permission_kind = "service_credentials"
    serializer_class = DetailSerializer

    @extend_schema(request=RegenerateSerializer, responses={200: SECRET_RESPONSE})
    def post(self, request, *args, **kwargs):
        credential = self.get_credential()
        data = _validated(RegenerateSerializer, request.data if request.data else {})
        credential, client_secret = services.service_credential_regenerate_secret(
            credential=credential, actor=self.principal, grace_period=data["grace_period"]
        )
        return keys_response(request, credential, client_secret, status.HTTP_200_OK)


class ServiceCredentialRetireKeyView(CredentialObjectMixin, OrganizationScopedAPIView):
    """`keys/{client_id}/retire/`: that client key stops working now, with its tokens."""

    permission_kind = "service_credentials"
    serializer_class = DetailSerializer

    @extend_schema(request=None, responses={200: DetailSerializer})
    def post(self, request, *args, **kwargs):
        credential = services.service_credential_retire_key(
            credential=self.get_credential(), actor=self.principal, client_id=self.kwargs["client_id"]
        )
        return Response(DetailSerializer(credential).data)

