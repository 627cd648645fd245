"""Members of an organization: list and search, add (or invite), change role, remove after
confirmation; the open invitations, each with Cancel."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from identity import selectors, services
from identity.errors import DomainError
from identity.forms import MemberAddForm, MemberRoleForm
from identity.models import Invitation
from identity.oauth.issuer import issuer
from identity.services.invitations import invitation_cancel
from identity.services.validation import query_text

from .base import PortalCreateView, PortalDeleteView, PortalEditView, PortalListView, PortalObjectView, save_through_service

LIST = "portal:member_list"


class MemberListView(PortalListView):
    kind, list_url_name, template_name = "members", LIST, "identity/members/list.html"

    def objects(self):
        return selectors.member_list(principal=self.principal, search=query_text(self.request.GET, "search"))

    def extra_context(self):
        return {"invitations": selectors.invitation_list(principal=self.principal)}


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class MemberAddView(PortalCreateView):
    kind, list_url_name, title, submit_label = "members", LIST, "Add member", "Add member"

    def make_form(self, data=None):
        return MemberAddForm(data, organization=self.organization)

    def create(self, data):
        return services.member_add(
            organization=self.organization, actor=self.principal, site_url=issuer(self.request), **data
        )

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        saved, added = save_through_service(form, self.create)
        if not saved:
            return self.render_form(form, status=400)
        if isinstance(added, Invitation):
            messages.success(request, f"Invitation sent to {added.user.username}.")
        else:
            messages.success(request, f"“{added.user.username}” created.")
        return redirect(self.list_url())


class MemberEditView(PortalEditView):
    kind, list_url_name, delete_url_name, delete_label = "members", LIST, "portal:member_remove", "Remove member"

    def queryset(self):
        return selectors.member_list(principal=self.principal)

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
        return selectors.member_list(principal=self.principal)

    def describe(self, membership):
        return membership.user.username

    def delete(self, membership):
        services.member_remove(membership=membership, actor=self.principal)


class InvitationCancelView(PortalObjectView):
    """POST only (the list's Cancel button): the invitation's link stops working."""

    kind, list_url_name = "members", LIST
    http_method_names = ["post"]

    def queryset(self):
        return selectors.invitation_list(principal=self.principal)

    def post(self, request, *args, **kwargs):
        invitation = self.get_object()
        try:
            invitation_cancel(invitation=invitation, actor=self.principal)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Invitation to {invitation.user.username} cancelled.")
        return redirect(self.list_url())
