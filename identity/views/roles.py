"""Roles: the built-in ones (read only) and the organization's custom roles (create, edit, delete)."""

from identity import selectors, services
from identity.forms import RoleForm

from .base import PortalCreateView, PortalDeleteView, PortalEditView, PortalListView

LIST = "portal:role_list"


def _custom_roles(principal):
    return selectors.role_list(principal=principal).filter(is_builtin=False)


class RoleListView(PortalListView):
    kind, list_url_name, template_name = "roles", LIST, "identity/roles/list.html"

    def objects(self):
        return selectors.role_list(principal=self.principal).order_by("-is_builtin", "name")


class RoleCreateView(PortalCreateView):
    kind, list_url_name, title, submit_label = "roles", LIST, "Create custom role", "Create role"

    def make_form(self, data=None):
        return RoleForm(data, organization=self.organization)

    def create(self, data):
        return services.role_create(organization=self.organization, actor=self.principal, **data)


class RoleEditView(PortalEditView):
    kind, list_url_name, delete_url_name, delete_label = "roles", LIST, "portal:role_delete", "Delete role"

    def queryset(self):
        return _custom_roles(self.principal)

    def make_form(self, role, data=None):
        return RoleForm(data, organization=self.organization, initial=RoleForm.initial_for(role))

    def update(self, role, data):
        services.role_update(role=role, actor=self.principal, **data)


class RoleDeleteView(PortalDeleteView):
    kind, list_url_name = "roles", LIST
    consequence = "Members, groups and service tokens holding it lose its permissions. This cannot be undone."

    def queryset(self):
        return _custom_roles(self.principal)

    def delete(self, role):
        services.role_delete(role=role, actor=self.principal)
