"""`orgs/{org}/resource-kinds/`: what the organization's resources can be and their actions."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from identity import selectors, services
from identity.models import ResourceKind
from identity.services.resource_kinds import MAX_ACTION_LENGTH, MAX_ACTIONS

from .directory import DirectoryDetailView, DirectoryListView, StrictCharField


class ResourceKindInput(serializers.Serializer):
    name = StrictCharField(max_length=50, help_text="In the plural, e.g. studios.")
    actions = serializers.ListField(
        child=StrictCharField(max_length=MAX_ACTION_LENGTH), min_length=1, max_length=MAX_ACTIONS,
        help_text="What can be given on resources of this kind, e.g. [\"read\", \"write\", \"deploy\"].",
    )


class ResourceKindOutput(serializers.ModelSerializer):
    resource_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ResourceKind
        fields = ["id", "name", "actions", "resource_count", "created_at"]


class ResourceKindListView(DirectoryListView):
    permission_kind = "resources"
    serializer_class = input_serializer = ResourceKindInput
    output_serializer = ResourceKindOutput

    def get_queryset(self):
        return selectors.resource_kind_list(principal=self.principal)

    @extend_schema(request=ResourceKindInput, responses={201: ResourceKindOutput})
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    @extend_schema(responses=ResourceKindOutput(many=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def create(self, data):
        return services.resource_kind_create(organization=self.organization, actor=self.principal, **data)


class ResourceKindDetailView(DirectoryDetailView):
    permission_kind = "resources"
    serializer_class = input_serializer = ResourceKindInput
    output_serializer = ResourceKindOutput

    def get_queryset(self):
        return selectors.resource_kind_list(principal=self.principal)

    @extend_schema(request=ResourceKindInput, responses=ResourceKindOutput)
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    def update(self, kind, data):
        services.resource_kind_update(kind=kind, actor=self.principal, **data)

    def remove(self, kind):
        services.resource_kind_delete(kind=kind, actor=self.principal)
