"""Members and invitations: `members/` adds a new person or invites an existing one (202), and
`invitations/` lists the open invitations and cancels one."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from identity import selectors, services
from identity.models import Invitation, Membership
from identity.oauth.issuer import issuer
from identity.services.invitations import invitation_cancel
from identity.services.validation import query_text

from .base import OrganizationScopedAPIView
from .directory import DirectoryDetailView, DirectoryListView, StrictCharField, validated


class MemberInput(serializers.Serializer):
    username = StrictCharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    role = StrictCharField(max_length=100)


class MemberUpdate(serializers.Serializer):
    role = StrictCharField(max_length=100)


class MemberOutput(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    email = serializers.CharField(source="user.email")
    role = serializers.CharField(source="role.name")

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "role", "created_at"]


class InvitationSummary(serializers.ModelSerializer):
    """What the inviter learns: the username they typed, never the person's e-mail or name."""

    username = serializers.CharField(source="user.username")
    role = serializers.CharField(source="role.name")

    class Meta:
        model = Invitation
        fields = ["id", "username", "role", "expires_at"]


class InvitationOutput(InvitationSummary):
    status = serializers.ChoiceField(choices=["pending", "expired"], read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "username", "role", "status", "invited_by_name", "created_at", "expires_at"]


class MemberListView(DirectoryListView):
    permission_kind = "members"
    serializer_class = input_serializer = MemberInput
    output_serializer = MemberOutput

    def get_queryset(self):
        return selectors.member_list(principal=self.principal, search=query_text(self.request.query_params, "search"))

    @extend_schema(
        request=MemberInput,
        responses={201: MemberOutput, 202: inline_serializer("InvitationSent", {"invitation": InvitationSummary()})},
        description="A new username creates the person (201). An existing person is invited instead (202): "
        "they become a member when they accept the link sent to them.",
    )
    def post(self, request, *args, **kwargs):
        added = services.member_add(
            organization=self.organization, actor=self.principal, site_url=issuer(request),
            **validated(MemberInput, request.data),
        )
        if isinstance(added, Invitation):
            return Response({"invitation": InvitationSummary(added).data}, status=status.HTTP_202_ACCEPTED)
        return Response(self.output_serializer(self.reload(added)).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=MemberOutput(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MemberDetailView(DirectoryDetailView):
    permission_kind = "members"
    serializer_class = input_serializer = MemberUpdate
    output_serializer = MemberOutput

    def get_queryset(self):
        return selectors.member_list(principal=self.principal)

    @extend_schema(request=MemberUpdate, responses=MemberOutput)
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    def update(self, membership, data):
        if "role" in data:
            services.member_update(membership=membership, actor=self.principal, role=data["role"])

    def remove(self, membership):
        services.member_remove(membership=membership, actor=self.principal)


class InvitationListView(OrganizationScopedAPIView):
    """The open invitations: pending, or expired and not yet cancelled."""

    permission_kind = "members"
    serializer_class = InvitationOutput

    @extend_schema(responses=InvitationOutput(many=True))
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(selectors.invitation_list(principal=self.principal))
        return self.get_paginated_response(InvitationOutput(page, many=True).data)


class InvitationDetailView(OrganizationScopedAPIView):
    permission_kind = "members"
    serializer_class = InvitationOutput

    def get_object(self):
        return get_object_or_404(selectors.invitation_list(principal=self.principal), pk=self.kwargs["pk"])

    @extend_schema(responses=InvitationOutput)
    def get(self, request, *args, **kwargs):
        return Response(InvitationOutput(self.get_object()).data)

    @extend_schema(responses={204: None}, description="Cancel the invitation: its link stops working.")
    def delete(self, request, *args, **kwargs):
        invitation_cancel(invitation=self.get_object(), actor=self.principal)
        return Response(status=status.HTTP_204_NO_CONTENT)
