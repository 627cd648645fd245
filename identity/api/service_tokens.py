"""`/api/v1/orgs/{org}/service-tokens/`: create (the token is in that response only), list, delete."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from identity import selectors, services
from identity.models import ServiceToken

from .base import OrganizationScopedAPIView
from .directory import StrictCharField, validated


class ServiceTokenInput(serializers.Serializer):
    name = StrictCharField(max_length=150)
    roles = serializers.ListField(child=StrictCharField(max_length=100), min_length=1, max_length=50)
    expires_in = StrictCharField(required=False, allow_null=True, max_length=16, default=None)


class ServiceTokenOutput(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ServiceToken
        fields = ["id", "name", "roles", "expires_at", "last_used_at", "created_by", "created_at"]

    def get_roles(self, subject) -> list[str]:
        """Its roles at the organization: its role bindings' roles, by name."""
        return [role.name for role in subject.organization_roles]


class ServiceTokenCreatedOutput(ServiceTokenOutput):
    """The creating response: the only one that ever holds the token."""

    token = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ServiceTokenOutput.Meta):
        fields = [*ServiceTokenOutput.Meta.fields, "token"]


class ServiceTokenListView(OrganizationScopedAPIView):
    permission_kind = "service_tokens"
    serializer_class = ServiceTokenOutput

    def get_queryset(self):
        return selectors.service_token_list(principal=self.principal)

    @extend_schema(responses=ServiceTokenOutput(many=True))
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ServiceTokenOutput(page, many=True).data)

    @extend_schema(request=ServiceTokenInput, responses={201: ServiceTokenCreatedOutput})
    def post(self, request, *args, **kwargs):
        data = validated(ServiceTokenInput, request.data)
        service_token, plaintext = services.service_token_create(
            organization=self.organization, actor=self.principal, **data
        )
        body = ServiceTokenOutput(self.get_queryset().get(pk=service_token.pk)).data
        body["token"] = plaintext
        response = Response(body, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class ServiceTokenDetailView(OrganizationScopedAPIView):
    permission_kind = "service_tokens"
    serializer_class = ServiceTokenOutput

    def get_object(self):
        return get_object_or_404(selectors.service_token_list(principal=self.principal), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        return Response(ServiceTokenOutput(self.get_object()).data)

    def delete(self, request, *args, **kwargs):
        services.service_token_delete(service_token=self.get_object(), actor=self.principal)
        return Response(status=status.HTTP_204_NO_CONTENT)
