"""`/api/v1/orgs/{org}/secrets/`: thin views over ``secrets_vault.selectors`` and ``services``.

Organization secrets need ``secrets:read`` / ``secrets:write``; personal secrets belong to their
owner, any member. So the permission is checked by the selectors and services, per secret,
not up front by the mixin. Errors: 400 field errors (``value.<field>`` inside the value), 403,
404 (other organizations, others' personal secrets, deleted secrets), 409 (a name taken,
reading a deactivated secret), 503 (no encryption key configured).
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from identity.api.principal import principal_for_request
from identity.services.validation import query_text

from .. import selectors, services
from .serializers import SecretInputSerializer, SecretSerializer, SecretUpdateSerializer, SecretUsageSerializer, SecretValueSerializer

TAG = ["secrets"]
NO_STORE = "no-store"


class SecretScopedView(generics.GenericAPIView):
    """Finds the organization and principal (404 outside it); permissions are per secret."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.principal = principal_for_request(request, kwargs["org"])
        self.organization = self.principal.organization

    def get_secret(self, permission=selectors.READ):
        return selectors.secret_get(principal=self.principal, secret_id=self.kwargs["pk"], permission=permission)

    def output(self, secret, status_code=status.HTTP_200_OK):
        return Response(SecretSerializer(secret).data, status=status_code)


LIST_FILTERS = [
    OpenApiParameter("type", OpenApiTypes.STR, enum=["api_key", "bearer_token", "client_credentials", "certificate", "key_value"]),
    OpenApiParameter("status", OpenApiTypes.STR, enum=["active", "inactive", "expiring_soon", "expired"]),
    OpenApiParameter("search", OpenApiTypes.STR, description="Part of the name."),
    OpenApiParameter("personal", OpenApiTypes.BOOL, description="true: the caller's own personal secrets."),
]


class SecretListView(SecretScopedView):
    serializer_class = SecretSerializer

    @extend_schema(tags=TAG, parameters=LIST_FILTERS, responses=SecretSerializer(many=True))
    def get(self, request, org):
        params = request.query_params
        queryset = selectors.secret_list(
            principal=self.principal,
            personal=params.get("personal", "").lower() in ("1", "true", "yes"),
            type=query_text(params, "type"),
            status=query_text(params, "status"),
            search=query_text(params, "search"),
        )
        page = self.paginate_queryset(queryset)
        context = {"now": timezone.now()}
        return self.get_paginated_response(SecretSerializer(page, many=True, context=context).data)

    @extend_schema(tags=TAG, request=SecretInputSerializer, responses={201: SecretSerializer})
    def post(self, request, org):
        serializer = SecretInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        secret = services.secret_create(organization=self.organization, actor=self.principal, **serializer.validated_data)
        return self.output(secret, status.HTTP_201_CREATED)


class SecretDetailView(SecretScopedView):
    serializer_class = SecretSerializer

    @extend_schema(tags=TAG, responses=SecretSerializer)
    def get(self, request, org, pk):
        return self.output(self.get_secret())

    @extend_schema(tags=TAG, request=SecretUpdateSerializer, responses=SecretSerializer)
    def patch(self, request, org, pk):
        secret = self.get_secret(selectors.WRITE)
        serializer = SecretUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        secret = services.secret_update(secret=secret, actor=self.principal, **serializer.validated_data)
        return self.output(secret)

    @extend_schema(tags=TAG, responses={204: None})
    def delete(self, request, org, pk):
        services.secret_delete(secret=self.get_secret(selectors.WRITE), actor=self.principal)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SecretValueView(SecretScopedView):
    serializer_class = SecretValueSerializer

    @extend_schema(tags=TAG, responses=SecretValueSerializer, description="The decrypted payload; audited and recorded as a usage.")
    def get(self, request, org, pk):
        value = services.secret_read_value(secret=self.get_secret(), actor=self.principal)
        response = Response({"value": value})
        response["Cache-Control"] = NO_STORE
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = NO_STORE
        return response


class SecretStatusView(SecretScopedView):
    serializer_class = SecretSerializer
    operation = None

    @extend_schema(tags=TAG, request=None, responses=SecretSerializer)
    def post(self, request, org, pk):
        service = services.secret_deactivate if self.operation == "deactivate" else services.secret_activate
        return self.output(service(secret=self.get_secret(selectors.WRITE), actor=self.principal))


class SecretUsageListView(SecretScopedView):
    serializer_class = SecretUsageSerializer

    @extend_schema(tags=TAG, responses=SecretUsageSerializer(many=True))
    def get(self, request, org, pk):
        page = self.paginate_queryset(selectors.secret_usages(secret=self.get_secret()))
        return self.get_paginated_response(SecretUsageSerializer(page, many=True).data)
