"""Members, groups, resources and roles in the portal. Thin: forms in, services do the work."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from identity import selectors, services
from identity.errors import DomainError
from identity.forms import GroupForm, MemberAddForm, MemberRoleForm, ResourceForm, RoleForm
from identity.permissions import CATALOGUE

from .base import OrganizationPortalMixin, apply_domain_error


class DirectoryPage(OrganizationPortalMixin, View):
    """A list page (GET) with an add form (POST), for one kind of directory object."""

    kind = None  # "members", "groups", …
    title = None
    form_class = None
    list_template = None

    def get_permission_required(self):
        return f"{self.kind}:{'read' if self.request.method == 'GET' else 'write'}"

    def dispatch(self, request, *args, **kwargs):
        self.permission_required = self.get_permission_required()
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data=None):
        return self.form_class(data, organization=self.organization)

    def objects(self):
        raise NotImplementedError

    def render_page(self, form, status=200):
        page = Paginator(self.objects(), 25).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context = {
            "page": page, "form": form, "title": self.title, "kind": self.kind, "query": query.urlencode(),
            "may_write": self.may(f"{self.kind}:write"), "search": self.request.GET.get("search", ""),
        }
        return render(self.request, self.list_template, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page(self.make_form())

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                created = self.create(form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, f"{created} added.")
                return redirect(request.path)
        return self.render_page(form, status=400)


class ObjectPage(OrganizationPortalMixin, View):
    """Edit (GET/POST) or delete (POST to .../delete/) one directory object."""

    kind = None
    list_url = None
    template = "identity/directory/edit.html"

    def dispatch(self, request, *args, **kwargs):
        self.permission_required = f"{self.kind}:{'read' if request.method == 'GET' else 'write'}"
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        return get_object_or_404(self.queryset(), pk=self.kwargs["pk"])

    def back(self):
        return redirect(self.list_url, org=self.organization.slug)

    def render_page(self, obj, form, status=200):
        context = {
            "object": obj, "form": form, "kind": self.kind, "may_write": self.may(f"{self.kind}:write"),
            "list_url": reverse(self.list_url, kwargs={"org": self.organization.slug}),
        }
        return render(self.request, self.template, context, status=status)

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render_page(obj, self.edit_form(obj))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        if request.POST.get("action") == "delete":
            try:
                self.delete(obj)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect(request.path)
            messages.success(request, f"{obj} removed.")
            return self.back()
        form = self.edit_form(obj, request.POST)
        if form.is_valid():
            try:
                self.update(obj, form.cleaned_data)
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, f"{obj} saved.")
                return self.back()
        return self.render_page(obj, form, status=400)


# ---------------------------------------------------------------- members


class MemberListView(DirectoryPage):
    kind, title, form_class, list_template = "members", "Members", MemberAddForm, "identity/directory/members.html"

    def objects(self):
        return selectors.member_list(organization=self.organization, search=self.request.GET.get("search", ""))

    def create(self, data):
        membership = services.member_add(organization=self.organization, actor=self.principal, **data)
        return membership.user.username


class MemberEditView(ObjectPage):
    kind, list_url = "members", "portal:member_list"

    def queryset(self):
        return selectors.member_list(organization=self.organization)

    def edit_form(self, membership, data=None):
        return MemberRoleForm(data, organization=self.organization, initial={"role": membership.role.name})

    def update(self, membership, data):
        services.member_update(membership=membership, actor=self.principal, role=data["role"])

    def delete(self, membership):
        services.member_remove(membership=membership, actor=self.principal)


# ---------------------------------------------------------------- groups


class GroupListView(DirectoryPage):
    kind, title, form_class, list_template = "groups", "Groups", GroupForm, "identity/directory/groups.html"

    def objects(self):
        return selectors.group_list(organization=self.organization, search=self.request.GET.get("search", ""))

    def create(self, data):
        return services.group_create(organization=self.organization, actor=self.principal, **data)


class GroupEditView(ObjectPage):
    kind, list_url = "groups", "portal:group_list"

    def queryset(self):
        return selectors.group_list(organization=self.organization)

    def edit_form(self, group, data=None):
        initial = {
            "name": group.name,
            "roles": [r.name for r in group.roles.all()],
            "members": [u.username for u in group.auth_group.user_set.all()],
        }
        return GroupForm(data, organization=self.organization, initial=initial)

    def update(self, group, data):
        services.group_update(group=group, actor=self.principal, **data)

    def delete(self, group):
        services.group_delete(group=group, actor=self.principal)


# ---------------------------------------------------------------- resources


def _parent(organization, parent_id):
    return selectors.resource_list(organization=organization).filter(pk=parent_id).first() if parent_id else None


class ResourceListView(DirectoryPage):
    kind, title, form_class, list_template = "resources", "Resources", ResourceForm, "identity/directory/resources.html"

    def objects(self):
        params = self.request.GET
        return selectors.resource_list(organization=self.organization, kind=params.get("kind", ""), search=params.get("search", ""))

    def create(self, data):
        data["parent"] = _parent(self.organization, data["parent"])
        return services.resource_create(organization=self.organization, actor=self.principal, **data)


class ResourceEditView(ObjectPage):
    kind, list_url = "resources", "portal:resource_list"

    def queryset(self):
        return selectors.resource_list(organization=self.organization)

    def edit_form(self, resource, data=None):
        initial = {"kind": resource.kind, "name": resource.name, "parent": resource.parent_id}
        return ResourceForm(data, organization=self.organization, exclude_pk=resource.pk, initial=initial)

    def update(self, resource, data):
        data["parent"] = _parent(self.organization, data["parent"])
        services.resource_update(resource=resource, actor=self.principal, **data)

    def delete(self, resource):
        services.resource_delete(resource=resource, actor=self.principal)


# ---------------------------------------------------------------- roles


class RoleListView(DirectoryPage):
    kind, title, list_template = "roles", "Roles", "identity/directory/roles.html"

    def make_form(self, data=None):
        return RoleForm(data)

    def objects(self):
        return selectors.role_list(organization=self.organization)

    def create(self, data):
        return services.role_create(
            organization=self.organization, actor=self.principal, name=data["name"],
            description=data["description"], permissions=RoleForm.permissions_from(data),
        )


class RoleEditView(ObjectPage):
    kind, list_url = "roles", "portal:role_list"

    def queryset(self):
        return selectors.role_list(organization=self.organization)

    def edit_form(self, role, data=None):
        extra = "\n".join(p for p in role.permissions if p not in CATALOGUE)
        initial = {"name": role.name, "description": role.description, "permissions": [p for p in role.permissions if p in CATALOGUE], "extra_permissions": extra}
        return RoleForm(data, initial=initial)

    def update(self, role, data):
        services.role_update(
            role=role, actor=self.principal, name=data["name"], description=data["description"],
            permissions=RoleForm.permissions_from(data),
        )

    def delete(self, role):
        services.role_delete(role=role, actor=self.principal)
