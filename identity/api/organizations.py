"""`/api/v1/orgs/` (the organizations themselves) and `/api/v1/platform/audit-events/`.

Platform endpoints: a superuser, or a root credential's token holding ``organizations:read`` /
``organizations:write`` (``platform.PlatformAPIView``). An organization's own members get 404.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from identity import selectors
from identity.services import platform as services
from identity.services.validation import query_text

from .directory import AuditEventOutput, AuditFilters, StrictCharField, validated
from .platform import PlatformAPIView


class OrganizationInput(serializers.Serializer):
    slug = StrictCharField(max_length=50)
    name = StrictCharField(max_length=200, required=False)
    # Checked by the service, which names its fields ``account_holder.username`` / ``.email``.
    account_holder = serializers.JSONField(help_text='{"username": "...", "email": "..."}')


class OrganizationRename(serializers.Serializer):
    name = StrictCharField(max_length=200)


class OrganizationDeleteInput(serializers.Serializer):
    confirm = StrictCharField(max_length=50, help_text="The organization's slug, typed back.")


class OrganizationOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    member_count = serializers.IntegerField()


class OrganizationCreated(OrganizationOutput):
    account_holder = serializers.DictField(child=serializers.CharField())


class OrganizationListView(PlatformAPIView):
    permission_kind = "organizations"
    serializer_class = OrganizationOutput

    @extend_schema(operation_id="organizations_list", responses=OrganizationOutput(many=True))
    def get(self, request, *args, **kwargs):
        organizations = selectors.organization_list(search=query_text(request.query_params, "search"))
        page = self.paginate_queryset(organizations)
        return self.get_paginated_response(OrganizationOutput(page, many=True).data)

    @extend_schema(request=OrganizationInput, responses={201: OrganizationCreated})
    def post(self, request, *args, **kwargs):
        data = validated(OrganizationInput, request.data)
        organization, user = services.organization_create_with_account_holder(
            actor=self.principal,
            slug=data["slug"],
            name=data.get("name"),
            account_holder=data["account_holder"],
            site_url=request.build_absolute_uri("/"),
        )
        body = OrganizationOutput(selectors.organization_list().get(pk=organization.pk)).data
        body["account_holder"] = {"username": user.get_username(), "email": user.email}
        return Response(body, status=status.HTTP_201_CREATED)


class OrganizationDetailView(PlatformAPIView):
    permission_kind = "organizations"
    serializer_class = OrganizationOutput

    def get_object(self):
        return get_object_or_404(selectors.organization_list(), slug=self.kwargs["org"])

    @extend_schema(operation_id="organizations_retrieve", responses=OrganizationOutput)
    def get(self, request, *args, **kwargs):
        return Response(OrganizationOutput(self.get_object()).data)

    @extend_schema(request=OrganizationRename, responses=OrganizationOutput)
    def patch(self, request, *args, **kwargs):
        organization = self.get_object()
        if isinstance(request.data, dict):
            # Only the name changes: the slug is every credential's realm.
            others = sorted(key for key in request.data if key != "name")
            if others:
                raise ValidationError({key: ["Only the name of an organization can change."] for key in others})
        data = validated(OrganizationRename, request.data)
        services.organization_rename(actor=self.principal, organization=organization, name=data["name"])
        return Response(OrganizationOutput(self.get_object()).data)

    @extend_schema(request=OrganizationDeleteInput, responses={204: None})
    def delete(self, request, *args, **kwargs):
        organization = self.get_object()
        data = validated(OrganizationDeleteInput, request.data)
        services.organization_delete(actor=self.principal, organization=organization, confirm_slug=data["confirm"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlatformAuditEventListView(PlatformAPIView):
    """The platform audit log: organizations created, renamed, deleted (and root credentials)."""

    permission_kind = "organizations"
    serializer_class = AuditEventOutput

    @extend_schema(operation_id="platform_audit_events_list", parameters=[AuditFilters], responses=AuditEventOutput(many=True))
    def get(self, request, *args, **kwargs):
        filters = validated(AuditFilters, request.query_params)
        page = self.paginate_queryset(selectors.platform_audit_event_list(principal=self.principal, **filters))
        return self.get_paginated_response(AuditEventOutput(page, many=True).data)
