"""Members of an organization: list and search, add, change role, remove after confirmation."""

from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from identity import selectors, services
from identity.forms import MemberAddForm, MemberRoleForm
from identity.services.validation import query_text

from .base import PortalCreateView, PortalDeleteView, PortalEditView, PortalListView

LIST = "portal:member_list"


class MemberListView(PortalListView):
    kind, list_url_name, template_name = "members", LIST, "identity/members/list.html"

    def objects(self):
        return selectors.member_list(organization=self.organization, search=query_text(self.request.GET, "search"))


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class MemberAddView(PortalCreateView):
    kind, list_url_name, title, submit_label = "members", LIST, "Add member", "Add member"

    def make_form(self, data=None):
        return MemberAddForm(data, organization=self.organization)

    def create(self, data):
        membership = services.member_add(organization=self.organization, actor=self.principal, **data)
        return membership.user.username


class MemberEditView(PortalEditView):
    kind, list_url_name, delete_url_name, delete_label = "members", LIST, "portal:member_remove", "Remove member"

    def queryset(self):
        return selectors.member_list(organization=self.organization)

    def describe(self, membership):
        return membership.user.username

    def title(self, membership):
        return f"Change the role of {membership.user.username}"

    def make_form(self, membership, data=None):
        return MemberRoleForm(data, organization=self.organization, initial={"role": membership.role.name})

    def update(self, membership, data):
        services.member_update(membership=membership, actor=self.principal, role=data["role"])


class MemberRemoveView(PortalDeleteView):
    kind, list_url_name, verb = "members", LIST, "Remove"
    consequence = "They lose access to this organization at once. Their user account itself is kept."

    def queryset(self):
        return selectors.member_list(organization=self.organization)

    def describe(self, membership):
        return membership.user.username

    def delete(self, membership):
        services.member_remove(membership=membership, actor=self.principal)
