"""`/api/v1/orgs/{org}/role-bindings/`: who holds which role or permissions, where.

Reading needs ``roles:read``. Creating and deleting are the service's to decide: it asks for the
subject kind's write permission at the binding's place and refuses to give more than the caller
holds there, so a project admin manages bindings on their project without any organization-wide
permission.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from identity.authorization import may
from identity.models import RoleBinding
from identity.models.bindings import SUBJECT_KINDS
from identity.services.role_bindings import role_binding_create, role_binding_delete, role_binding_list, subject_name
from identity.services.validation import MAX_ID

from .directory import StrictCharField, validated
from .principal import principal_for_request

READ_PERMISSION = "roles:read"
ORGANIZATION_WIDE = "null"


class RoleBindingInput(serializers.Serializer):
    subject_kind = serializers.ChoiceField(choices=SUBJECT_KINDS)
    subject_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    role = StrictCharField(max_length=100, required=False, allow_null=True, default=None, help_text="A role's name.")
    permissions = serializers.ListField(
        child=StrictCharField(max_length=100), max_length=500, required=False, default=list
    )
    resource = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, allow_null=True, help_text="A resource's id, or null for the whole organization."
    )


class RoleBindingOutput(serializers.ModelSerializer):
    subject_kind = serializers.CharField(read_only=True)
    subject_id = serializers.IntegerField(read_only=True)
    subject_name = serializers.SerializerMethodField()
    role = serializers.SlugRelatedField(slug_field="name", read_only=True)
    resource = serializers.PrimaryKeyRelatedField(read_only=True)
    resource_name = serializers.SerializerMethodField(help_text='"<kind>/<name>", or null for the organization.')

    class Meta:
        model = RoleBinding
        fields = [
            "id", "subject_kind", "subject_id", "subject_name", "role", "permissions", "resource", "resource_name",
            "created_at",
        ]

    def get_subject_name(self, binding) -> str:
        return subject_name(getattr(binding, binding.subject_kind))

    def get_resource_name(self, binding) -> str | None:
        return str(binding.resource) if binding.resource_id is not None else None


class ResourceFilter(serializers.CharField):
    """A resource id, or ``null`` for the bindings on the whole organization."""

    default_error_messages = {"invalid": f"Give a resource id, or {ORGANIZATION_WIDE} for the organization."}

    def to_internal_value(self, data):
        data = super().to_internal_value(data)
        if data == ORGANIZATION_WIDE:
            return data
        if len(data) > 20 or not data.isascii() or not data.isdigit() or not 1 <= int(data) <= MAX_ID:
            self.fail("invalid")
        return int(data)


class RoleBindingFilters(serializers.Serializer):
    subject_kind = serializers.ChoiceField(choices=SUBJECT_KINDS, required=False)
    subject_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    resource = ResourceFilter(required=False)

    def validate(self, data):
        if "subject_id" in data and "subject_kind" not in data:
            raise serializers.ValidationError({"subject_kind": ["Give the subject's kind with its id."]})
        return data


class RoleBindingView(generics.GenericAPIView):
    """Sets ``self.organization`` and ``self.principal`` (404 outside it); reading needs roles:read."""

    serializer_class = RoleBindingOutput

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.principal = principal_for_request(request, kwargs["org"])
        self.organization = self.principal.organization
        if request.method in SAFE_METHODS and not may(self.principal, READ_PERMISSION):
            raise PermissionDenied(f"You need the {READ_PERMISSION} permission.")


class RoleBindingListView(RoleBindingView):
    @extend_schema(parameters=[RoleBindingFilters], responses=RoleBindingOutput(many=True))
    def get(self, request, *args, **kwargs):
        filters = validated(RoleBindingFilters, request.query_params)
        resource = filters.get("resource")
        queryset = role_binding_list(
            organization=self.organization,
            subject_kind=filters.get("subject_kind", ""),
            subject_id=filters.get("subject_id"),
            resource=None if resource == ORGANIZATION_WIDE else resource,
            organization_wide=resource == ORGANIZATION_WIDE,
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(RoleBindingOutput(page, many=True).data)

    @extend_schema(request=RoleBindingInput, responses={201: RoleBindingOutput})
    def post(self, request, *args, **kwargs):
        data = validated(RoleBindingInput, request.data)
        binding = role_binding_create(organization=self.organization, actor=self.principal, **data)
        body = RoleBindingOutput(role_binding_list(organization=self.organization).get(pk=binding.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class RoleBindingDetailView(RoleBindingView):
    def get_object(self):
        return get_object_or_404(role_binding_list(organization=self.organization), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        return Response(RoleBindingOutput(self.get_object()).data)

    def delete(self, request, *args, **kwargs):
        role_binding_delete(binding=self.get_object(), actor=self.principal)
        return Response(status=status.HTTP_204_NO_CONTENT)
