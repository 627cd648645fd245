"""Groups: list and search, create, edit name, roles and members, delete after confirmation."""

from identity import selectors, services
from identity.forms import GroupForm
from identity.services.validation import query_text

from .base import PortalCreateView, PortalDeleteView, PortalEditView, PortalListView

LIST = "portal:group_list"


class GroupListView(PortalListView):
    kind, list_url_name, template_name = "groups", LIST, "identity/groups/list.html"

    def objects(self):
        return selectors.group_list(principal=self.principal, search=query_text(self.request.GET, "search")).order_by("name")


class GroupCreateView(PortalCreateView):
    kind, list_url_name, title, submit_label = "groups", LIST, "Create group", "Create group"

    def make_form(self, data=None):
        return GroupForm(data, principal=self.principal)

    def create(self, data):
        return services.group_create(organization=self.organization, actor=self.principal, **data)


class GroupEditView(PortalEditView):
    kind, list_url_name, delete_url_name, delete_label = "groups", LIST, "portal:group_delete", "Delete group"

    def queryset(self):
        return selectors.group_list(principal=self.principal)

    def make_form(self, group, data=None):
        initial = {
            "name": group.name,
            "roles": [role.name for role in group.organization_roles],
            "members": [user.username for user in group.auth_group.user_set.all()],
        }
        return GroupForm(data, principal=self.principal, initial=initial)

    def update(self, group, data):
        services.group_update(group=group, actor=self.principal, **data)


class GroupDeleteView(PortalDeleteView):
    kind, list_url_name = "groups", LIST
    consequence = "Its members and service credentials lose the roles it gave them. This cannot be undone."

    def queryset(self):
        return selectors.group_list(principal=self.principal)

    def delete(self, group):
        services.group_delete(group=group, actor=self.principal)
