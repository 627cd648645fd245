"""Service tokens (API keys): list, create (the token is then shown once, after a redirect), delete after confirmation."""

from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from identity import selectors, services
from identity.forms import ServiceTokenForm

from .base import PortalCreateView, PortalDeleteView, PortalListView, save_through_service
from .one_time_pages import show_service_token_once

LIST = "portal:service_token_list"


class ServiceTokenListView(PortalListView):
    kind, list_url_name, template_name = "service_tokens", LIST, "identity/service_tokens/list.html"

    def objects(self):
        return selectors.service_token_list(principal=self.principal).order_by("name")


@method_decorator(never_cache, name="dispatch")
class ServiceTokenCreateView(PortalCreateView):
    kind, list_url_name, title, submit_label = "service_tokens", LIST, "Create service token", "Create service token"

    def make_form(self, data=None):
        return ServiceTokenForm(data, organization=self.organization)

    def create(self, data):
        return services.service_token_create(
            organization=self.organization,
            actor=self.principal,
            name=data["name"],
            roles=data["roles"],
            expires_in=data["expires_in"] or None,
        )

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        saved, created = save_through_service(form, self.create)
        if not saved:
            return self.render_form(form, status=400)
        service_token, plaintext = created
        return show_service_token_once(request, service_token, plaintext)


class ServiceTokenDeleteView(PortalDeleteView):
    kind, list_url_name = "service_tokens", LIST
    consequence = "Tools using this token get 401 on their next call. This cannot be undone."

    def queryset(self):
        return selectors.service_token_list(principal=self.principal)

    def describe(self, service_token):
        return service_token.name

    def delete(self, service_token):
        services.service_token_delete(service_token=service_token, actor=self.principal)
