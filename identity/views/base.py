"""The base of every organization page: who is asking, in which organization, may they.

``OrganizationPortalMixin`` is the one gate every portal page goes through (the secrets and
service-credential pages reuse it). The small generic pages below it (list, create, edit,
delete-after-confirmation) keep each area's module down to the selector and service it calls.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from identity.authorization import may
from identity.error_mapping import apply_domain_error, raise_for_page
from identity.errors import DomainError, InvalidInput
from identity.principals import principal_for_user
from identity.selectors import organization_for_user

PAGE_SIZE = 25


class OrganizationPortalMixin(LoginRequiredMixin):
    """Resolves ``request.organization`` and ``request.principal`` from the `org` URL kwarg.

    Not a member: 404 (no hint the organization exists). Lacking ``permission_required``
    (a ``kind:action`` string, or what ``get_permission_required()`` returns): 403. A selector or
    service that refuses the principal itself (``NotPermitted``, ``NotFound``) is a 403 or a 404 too.
    """

    permission_required = None

    def get_permission_required(self):
        return self.permission_required

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        organization = organization_for_user(request.user, kwargs.get("org", ""))
        principal = principal_for_user(request.user, organization) if organization else None
        if principal is None:
            raise Http404("No such organization.")
        request.organization, request.principal = organization, principal
        if not self.allowed(principal):
            raise PermissionDenied(f"You need the {self.get_permission_required()} permission.")
        try:
            return super().dispatch(request, *args, **kwargs)
        except DomainError as error:
            # A selector or service refusing the principal on its own: the page's 403 or 404.
            raise_for_page(error)
            raise

    def allowed(self, principal):
        """May ``principal`` open the page? Organization-wide by default; pages reached from a resource override it."""
        permission = self.get_permission_required()
        return not permission or may(principal, permission)

    @property
    def organization(self):
        return self.request.organization

    @property
    def principal(self):
        return self.request.principal

    def may(self, permission):
        return may(self.principal, permission)

    def org_url(self, name, **kwargs):
        return reverse(name, kwargs={"org": self.organization.slug, **kwargs})


def save_through_service(form, operation):
    """Validate ``form``, then run ``operation(cleaned_data)``; ``(True, result)`` if it went through.

    A service's ``DomainError`` lands on the form's fields; the service's transaction means
    nothing is half-saved.
    """
    if not form.is_valid():
        return False, None
    try:
        return True, operation(form.cleaned_data)
    except DomainError as error:
        apply_domain_error(form, error)
        return False, None


def paginate(request, queryset, per_page=PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


class PortalPage(OrganizationPortalMixin, View):
    """An organization page about one kind of object (``kind`` as in the permission vocabulary)."""

    kind = None
    template_name = None
    list_url_name = None

    def may_write(self):
        return self.may(f"{self.kind}:write")

    def list_url(self):
        return self.org_url(self.list_url_name)

    def render(self, context, status=200, template_name=None):
        context = {"may_write": self.may_write(), "list_url": self.list_url(), **context}
        return render(self.request, template_name or self.template_name, context, status=status)


class PortalListView(PortalPage):
    """GET: a filtered, paginated table. Needs ``<kind>:read``.

    ``objects()`` reads its filters through ``query_text``; a filter it refuses (a NUL byte, which
    PostgreSQL cannot search for) shows its message over an empty table, with a 400.
    """

    def get_permission_required(self):
        return f"{self.kind}:read"

    def objects(self):
        raise NotImplementedError

    def extra_context(self):
        return {}

    def get(self, request, *args, **kwargs):
        try:
            page, status = paginate(request, self.objects()), 200
        except InvalidInput as error:
            messages.error(request, error.message)
            page, status = paginate(request, []), 400
        return self.render({"page": page, "search": request.GET.get("search", ""), **self.extra_context()}, status=status)


class PortalCreateView(PortalPage):
    """GET: an empty form; POST: create through a service, then back to the list. Needs ``<kind>:write``."""

    template_name = "identity/form_page.html"
    title = None
    submit_label = "Save"

    def get_permission_required(self):
        return f"{self.kind}:write"

    def make_form(self, data=None):
        raise NotImplementedError

    def create(self, data):
        raise NotImplementedError

    def render_form(self, form, status=200):
        return self.render({"form": form, "title": self.title, "submit_label": self.submit_label}, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_form(self.make_form())

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        saved, created = save_through_service(form, self.create)
        if saved:
            messages.success(request, f"“{created}” created.")
            return redirect(self.list_url())
        return self.render_form(form, status=400)


class PortalObjectView(PortalPage):
    """A page about one object of the organization; another organization's is 404."""

    def get_permission_required(self):
        return f"{self.kind}:write"

    def queryset(self):
        raise NotImplementedError

    def get_object(self):
        return get_object_or_404(self.queryset(), pk=self.kwargs["pk"])

    def describe(self, obj):
        """The object's name as the pages and messages say it."""
        return str(obj)


class PortalEditView(PortalObjectView):
    """GET: the object's form; POST: update through a service. Needs ``<kind>:write``."""

    template_name = "identity/form_page.html"
    delete_url_name = None
    delete_label = "Delete"

    def title(self, obj):
        return f"Edit {self.describe(obj)}"

    def make_form(self, obj, data=None):
        raise NotImplementedError

    def update(self, obj, data):
        raise NotImplementedError

    def render_form(self, obj, form, status=200):
        context = {
            "object": obj, "form": form, "title": self.title(obj), "submit_label": "Save",
            "delete_url": self.org_url(self.delete_url_name, pk=obj.pk) if self.delete_url_name else None,
            "delete_label": self.delete_label,
        }
        return self.render(context, status=status)

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render_form(obj, self.make_form(obj))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.make_form(obj, request.POST)
        saved, _ = save_through_service(form, lambda data: self.update(obj, data))
        if saved:
            messages.success(request, f"“{self.describe(obj)}” saved.")
            return redirect(self.list_url())
        return self.render_form(obj, form, status=400)


class PortalDeleteView(PortalObjectView):
    """GET: ask first, saying what will happen; POST: delete through a service. Needs ``<kind>:write``."""

    template_name = "identity/confirm_delete.html"
    verb = "Delete"
    consequence = "This cannot be undone."

    def delete(self, obj):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render({"object": obj, "name": self.describe(obj), "verb": self.verb, "consequence": self.consequence})

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        name = self.describe(obj)
        try:
            self.delete(obj)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(self.list_url())
        messages.success(request, f"“{name}” {'removed' if self.verb == 'Remove' else 'deleted'}.")
        return redirect(self.list_url())
