"""Resource kinds: list with their actions and resource counts, create, edit, delete after confirmation.

Managing them needs ``resources:write``, as administering the resource tree does.
"""

from identity import selectors, services
from identity.forms import ResourceKindForm

from .base import PortalCreateView, PortalDeleteView, PortalEditView, PortalListView

LIST = "portal:resource_kind_list"


class ResourceKindListView(PortalListView):
    kind, list_url_name, template_name = "resources", LIST, "identity/resource_kinds/list.html"

    def objects(self):
        return selectors.resource_kind_list(principal=self.principal)


class ResourceKindCreateView(PortalCreateView):
    kind, list_url_name, title, submit_label = "resources", LIST, "Add resource kind", "Add resource kind"

    def make_form(self, data=None):
        return ResourceKindForm(data)

    def create(self, data):
        return services.resource_kind_create(
            organization=self.organization, actor=self.principal, name=data["name"],
            actions=ResourceKindForm.actions_from(data),
        )


class ResourceKindEditView(PortalEditView):
    kind, list_url_name = "resources", LIST
    delete_url_name, delete_label = "portal:resource_kind_delete", "Delete resource kind"

    def queryset(self):
        return selectors.resource_kind_list(principal=self.principal)

    def make_form(self, resource_kind, data=None):
        return ResourceKindForm(data, initial=ResourceKindForm.initial_for(resource_kind))

    def update(self, resource_kind, data):
        services.resource_kind_update(
            kind=resource_kind, actor=self.principal, name=data["name"], actions=ResourceKindForm.actions_from(data)
        )


class ResourceKindDeleteView(PortalDeleteView):
    kind, list_url_name = "resources", LIST
    consequence = "Its actions can no longer be given. A kind that resources, roles or bindings still use is kept."

    def queryset(self):
        return selectors.resource_kind_list(principal=self.principal)

    def delete(self, resource_kind):
        services.resource_kind_delete(kind=resource_kind, actor=self.principal)
