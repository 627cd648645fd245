"""Resources: list with kind filter and search, create with a parent, edit, delete after confirmation."""

from identity import selectors, services
from identity.forms import ResourceForm
from identity.services.validation import query_text

from .base import PortalCreateView, PortalDeleteView, PortalEditView, PortalListView

LIST = "portal:resource_list"


def _with_parent(principal, data):
    """The form carries the parent's id; the service takes the resource (of this organization only)."""
    parent_id = data.get("parent")
    parent = selectors.resource_list(principal=principal).filter(pk=parent_id).first() if parent_id else None
    return {**data, "parent": parent}


class ResourceListView(PortalListView):
    kind, list_url_name, template_name = "resources", LIST, "identity/resources/list.html"

    def objects(self):
        params = self.request.GET
        return selectors.resource_list(
            principal=self.principal, kind=query_text(params, "kind"), search=query_text(params, "search")
        ).order_by("kind", "name")

    def extra_context(self):
        kinds = selectors.resource_list(principal=self.principal).order_by("kind").values_list("kind", flat=True).distinct()
        return {"kinds": list(kinds), "kind_filter": self.request.GET.get("kind", "")}


class ResourceCreateView(PortalCreateView):
    kind, list_url_name, title, submit_label = "resources", LIST, "Add resource", "Add resource"

    def make_form(self, data=None):
        return ResourceForm(data, principal=self.principal)

    def create(self, data):
        return services.resource_create(organization=self.organization, actor=self.principal, **_with_parent(self.principal, data))


class ResourceEditView(PortalEditView):
    kind, list_url_name, delete_url_name, delete_label = "resources", LIST, "portal:resource_delete", "Delete resource"

    def queryset(self):
        return selectors.resource_list(principal=self.principal)

    def make_form(self, resource, data=None):
        initial = {"kind": resource.kind, "name": resource.name, "parent": resource.parent_id}
        return ResourceForm(data, principal=self.principal, exclude_pk=resource.pk, initial=initial)

    def update(self, resource, data):
        services.resource_update(resource=resource, actor=self.principal, **_with_parent(self.principal, data))


class ResourceDeleteView(PortalDeleteView):
    kind, list_url_name = "resources", LIST
    consequence = "Resources below it and every grant on them go too. This cannot be undone."

    def queryset(self):
        return selectors.resource_list(principal=self.principal)

    def delete(self, resource):
        services.resource_delete(resource=resource, actor=self.principal)
