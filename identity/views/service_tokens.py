"""Service tokens in the portal: list, create (shown once), delete after confirmation."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from identity import selectors, services
from identity.errors import DomainError
from identity.forms import ServiceTokenForm

from .base import OrganizationPortalMixin, apply_domain_error


class ServiceTokenListView(OrganizationPortalMixin, View):
    permission_required = "service_tokens:read"

    def get(self, request, *args, **kwargs):
        page = Paginator(selectors.service_token_list(organization=self.organization), 25).get_page(request.GET.get("page"))
        return render(
            request,
            "identity/service_tokens/list.html",
            {"page": page, "may_write": self.may("service_tokens:write")},
        )


class ServiceTokenCreateView(OrganizationPortalMixin, View):
    permission_required = "service_tokens:write"
    template = "identity/service_tokens/create.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template, {"form": ServiceTokenForm(organization=self.organization)})

    def post(self, request, *args, **kwargs):
        form = ServiceTokenForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                service_token, plaintext = services.service_token_create(
                    organization=self.organization,
                    actor=self.principal,
                    name=form.cleaned_data["name"],
                    roles=form.cleaned_data["roles"],
                    expires_in=form.cleaned_data["expires_in"] or None,
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                # The plaintext lives only in this response: never in the session or the database.
                response = render(
                    request, "identity/service_tokens/created.html", {"service_token": service_token, "token": plaintext}
                )
                response["Cache-Control"] = "no-store"
                return response
        return render(request, self.template, {"form": form}, status=400)


class ServiceTokenDeleteView(OrganizationPortalMixin, View):
    permission_required = "service_tokens:write"

    def get_token(self):
        return get_object_or_404(selectors.service_token_list(organization=self.organization), pk=self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        return render(request, "identity/service_tokens/delete.html", {"service_token": self.get_token()})

    def post(self, request, *args, **kwargs):
        service_token = self.get_token()
        services.service_token_delete(service_token=service_token, actor=self.principal)
        messages.success(request, f"Service token “{service_token.name}” deleted. Tools using it can no longer call the API.")
        return redirect("portal:service_token_list", org=self.organization.slug)
