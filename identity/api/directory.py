"""`me/` and the organization directory: groups, resources, roles, audit events (members: ``members``)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from identity import selectors, services
from identity.authorization_details import authorization_details
from identity.models import AuditEvent, Group, Resource, Role
from identity.services.validation import query_text

from .base import OrganizationScopedAPIView
from .principal import default_principal


class StrictCharField(serializers.CharField):
    """A string and only a string: DRF's CharField would quietly turn ``42`` or ``true`` into text."""

    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def validated(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# ---------------------------------------------------------------- me


class MeView(generics.GenericAPIView):
    """Who is calling: kind, name, organization, permissions held there organization-wide, and
    ``resource_permissions`` (on resources, in introspection's ``authorization_details`` shape)."""

    @extend_schema(
        parameters=[OpenApiParameter("org", str, description="For people in several organizations: which one.")],
        responses=inline_serializer(
            "Me",
            {
                "kind": serializers.ChoiceField(choices=["user", "service_credential", "service_token"]),
                "name": serializers.CharField(),
                "organization": serializers.CharField(allow_null=True),
                "permissions": serializers.ListField(child=serializers.CharField()),
                "resource_permissions": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request, *args, **kwargs):
        principal = default_principal(request)
        if principal is None:
            if request.query_params.get("org"):
                raise NotFound()
            return Response({"kind": "user", "name": request.user.get_username(), "organization": None,
                             "permissions": [], "resource_permissions": []})
        return Response(
            {
                "kind": principal.kind,
                "name": principal.name,
                "organization": principal.organization.slug if principal.organization else None,
                "permissions": sorted(principal.permissions),
                "resource_permissions": authorization_details(principal),
            }
        )


# ---------------------------------------------------------------- a tiny list/detail frame


class DirectoryListView(OrganizationScopedAPIView):
    """GET a paginated list, POST to create through ``create``."""

    input_serializer = None
    output_serializer = None

    def get_queryset(self):
        raise NotImplementedError

    def create(self, data):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.output_serializer(page, many=True).data)

    def post(self, request, *args, **kwargs):
        created = self.create(validated(self.input_serializer, request.data))
        return Response(self.output_serializer(self.reload(created)).data, status=status.HTTP_201_CREATED)

    def reload(self, obj):
        return self.get_queryset().get(pk=obj.pk)


class DirectoryDetailView(OrganizationScopedAPIView):
    """GET, PATCH through ``update`` and DELETE through ``remove``, found only in the caller's org."""

    input_serializer = None
    output_serializer = None

    def get_queryset(self):
        raise NotImplementedError

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        return Response(self.output_serializer(self.get_object()).data)

    def patch(self, request, *args, **kwargs):
        obj = self.get_object()
        data = validated(self.input_serializer, request.data, partial=True)
        self.update(obj, data)
        return Response(self.output_serializer(self.get_object()).data)

    def delete(self, request, *args, **kwargs):
        self.remove(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------- groups


class GroupInput(serializers.Serializer):
    name = StrictCharField(max_length=150)
    roles = serializers.ListField(child=StrictCharField(max_length=100), required=False, default=list)
    members = serializers.ListField(child=StrictCharField(max_length=150), required=False, default=list)


class GroupOutput(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()

    class Meta:
        model = Group
        fields = ["id", "name", "roles", "members", "created_at"]

    def get_roles(self, subject) -> list[str]:
        """Its roles at the organization: its role bindings' roles, by name."""
        return [role.name for role in subject.organization_roles]

    def get_members(self, group) -> list[str]:
        return sorted(user.username for user in group.auth_group.user_set.all())


class GroupListView(DirectoryListView):
    permission_kind = "groups"
    serializer_class = input_serializer = GroupInput
    output_serializer = GroupOutput

    def get_queryset(self):
        return selectors.group_list(principal=self.principal, search=query_text(self.request.query_params, "search"))

    @extend_schema(request=GroupInput, responses={201: GroupOutput})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    @extend_schema(responses=GroupOutput(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def create(self, data):
        return services.group_create(organization=self.organization, actor=self.principal, **data)


class GroupDetailView(DirectoryDetailView):
    permission_kind = "groups"
    serializer_class = input_serializer = GroupInput
    output_serializer = GroupOutput

    def get_queryset(self):
        return selectors.group_list(principal=self.principal)

    @extend_schema(request=GroupInput, responses=GroupOutput)
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    def update(self, group, data):
        services.group_update(group=group, actor=self.principal, **data)

    def remove(self, group):
        services.group_delete(group=group, actor=self.principal)


# ---------------------------------------------------------------- resources


class ResourceInput(serializers.Serializer):
    kind = StrictCharField(max_length=50)
    name = StrictCharField(max_length=200)
    parent = serializers.IntegerField(required=False, allow_null=True, default=None)


class ResourceOutput(serializers.ModelSerializer):
    class Meta:
        model = Resource
        fields = ["id", "kind", "name", "parent", "created_at"]


def _parent(organization, data):
    if data.get("parent") is None:
        return None
    parent = Resource.objects.filter(organization=organization, pk=data["parent"]).first()
    if parent is None:
        raise ValidationError({"parent": ["No such resource."]})
    return parent


class ResourceListView(DirectoryListView):
    permission_kind = "resources"
    serializer_class = input_serializer = ResourceInput
    output_serializer = ResourceOutput

    def get_queryset(self):
        params = self.request.query_params
        return selectors.resource_list(
            principal=self.principal, kind=query_text(params, "kind"), search=query_text(params, "search")
        )

    @extend_schema(request=ResourceInput, responses={201: ResourceOutput})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    @extend_schema(responses=ResourceOutput(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def create(self, data):
        data["parent"] = _parent(self.organization, data)
        return services.resource_create(organization=self.organization, actor=self.principal, **data)


class ResourceDetailView(DirectoryDetailView):
    permission_kind = "resources"
    serializer_class = input_serializer = ResourceInput
    output_serializer = ResourceOutput

    def get_queryset(self):
        return selectors.resource_list(principal=self.principal)

    @extend_schema(request=ResourceInput, responses=ResourceOutput)
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    def update(self, resource, data):
        if "parent" in data:
            data["parent"] = _parent(self.organization, data)
        services.resource_update(resource=resource, actor=self.principal, **data)

    def remove(self, resource):
        services.resource_delete(resource=resource, actor=self.principal)


# ---------------------------------------------------------------- roles


class RoleInput(serializers.Serializer):
    name = StrictCharField(max_length=100)
    description = StrictCharField(max_length=300, required=False, allow_blank=True, default="")
    permissions = serializers.ListField(child=StrictCharField(max_length=100), max_length=500)
    product = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="A products resource's id.")


class RoleOutput(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "name", "description", "permissions", "product", "is_builtin", "created_at"]


class RoleListView(DirectoryListView):
    permission_kind = "roles"
    serializer_class = input_serializer = RoleInput
    output_serializer = RoleOutput

    def get_queryset(self):
        return selectors.role_list(principal=self.principal)

    @extend_schema(request=RoleInput, responses={201: RoleOutput})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    @extend_schema(responses=RoleOutput(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def create(self, data):
        return services.role_create(organization=self.organization, actor=self.principal, **data)


class RoleDetailView(DirectoryDetailView):
    permission_kind = "roles"
    serializer_class = input_serializer = RoleInput
    output_serializer = RoleOutput

    def get_queryset(self):
        return selectors.role_list(principal=self.principal)

    @extend_schema(request=RoleInput, responses=RoleOutput)
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    def update(self, role, data):
        services.role_update(role=role, actor=self.principal, **data)

    def remove(self, role):
        services.role_delete(role=role, actor=self.principal)


# ---------------------------------------------------------------- audit events


class AuditEventOutput(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id", "created_at", "actor_kind", "actor_name", "action", "target_type", "target_id", "target_name",
            "details", "ip_address", "request_id",
        ]


class AuditFilters(serializers.Serializer):
    action = serializers.CharField(required=False, max_length=64, default="")
    actor = serializers.CharField(required=False, max_length=200, default="")
    since = serializers.DateTimeField(required=False, default=None)
    until = serializers.DateTimeField(required=False, default=None)


class AuditEventListView(OrganizationScopedAPIView):
    permission_kind = "audit_events"
    serializer_class = AuditEventOutput

    @extend_schema(parameters=[AuditFilters], responses=AuditEventOutput(many=True))
    def get(self, request, *args, **kwargs):
        filters = validated(AuditFilters, request.query_params)
        page = self.paginate_queryset(selectors.audit_event_list(principal=self.principal, **filters))
        return self.get_paginated_response(AuditEventOutput(page, many=True).data)
