"""`/api/v1/root/service-credentials/`: root credentials, by a superuser or a root token.

Reading needs ``root_service_credentials:read``, creating and deleting ``:write`` (``PlatformAPIView``:
everyone acting inside an organization gets 404). A credential is named by its id or client id.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from identity import selectors
from identity.models import ServiceCredential
from identity.models.credentials import TOKEN_LIFETIMES, VALIDITY_DAYS
from identity.services import root_credentials as services

from .platform import PlatformAPIView
from .service_credentials import SECRET_RESPONSE, OutputSerializer, keys_response

# What only an organization's credential has: refused by name rather than silently dropped.
ORGANIZATION_ONLY_FIELDS = ("groups", "resource_grants", "bound_resource")


class RootInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    permissions = serializers.ListField(child=serializers.CharField(max_length=100), max_length=50)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    validity = serializers.ChoiceField(choices=list(VALIDITY_DAYS), default="90d")
    token_lifetime = serializers.ChoiceField(choices=list(TOKEN_LIFETIMES), default="1h")
    token_endpoint_auth_method = serializers.ChoiceField(
        choices=ServiceCredential.AuthMethod.values, default=ServiceCredential.AuthMethod.CLIENT_SECRET_BASIC
    )
    jwks = serializers.JSONField(required=False, default=None)
    public_key = serializers.CharField(required=False, max_length=20000, default=None)


class RootOutputSerializer(OutputSerializer):
    permissions = serializers.ListField(source="platform_permissions", child=serializers.CharField())

    class Meta(OutputSerializer.Meta):
        fields = [f for f in OutputSerializer.Meta.fields if f not in ("groups", "bound_resource")] + ["permissions"]


class RootDetailSerializer(RootOutputSerializer):
    jwks = serializers.JSONField()

    class Meta(RootOutputSerializer.Meta):
        fields = RootOutputSerializer.Meta.fields + ["jwks"]


class RootServiceCredentialListView(PlatformAPIView):
    permission_kind = "root_service_credentials"
    serializer_class = RootOutputSerializer

    @extend_schema(operation_id="root_service_credentials_list", responses=RootOutputSerializer(many=True))
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(selectors.root_service_credential_list(principal=self.principal))
        return self.get_paginated_response(RootOutputSerializer(page, many=True).data)

    @extend_schema(request=RootInputSerializer, responses={201: SECRET_RESPONSE})
    def post(self, request, *args, **kwargs):
        if isinstance(request.data, dict):
            refused = [field for field in ORGANIZATION_ONLY_FIELDS if field in request.data]
            if refused:
                message = "Root credentials hold platform permissions, not groups, grants or a product."
                raise ValidationError({field: [message] for field in refused})
        serializer = RootInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credential, client_secret = services.root_credential_create(actor=self.principal, **serializer.validated_data)
        response = keys_response(request, credential, client_secret, status.HTTP_201_CREATED)
        response.data.update(RootDetailSerializer(credential).data)
        for field in ("groups", "bound_resource", "resource_grants"):
            response.data.pop(field, None)
        return response


class RootServiceCredentialDetailView(PlatformAPIView):
    """`root/service-credentials/{id or client_id}/`."""

    permission_kind = "root_service_credentials"
    serializer_class = RootDetailSerializer

    def get_credential(self):
        return services.root_credential_by_reference(self.kwargs["reference"])

    def get(self, request, *args, **kwargs):
        return Response(RootDetailSerializer(self.get_credential()).data)

    def delete(self, request, *args, **kwargs):
        services.root_credential_delete(actor=self.principal, credential=self.get_credential())
        return Response(status=status.HTTP_204_NO_CONTENT)

