"""The back office (`/back-office/`): the platform above every organization, for superusers only.

Organizations (create with their first Account Holder, rename, delete after typing the slug) and
root service accounts (create, with the keys shown once after a redirect, delete), and the
platform audit log. Anyone but a signed-in superuser gets 404: the page does not exist for them.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View

from identity import one_time, selectors
from identity.back_office_forms import (
    OrganizationCreateForm,
    OrganizationDeleteForm,
    OrganizationRenameForm,
    RootCredentialForm,
)
from identity.credential_usage import client_keys_csv, token_url_for, usage_example
from identity.error_mapping import apply_domain_error, raise_for_page
from identity.errors import DomainError
from identity.platform_principals import superuser_principal
from identity.services import platform as platform_services
from identity.services import root_credentials

from .base import paginate

RECENT_EVENTS = 20


def _root_keys(credential_pk):
    return f"root_credential_keys:{credential_pk}"


class BackOfficePage(LoginRequiredMixin, View):
    """Sets ``self.principal`` for a superuser; 404 for everyone else signed in."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.principal = superuser_principal(request.user)
        if self.principal is None:
            raise Http404("No such page.")
        return super().dispatch(request, *args, **kwargs)

    def run(self, form, operation, *, aliases=None):
        """``operation(cleaned_data)`` through its service; ``(True, result)`` if it went through."""
        if not form.is_valid():
            return False, None
        try:
            return True, operation(form.cleaned_data)
        except DomainError as error:
            raise_for_page(error)
            apply_domain_error(form, error, aliases=aliases)
            return False, None


class BackOfficeView(BackOfficePage):
    template_name = "identity/back_office/index.html"

    def get(self, request, organization_form=None, root_form=None, status=200):
        context = {
            "organizations": paginate(request, selectors.organization_list()),
            "root_credentials": selectors.root_service_credential_list(principal=self.principal),
            "events": selectors.platform_audit_event_list(principal=self.principal).select_related("actor_user")[:RECENT_EVENTS],
            "organization_form": organization_form or OrganizationCreateForm(),
            "root_form": root_form or RootCredentialForm(),
        }
        return render(request, self.template_name, context, status=status)


class OrganizationCreateView(BackOfficeView):
    def post(self, request):
        form = OrganizationCreateForm(request.POST)
        saved, created = self.run(form, lambda data: platform_services.organization_create_with_account_holder(
            actor=self.principal, slug=data["slug"], name=data["name"],
            account_holder={"username": data["account_holder_username"], "email": data["account_holder_email"]},
            site_url=request.build_absolute_uri("/"),
        ), aliases=OrganizationCreateForm.error_aliases)
        if not saved:
            return self.get(request, organization_form=form, status=400)
        organization, holder = created
        messages.success(request, f"Organization “{organization.name}” created; {holder.email} was sent a link to set a password.")
        return redirect("portal:back_office")


class OrganizationView(BackOfficePage):
    """GET: rename and delete forms; POST: rename."""

    template_name = "identity/back_office/organization.html"

    def get_organization(self):
        return get_object_or_404(selectors.organization_list(), slug=self.kwargs["org"])

    def page(self, rename_form=None, delete_form=None, status=200):
        organization = self.get_organization()
        context = {
            "organization": organization,
            "rename_form": rename_form or OrganizationRenameForm(initial={"name": organization.name}),
            "delete_form": delete_form or OrganizationDeleteForm(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.page()

    def post(self, request, *args, **kwargs):
        form = OrganizationRenameForm(request.POST)
        saved, organization = self.run(form, lambda data: platform_services.organization_rename(
            actor=self.principal, organization=self.get_organization(), name=data["name"],
        ))
        if not saved:
            return self.page(rename_form=form, status=400)
        messages.success(request, f"Organization renamed to “{organization.name}”.")
        return redirect("portal:back_office")


class OrganizationDeleteView(OrganizationView):
    def post(self, request, *args, **kwargs):
        organization = self.get_organization()
        form = OrganizationDeleteForm(request.POST)
        saved, _ = self.run(form, lambda data: platform_services.organization_delete(
            actor=self.principal, organization=organization, confirm_slug=data["confirm"],
        ))
        if not saved:
            return self.page(delete_form=form, status=400)
        messages.success(request, f"Organization “{organization.name}” ({organization.slug}) deleted.")
        return redirect("portal:back_office")


class RootCredentialCreateView(BackOfficeView):
    """POST: create, seal the client key for the keys page, and redirect there (post/redirect/get)."""

    def post(self, request):
        form = RootCredentialForm(request.POST)
        saved, created = self.run(form, lambda data: root_credentials.root_credential_create(
            actor=self.principal, name=data["name"], permissions=data["permissions"],
            token_endpoint_auth_method=data["token_endpoint_auth_method"], public_key=data["public_key"] or None,
        ))
        if not saved:
            return self.get(request, root_form=form, status=400)
        credential, client_secret = created
        one_time.seal(request, _root_keys(credential.pk), {"client_secret": client_secret})
        return redirect("portal:back_office_root_credential_keys", pk=credential.pk)


class RootCredentialMixin:
    def get_credential(self):
        try:
            return root_credentials.root_credential_by_reference(self.kwargs["pk"])
        except DomainError as error:
            raise_for_page(error)


class RootCredentialKeysView(RootCredentialMixin, BackOfficePage):
    """GET only: the new client key on the first visit; "shown once" on every later one."""

    def get(self, request, *args, **kwargs):
        credential = self.get_credential()
        material = one_time.take(request, _root_keys(credential.pk))
        if material is None:
            response = render(request, "identity/back_office/root_keys_shown.html", {"credential": credential})
        else:
            client_secret, token_url = material["client_secret"], token_url_for(request)
            # The same keys page as an organization's credential's, closing back to the back office.
            response = render(request, "identity/service_credentials/keys.html", {
                "credential": credential,
                "heading": f"Root service account “{credential.name}” created",
                "detail_url": reverse("portal:back_office"),
                "client_secret": client_secret,
                "usage_example": usage_example(credential=credential, token_url=token_url, client_secret=client_secret),
                "csv": client_keys_csv(credential=credential, client_secret=client_secret, token_url=token_url),
                "csv_filename": f"{credential.name}-client-keys.csv",
            })
        response["Cache-Control"] = "no-store"
        return response


class RootCredentialDeleteView(RootCredentialMixin, BackOfficePage):
    def get(self, request, *args, **kwargs):
        credential = self.get_credential()
        return render(request, "identity/confirm_delete.html", {
            "verb": "Delete", "name": credential.name, "list_url": reverse("portal:back_office"),
            "consequence": "Its client keys and every token it was given stop working at once. This cannot be undone.",
        })

    def post(self, request, *args, **kwargs):
        credential = self.get_credential()
        try:
            root_credentials.root_credential_delete(actor=self.principal, credential=credential)
        except DomainError as error:
            raise_for_page(error)
            messages.error(request, error.message)
            return redirect("portal:back_office")
        messages.success(request, f"Root service account “{credential.name}” deleted.")
        return redirect("portal:back_office")
